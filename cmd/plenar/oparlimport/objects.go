package oparlimport

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// parent is the object an embedded one was found in.
type parent struct {
	entity, id, url string
	pos             int // position among its siblings
	role            string
	// nonPublic: the agenda item follows a part header "Nichtöffentliche
	// Sitzung" of its meeting (SD.NET).
	nonPublic bool
	// unchanged: the parent was skipped as unchanged, so embedded objects
	// without their own modified are unchanged too.
	unchanged bool
}

// entities maps OParl types to Plenar entities.
var entities = map[string]string{"Body": "body", "LegislativeTerm": "legislative_term", "Location": "location",
	"Organization": "organization", "Person": "person", "Membership": "membership", "Meeting": "meeting",
	"AgendaItem": "agenda_item", "Paper": "paper", "Consultation": "consultation", "File": "file"}

// object imports o and returns its local id ("" when it was skipped).
// Errors are only those that end the run (a cancelled context).
func (im *importer) object(ctx context.Context, o obj, p *parent) (string, error) {
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	t := o.typ()
	entity, known := entities[t]
	if !known {
		o.problem("unknown-type", fmt.Sprintf("type %v", o.m["type"]))
		return "", nil
	}
	if del, _ := o.m["deleted"].(bool); del {
		im.met[o.url] = true
		return "", im.markDeleted(ctx, o)
	}
	if !validURL(o.url) {
		o.problem("not-a-url", fmt.Sprintf("id %q", o.url))
		return "", nil
	}
	im.met[o.url] = true
	if im.active[o.url] {
		return "", nil
	}
	im.active[o.url] = true
	defer delete(im.active, o.url)
	if entity == "file" {
		return "", im.file(ctx, o, p)
	}
	if id, ok := im.done[o.url]; ok {
		return id, nil // handled before in this run (a location embedded in many meetings)
	}
	if m, ok := im.lookup(ctx, o.url); ok {
		mt := o.datetime("modified")
		if m.modified != nil && !mt.IsZero() && !mt.After(*m.modified) || mt.IsZero() && p != nil && p.unchanged ||
			mt.IsZero() && m.hash != "" && m.hash == hashOf(o.m) {
			im.done[o.url] = m.id
			im.sum.Unchanged[entity]++
			return m.id, im.children(ctx, o, t, m.id, true)
		}
	}
	var id string
	var err error
	switch t {
	case "Body":
		id, err = im.bodyObj(ctx, o)
	case "LegislativeTerm":
		id, err = im.term(ctx, o, p)
	case "Location":
		id, err = im.location(ctx, o)
	case "Organization":
		id, err = im.organization(ctx, o)
	case "Person":
		id, err = im.person(ctx, o)
	case "Membership":
		id, err = im.membership(ctx, o, p)
	case "Meeting":
		id, err = im.meeting(ctx, o)
	case "AgendaItem":
		id, err = im.agendaItem(ctx, o, p)
	case "Paper":
		id, err = im.paper(ctx, o)
	case "Consultation":
		id, err = im.consultation(ctx, o, p)
	}
	if id, err = im.saved(ctx, o, entity, id, err); err != nil || id == "" {
		return id, err
	}
	im.done[o.url] = id
	return id, im.children(ctx, o, t, id, false)
}

// children imports the embedded objects and the files of o.
func (im *importer) children(ctx context.Context, o obj, t, id string, unchanged bool) error {
	embedded := func(key, entity string, place func(i int) (int, bool, bool)) error {
		list, _ := o.m[key].([]any)
		for i, e := range list {
			switch x := e.(type) {
			case map[string]any:
				u, _ := x["id"].(string)
				c := obj{im: im, url: strings.TrimSpace(u), m: x}
				if typeName(x["type"]) == "" {
					x["type"] = key
				}
				pos, nonPublic, header := place(i)
				if header {
					// An SD.NET part header ("B Nichtöffentliche Sitzung") is
					// no agenda item: it says that the items after it are
					// (non-)public.
					im.met[c.url] = true
					c.problem("part-header", fmt.Sprintf("agenda part header %q: not imported as an item", c.str("name")))
					continue
				}
				if _, err := im.object(ctx, c, &parent{entity: entities[t], id: id, url: o.url, pos: pos, nonPublic: nonPublic,
					unchanged: unchanged}); err != nil {
					return err
				}
			case string:
				if _, err := im.resolve(ctx, o, x, typeName(key)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	index := func(i int) (int, bool, bool) { return i, false, false }
	var err error
	switch t {
	case "Body":
		err = embedded("legislativeTerm", "legislative_term", index)
	case "Person":
		err = embedded("membership", "membership", index)
	case "Paper":
		err = embedded("consultation", "consultation", index)
		if err == nil {
			err = im.files(ctx, o, "paper", id, unchanged, map[string]string{"mainFile": "main", "auxiliaryFile": "auxiliary"})
		}
	case "Meeting":
		err = embedded("agendaItem", "agenda_item", im.positions(o))
		if err == nil {
			err = im.files(ctx, o, "meeting", id, unchanged, map[string]string{"invitation": "invitation",
				"resultsProtocol": "results_protocol", "verbatimProtocol": "verbatim_protocol", "auxiliaryFile": "auxiliary"})
		}
	case "AgendaItem":
		err = im.files(ctx, o, "agenda_item", id, unchanged, map[string]string{"resolutionFile": "resolution", "auxiliaryFile": "auxiliary"})
	}
	return err
}

// positions normalises AgendaItem.order of a meeting's agenda to
// Plenar's positions from 0: an agenda counted from 1 is shifted, a
// missing order takes the item's place in the list.
//
// It also reads SD.NET's part headers: an item named "A Öffentliche
// Sitzung" or "B Nichtöffentliche Sitzung" is a header (header true), and
// the items after a non-public header are non-public (nonPublic true)
// unless they say otherwise.
func (im *importer) positions(o obj) func(int) (pos int, nonPublic, header bool) {
	list, _ := o.m["agendaItem"].([]any)
	orders := make([]int, len(list))
	has := make([]bool, len(list))
	headers := make([]bool, len(list))
	private := make([]bool, len(list))
	lowest := -1
	inPrivate := false
	for i, e := range list {
		m, _ := e.(map[string]any)
		if m == nil {
			continue
		}
		item := obj{im: im, url: fmt.Sprint(m["id"]), m: m}
		name, _ := m["name"].(string)
		if h := partHeader.FindStringSubmatch(strings.ToLower(norm.NFC.String(strings.TrimSpace(name)))); h != nil {
			headers[i], inPrivate = true, h[1] != ""
			continue
		}
		private[i] = inPrivate
		if n, ok := item.integer("order"); ok {
			orders[i], has[i] = n, true
			if lowest < 0 || n < lowest {
				lowest = n
			}
		} else {
			item.problem("order-missing", "AgendaItem without order; its place in the agenda is used")
		}
	}
	base := 0
	if lowest == 1 {
		base = 1
		o.problem("order-from-1", "AgendaItem.order starts at 1; shifted to start at 0")
	}
	im.orderBase[o.url] = base
	return func(i int) (int, bool, bool) {
		if !has[i] {
			return i, private[i], headers[i]
		}
		return max(orders[i]-base, 0), private[i], headers[i]
	}
}

// partHeader is an agenda part header as SD.NET writes them: an optional
// part letter or numeral, then "(Nicht)öffentliche(r) Sitzung/Teil".
var partHeader = regexp.MustCompile(`^(?:[a-z]|[ivx]+)?[.)]?\s*(nicht[\s-]?)?öffentliche[rn]?\s+(?:sitzung|teil|sitzungsteil)$`)

// resolve returns the local id of the object at u, fetching and importing
// it when it is not imported yet (linked but absent from the lists).
func (im *importer) resolve(ctx context.Context, from obj, u, want string) (string, error) {
	if u == "" {
		return "", nil
	}
	if m, ok := im.lookup(ctx, u); ok {
		return m.id, nil
	}
	if im.active[u] {
		return "", nil
	}
	v, err := im.get(ctx, u)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		from.problem("broken-link", fmt.Sprintf("%s: %v", want, err))
		return "", nil
	}
	m, _ := v.(map[string]any)
	if m == nil {
		from.problem("broken-link", fmt.Sprintf("%s at %s is no object", want, u))
		return "", nil
	}
	if typeName(m["type"]) == "" {
		m["type"] = want
	}
	if got := typeName(m["type"]); got != want {
		from.problem("wrong-link-type", fmt.Sprintf("%s links a %s, not a %s", u, got, want))
		return "", nil
	}
	id, _ := m["id"].(string)
	if id = strings.TrimSpace(id); !validURL(id) {
		id = u
	}
	im.byLink[id] = true
	return im.object(ctx, obj{im: im, url: id, m: m}, nil)
}

// ref resolves the link in key of o.
func (im *importer) ref(ctx context.Context, o obj, key, want string) (string, error) {
	return im.resolve(ctx, o, o.link(key), want)
}

// bodyID is the body of o: its body link, or the body being imported.
func (im *importer) bodyID(ctx context.Context, o obj) (string, error) {
	if u := o.link("body"); u != "" {
		if id, err := im.resolve(ctx, o, u, "Body"); err != nil || id != "" {
			return id, err
		}
	}
	return im.body, nil
}

// dates returns start and end, dropping an end before the start.
func dates(o obj, startKey, endKey string) (*time.Time, *time.Time) {
	s, e := o.date(startKey), o.date(endKey)
	if s != nil && e != nil && e.Before(*s) {
		o.problem("end-before-start", fmt.Sprintf("%s %s before %s %s; end dropped", endKey, e.Format(time.DateOnly), startKey, s.Format(time.DateOnly)))
		e = nil
	}
	return s, e
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// importBody imports a body from the body list and then its lists.
func (im *importer) importBody(ctx context.Context, o obj) error {
	im.seen[o.url] = true
	if o.typ() == "" {
		o.m["type"] = "Body"
	}
	id, err := im.object(ctx, o, nil)
	if err != nil || id == "" {
		return err
	}
	im.body = id
	if o.m["location"] != nil {
		// Body.location: the body's own place, imported once the body
		// (which the location belongs to) is there.
		loc, err := im.embeddedOrLink(ctx, o, "location", "Location")
		if err != nil {
			return err
		}
		if loc != "" {
			if err := im.council.BodyLocation(ctx, pid(id), pid(loc)); err != nil {
				o.problem("rejected", err.Error())
			}
		}
	}
	for _, l := range []struct{ key, typ string }{{"locationList", "Location"}, {"legislativeTermList", "LegislativeTerm"},
		{"organization", "Organization"}, {"person", "Person"}, {"membership", "Membership"}, {"meeting", "Meeting"},
		{"paper", "Paper"}, {"agendaItem", "AgendaItem"}, {"consultation", "Consultation"}, {"file", "File"}} {
		u := o.link(l.key)
		if u == "" {
			continue
		}
		if err := im.list(ctx, u, l.typ); err != nil {
			return err
		}
		im.listed[entities[l.typ]] = true
	}
	return nil
}

func (im *importer) bodyObj(ctx context.Context, o obj) (string, error) {
	name := o.str("name")
	if name == "" {
		name = o.str("shortName")
	}
	id, err := im.council.Body(ctx, im.source(o), council.Body{Name: name, ShortName: o.str("shortName"),
		Website: o.link("website"), License: o.link("license"), AGS: o.ags(), RGS: o.str("rgs"),
		Classification: o.str("classification"), Meta: meta(o)})
	return im.stored("body", id, err)
}

func (im *importer) term(ctx context.Context, o obj, p *parent) (string, error) {
	body := ""
	if p != nil && p.entity == "body" {
		body = p.id
	} else {
		var err error
		if body, err = im.bodyID(ctx, o); err != nil {
			return "", err
		}
	}
	if body == "" {
		return "", fmt.Errorf("legislative term without body")
	}
	name := o.str("name")
	if name == "" {
		o.problem("missing-name", "LegislativeTerm without name")
		name = "Wahlperiode"
	}
	s, e := dates(o, "startDate", "endDate")
	id, err := im.council.LegislativeTerm(ctx, im.source(o), council.LegislativeTerm{BodyID: pid(body), Name: name,
		Start: deref(s), End: deref(e), Meta: meta(o)})
	return im.stored("legislative_term", id, err)
}

func (im *importer) location(ctx context.Context, o obj) (string, error) {
	body, err := im.bodyID(ctx, o)
	if err != nil {
		return "", err
	}
	if body == "" {
		return "", fmt.Errorf("location without body")
	}
	id, err := im.council.Location(ctx, im.source(o), locationOf(o, pid(body)))
	return im.stored("location", id, err)
}

// locationOf reads a Location (also Body.location and Paper.location). A
// location with only a postal code or locality is named by them, as
// Plenar requires a description, street or room.
func locationOf(o obj, body council.ID) council.Location {
	l := council.Location{BodyID: body, Description: o.str("description"), StreetAddress: o.str("streetAddress"),
		Room: o.str("room"), PostalCode: o.str("postalCode"), Locality: o.str("locality"), Meta: meta(o)}
	if la, lo, ok := o.geo(); ok {
		l.HasPoint, l.Lat, l.Lon = true, la, lo
	}
	if strings.TrimSpace(l.Description+l.StreetAddress+l.Room) == "" {
		if d := strings.TrimSpace(l.PostalCode + " " + l.Locality); d != "" {
			o.problem("location-unnamed", "Location without description, street or room; named by its locality")
			l.Description = d
		} else if l.HasPoint {
			o.problem("location-unnamed", "Location with coordinates only; named \"Ort\"")
			l.Description = "Ort"
		}
	}
	return l
}

// embeddedOrLink imports an embedded object or resolves a link in key.
func (im *importer) embeddedOrLink(ctx context.Context, o obj, key, want string) (string, error) {
	if m, ok := o.m[key].(map[string]any); ok {
		u, _ := m["id"].(string)
		if typeName(m["type"]) == "" {
			m["type"] = want
		}
		return im.object(ctx, obj{im: im, url: strings.TrimSpace(u), m: m}, nil)
	}
	return im.ref(ctx, o, key, want)
}

func orgKind(o obj) council.OrgKind {
	if k := council.OrgKind(o.str("plenar:kind")); k.Valid() {
		return k
	}
	k, ok := orgKindOf(o.str("classification"), o.str("name"), o.str("organizationType"))
	if !ok {
		o.problem("organization-type-unknown", fmt.Sprintf("organizationType %q, classification %q: imported as %s with the source's label",
			o.str("organizationType"), o.str("classification"), k))
	}
	return k
}

func (im *importer) organization(ctx context.Context, o obj) (string, error) {
	body, err := im.bodyID(ctx, o)
	if err != nil {
		return "", err
	}
	name := o.str("name")
	if name == "" {
		name = o.str("shortName")
	}
	if body == "" {
		return "", fmt.Errorf("organization without body")
	}
	parentOrg, err := im.ref(ctx, o, "subOrganizationOf", "Organization")
	if err != nil {
		return "", err
	}
	loc, err := im.embeddedOrLink(ctx, o, "location", "Location")
	if err != nil {
		return "", err
	}
	var seats *int
	if n, ok := o.integer("plenar:statutorySeats"); ok && n > 0 {
		seats = &n
	}
	s, e := dates(o, "startDate", "endDate")
	id, err := im.council.Organization(ctx, im.source(o), council.Organization{BodyID: pid(body), Name: name,
		ShortName: o.str("shortName"), Kind: orgKind(o), Classification: o.str("classification"),
		TypeName: o.str("organizationType"), ParentID: pid(parentOrg), StatutorySeats: deref(seats), LocationID: pid(loc),
		Website: o.link("website"), Start: deref(s), End: deref(e), Meta: meta(o)})
	return im.stored("organization", id, err)
}

func (im *importer) person(ctx context.Context, o obj) (string, error) {
	body, err := im.bodyID(ctx, o)
	if err != nil {
		return "", err
	}
	family, given := o.str("familyName"), o.str("givenName")
	if family == "" {
		if f := strings.Fields(o.str("name")); len(f) > 0 {
			o.problem("missing-family-name", "familyName taken from name")
			family = f[len(f)-1]
			if given == "" && len(f) > 1 {
				given = strings.Join(f[:len(f)-1], " ")
			}
		}
	}
	if body == "" {
		return "", fmt.Errorf("person without body")
	}
	gender := ""
	switch g := strings.ToLower(o.str("gender")); g {
	case "female", "weiblich", "w", "f":
		gender = "female"
	case "male", "männlich", "m":
		gender = "male"
	case "":
	default:
		gender = "other"
	}
	first := func(s []string) string {
		if len(s) == 0 {
			return ""
		}
		return s[0]
	}
	email := first(o.strs("email"))
	if email != "" && !strings.Contains(email, "@") {
		o.problem("bad-email", fmt.Sprintf("email %q dropped", email))
		email = ""
	}
	id, err := im.council.Person(ctx, im.source(o), council.Person{BodyID: pid(body), FamilyName: family, GivenName: given,
		Title: strings.Join(o.strs("title"), " "), FormOfAddress: o.str("formOfAddress"), Affix: o.str("affix"),
		Gender: gender, Email: email, Phone: first(o.strs("phone")), LifeSource: o.str("lifeSource"), Meta: meta(o)})
	return im.stored("person", id, err)
}

func (im *importer) membership(ctx context.Context, o obj, p *parent) (string, error) {
	var person string
	var err error
	if p != nil && p.entity == "person" {
		person = p.id
	} else if person, err = im.ref(ctx, o, "person", "Person"); err != nil {
		return "", err
	}
	org, err := im.ref(ctx, o, "organization", "Organization")
	if err != nil {
		return "", err
	}
	behalf, err := im.ref(ctx, o, "onBehalfOf", "Organization")
	if err != nil {
		return "", err
	}
	s, e := dates(o, "startDate", "endDate")
	id, err := im.council.Membership(ctx, im.source(o), council.Membership{PersonID: pid(person), OrganizationID: pid(org),
		Role: o.str("role"), VotingRight: o.boolean("votingRight", true), Substitute: o.boolean("plenar:substitute", false),
		OnBehalfOfID: pid(behalf), Start: deref(s), End: deref(e), Meta: meta(o)})
	return im.stored("membership", id, err)
}

var meetingStates = map[string]bool{"planned": true, "invited": true, "running": true, "closed": true}

func (im *importer) meeting(ctx context.Context, o obj) (string, error) {
	start, end := o.datetime("start"), o.datetime("end")
	body := im.body
	name := o.str("name")
	if name == "" {
		o.problem("missing-name", "Meeting without name")
		name = "Sitzung"
	}
	loc, err := im.embeddedOrLink(ctx, o, "location", "Location")
	if err != nil {
		return "", err
	}
	var orgs []council.ID
	for _, u := range o.links("organization") {
		id, err := im.resolve(ctx, o, u, "Organization")
		if err != nil {
			return "", err
		}
		if id != "" {
			orgs = append(orgs, pid(id))
		}
	}
	state := o.str("plenar:state")
	if !meetingStates[state] {
		items, _ := o.m["agendaItem"].([]any)
		ms := strings.ToLower(o.str("meetingState"))
		switch {
		case strings.Contains(ms, "durchgeführt") || strings.Contains(ms, "abgeschlossen") || strings.Contains(ms, "beendet") ||
			start.Before(time.Now()):
			state = "closed"
		case strings.Contains(ms, "eingeladen") || len(items) > 0:
			state = "invited"
		default:
			state = "planned"
		}
	}
	if state == "running" {
		state = "closed" // a live session belongs to the source system
	}
	// The meetings import store validates: a meeting without start, or
	// whose end is before its start, is refused and counted as failed.
	id, err := im.meetings.Meeting(ctx, im.source(o), meetings.Meeting{BodyID: pid(body), Name: name, Start: start, End: end,
		LocationID: pid(loc), State: meetings.State(state), Cancelled: o.boolean("cancelled", false), Organizations: orgs,
		Meta: meta(o)})
	return im.stored("meeting", id, err)
}

func (im *importer) agendaItem(ctx context.Context, o obj, p *parent) (string, error) {
	var meeting string
	var err error
	pos := -1
	if p != nil && p.entity == "meeting" {
		meeting, pos = p.id, p.pos
	} else {
		if meeting, err = im.ref(ctx, o, "meeting", "Meeting"); err != nil {
			return "", err
		}
		if n, ok := o.integer("order"); ok {
			pos = max(n-im.orderBase[o.link("meeting")], 0)
		} else {
			o.problem("order-missing", "AgendaItem without order")
		}
	}
	if meeting == "" {
		return "", fmt.Errorf("agenda item without meeting")
	}
	if pos < 0 {
		if pos, err = im.meetings.NextPosition(ctx, pid(meeting), o.url); err != nil {
			return "", err
		}
	}
	name := o.str("name")
	if name == "" {
		o.problem("missing-name", "AgendaItem without name")
		name = "Tagesordnungspunkt " + o.str("number")
	}
	public := o.boolean("public", true)
	if p != nil && p.nonPublic {
		if _, given := o.m["public"]; !given {
			public = false // after an SD.NET part header "B Nichtöffentliche Sitzung"
		}
	}
	id, err := im.meetings.AgendaItem(ctx, im.source(o), meetings.AgendaItem{MeetingID: pid(meeting), Position: pos,
		Number: o.str("number"), Name: strings.TrimSpace(name), Public: public, Result: o.str("result"),
		ResolutionText: o.text("resolutionText"), Meta: meta(o)})
	return im.stored("agenda_item", id, err)
}

var paperStatuses = map[string]bool{"submitted": true, "in_consultation": true, "decided": true, "implementation": true,
	"done": true, "withdrawn": true, "referred_back": true, "adjourned": true}

// plenarRef is a reference in Plenar's own format, e.g. "A0123/26".
var plenarRef = regexp.MustCompile(`^(\p{Lu})(\d{4,})/(\d{2})$`)

func (im *importer) paper(ctx context.Context, o obj) (string, error) {
	body, err := im.bodyID(ctx, o)
	if err != nil {
		return "", err
	}
	ref := o.str("reference")
	name := o.str("name")
	if name == "" && ref != "" {
		o.problem("missing-name", "Paper without name; named by its reference")
		name = "Vorlage " + ref
	}
	pt := o.str("paperType")
	typ, known := paperType(pt)
	if !known && pt != "" {
		o.problem("paper-type-unknown", fmt.Sprintf("paperType = %q, imported as %s with the source's label", pt, typ))
	}
	status := council.PaperStatus(o.str("plenar:status"))
	if !paperStatuses[string(status)] {
		status = council.StatusSubmitted
	}
	p := council.ImportedPaper{Paper: council.Paper{BodyID: pid(body), Name: name, Type: typ, TypeName: pt,
		Date: deref(o.date("date")), Text: o.text("plenar:text"), Status: status, Public: true, Meta: meta(o)}}
	for _, u := range o.links("underDirectionOf") {
		id, err := im.resolve(ctx, o, u, "Organization")
		if err != nil {
			return "", err
		}
		if id != "" && p.LeadOrgID == council.NilID {
			p.LeadOrgID = pid(id)
		}
	}
	// Paper.location: embedded Location objects are imported as they are
	// (their GeoJSON repaired); links are resolved below.
	if list, ok := o.m["location"].([]any); ok {
		for _, e := range list {
			if m, ok := e.(map[string]any); ok && len(m) > 2 {
				u, _ := m["id"].(string)
				if typeName(m["type"]) == "" {
					m["type"] = "Location"
				}
				if _, err := im.object(ctx, obj{im: im, url: strings.TrimSpace(u), m: m}, nil); err != nil {
					return "", err
				}
			}
		}
	}
	for _, l := range []struct {
		key, typ string
		to       *[]council.ID
	}{{"originatorPerson", "Person", &p.OriginatorPeople}, {"originatorOrganization", "Organization", &p.OriginatorOrgs},
		// Relations to other papers. A linked paper not imported yet is
		// fetched and imported first; a cycle back to a paper being
		// imported resolves to nothing on that side, and the other side
		// records the link.
		{"relatedPaper", "Paper", &p.RelatedImported}, {"superordinatedPaper", "Paper", &p.Superordinates},
		{"subordinatedPaper", "Paper", &p.Subordinates}, {"location", "Location", &p.Locations}} {
		for _, u := range o.links(l.key) {
			id, err := im.resolve(ctx, o, u, l.typ)
			if err != nil {
				return "", err
			}
			if id != "" {
				*l.to = append(*l.to, pid(id))
			}
		}
	}
	if ref != "" {
		p.Reference, p.RefPrefix = ref, "oparl:"+ref
		if m := plenarRef.FindStringSubmatch(ref); m != nil {
			y, _ := strconv.Atoi(m[3])
			n, _ := strconv.Atoi(m[2])
			p.RefPrefix, p.RefYear, p.RefSeq = m[1], y+2000, n
		}
	}
	src := im.source(o)
	id, err := im.council.Paper(ctx, src, p)
	if errors.Is(err, council.ErrConflict) && ctx.Err() == nil {
		o.problem("duplicate-reference", fmt.Sprintf("reference %q is taken; imported without it", ref))
		p.Reference, p.RefPrefix, p.RefYear, p.RefSeq = "", "", 0, 0
		id, err = im.council.Paper(ctx, src, p)
	}
	return im.stored("paper", id, err)
}

func (im *importer) consultation(ctx context.Context, o obj, p *parent) (string, error) {
	var paper string
	var err error
	pos := 0
	if p != nil && p.entity == "paper" {
		paper, pos = p.id, p.pos
	} else if paper, err = im.ref(ctx, o, "paper", "Paper"); err != nil {
		return "", err
	}
	item, err := im.ref(ctx, o, "agendaItem", "AgendaItem")
	if err != nil {
		return "", err
	}
	// OParl allows a consultation with a meeting and no agenda item: the
	// paper was consulted in that meeting (docs/OPARL.md, quirk
	// "consultation-meeting-only").
	var meeting string
	if item == "" {
		if meeting, err = im.ref(ctx, o, "meeting", "Meeting"); err != nil {
			return "", err
		}
	}
	var org string
	for _, u := range o.links("organization") {
		if org, err = im.resolve(ctx, o, u, "Organization"); err != nil {
			return "", err
		}
		if org != "" {
			break
		}
	}
	if org == "" && (item != "" || meeting != "") {
		// The committee of the meeting the paper is on.
		oid, err := im.meetings.MeetingOrganization(ctx, pid(item), pid(meeting))
		if err != nil {
			return "", err
		}
		if oid != council.NilID {
			org = oid.String()
			o.problem("missing-organization", "Consultation without organization; the meeting's organization is used")
		}
	}
	id, err := im.council.Consultation(ctx, im.source(o), council.Consultation{PaperID: pid(paper), OrganizationID: pid(org),
		AgendaItemID: pid(item), MeetingID: pid(meeting), Position: pos, Role: o.str("role"),
		Authoritative: o.boolean("authoritative", false), Meta: meta(o)})
	return im.stored("consultation", id, err)
}

// deref is the value at p, or the zero value.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// files imports the File objects (or links) of o in the given keys.
func (im *importer) files(ctx context.Context, o obj, entity, id string, unchanged bool, roles map[string]string) error {
	for key, role := range roles {
		var list []any
		switch x := o.m[key].(type) {
		case []any:
			list = x
		case nil:
		default:
			list = []any{x}
		}
		for _, e := range list {
			var f obj
			switch x := e.(type) {
			case map[string]any:
				u, _ := x["id"].(string)
				f = obj{im: im, url: strings.TrimSpace(u), m: x}
			case string:
				u, _ := clean(x)
				if unchanged && im.fileKnown(ctx, u) {
					continue
				}
				if !validURL(u) {
					o.problem("not-a-url", fmt.Sprintf("%s = %q", key, x))
					continue
				}
				v, err := im.get(ctx, u)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					o.problem("broken-link", fmt.Sprintf("%s: %v", key, err))
					continue
				}
				m, _ := v.(map[string]any)
				if m == nil {
					continue
				}
				f = obj{im: im, url: u, m: m}
			default:
				continue
			}
			if !validURL(f.url) {
				o.problem("not-a-url", fmt.Sprintf("%s id %q", key, f.url))
				continue
			}
			link := fileLink{Entity: entity, ID: id, Role: role}
			if (f.datetime("modified").IsZero() && unchanged && im.fileKnown(ctx, f.url)) ||
				(im.fileUnchanged(ctx, f) && im.fileLinked(ctx, f.url, link)) {
				im.sum.Unchanged["file"]++
				continue
			}
			if err := im.saveFile(ctx, f, []fileLink{link}); err != nil {
				return err
			}
		}
	}
	return nil
}

// file imports a File from a list with the links it names back.
func (im *importer) file(ctx context.Context, o obj, p *parent) error {
	var links []fileLink
	if p != nil {
		links = append(links, fileLink{Entity: p.entity, ID: p.id, Role: p.role})
	}
	for _, l := range []struct{ key, entity string }{{"paper", "paper"}, {"meeting", "meeting"}, {"agendaItem", "agenda_item"}} {
		for _, u := range o.links(l.key) {
			if m, ok := im.lookup(ctx, u); ok {
				links = append(links, fileLink{Entity: l.entity, ID: m.id, Role: "auxiliary"})
			}
		}
	}
	if im.fileUnchanged(ctx, o) {
		im.sum.Unchanged["file"]++
		return nil
	}
	return im.saveFile(ctx, o, links)
}
