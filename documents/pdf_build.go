package documents

import (
	"context"
	"fmt"
	"strings"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// Mapping from Plenar's domain types to the plain inputs of the generated
// PDFs. The From functions are pure; the Load functions read the stores.

// InvitationPDF renders the invitation of the meeting with id: the public
// version when public is true (non-public items only as neutral titles),
// otherwise the members' version. It reads the fonts from DefaultFontDir
// on every call; callers that render often keep a Renderer and use
// LoadInvitation. Errors: council.ErrNotFound for an unknown or deleted
// meeting, and font or rendering failures.
func InvitationPDF(ctx context.Context, cs *council.Store, ms *meetings.Store, meetingID council.ID, public bool) ([]byte, error) {
	inv, err := LoadInvitation(ctx, cs, ms, meetingID, !public)
	if err != nil {
		return nil, err
	}
	r, err := NewRenderer("")
	if err != nil {
		return nil, err
	}
	return r.Invitation(inv)
}

// LoadInvitation reads the meeting with id, its body, organizations,
// location and agenda and maps them with InvitationFrom.
// Errors: council.ErrNotFound for an unknown or deleted meeting.
func LoadInvitation(ctx context.Context, cs *council.Store, ms *meetings.Store, id council.ID, forMembers bool) (Invitation, error) {
	x, err := loadMeeting(ctx, cs, ms, id)
	if err != nil {
		return Invitation{}, fmt.Errorf("invitation of %s: %w", id, err)
	}
	return InvitationFrom(x.body, x.orgs, x.m, x.loc, x.items, forMembers), nil
}

// loadedMeeting is what the meeting documents are made of.
type loadedMeeting struct {
	m     meetings.Meeting
	body  council.Body
	orgs  []council.Organization
	loc   council.Location
	items []meetings.AgendaItem
}

// loadMeeting reads the meeting with id (not deleted), its body,
// organizations, location and agenda.
func loadMeeting(ctx context.Context, cs *council.Store, ms *meetings.Store, id council.ID) (loadedMeeting, error) {
	var x loadedMeeting
	var err error
	if x.m, err = ms.Meeting(ctx, id); err != nil {
		return x, err
	}
	if x.m.Deleted {
		return x, fmt.Errorf("meeting %s: %w", id, council.ErrNotFound)
	}
	if x.body, err = cs.Body(ctx, x.m.BodyID); err != nil {
		return x, err
	}
	for _, oid := range x.m.Organizations {
		o, err := cs.Organization(ctx, oid)
		if err != nil {
			return x, err
		}
		x.orgs = append(x.orgs, o)
	}
	if x.m.LocationID != council.NilID {
		if x.loc, err = cs.Location(ctx, x.m.LocationID); err != nil {
			return x, err
		}
	}
	if x.items, err = ms.AgendaItems(ctx, id); err != nil {
		return x, err
	}
	return x, nil
}

// InvitationFrom maps a meeting to an Invitation. The public version
// (forMembers false) carries no title or reference of a non-public item,
// and no reference of a non-public paper on a public item, so nothing
// confidential reaches the renderer at all.
func InvitationFrom(body council.Body, orgs []council.Organization, m meetings.Meeting, loc council.Location,
	items []meetings.AgendaItem, forMembers bool) Invitation {
	a := Agenda{City: body.Name, Body: orgNames(orgs), Meeting: m.Name, Start: m.Start, End: m.End,
		Location: loc.Label(), ForMembers: forMembers}
	for _, it := range items {
		if it.Deleted {
			continue
		}
		e := AgendaEntry{Number: it.Number, Title: it.Name, Public: it.Public, PaperReference: it.PaperReference}
		if !forMembers {
			switch {
			case !it.Public:
				e.Title, e.PaperReference = NonPublicItemTitle, ""
			case it.PaperID != council.NilID && !it.PaperPublic:
				e.PaperReference = ""
			}
		}
		a.Items = append(a.Items, e)
	}
	return Invitation{Agenda: a}
}

// PaperSheetFrom maps a paper and its path to a PaperSheet. originators
// and lead are display names the caller resolved. In the public version
// (public true) a step on a non-public agenda item shows its meeting but
// neither the item nor its result.
func PaperSheetFrom(body council.Body, p council.Paper, originators []string, lead string, path []meetings.Step, public bool) PaperSheet {
	ps := PaperSheet{City: body.Name, Body: body.Name, Kind: p.TypeLabel(), Reference: p.Reference,
		Title: p.Name, Date: p.Date, Status: PaperStatusName(p.Status), Originators: originators, Lead: lead, Text: p.Text}
	for _, st := range path {
		s := PaperStep{Organization: st.OrgName, Role: st.Role}
		// The public version shows nothing of an item on an agenda that
		// is not published yet (a planned meeting), as the portal, OParl,
		// the feeds and search do.
		unpublished := public && !st.AgendaPublished
		if st.Item.ID != council.NilID && !st.Cancelled && !unpublished {
			s.Meeting, s.Date = st.MeetingName, st.MeetingStart
			if st.Item.Public || !public {
				s.Item, s.Result = st.Item.Number, st.Item.Result
			}
		}
		ps.Path = append(ps.Path, s)
	}
	return ps
}

// PaperPDF renders the paper with id: the public version when public is
// true (a step on a non-public agenda item without its item and result),
// otherwise the members' version. Like InvitationPDF it reads the fonts
// on every call. Errors: those of LoadPaperSheet, and font or rendering
// failures.
func PaperPDF(ctx context.Context, cs *council.Store, ms *meetings.Store, id council.ID, public bool) ([]byte, error) {
	ps, err := LoadPaperSheet(ctx, cs, ms, id, public)
	if err != nil {
		return nil, err
	}
	r, err := NewRenderer("")
	if err != nil {
		return nil, err
	}
	return r.Paper(ps)
}

// LoadPaperSheet reads the paper with id, its originators, lead
// organization and path and maps them with PaperSheetFrom.
// Errors: council.ErrNotFound for an unknown paper, council.ErrForbidden
// for a non-public paper in the public version.
func LoadPaperSheet(ctx context.Context, cs *council.Store, ms *meetings.Store, id council.ID, public bool) (PaperSheet, error) {
	p, err := cs.Paper(ctx, id)
	if err != nil {
		return PaperSheet{}, err
	}
	if public && !p.Public {
		return PaperSheet{}, fmt.Errorf("paper %s is not public: %w", id, council.ErrForbidden)
	}
	body, err := cs.Body(ctx, p.BodyID)
	if err != nil {
		return PaperSheet{}, fmt.Errorf("paper sheet %s: %w", id, err)
	}
	var origs []string
	for _, o := range p.Originators {
		switch {
		case o.PersonID != council.NilID:
			per, err := cs.Person(ctx, o.PersonID)
			if err != nil {
				return PaperSheet{}, fmt.Errorf("paper sheet %s: %w", id, err)
			}
			origs = append(origs, per.Name())
		case o.OrganizationID != council.NilID:
			org, err := cs.Organization(ctx, o.OrganizationID)
			if err != nil {
				return PaperSheet{}, fmt.Errorf("paper sheet %s: %w", id, err)
			}
			origs = append(origs, org.Name)
		}
	}
	var lead string
	if p.LeadOrgID != council.NilID {
		org, err := cs.Organization(ctx, p.LeadOrgID)
		if err != nil {
			return PaperSheet{}, fmt.Errorf("paper sheet %s: %w", id, err)
		}
		lead = org.Name
	}
	path, err := ms.Path(ctx, id)
	if err != nil {
		return PaperSheet{}, fmt.Errorf("paper sheet %s: %w", id, err)
	}
	return PaperSheetFrom(body, p, origs, lead, path, public), nil
}

func orgNames(orgs []council.Organization) string {
	var ns []string
	for _, o := range orgs {
		ns = append(ns, o.Name)
	}
	return strings.Join(ns, ", ")
}

// PaperStatusName is the German name of a paper status.
func PaperStatusName(s council.PaperStatus) string {
	switch s {
	case council.StatusDraft:
		return "Entwurf"
	case council.StatusSubmitted:
		return "Eingereicht"
	case council.StatusInConsultation:
		return "In Beratung"
	case council.StatusDecided:
		return "Beschlossen"
	case council.StatusImplementation:
		return "In Umsetzung"
	case council.StatusDone:
		return "Erledigt"
	case council.StatusWithdrawn:
		return "Zurückgezogen"
	case council.StatusReferredBack:
		return "Zurückverwiesen"
	case council.StatusAdjourned:
		return "Vertagt"
	}
	return string(s)
}
