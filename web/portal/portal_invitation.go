package portal

import (
	"fmt"
	"net/http"

	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/web/site"
)

// portalInvitationPDF redirects to the meeting's current invitation PDF:
// the latest version of its invitation file. It is the stable link the
// members' invitation mail carries (council/mail, member.go), because
// the file is stored only after the meeting is invited and gets a new
// version when republished. /files/{id} decides who may read the file.
// Without a stored file, the public invitation of a published meeting is
// rendered on the spot.
func (s *Server) portalInvitationPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	m, err := s.meetings.Meeting(r.Context(), id)
	if err != nil {
		return site.HideMissing(err, "meeting", id)
	}
	if m.Deleted {
		return site.NotFound("meeting", id)
	}
	files, err := s.docs.Files(r.Context(), documents.Link{Kind: documents.LinkMeeting, ID: id})
	if err != nil {
		return err
	}
	for _, f := range documents.Latest(files) {
		if f.Role == documents.RoleInvitation {
			http.Redirect(w, r, "/files/"+f.ID.String(), http.StatusFound)
			return nil
		}
	}
	// Published, but its file not stored yet (the back office stores it
	// right after the invite commits, when the mail may already be on its
	// way): the public version, rendered now.
	if !m.AgendaPublished() || m.Cancelled {
		return site.NotFound("invitation of meeting", id)
	}
	pdf, err := documents.InvitationPDF(r.Context(), s.council, s.meetings, id, true)
	if err != nil {
		return fmt.Errorf("invitation PDF of %s: %w", id, err)
	}
	w.Header().Set("Content-Type", documents.MIMEPDF)
	w.Header().Set("Content-Disposition", `inline; filename="einladung.pdf"`)
	_, err = w.Write(pdf)
	return err
}
