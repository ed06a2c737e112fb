package portal

import (
	"net/http"

	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/web/site"
)

// portalInvitationPDF redirects to the meeting's current invitation PDF:
// the latest version of its invitation file. It is the stable link the
// members' invitation mail carries (council/mail, member.go), because
// the file is stored only after the meeting is invited and gets a new
// version when republished. /files/{id} decides who may read the file.
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
	return site.NotFound("invitation of meeting", id)
}
