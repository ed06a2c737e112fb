package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// The minutes (Niederschrift) of a meeting as HTML and PDF
// (docs/DOMAIN.md, "Niederschrift"): the public sees the public version of
// approved minutes only (meetings.Store.PublicMinutes, through the
// database's minutes_public); the members of the meeting's organizations
// and the staff see the members' version, the draft included.

// minutesPage is the minutes page.
type minutesPage struct {
	Meeting meetings.Meeting
	Record  meetings.MinutesRecord
}

// minutesFor returns the minutes of meeting m as v may see them.
// Errors: ErrNotFound when v may see none.
func (s *Server) minutesFor(ctx context.Context, v council.Viewer, m meetings.Meeting) (meetings.MinutesRecord, error) {
	if v.SeesNonPublicOf(m.Organizations...) && s.opt.Minutes != nil {
		rec, _, err := s.opt.Minutes(ctx, m.ID)
		return rec, err
	}
	rec, err := s.meetings.PublicMinutes(ctx, m.ID)
	if errors.Is(err, council.ErrNotFound) {
		return rec, site.NotFound("minutes", m.ID)
	}
	return rec, err
}

// loadMinutes reads the meeting in the URL and its minutes for the
// request's viewer.
func (s *Server) loadMinutes(r *http.Request) (minutesPage, error) {
	id, err := site.PathID(r)
	if err != nil {
		return minutesPage{}, err
	}
	m, err := s.meetings.Meeting(r.Context(), id)
	if err != nil {
		return minutesPage{}, site.HideMissing(err, "meeting", id)
	}
	if m.Deleted {
		return minutesPage{}, site.NotFound("meeting", id)
	}
	rec, err := s.minutesFor(r.Context(), s.viewerOf(r), m)
	if err != nil {
		return minutesPage{}, err
	}
	return minutesPage{Meeting: m, Record: rec}, nil
}

// portalMinutes shows the minutes.
func (s *Server) portalMinutes(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadMinutes(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "minutes", p)
	return nil
}

// portalMinutesPDF renders the minutes as a PDF (the version the viewer
// may see). The approved public version is also stored as the meeting's
// results protocol (documents.PublishMinutes), which OParl lists.
func (s *Server) portalMinutesPDF(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadMinutes(r)
	if err != nil {
		return err
	}
	rd, err := documents.NewRenderer("")
	if err != nil {
		return err
	}
	pdf, err := rd.Minutes(p.Record)
	if err != nil {
		return fmt.Errorf("minutes PDF: %w", err)
	}
	name := "niederschrift.pdf"
	if p.Record.State != meetings.MinutesApproved {
		name = "niederschrift-entwurf.pdf"
	}
	w.Header().Set("Content-Type", documents.MIMEPDF)
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	_, err = w.Write(pdf)
	return err
}

// minutesShown reports whether v may read the meeting's minutes page: the
// approved minutes everyone (their public version), a draft the members
// of the meeting's bodies and staff, when this server drafts minutes.
func (s *Server) minutesShown(v council.Viewer, st meetings.MinutesStatus, orgs ...council.ID) bool {
	switch {
	case st.State == meetings.MinutesApproved:
		return true
	case st.Ran && v.SeesNonPublicOf(orgs...) && s.opt.Minutes != nil:
		return true
	}
	return false
}
