package portal

import (
	"context"
	"net/http"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// papersPage is the data of the list of papers.
type papersPage struct {
	Papers []council.Paper
	Types  []council.PaperType
	Type   council.PaperType
	Total  int
	Pager  pager
}

func (s *Server) portalPapers(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	pageNo, err := site.QueryPage(q)
	if err != nil {
		return err
	}
	typ := council.PaperType(q.Get("type"))
	if typ != "" && !typ.Valid() {
		return council.Invalidf("type must be one of the paper types, not %q", string(typ))
	}
	body, err := s.council.MainBody(ctx)
	if err != nil {
		return err
	}
	v := s.viewerOf(r)
	papers, total, err := s.council.Papers(ctx, council.PaperFilter{BodyID: body.ID, Type: typ,
		OnlyPublic: !v.SeesAllNonPublic(), Limit: papersPerPage, Offset: (pageNo - 1) * papersPerPage})
	if err != nil {
		return err
	}
	pages := (total + papersPerPage - 1) / papersPerPage
	data := papersPage{Papers: papers, Types: council.PaperTypes, Type: typ, Total: total,
		Pager: newPager("/papers", q, pageNo, pages, false)}
	s.render(w, r, http.StatusOK, "papers", data)
	return nil
}

// paperPage is the data of a paper's page.
type paperPage struct {
	Paper       council.Paper
	Lead        string
	Originators []originatorView
	Steps       []stepView
	Events      []council.PaperEvent
	Files       []fileView // the paper's files the viewer may see
	Source      council.ImportedFrom
	Trail       trailView // portal_trail.go
}

// originatorView is who brought in a paper: a person (by name) or an
// organization.
type originatorView struct {
	IsPerson bool
	PersonID council.ID
	OrgID    council.ID
	Name     string
}

// stepView is one consultation as the viewer may see it. Hidden steps (a
// non-public item the viewer may not see) carry only the body and the
// date; Pending steps have no published meeting yet.
type stepView struct {
	OrgID         council.ID
	OrgName       string
	Role          string
	Authoritative bool
	Pending       bool
	Hidden        bool
	NonPublic     bool // a non-public item the viewer may see: badge
	MeetingID     council.ID
	ItemID        council.ID // set when the item is shown
	MeetingName   string
	MeetingStart  time.Time
	Cancelled     bool
	ItemNumber    string
	ItemName      string
	Result        string
}

func (s *Server) portalPaper(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	data, err := s.paperView(r.Context(), s.viewerOf(r), id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "paper", data)
	return nil
}

// paperView loads paper id as v may see it (council.Store.PaperFor). A
// draft (staff only) or a non-public paper v may not see is reported as
// not found, with the same error as an unknown id. Errors: ErrNotFound.
func (s *Server) paperView(ctx context.Context, v council.Viewer, id council.ID) (paperPage, error) {
	p, err := s.council.PaperFor(ctx, v, id)
	if err != nil {
		return paperPage{}, site.HideMissing(err, "paper", id)
	}
	path, err := s.meetings.Path(ctx, id)
	if err != nil {
		return paperPage{}, err
	}
	data := paperPage{Paper: p}
	for _, st := range path {
		data.Steps = append(data.Steps, stepFor(v, st))
	}
	if p.LeadOrgID != council.NilID {
		o, err := s.council.Organization(ctx, p.LeadOrgID)
		if err != nil {
			return paperPage{}, err
		}
		data.Lead = o.Name
	}
	for _, or := range p.Originators {
		switch {
		case or.PersonID != council.NilID:
			per, err := s.council.Person(ctx, or.PersonID)
			if err != nil {
				return paperPage{}, err
			}
			data.Originators = append(data.Originators, originatorView{IsPerson: true, PersonID: per.ID, Name: per.Name()})
		case or.OrganizationID != council.NilID:
			o, err := s.council.Organization(ctx, or.OrganizationID)
			if err != nil {
				return paperPage{}, err
			}
			data.Originators = append(data.Originators, originatorView{OrgID: o.ID, Name: o.Name})
		}
	}
	if data.Files, err = s.linkedFiles(ctx, v, documents.Link{Kind: documents.LinkPaper, ID: id}); err != nil {
		return paperPage{}, err
	}
	if data.Source, err = s.council.ImportedFrom(ctx, "paper", id); err != nil {
		return paperPage{}, err
	}
	events, err := s.council.PaperEvents(ctx, id)
	if err != nil {
		return paperPage{}, err
	}
	for _, ev := range events {
		// The public timeline starts at submission (docs/DOMAIN.md,
		// "Public timeline").
		if ev.Status != council.StatusDraft || v.SeesAllNonPublic() {
			data.Events = append(data.Events, ev)
		}
	}
	if data.Trail, err = s.trailFor(ctx, v, p, data.Steps); err != nil {
		return paperPage{}, err
	}
	return data, nil
}

// stepFor decides what v sees of a consultation step: nothing of an item
// on an agenda that is not published yet (Step.AgendaPublished, as the
// database decides it), only body and date of a non-public item v may not
// see.
func stepFor(v council.Viewer, st meetings.Step) stepView {
	sv := stepView{OrgID: st.OrganizationID, OrgName: st.OrgName, Role: st.Role,
		Authoritative: council.ShowAuthoritative(st.Role, st.Authoritative)}
	if st.Item.ID == council.NilID && st.MeetingID != council.NilID &&
		(st.MeetingState != meetings.Planned || v.SeesAllNonPublic()) {
		// Consulted in a meeting without an agenda item (an imported
		// OParl Consultation with meeting only).
		sv.MeetingStart, sv.MeetingID, sv.MeetingName, sv.Cancelled = st.MeetingStart, st.MeetingID, st.MeetingName, st.Cancelled
		return sv
	}
	if st.Item.ID == council.NilID || st.Item.MeetingID == council.NilID ||
		(!st.AgendaPublished && !v.SeesAllNonPublic()) {
		sv.Pending = true
		return sv
	}
	sv.MeetingStart = st.MeetingStart
	if !st.Item.Public && !v.SeesNonPublicOf(st.OrganizationID) {
		sv.Hidden = true
		return sv
	}
	sv.NonPublic = !st.Item.Public
	sv.MeetingID, sv.MeetingName, sv.Cancelled = st.Item.MeetingID, st.MeetingName, st.Cancelled
	sv.ItemID, sv.ItemNumber, sv.ItemName, sv.Result = st.Item.ID, st.Item.Number, st.Item.Name, st.Item.Result
	return sv
}
