package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/web/site"
)

// files serves stored files and the back office's file pages. It holds the
// server's documents store.
type files struct {
	s    *Server
	docs *documents.Store
}

// fileRoutes registers /files/{id} (inline), /files/{id}/download
// (attachment) and the back office's file pages under /admin/files.
func (s *Server) fileRoutes(r chi.Router) {
	f := &files{s: s, docs: s.docs}
	r.Get("/files/{id}", s.h(f.serve(false)))
	r.Head("/files/{id}", s.h(f.serve(false)))
	r.Get("/files/{id}/download", s.h(f.serve(true)))
	r.Head("/files/{id}/download", s.h(f.serve(true)))
	r.Route("/admin/files", func(r chi.Router) {
		r.Use(s.requireRole(council.RoleClerk, council.RoleAdmin), site.NoStore)
		r.Get("/{kind}/{id}", s.h(f.adminList))
		r.Post("/{kind}/{id}", s.h(f.adminUpload))
		r.Post("/{kind}/{id}/{file}/public", s.h(f.adminTogglePublic))
		r.Post("/{kind}/{id}/{file}/delete", s.h(f.adminDelete))
		r.Post("/{kind}/{id}/{file}/retry", s.h(f.adminRetry))
		r.Post("/{kind}/{id}/{file}/meta", s.h(f.adminMeta))
		r.Post("/{kind}/{id}/{file}/version", s.h(f.adminVersion))
	})
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

// fileTarget is what files are attached to, as the back office shows it.
type fileTarget struct {
	Link  documents.Link
	Title string
	Back  string // the target's back-office page
}

// target loads the paper, meeting or agenda item in the URL ({kind},
// {id}) of the back office's body. Errors: ErrInvalid, ErrNotFound.
func (f *files) target(r *http.Request) (fileTarget, error) {
	ctx := r.Context()
	kind, err := documents.ParseLinkKind(chi.URLParam(r, "kind"))
	if err != nil {
		return fileTarget{}, fmt.Errorf("%w: %w", council.ErrNotFound, err)
	}
	id, err := site.URLID(r, "id")
	if err != nil {
		return fileTarget{}, err
	}
	b, err := f.s.body(ctx)
	if err != nil {
		return fileTarget{}, err
	}
	t := fileTarget{Link: documents.Link{Kind: kind, ID: id}}
	switch kind {
	case documents.LinkPaper:
		p, err := f.s.council.Paper(ctx, id)
		if err != nil {
			return t, err
		}
		if err := mustBelong("paper", id, p.BodyID, b.ID, p.Deleted); err != nil {
			return t, err
		}
		t.Title, t.Back = strings.TrimSpace(p.Reference+" "+p.Name), "/admin/papers/"+id.String()
	case documents.LinkMeeting, documents.LinkAgendaItem:
		mid := id
		var itemName string
		if kind == documents.LinkAgendaItem {
			it, err := f.s.meetings.AgendaItem(ctx, id)
			if err != nil {
				return t, err
			}
			if it.Deleted {
				return t, site.NotFound("agenda item", id)
			}
			mid, itemName = it.MeetingID, strings.TrimSpace(it.Number+" "+it.Name)
		}
		m, err := f.s.meetings.Meeting(ctx, mid)
		if err != nil {
			return t, err
		}
		if err := mustBelong("meeting", mid, m.BodyID, b.ID, m.Deleted); err != nil {
			return t, err
		}
		t.Title, t.Back = m.Name, "/admin/meetings/"+mid.String()
		if itemName != "" {
			t.Title += ": " + itemName
			t.Back += "#item-" + id.String()
		}
	}
	return t, nil
}

// filesPage is the data of admin_files.
type filesPage struct {
	Notice string
	Error  string // a rejection's translation key
	Target fileTarget
	Files  []documents.Listed
	Roles  []string
	MaxMB  int64
	// Replaced marks the files that a newer listed version replaces.
	Replaced map[council.ID]bool
}

func (f *files) adminList(w http.ResponseWriter, r *http.Request) error {
	t, err := f.target(r)
	if err != nil {
		return err
	}
	return f.renderList(w, r, http.StatusOK, t, f.s.notice(r), "")
}

func (f *files) renderList(w http.ResponseWriter, r *http.Request, status int, t fileTarget, notice, errKey string) error {
	list, err := f.docs.Files(r.Context(), t.Link)
	if err != nil {
		return err
	}
	roles := map[documents.LinkKind][]string{
		documents.LinkPaper: {documents.RoleAuxiliary, documents.RoleMain},
		documents.LinkMeeting: {documents.RoleAuxiliary, documents.RoleInvitation, documents.RoleResultsProtocol,
			documents.RoleVerbatimProtocol},
		documents.LinkAgendaItem: {documents.RoleAuxiliary, documents.RoleResolution},
	}[t.Link.Kind]
	replaced := map[council.ID]bool{}
	for _, x := range list {
		if x.MasterID != council.NilID {
			replaced[x.MasterID] = true
		}
	}
	f.s.render(w, r, status, "admin_files", filesPage{Notice: notice, Error: errKey, Target: t, Files: list,
		Roles: roles, MaxMB: f.docs.Limits().MaxSize >> 20, Replaced: replaced})
	return nil
}

// adminUpload streams one uploaded file into the store. The form's fields
// come in document order: csrf_token (read by the CSRF check), name, role,
// public, then the file; fields after the file are ignored.
func (f *files) adminUpload(w http.ResponseWriter, r *http.Request) error {
	t, err := f.target(r)
	if err != nil {
		return err
	}
	return f.upload(w, r, t, documents.File{Public: false}, t.Link, "file_uploaded")
}

// adminVersion uploads a new version of the URL's file: the old one is
// kept and becomes the new one's master (OParl masterFile/derivativeFile);
// the new version takes the old one's title, licence, date and role
// unless the form gives a title, and is public when the form says so.
func (f *files) adminVersion(w http.ResponseWriter, r *http.Request) error {
	t, err := f.target(r)
	if err != nil {
		return err
	}
	old, err := f.listedOf(r, t)
	if err != nil {
		return err
	}
	meta := documents.File{Name: old.Name, License: old.License, Date: old.Date, MasterID: old.ID}
	link := t.Link
	link.Role = old.Role
	return f.upload(w, r, t, meta, link, "file_version")
}

// upload streams the multipart upload of r into the store with meta and
// link as defaults that the form's fields may change.
func (f *files) upload(w http.ResponseWriter, r *http.Request, t fileTarget, meta documents.File, link documents.Link, notice string) error {
	var err error
	if lim := f.docs.Limits().MaxSize + 1<<20; r.ContentLength > lim {
		w.Header().Set("Connection", "close")
		return f.renderList(w, r, http.StatusRequestEntityTooLarge, t, "", documents.RejectTooLarge)
	}
	mr := requestStateOf(r).multipart
	if mr == nil {
		if mr, err = r.MultipartReader(); err != nil {
			return fmt.Errorf("%w: not a multipart upload: %w", council.ErrInvalid, err)
		}
	}
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) || parts > 20 {
			return f.renderList(w, r, http.StatusBadRequest, t, "", documents.RejectEmpty)
		}
		if err != nil {
			return fmt.Errorf("%w: upload: %w", council.ErrInvalid, err)
		}
		if p.FormName() == "file" {
			if meta.FileName = p.FileName(); !validText(meta.FileName) {
				return errBadChars
			}
			if strings.TrimSpace(meta.Name) == "" {
				meta.Name = strings.TrimSuffix(meta.FileName, filepath.Ext(meta.FileName))
			}
			file, err := f.docs.Upload(actor(r), p, meta, []documents.Link{link})
			var rej *documents.Rejection
			if errors.As(err, &rej) {
				f.s.log.Info("upload rejected", "reason", rej.Reason, "detail", rej.Detail, "file_name", meta.FileName)
				status := http.StatusBadRequest
				if rej.Reason == documents.RejectTooLarge {
					status = http.StatusRequestEntityTooLarge
				}
				return f.renderList(w, r, status, t, "", rej.Reason)
			}
			if err != nil {
				return err
			}
			f.s.log.Info("file uploaded", "file_id", file.ID, "size", file.Size, "mime_type", file.MIMEType)
			return redirect(w, r, adminFilesURL(t.Link), notice)
		}
		v, err := textPart(p) // input.go
		if err != nil {
			return err
		}
		switch p.FormName() {
		case "name":
			if v = strings.TrimSpace(v); v != "" || meta.MasterID == council.NilID {
				meta.Name = v
			}
		case "role":
			if meta.MasterID == council.NilID {
				link.Role = v
			}
		case "public":
			meta.Public = v == "on" || v == "true" || v == "1"
		}
	}
}

func adminFilesURL(l documents.Link) string {
	return "/admin/files/" + string(l.Kind) + "/" + l.ID.String()
}

// fileOf loads the file in URL parameter "file" and checks it is attached
// to the target. Errors: ErrInvalid, ErrNotFound.
func (f *files) fileOf(r *http.Request, t fileTarget) (documents.File, error) {
	x, err := f.listedOf(r, t)
	return x.File, err
}

// listedOf is fileOf with the file's role at the target.
func (f *files) listedOf(r *http.Request, t fileTarget) (documents.Listed, error) {
	id, err := site.URLID(r, "file")
	if err != nil {
		return documents.Listed{}, err
	}
	list, err := f.docs.Files(r.Context(), t.Link)
	if err != nil {
		return documents.Listed{}, err
	}
	for _, x := range list {
		if x.ID == id {
			return x, nil
		}
	}
	return documents.Listed{}, site.NotFound("file", id)
}

// adminMeta saves a file's title, licence and date; invalid input
// re-renders the list with the message.
func (f *files) adminMeta(w http.ResponseWriter, r *http.Request) error {
	t, err := f.target(r)
	if err != nil {
		return err
	}
	file, err := f.fileOf(r, t)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	date := parseDate(fe, "date", r.PostFormValue("date"))
	if err := fe.Err(); err == nil {
		err = f.docs.SetMeta(actor(r), file.ID, r.PostFormValue("name"), r.PostFormValue("license"), date)
		if err == nil {
			return redirect(w, r, adminFilesURL(t.Link), "file_meta")
		}
		if !errors.As(err, &fe) {
			return err
		}
	}
	for _, msg := range fe {
		return f.renderList(w, r, http.StatusBadRequest, t, "", msg)
	}
	return nil
}

// act runs do on the URL's file and redirects back with notice.
func (f *files) act(w http.ResponseWriter, r *http.Request, notice string, do func(context.Context, documents.File) error) error {
	t, err := f.target(r)
	if err != nil {
		return err
	}
	file, err := f.fileOf(r, t)
	if err != nil {
		return err
	}
	if err := do(actor(r), file); err != nil {
		return err
	}
	return redirect(w, r, adminFilesURL(t.Link), notice)
}

func (f *files) adminTogglePublic(w http.ResponseWriter, r *http.Request) error {
	return f.act(w, r, "file_saved", func(ctx context.Context, file documents.File) error {
		return f.docs.SetPublic(ctx, file.ID, !file.Public)
	})
}

func (f *files) adminDelete(w http.ResponseWriter, r *http.Request) error {
	return f.act(w, r, "file_deleted", func(ctx context.Context, file documents.File) error {
		return f.docs.Delete(ctx, file.ID)
	})
}

func (f *files) adminRetry(w http.ResponseWriter, r *http.Request) error {
	return f.act(w, r, "file_retry", func(ctx context.Context, file documents.File) error {
		return f.docs.Retry(ctx, file.ID)
	})
}
