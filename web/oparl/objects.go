package oparl

import (
	"context"
	"slices"
	"strings"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
)

// Object path segments (also the list names under a Body, except Body).
const (
	pBody            = "body"
	pLegislativeTerm = "legislativeTerm"
	pOrganization    = "organization"
	pPerson          = "person"
	pMembership      = "membership"
	pMeeting         = "meeting"
	pAgendaItem      = "agendaItem"
	pPaper           = "paper"
	pConsultation    = "consultation"
	pLocation        = "location"
	pFile            = "file"
)

// kinds lists every object type with its loader; the first is Body.
func (h *Handler) kinds() []kind {
	return []kind{
		{path: pBody, load: h.loadBodies},
		{path: pLegislativeTerm, list: pLegislativeTerm, load: plain(h, h.opt.Council.OParlTerms, typeLegislativeTerm, pLegislativeTerm, termKey,
			func(t council.LegislativeTerm) any { return h.term(t, true) })},
		{path: pOrganization, list: pOrganization, load: h.loadOrganizations},
		{path: pPerson, list: pPerson, load: h.loadPersons},
		{path: pMembership, list: pMembership, load: plain(h, h.opt.Council.OParlMemberships, typeMembership, pMembership, membershipKey,
			func(m council.Membership) any { return h.membership(m, true) })},
		{path: pMeeting, list: pMeeting, load: h.loadMeetings},
		{path: pAgendaItem, list: pAgendaItem, load: h.loadAgendaItems},
		{path: pPaper, list: pPaper, load: h.loadPapers},
		{path: pConsultation, list: pConsultation, load: plain(h, h.opt.Meetings.OParlConsultations, typeConsultation, pConsultation, consultationKey,
			func(c meetings.OParlConsultation) any { return h.consultation(c, true) })},
		{path: pLocation, list: pLocation, load: h.loadLocations},
		{path: pFile, list: pFile, load: h.loadFiles},
	}
}

func cursor(id council.ID, m council.Meta) council.Cursor {
	return council.Cursor{Modified: m.Modified, ID: id}
}

// keyOf gives a stored row's id and metadata.
type keyOf[T any] func(T) (council.ID, council.Meta)

// entries turns one page of rows into list entries: a tombstone for each
// deleted row, render's object for the others, each with its cursor.
func entries[T any](h *Handler, rows []T, n int, typ, path string, key keyOf[T], render func(T) any) ([]entry, int, error) {
	out := make([]entry, len(rows))
	for i, r := range rows {
		id, m := key(r)
		if m.Deleted {
			out[i] = h.tomb(typ, path, id, m)
			continue
		}
		out[i] = entry{obj: render(r), cur: cursor(id, m)}
	}
	return out, n, nil
}

// plain is the loader of a kind whose objects embed nothing loaded
// separately: one page of rows from fetch, each rendered by render.
func plain[T any](h *Handler, fetch func(context.Context, council.ListQuery) ([]T, int, error), typ, path string, key keyOf[T], render func(T) any) loader {
	return func(ctx context.Context, q council.ListQuery, _ view) ([]entry, int, error) {
		rows, n, err := fetch(ctx, q)
		if err != nil {
			return nil, 0, err
		}
		return entries(h, rows, n, typ, path, key, render)
	}
}

// liveIDs returns the ids of the rows that are not deleted, for loading
// what their objects embed; none when the view omits embedded objects.
func liveIDs[T any](rows []T, key keyOf[T], v view) []council.ID {
	var ids []council.ID
	for _, r := range rows {
		if id, m := key(r); !m.Deleted && !v.omit {
			ids = append(ids, id)
		}
	}
	return ids
}

func termKey(t council.LegislativeTerm) (council.ID, council.Meta)            { return t.ID, t.Meta }
func orgKey(o council.Organization) (council.ID, council.Meta)                { return o.ID, o.Meta }
func personKey(p council.Person) (council.ID, council.Meta)                   { return p.ID, p.Meta }
func membershipKey(m council.Membership) (council.ID, council.Meta)           { return m.ID, m.Meta }
func locationKey(l council.OParlLocation) (council.ID, council.Meta)          { return l.ID, l.Meta }
func meetingKey(m meetings.Meeting) (council.ID, council.Meta)                { return m.ID, m.Meta }
func itemKey(it meetings.OParlItem) (council.ID, council.Meta)                { return it.ID, it.Meta }
func paperKey(p council.OParlPaper) (council.ID, council.Meta)                { return p.ID, p.Meta }
func consultationKey(c meetings.OParlConsultation) (council.ID, council.Meta) { return c.ID, c.Meta }
func fileKey(f documents.OParlFile) (council.ID, council.Meta)                { return f.ID, f.Meta }

func (h *Handler) loadBodies(ctx context.Context, q council.ListQuery, v view) ([]entry, int, error) {
	bs, n, err := h.opt.Council.OParlBodies(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	out := make([]entry, len(bs))
	for i, b := range bs {
		if b.Deleted {
			out[i] = h.tomb(typeBody, pBody, b.ID, b.Meta)
			continue
		}
		terms, _, err := h.opt.Council.OParlTerms(ctx, council.ListQuery{Body: b.ID})
		if err != nil {
			return nil, 0, err
		}
		o := &body{ID: h.u.obj(pBody, b.ID), Type: typeBody, System: h.u.system(), ShortName: b.ShortName, Name: b.Name,
			Website: b.Website, License: b.License, AGS: b.AGS, RGS: b.RGS, Classification: b.Classification,
			Organization: h.u.list(b.ID, pOrganization), Person: h.u.list(b.ID, pPerson),
			Meeting: h.u.list(b.ID, pMeeting), Paper: h.u.list(b.ID, pPaper), LegislativeTerm: []*legislativeTerm{},
			AgendaItem: h.u.list(b.ID, pAgendaItem), Consultation: h.u.list(b.ID, pConsultation),
			File: h.u.list(b.ID, pFile), LocationList: h.u.list(b.ID, pLocation),
			LegislativeTermList: h.u.list(b.ID, pLegislativeTerm), Membership: h.u.list(b.ID, pMembership),
			Created: h.dateTime(b.Created), Modified: h.dateTime(b.Modified), Web: h.u.base + "/"}
		if o.License == "" {
			o.License = h.opt.License
		}
		for _, t := range terms {
			o.LegislativeTerm = append(o.LegislativeTerm, h.term(t, false))
		}
		out[i] = entry{obj: o, cur: cursor(b.ID, b.Meta)}
	}
	return out, n, nil
}

func (h *Handler) term(t council.LegislativeTerm, alone bool) *legislativeTerm {
	o := &legislativeTerm{ID: h.u.obj(pLegislativeTerm, t.ID), Type: typeLegislativeTerm, Name: t.Name,
		StartDate: date(t.Start), EndDate: date(t.End), Created: h.dateTime(t.Created), Modified: h.dateTime(t.Modified)}
	if alone {
		o.Body = h.u.obj(pBody, t.BodyID)
	}
	return o
}

// orgTypes maps kinds to OParl's organizationType vocabulary and a German
// classification.
func orgType(k council.OrgKind) (typ, class string) {
	switch k {
	case council.KindCouncil:
		return "Gremium", "Rat"
	case council.KindCommittee:
		return "Gremium", "Ausschuss"
	case council.KindDistrictCouncil:
		return "Gremium", "Ortschaftsrat"
	case council.KindYouthCouncil:
		return "Gremium", "Kinder- und Jugendrat"
	case council.KindCitizensAssembly:
		return "Gremium", "Bürgerrat"
	case council.KindAdvisoryBoard:
		return "Gremium", "Beirat"
	case council.KindPartyGroup:
		return "Fraktion", "Fraktion"
	case council.KindParty:
		return "Partei", "Partei"
	case council.KindAdministration:
		return "Verwaltungsbereich", "Verwaltungseinheit"
	}
	return "Sonstiges", "Arbeitsgruppe"
}

func (h *Handler) loadOrganizations(ctx context.Context, q council.ListQuery, v view) ([]entry, int, error) {
	os, n, err := h.opt.Council.OParlOrganizations(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	var locIDs []council.ID
	for _, o := range os {
		if !o.Deleted && o.LocationID != council.NilID && !v.omit {
			locIDs = append(locIDs, o.LocationID)
		}
	}
	locs, err := h.opt.Council.LocationsByID(ctx, locIDs)
	if err != nil {
		return nil, 0, err
	}
	return entries(h, os, n, typeOrganization, pOrganization, orgKey, func(o council.Organization) any {
		typ, class := orgType(o.Kind)
		if o.Classification != "" {
			class = o.Classification
		}
		r := &organization{ID: h.u.obj(pOrganization, o.ID), Type: typeOrganization, Body: h.u.obj(pBody, o.BodyID),
			Name: o.Name, ShortName: o.ShortName, OrganizationType: typ, Classification: class,
			StartDate: date(o.Start), EndDate: date(o.End), Website: o.Website,
			Created: h.dateTime(o.Created), Modified: h.dateTime(o.Modified), Web: h.u.web("/bodies/", o.ID),
			Kind: string(o.Kind), StatutorySeats: o.StatutorySeats}
		if o.ParentID != council.NilID {
			r.SubOrganizationOf = h.u.obj(pOrganization, o.ParentID)
		}
		if l, ok := locs[o.LocationID]; ok {
			r.Location = h.location(council.OParlLocation{Location: l}, nil, false)
		}
		return r
	})
}

func (h *Handler) loadPersons(ctx context.Context, q council.ListQuery, v view) ([]entry, int, error) {
	ps, n, err := h.opt.Council.OParlPersons(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	ms, err := h.opt.Council.MembershipsOfPersons(ctx, liveIDs(ps, personKey, v))
	if err != nil {
		return nil, 0, err
	}
	return entries(h, ps, n, typePerson, pPerson, personKey, func(p council.Person) any {
		// Contact data (email, phone) is personal data and stays private.
		r := &person{ID: h.u.obj(pPerson, p.ID), Type: typePerson, Body: h.u.obj(pBody, p.BodyID), Name: p.Name(),
			FamilyName: p.FamilyName, GivenName: p.GivenName, FormOfAddress: p.FormOfAddress, Affix: p.Affix,
			Gender: p.Gender, LifeSource: p.LifeSource,
			Created: h.dateTime(p.Created), Modified: h.dateTime(p.Modified), Web: h.u.web("/persons/", p.ID)}
		if t := strings.TrimSpace(p.Title); t != "" {
			r.Title = []string{t}
		}
		for _, m := range ms[p.ID] {
			r.Membership = append(r.Membership, h.membership(m, false))
		}
		return r
	})
}

func (h *Handler) membership(m council.Membership, alone bool) *membership {
	vr := m.VotingRight
	r := &membership{ID: h.u.obj(pMembership, m.ID), Type: typeMembership, Organization: h.u.obj(pOrganization, m.OrganizationID),
		Role: m.Role, VotingRight: &vr, StartDate: date(m.Start), EndDate: date(m.End),
		Created: h.dateTime(m.Created), Modified: h.dateTime(m.Modified), Substitute: m.Substitute}
	if m.OnBehalfOfID != council.NilID {
		r.OnBehalfOf = h.u.obj(pOrganization, m.OnBehalfOfID)
	}
	if alone {
		r.Person = h.u.obj(pPerson, m.PersonID)
	}
	return r
}

// location renders l; back-references (organizations, meetings) only when
// it stands alone.
func (h *Handler) location(l council.OParlLocation, meetingIDs []council.ID, alone bool) *location {
	r := &location{ID: h.u.obj(pLocation, l.ID), Type: typeLocation, Description: l.Description,
		StreetAddress: l.StreetAddress, Room: l.Room, PostalCode: l.PostalCode, Locality: l.Locality,
		Created: h.dateTime(l.Created), Modified: h.dateTime(l.Modified)}
	if l.HasPoint {
		props := map[string]any{}
		if label := l.Label(); label != "" {
			props["name"] = label
		}
		r.GeoJSON = &feature{Type: "Feature", Geometry: point{Type: "Point", Coordinates: [2]float64{l.Lon, l.Lat}},
			Properties: props}
	}
	if alone {
		r.Organizations = h.u.objs(pOrganization, l.Organizations)
		r.Meetings = h.u.objs(pMeeting, meetingIDs)
	}
	return r
}

func (h *Handler) loadLocations(ctx context.Context, q council.ListQuery, v view) ([]entry, int, error) {
	ls, n, err := h.opt.Council.OParlLocations(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	at, err := h.opt.Meetings.MeetingsAt(ctx, liveIDs(ls, locationKey, view{}))
	if err != nil {
		return nil, 0, err
	}
	return entries(h, ls, n, typeLocation, pLocation, locationKey, func(l council.OParlLocation) any { return h.location(l, at[l.ID], true) })
}

// meetingStates names the states in German, as OParl clients show them.
func meetingState(s meetings.State) string {
	switch s {
	case meetings.Planned:
		return "terminiert"
	case meetings.Invited:
		return "eingeladen"
	case meetings.Running:
		return "läuft"
	case meetings.Closed:
		return "durchgeführt"
	}
	return string(s)
}

func (h *Handler) loadMeetings(ctx context.Context, q council.ListQuery, v view) ([]entry, int, error) {
	ms, n, err := h.opt.Meetings.OParlMeetings(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	var ids, locIDs []council.ID
	for _, m := range ms {
		if m.Deleted || v.omit {
			continue
		}
		ids = append(ids, m.ID)
		if m.LocationID != council.NilID {
			locIDs = append(locIDs, m.LocationID)
		}
	}
	items, err := h.opt.Meetings.PublicAgendas(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	locs, err := h.opt.Council.LocationsByID(ctx, locIDs)
	if err != nil {
		return nil, 0, err
	}
	mfiles, err := h.filesOf(ctx, documents.LinkMeeting, ids, v)
	if err != nil {
		return nil, 0, err
	}
	var itemIDs []council.ID
	for _, its := range items {
		for _, it := range its {
			itemIDs = append(itemIDs, it.ID)
		}
	}
	ifiles, err := h.filesOf(ctx, documents.LinkAgendaItem, itemIDs, v)
	if err != nil {
		return nil, 0, err
	}
	ipolls, err := embedded(ctx, itemIDs, v, h.opt.Meetings.PublishedPolls)
	if err != nil {
		return nil, 0, err
	}
	return entries(h, ms, n, typeMeeting, pMeeting, meetingKey, func(m meetings.Meeting) any {
		r := &meeting{ID: h.u.obj(pMeeting, m.ID), Type: typeMeeting, Name: m.Name, MeetingState: meetingState(m.State),
			Cancelled: m.Cancelled, Start: h.dateTime(m.Start), End: h.dateTime(m.ShownEnd()), EndExpected: m.EndExpected(),
			Organization: h.u.objs(pOrganization, m.Organizations),
			Created:      h.dateTime(m.Created), Modified: h.dateTime(m.Modified), Web: h.u.web("/meetings/", m.ID),
			State: string(m.State)}
		if l, ok := locs[m.LocationID]; ok {
			r.Location = h.location(council.OParlLocation{Location: l}, nil, false)
		}
		for _, it := range items[m.ID] {
			r.AgendaItem = append(r.AgendaItem, h.agendaItem(it, ifiles[it.ID], ipolls[it.ID], false))
		}
		one, aux := h.byRole(mfiles[m.ID], documents.RoleInvitation, documents.RoleResultsProtocol, documents.RoleVerbatimProtocol)
		r.Invitation, r.ResultsProtocol, r.VerbatimProtocol = one[documents.RoleInvitation],
			one[documents.RoleResultsProtocol], one[documents.RoleVerbatimProtocol]
		r.AuxiliaryFile = aux
		return r
	})
}

func (h *Handler) agendaItem(it meetings.OParlItem, files []documents.OParlLinked, polls []meetings.PublishedPoll, alone bool) *agendaItem {
	r := &agendaItem{ID: h.u.obj(pAgendaItem, it.ID), Type: typeAgendaItem, Number: it.Number, Order: it.Position,
		Name: it.Name, Public: it.Public, Result: it.Result, ResolutionText: it.ResolutionText,
		Created: h.dateTime(it.Created), Modified: h.dateTime(it.Modified),
		Web: h.u.web("/meetings/", it.MeetingID)}
	if it.ConsultationID != council.NilID {
		r.Consultation = h.u.obj(pConsultation, it.ConsultationID)
	}
	one, aux := h.byRole(files, documents.RoleResolution)
	r.ResolutionFile, r.AuxiliaryFile = one[documents.RoleResolution], aux
	r.Poll = h.polls(polls)
	if alone {
		r.Meeting = h.u.obj(pMeeting, it.MeetingID)
	}
	return r
}

func (h *Handler) loadAgendaItems(ctx context.Context, q council.ListQuery, v view) ([]entry, int, error) {
	its, n, err := h.opt.Meetings.OParlAgendaItems(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	files, err := h.filesOf(ctx, documents.LinkAgendaItem, liveIDs(its, itemKey, view{}), v)
	if err != nil {
		return nil, 0, err
	}
	polls, err := embedded(ctx, liveIDs(its, itemKey, view{}), v, h.opt.Meetings.PublishedPolls)
	if err != nil {
		return nil, 0, err
	}
	return entries(h, its, n, typeAgendaItem, pAgendaItem, itemKey, func(it meetings.OParlItem) any {
		return h.agendaItem(it, files[it.ID], polls[it.ID], true)
	})
}

func (h *Handler) loadPapers(ctx context.Context, q council.ListQuery, v view) ([]entry, int, error) {
	ps, n, err := h.opt.Council.OParlPapers(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	ids := liveIDs(ps, paperKey, v)
	cs, err := h.opt.Meetings.ConsultationsOfPapers(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	files, err := h.filesOf(ctx, documents.LinkPaper, ids, v)
	if err != nil {
		return nil, 0, err
	}
	impls, err := embedded(ctx, ids, v, h.opt.Council.PublicImplementationsOf)
	if err != nil {
		return nil, 0, err
	}
	inits, err := embedded(ctx, ids, v, h.opt.Council.PublicInitiativesOfPapers)
	if err != nil {
		return nil, 0, err
	}
	return entries(h, ps, n, typePaper, pPaper, paperKey, func(p council.OParlPaper) any {
		r := &paper{ID: h.u.obj(pPaper, p.ID), Type: typePaper, Body: h.u.obj(pBody, p.BodyID), Name: p.Name,
			Reference: p.Reference, Date: date(p.Date), PaperType: p.TypeLabel(),
			RelatedPaper:        h.u.objs(pPaper, p.Related),
			SuperordinatedPaper: h.u.objs(pPaper, p.Superordinated),
			SubordinatedPaper:   h.u.objs(pPaper, p.Subordinated),
			Created:             h.dateTime(p.Created), Modified: h.dateTime(p.Modified), Web: h.u.web("/papers/", p.ID),
			Status: string(p.Status), Text: p.Text}
		for _, o := range p.Originators {
			if o.PersonID != council.NilID {
				r.OriginatorPerson = append(r.OriginatorPerson, h.u.obj(pPerson, o.PersonID))
			} else {
				r.OriginatorOrganization = append(r.OriginatorOrganization, h.u.obj(pOrganization, o.OrganizationID))
			}
		}
		if p.LeadOrgID != council.NilID {
			r.UnderDirectionOf = []string{h.u.obj(pOrganization, p.LeadOrgID)}
		}
		for _, c := range cs[p.ID] {
			r.Consultation = append(r.Consultation, h.consultation(c, false))
		}
		one, aux := h.byRole(files[p.ID], documents.RoleMain)
		r.MainFile, r.AuxiliaryFile = one[documents.RoleMain], aux
		if im, ok := impls[p.ID]; ok {
			r.Implementation = h.implementation(im)
		}
		if in, ok := inits[p.ID]; ok {
			r.Initiative = h.initiative(in)
		}
		return r
	})
}

func (h *Handler) consultation(c meetings.OParlConsultation, alone bool) *consultation {
	auth := c.Authoritative
	r := &consultation{ID: h.u.obj(pConsultation, c.ID), Type: typeConsultation,
		Organization: []string{h.u.obj(pOrganization, c.OrganizationID)}, Authoritative: &auth, Role: c.Role,
		Created: h.dateTime(c.Created), Modified: h.dateTime(c.Modified), Web: h.u.web("/papers/", c.PaperID)}
	if c.AgendaItemID != council.NilID {
		r.AgendaItem = h.u.obj(pAgendaItem, c.AgendaItemID)
	}
	if c.MeetingID != council.NilID {
		r.Meeting = h.u.obj(pMeeting, c.MeetingID) // also without agenda item (imported)
	}
	if alone {
		r.Paper = h.u.obj(pPaper, c.PaperID)
	}
	return r
}

// fileURL is the public URL of file id under Plenar's /files route.
func (u urls) fileURL(id council.ID, suffix string) string {
	return u.base + "/files/" + id.String() + suffix
}

// file renders f; back-references (meetings, agenda items, papers) only
// when it stands alone.
func (h *Handler) file(f documents.OParlFile, alone bool) *file {
	r := &file{ID: h.u.obj(pFile, f.ID), Type: typeFile, Name: strings.TrimSpace(f.Name), FileName: f.FileName,
		MIMEType: f.MIMEType, Date: date(f.Date), Size: f.Size, SHA512Checksum: f.SHA512,
		AccessURL: h.u.fileURL(f.ID, ""), DownloadURL: h.u.fileURL(f.ID, "/download"),
		DerivativeFile: h.u.objs(pFile, f.Derivatives), License: strings.TrimSpace(f.License),
		Created: h.dateTime(f.Created), Modified: h.dateTime(f.Modified)}
	if f.HasText {
		r.Text, r.TextCut = strings.TrimSpace(f.Text), f.TextCut
		if f.TextCut {
			r.TextURL = h.u.obj(pFile, f.ID) + "/text"
		}
	}
	if f.MasterID != council.NilID {
		r.MasterFile = h.u.obj(pFile, f.MasterID)
	}
	if alone {
		r.Meeting = h.u.objs(pMeeting, f.Meetings)
		r.AgendaItem = h.u.objs(pAgendaItem, f.AgendaItems)
		r.Paper = h.u.objs(pPaper, f.Papers)
	}
	return r
}

// embedded batch-loads with load what the objects of a page's ids embed:
// the published polls of agenda items, the public implementation records
// and initiatives of papers. None when v omits embedded objects (like
// the objects' files) or there are no ids.
func embedded[M any](ctx context.Context, ids []council.ID, v view, load func(context.Context, []council.ID) (M, error)) (M, error) {
	if v.omit || len(ids) == 0 {
		var none M
		return none, nil
	}
	return load(ctx, ids)
}

// filesOf batch-loads the public files of the page's papers, meetings or
// agenda items; none without a FileSource or when omitted.
func (h *Handler) filesOf(ctx context.Context, kind documents.LinkKind, ids []council.ID, v view) (map[council.ID][]documents.OParlLinked, error) {
	if h.opt.Files == nil || v.omit || len(ids) == 0 {
		return nil, nil
	}
	return h.opt.Files.OParlFilesOf(ctx, kind, ids)
}

// byRole renders fs, putting the latest file of each single role in one
// (the others of that role, if any, go to auxiliary) and the rest in
// auxiliary.
func (h *Handler) byRole(fs []documents.OParlLinked, single ...string) (map[string]*file, []*file) {
	one := map[string]*file{}
	var aux []*file
	last := map[string]int{}
	for i, f := range fs {
		if slices.Contains(single, f.Role) {
			last[f.Role] = i
		}
	}
	for i, f := range fs {
		r := h.file(f.OParlFile, false)
		if j, ok := last[f.Role]; ok && j == i {
			one[f.Role] = r
			continue
		}
		aux = append(aux, r)
	}
	return one, aux
}

// loadFiles lists the public files; without a FileSource there are none.
func (h *Handler) loadFiles(ctx context.Context, q council.ListQuery, v view) ([]entry, int, error) {
	if h.opt.Files == nil {
		return nil, 0, nil
	}
	fs, n, err := h.opt.Files.OParlFiles(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	return entries(h, fs, n, typeFile, pFile, fileKey, func(f documents.OParlFile) any { return h.file(f, true) })
}
