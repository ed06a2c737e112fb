package admin

import (
	"net/http"

	"github.com/plenar/plenar/documents"
)

// adminMeetingInvitationPDF previews the invitation PDF of the meeting in
// URL parameter "id": the public version that publishing stores, or with
// ?version=members the members' version with non-public titles. Clerks
// only (the /admin routes). Errors: ErrInvalid, ErrNotFound.
func (s *server) adminMeetingInvitationPDF(w http.ResponseWriter, r *http.Request) error {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	pdf, err := documents.InvitationPDF(r.Context(), s.Council, s.Meetings, m.ID, r.URL.Query().Get("version") != "members")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="einladung.pdf"`)
	_, err = w.Write(pdf)
	return err
}
