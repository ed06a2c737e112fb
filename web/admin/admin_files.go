package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/web/site"
)

// fileRoutes registers the file pages of a paper, meeting or agenda item
// under /admin/files: the list, uploads and new versions (streamed; the
// session middleware has read the CSRF token, web/files_csrf.go), and a
// file's title, licence, date, public flag, deletion and extraction retry.
func (s *server) fileRoutes(r chi.Router) {
	r.Route("/files", func(r chi.Router) {
		r.Get("/{kind}/{id}", s.Handle(s.adminFiles))
		r.Post("/{kind}/{id}", s.Handle(s.adminUpload))
		r.Post("/{kind}/{id}/{file}/public", s.Handle(s.adminTogglePublic))
		r.Post("/{kind}/{id}/{file}/delete", s.Handle(s.adminDelete))
		r.Post("/{kind}/{id}/{file}/retry", s.Handle(s.adminRetry))
		r.Post("/{kind}/{id}/{file}/meta", s.Handle(s.adminMeta))
		r.Post("/{kind}/{id}/{file}/version", s.Handle(s.adminVersion))
	})
}

// fileTarget is what files are attached to, as the back office shows it.
type fileTarget struct {
	Link  documents.Link
	Title string
	Back  string // the target's back-office page
}

// target loads the paper, meeting or agenda item in the URL ({kind},
// {id}) of the back office's body. Errors: ErrInvalid, ErrNotFound.
func (s *server) target(r *http.Request) (fileTarget, error) {
	ctx := r.Context()
	kind, err := documents.ParseLinkKind(chi.URLParam(r, "kind"))
	if err != nil {
		return fileTarget{}, fmt.Errorf("%w: %w", council.ErrNotFound, err)
	}
	id, err := site.URLID(r, "id")
	if err != nil {
		return fileTarget{}, err
	}
	b, err := s.body(ctx)
	if err != nil {
		return fileTarget{}, err
	}
	t := fileTarget{Link: documents.Link{Kind: kind, ID: id}}
	switch kind {
	case documents.LinkPaper:
		p, err := s.Council.Paper(ctx, id)
		if err != nil {
			return t, err
		}
		if err := MustBelong("paper", id, p.BodyID, b.ID, p.Deleted); err != nil {
			return t, err
		}
		t.Title, t.Back = strings.TrimSpace(p.Reference+" "+p.Name), "/admin/papers/"+id.String()
	case documents.LinkMeeting, documents.LinkAgendaItem:
		mid := id
		var itemName string
		if kind == documents.LinkAgendaItem {
			it, err := s.Meetings.AgendaItem(ctx, id)
			if err != nil {
				return t, err
			}
			if it.Deleted {
				return t, site.NotFound("agenda item", id)
			}
			mid, itemName = it.MeetingID, strings.TrimSpace(it.Number+" "+it.Name)
		}
		m, err := s.Meetings.Meeting(ctx, mid)
		if err != nil {
			return t, err
		}
		if err := MustBelong("meeting", mid, m.BodyID, b.ID, m.Deleted); err != nil {
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

func (s *server) adminFiles(w http.ResponseWriter, r *http.Request) error {
	t, err := s.target(r)
	if err != nil {
		return err
	}
	return s.renderFiles(w, r, http.StatusOK, t, s.Notice(r), "")
}

func (s *server) renderFiles(w http.ResponseWriter, r *http.Request, status int, t fileTarget, notice, errKey string) error {
	list, err := s.Docs.Files(r.Context(), t.Link)
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
	s.Render(w, r, status, "admin_files", filesPage{Notice: notice, Error: errKey, Target: t, Files: list,
		Roles: roles, MaxMB: s.Docs.Limits().MaxSize >> 20, Replaced: replaced})
	return nil
}

// adminUpload streams one uploaded file into the store. The form's fields
// come in document order: csrf_token (read by the CSRF check), name, role,
// public, then the file; fields after the file are ignored.
func (s *server) adminUpload(w http.ResponseWriter, r *http.Request) error {
	t, err := s.target(r)
	if err != nil {
		return err
	}
	return s.upload(w, r, t, documents.File{Public: false}, t.Link, "file_uploaded")
}

// adminVersion uploads a new version of the URL's file: the old one is
// kept and becomes the new one's master (OParl masterFile/derivativeFile);
// the new version takes the old one's title, licence, date and role
// unless the form gives a title, and is public when the form says so.
func (s *server) adminVersion(w http.ResponseWriter, r *http.Request) error {
	t, err := s.target(r)
	if err != nil {
		return err
	}
	old, err := s.listedOf(r, t)
	if err != nil {
		return err
	}
	meta := documents.File{Name: old.Name, License: old.License, Date: old.Date, MasterID: old.ID}
	link := t.Link
	link.Role = old.Role
	return s.upload(w, r, t, meta, link, "file_version")
}

// upload streams the multipart upload of r into the store with meta and
// link as defaults that the form's fields may change.
func (s *server) upload(w http.ResponseWriter, r *http.Request, t fileTarget, meta documents.File, link documents.Link, notice string) error {
	var err error
	if lim := s.Docs.Limits().MaxSize + 1<<20; r.ContentLength > lim {
		w.Header().Set("Connection", "close")
		return s.renderFiles(w, r, http.StatusRequestEntityTooLarge, t, "", documents.RejectTooLarge)
	}
	mr := s.Multipart(r)
	if mr == nil {
		if mr, err = r.MultipartReader(); err != nil {
			return fmt.Errorf("%w: not a multipart upload: %w", council.ErrInvalid, err)
		}
	}
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) || parts > 20 {
			return s.renderFiles(w, r, http.StatusBadRequest, t, "", documents.RejectEmpty)
		}
		if err != nil {
			return fmt.Errorf("%w: upload: %w", council.ErrInvalid, err)
		}
		if p.FormName() == "file" {
			if meta.FileName = p.FileName(); !site.ValidText(meta.FileName) {
				return site.ErrBadChars
			}
			if strings.TrimSpace(meta.Name) == "" {
				meta.Name = strings.TrimSuffix(meta.FileName, filepath.Ext(meta.FileName))
			}
			file, err := s.Docs.Upload(s.Actor(r), p, meta, []documents.Link{link})
			var rej *documents.Rejection
			if errors.As(err, &rej) {
				s.Log.Info("upload rejected", "reason", rej.Reason, "detail", rej.Detail, "file_name", meta.FileName)
				status := http.StatusBadRequest
				if rej.Reason == documents.RejectTooLarge {
					status = http.StatusRequestEntityTooLarge
				}
				return s.renderFiles(w, r, status, t, "", rej.Reason)
			}
			if err != nil {
				return err
			}
			s.Log.Info("file uploaded", "file_id", file.ID, "size", file.Size, "mime_type", file.MIMEType)
			return Redirect(w, r, adminFilesURL(t.Link), notice)
		}
		v, err := site.TextPart(p)
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
func (s *server) fileOf(r *http.Request, t fileTarget) (documents.File, error) {
	x, err := s.listedOf(r, t)
	return x.File, err
}

// listedOf is fileOf with the file's role at the target.
func (s *server) listedOf(r *http.Request, t fileTarget) (documents.Listed, error) {
	id, err := site.URLID(r, "file")
	if err != nil {
		return documents.Listed{}, err
	}
	list, err := s.Docs.Files(r.Context(), t.Link)
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
func (s *server) adminMeta(w http.ResponseWriter, r *http.Request) error {
	t, err := s.target(r)
	if err != nil {
		return err
	}
	file, err := s.fileOf(r, t)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	date := ParseDate(fe, "date", r.PostFormValue("date"))
	if err := fe.Err(); err == nil {
		err = s.Docs.SetMeta(s.Actor(r), file.ID, r.PostFormValue("name"), r.PostFormValue("license"), date)
		if err == nil {
			return Redirect(w, r, adminFilesURL(t.Link), "file_meta")
		}
		if !errors.As(err, &fe) {
			return err
		}
	}
	for _, msg := range fe {
		return s.renderFiles(w, r, http.StatusBadRequest, t, "", msg)
	}
	return nil
}

// act runs do on the URL's file and redirects back with notice.
func (s *server) act(w http.ResponseWriter, r *http.Request, notice string, do func(context.Context, documents.File) error) error {
	t, err := s.target(r)
	if err != nil {
		return err
	}
	file, err := s.fileOf(r, t)
	if err != nil {
		return err
	}
	if err := do(s.Actor(r), file); err != nil {
		return err
	}
	return Redirect(w, r, adminFilesURL(t.Link), notice)
}

func (s *server) adminTogglePublic(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, "file_saved", func(ctx context.Context, file documents.File) error {
		return s.Docs.SetPublic(ctx, file.ID, !file.Public)
	})
}

func (s *server) adminDelete(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, "file_deleted", func(ctx context.Context, file documents.File) error {
		return s.Docs.Delete(ctx, file.ID)
	})
}

func (s *server) adminRetry(w http.ResponseWriter, r *http.Request) error {
	return s.act(w, r, "file_retry", func(ctx context.Context, file documents.File) error {
		return s.Docs.Retry(ctx, file.ID)
	})
}
