package web

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/web/site"
)

// files serves stored files to every audience. It holds the server's
// documents store.
type files struct {
	s    *Server
	docs *documents.Store
}

// fileRoutes registers /files/{id} (inline) and /files/{id}/download
// (attachment). The back office's file pages under /admin/files are
// package web/admin's (admin_files.go).
func (s *Server) fileRoutes(r chi.Router) {
	f := &files{s: s, docs: s.docs}
	r.Get("/files/{id}", s.h(f.serve(false)))
	r.Head("/files/{id}", s.h(f.serve(false)))
	r.Get("/files/{id}/download", s.h(f.serve(true)))
	r.Head("/files/{id}/download", s.h(f.serve(true)))
}

// serve answers GET and HEAD for one file: 404 for an unknown id and for a
// file the viewer may not see (existence does not leak), 410 for a deleted
// file, otherwise the blob with ETag (the SHA-512), Last-Modified,
// conditional GET and Range (http.ServeContent), inline or as attachment.
func (f *files) serve(download bool) site.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		id, err := council.ParseID(chi.URLParam(r, "id"))
		if err != nil {
			return site.NotFound("file", id)
		}
		file, err := f.docs.File(ctx, id)
		if err != nil {
			return site.HideMissing(err, "file", id)
		}
		acc, err := f.docs.Access(ctx, id)
		if err != nil {
			return site.HideMissing(err, "file", id)
		}
		v := requestStateOf(r).viewer
		if !acc.Public && !v.SeesNonPublicOf(acc.Orgs...) {
			return site.NotFound("file", id)
		}
		if file.Deleted {
			f.s.render(w, r, http.StatusGone, "error", errorPage{Status: http.StatusGone,
				Message: f.s.i18n.T(requestStateOf(r).lang, "files.gone")})
			return nil
		}
		blob, err := f.docs.Open(file)
		if err != nil {
			return fmt.Errorf("file %s: %w", id, err) // a row without its blob is a server fault
		}
		defer blob.Close()
		h := w.Header()
		h.Set("Content-Type", file.MIMEType)
		h.Set("ETag", `"`+file.SHA512+`"`)
		h.Set("Content-Disposition", contentDisposition(download, file.FileName))
		if acc.Public {
			h.Set("Cache-Control", "public, max-age=300")
		} else {
			h.Set("Cache-Control", "private, no-cache")
			h.Set("Vary", "Cookie")
		}
		http.ServeContent(w, r, file.FileName, file.Created, blob)
		return nil
	}
}

// contentDisposition builds an inline or attachment header with an ASCII
// fallback filename and the UTF-8 name as RFC 5987 filename*.
func contentDisposition(download bool, name string) string {
	kind := "inline"
	if download {
		kind = "attachment"
	}
	var ascii strings.Builder
	for _, r := range name {
		switch {
		case r == '"' || r == '\\' || r < 0x20 || r == 0x7f:
			ascii.WriteByte('_')
		case r < utf8.RuneSelf:
			ascii.WriteRune(r)
		default:
			ascii.WriteString(asciiFold(r))
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, ascii.String(), rfc5987(name))
}

func asciiFold(r rune) string {
	switch r {
	case 'ä':
		return "ae"
	case 'ö':
		return "oe"
	case 'ü':
		return "ue"
	case 'Ä':
		return "Ae"
	case 'Ö':
		return "Oe"
	case 'Ü':
		return "Ue"
	case 'ß':
		return "ss"
	}
	return "_"
}

// rfc5987 percent-encodes s except for attr-chars.
func rfc5987(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
