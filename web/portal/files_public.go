package portal

import (
	"context"
	"fmt"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
)

// fileView is a file as a portal page lists it.
type fileView struct {
	ID       council.ID
	Title    string
	FileName string
	MIMEType string
	Size     int64
	Role     string
	Public   bool // false: a non-public file the viewer may see (badge)
}

// visibleFiles filters list to the files v may see (documents.Access: a
// file is public only when it and everything it is attached to is public;
// otherwise staff and members of the linked bodies see it), newest
// versions only.
func (s *Server) visibleFiles(ctx context.Context, v council.Viewer, list []documents.Listed) ([]fileView, error) {
	var out []fileView
	for _, x := range documents.Latest(list) {
		if v.IsPublic() && !x.Public {
			continue
		}
		public := false
		if !v.SeesAllNonPublic() || x.Public {
			acc, err := s.docs.Access(ctx, x.ID)
			if err != nil {
				return nil, fmt.Errorf("visible files: %w", err)
			}
			if !acc.Public && !v.SeesNonPublicOf(acc.Orgs...) {
				continue
			}
			public = acc.Public
		}
		out = append(out, fileView{ID: x.ID, Title: x.Title(), FileName: x.FileName, MIMEType: x.MIMEType,
			Size: x.Size, Role: x.Role, Public: public})
	}
	return out, nil
}

// linkedFiles returns the files of the paper, meeting or agenda item l
// that v may see.
func (s *Server) linkedFiles(ctx context.Context, v council.Viewer, l documents.Link) ([]fileView, error) {
	list, err := s.docs.Files(ctx, l)
	if err != nil {
		return nil, err
	}
	return s.visibleFiles(ctx, v, list)
}

// Kind is the short name of the file's type.
func (f fileView) Kind() string { return fileKind(f.MIMEType) }

// SizeIn formats the size for lang.
func (f fileView) SizeIn(lang string) string { return humanSize(f.Size, lang) }

// fileKind is a short, readable name of a MIME type for file lists.
func fileKind(mime string) string {
	switch mime {
	case documents.MIMEPDF:
		return "PDF"
	case documents.MIMEODT:
		return "ODT"
	case documents.MIMEDOCX:
		return "DOCX"
	case documents.MIMEPNG:
		return "PNG"
	case documents.MIMEJPEG:
		return "JPEG"
	}
	return mime
}

// humanSize formats n bytes as "12 KB" / "3,4 MB" (German decimal comma
// when lang is "de").
func humanSize(n int64, lang string) string {
	var s string
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		s = fmt.Sprintf("%.0f KB", float64(n)/1000)
	default:
		s = fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	if lang == "de" {
		b := []byte(s)
		for i, c := range b {
			if c == '.' {
				b[i] = ','
			}
		}
		s = string(b)
	}
	return s
}
