package documents

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// PublishInvitation renders the public invitation of the meeting with id
// (InvitationPDF) and stores it in fs as the meeting's invitation file
// (role RoleInvitation), public, dated at. When the meeting has an
// invitation file already, the new one is a new version of the latest
// (MasterID), which is kept. Errors: council.ErrNotFound for an unknown
// meeting, and those of InvitationPDF and Store.Upload.
func PublishInvitation(ctx context.Context, cs *council.Store, ms *meetings.Store, fs *Store, id council.ID, at time.Time) (File, error) {
	pdf, err := InvitationPDF(ctx, cs, ms, id, true)
	if err != nil {
		return File{}, err
	}
	f := File{Name: "Einladung", FileName: "einladung.pdf", Date: at, Public: true}
	stored, err := fs.publish(ctx, pdf, f, Link{Kind: LinkMeeting, ID: id, Role: RoleInvitation})
	if err != nil {
		return File{}, fmt.Errorf("publish invitation of %s: %w", id, err)
	}
	return stored, nil
}

// PublishMinutes renders the public version of the approved minutes r
// (meetings.MinutesRecord.Public: non-public items only as neutral titles)
// and stores them in fs as the meeting's results protocol (role
// RoleResultsProtocol), public, dated at; a new version of the latest
// results protocol when there is one (after an addendum). It refuses a
// members' version or a draft, so nothing non-public or unapproved is
// published. Errors: council.ErrInvalid for such a record, and those of
// the renderer and Store.Upload.
func PublishMinutes(ctx context.Context, fs *Store, r *Renderer, m meetings.MinutesRecord, at time.Time) (File, error) {
	if m.ForMembers || m.State != meetings.MinutesApproved {
		return File{}, fmt.Errorf("%w: only the public version of approved minutes is published", council.ErrInvalid)
	}
	pdf, err := r.Minutes(m)
	if err != nil {
		return File{}, err
	}
	f := File{Name: "Niederschrift", FileName: "niederschrift.pdf", Date: at, Public: true}
	stored, err := fs.publish(ctx, pdf, f, Link{Kind: LinkMeeting, ID: m.MeetingID, Role: RoleResultsProtocol})
	if err != nil {
		return File{}, fmt.Errorf("publish minutes of %s: %w", m.MeetingID, err)
	}
	return stored, nil
}

// PublishPaper renders the paper with id (PaperPDF) and stores it in fs
// as the paper's main file (role RoleMain), dated at. The file is marked
// public only when the paper is public; a non-public paper gets the
// members' version, which only staff and members of its bodies see
// (Access). When the paper has a main file already, the new one is a new
// version of the latest. Errors: council.ErrNotFound for an unknown
// paper, and those of PaperPDF and Store.Upload.
func PublishPaper(ctx context.Context, cs *council.Store, ms *meetings.Store, fs *Store, id council.ID, at time.Time) (File, error) {
	p, err := cs.Paper(ctx, id)
	if err != nil {
		return File{}, err
	}
	pdf, err := PaperPDF(ctx, cs, ms, id, p.Public)
	if err != nil {
		return File{}, err
	}
	f := File{Name: p.Type.GermanName(), FileName: "entwurf.pdf", Date: at, Public: p.Public}
	if ref := strings.TrimSpace(p.Reference); ref != "" {
		f.Name += " " + ref
		f.FileName = strings.NewReplacer("/", "-", " ", "_").Replace(ref) + ".pdf"
	}
	stored, err := fs.publish(ctx, pdf, f, Link{Kind: LinkPaper, ID: id, Role: RoleMain})
	if err != nil {
		return File{}, fmt.Errorf("publish paper %s: %w", id, err)
	}
	return stored, nil
}

// publish stores pdf as f linked by l; when what l names has a file in
// l.Role already, f is a new version of the latest (MasterID).
func (s *Store) publish(ctx context.Context, pdf []byte, f File, l Link) (File, error) {
	files, err := s.Files(ctx, l)
	if err != nil {
		return File{}, err
	}
	for _, x := range files { // oldest first: the last one is the latest version
		if x.Role == l.Role {
			f.MasterID = x.ID
		}
	}
	return s.Upload(ctx, bytes.NewReader(pdf), f, []Link{l})
}
