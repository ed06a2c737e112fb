package oparlimport

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// parent is the object an embedded one was found in.
type parent struct {
	entity, id, url string
	pos             int // position among its siblings
	role            string
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
		return "", im.markDeleted(ctx, o)
	}
	if !validURL(o.url) {
		o.problem("not-a-url", fmt.Sprintf("id %q", o.url))
		return "", nil
	}
	if im.active[o.url] {
		return "", nil
	}
	im.active[o.url] = true
	defer delete(im.active, o.url)
	if entity == "file" {
		return "", im.file(ctx, o, p)
	}
	if m, ok := im.lookup(ctx, o.url); ok {
		mt := o.datetime("modified")
		if m.modified != nil && !mt.IsZero() && !mt.After(*m.modified) || mt.IsZero() && p != nil && p.unchanged {
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
	if id, err = im.saved(ctx, o, id, err); err != nil || id == "" {
		return id, err
	}
	return id, im.children(ctx, o, t, id, false)
}

// children imports the embedded objects and the files of o.
func (im *importer) children(ctx context.Context, o obj, t, id string, unchanged bool) error {
	embedded := func(key, entity string, pos func(i int) int) error {
		list, _ := o.m[key].([]any)
		for i, e := range list {
			switch x := e.(type) {
			case map[string]any:
				u, _ := x["id"].(string)
				c := obj{im: im, url: strings.TrimSpace(u), m: x}
				if typeName(x["type"]) == "" {
					x["type"] = key
				}
				if _, err := im.object(ctx, c, &parent{entity: entities[t], id: id, url: o.url, pos: pos(i), unchanged: unchanged}); err != nil {
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
	index := func(i int) int { return i }
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
func (im *importer) positions(o obj) func(int) int {
	list, _ := o.m["agendaItem"].([]any)
	orders := make([]int, len(list))
	has := make([]bool, len(list))
	lowest := -1
	for i, e := range list {
		m, _ := e.(map[string]any)
		if m == nil {
			continue
		}
		item := obj{im: im, url: fmt.Sprint(m["id"]), m: m}
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
	return func(i int) int {
		if !has[i] {
			return i
		}
		return max(orders[i]-base, 0)
	}
}

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
	}
	return nil
}

func (im *importer) bodyObj(ctx context.Context, o obj) (string, error) {
	name := o.str("name")
	if name == "" {
		name = o.str("shortName")
	}
	if name == "" {
		return "", fmt.Errorf("body without name")
	}
	return im.save(ctx, o, "body", []string{"name", "short_name", "website", "license", "ags", "rgs", "classification"},
		[]any{name, o.str("shortName"), o.link("website"), o.link("license"), o.ags(), o.str("rgs"), o.str("classification")}, nil)
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
	return im.save(ctx, o, "legislative_term", []string{"body_id", "name", "start_date", "end_date"}, []any{body, name, s, e}, nil)
}

func (im *importer) location(ctx context.Context, o obj) (string, error) {
	body, err := im.bodyID(ctx, o)
	if err != nil {
		return "", err
	}
	if body == "" {
		return "", fmt.Errorf("location without body")
	}
	var lat, lon *float64
	if la, lo, ok := o.geo(); ok {
		lat, lon = &la, &lo
	}
	return im.save(ctx, o, "location", []string{"body_id", "description", "street_address", "room", "postal_code", "locality", "lat", "lon"},
		[]any{body, o.str("description"), o.str("streetAddress"), o.str("room"), o.str("postalCode"), o.str("locality"), lat, lon}, nil)
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

var orgKinds = map[string]bool{"council": true, "committee": true, "district_council": true, "youth_council": true,
	"citizens_assembly": true, "advisory_board": true, "party_group": true, "party": true, "community_group": true,
	"administration": true}

func orgKind(o obj) string {
	if k := o.str("plenar:kind"); orgKinds[k] {
		return k
	}
	t, c := strings.ToLower(o.str("organizationType")), strings.ToLower(o.str("classification"))
	has := func(s ...string) bool {
		for _, x := range s {
			if strings.Contains(c, x) {
				return true
			}
		}
		return false
	}
	switch {
	case t == "fraktion" || has("fraktion"):
		return "party_group"
	case t == "partei" || c == "partei":
		return "party"
	case strings.Contains(t, "verwaltung") || has("verwaltung", "dezernat"):
		return "administration"
	case has("ortschaftsrat", "bezirk", "ortsbeirat", "stadtteil"):
		return "district_council"
	case has("jugend"):
		return "youth_council"
	case has("bürgerrat"):
		return "citizens_assembly"
	case has("beirat"):
		return "advisory_board"
	case c == "rat" || has("gemeinderat", "stadtrat", "kreistag", "stadtverordnetenversammlung", "hauptorgan", "rat der stadt"):
		return "council"
	case t == "gremium" || has("ausschuss", "kommission"):
		return "committee"
	}
	return "community_group"
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
	if name == "" || body == "" {
		return "", fmt.Errorf("organization without name or body")
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
	return im.save(ctx, o, "organization", []string{"body_id", "name", "short_name", "kind", "classification", "parent_id",
		"statutory_seats", "location_id", "website", "start_date", "end_date"},
		[]any{body, name, o.str("shortName"), orgKind(o), o.str("classification"), nonEmpty(parentOrg), seats, nonEmpty(loc),
			o.link("website"), s, e}, nil)
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
	if family == "" || body == "" {
		return "", fmt.Errorf("person without name or body")
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
	return im.save(ctx, o, "person", []string{"body_id", "family_name", "given_name", "title", "form_of_address", "affix",
		"gender", "email", "phone", "life_source"},
		[]any{body, family, given, strings.Join(o.strs("title"), " "), o.str("formOfAddress"), o.str("affix"), gender,
			first(o.strs("email")), first(o.strs("phone")), o.str("lifeSource")}, nil)
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
	if person == "" || org == "" {
		return "", fmt.Errorf("membership without person or organization")
	}
	s, e := dates(o, "startDate", "endDate")
	return im.save(ctx, o, "membership", []string{"person_id", "organization_id", "role", "voting_right", "substitute",
		"on_behalf_of_id", "start_date", "end_date"},
		[]any{person, org, o.str("role"), o.boolean("votingRight", true), o.boolean("plenar:substitute", false),
			nonEmpty(behalf), s, e}, nil)
}

var meetingStates = map[string]bool{"planned": true, "invited": true, "running": true, "closed": true}

func (im *importer) meeting(ctx context.Context, o obj) (string, error) {
	start := o.datetime("start")
	if start.IsZero() {
		return "", fmt.Errorf("meeting without start")
	}
	end := o.datetime("end")
	var endAt *time.Time
	if !end.IsZero() {
		if end.Before(start) {
			o.problem("end-before-start", "meeting end before start; end dropped")
		} else {
			endAt = &end
		}
	}
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
	var orgs []string
	for _, u := range o.links("organization") {
		id, err := im.resolve(ctx, o, u, "Organization")
		if err != nil {
			return "", err
		}
		if id != "" {
			orgs = append(orgs, id)
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
	return im.save(ctx, o, "meeting", []string{"body_id", "name", "start_at", "end_at", "location_id", "state", "cancelled"},
		[]any{body, name, start, endAt, nonEmpty(loc), state, o.boolean("cancelled", false)},
		func(tx pgx.Tx, id string) error {
			if _, err := tx.Exec(ctx, `DELETE FROM meeting_organizations WHERE meeting_id = $1`, id); err != nil {
				return err
			}
			for _, org := range orgs {
				if _, err := tx.Exec(ctx, `INSERT INTO meeting_organizations (meeting_id, organization_id) VALUES ($1, $2)
					ON CONFLICT DO NOTHING`, id, org); err != nil {
					return err
				}
			}
			return nil
		})
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
		if m, ok := im.lookup(ctx, o.url); ok {
			err = im.opt.DB.QueryRow(ctx, `SELECT position FROM agenda_items WHERE id = $1`, m.id).Scan(&pos)
		} else {
			err = im.opt.DB.QueryRow(ctx, `SELECT coalesce(max(position) + 1, 0) FROM agenda_items WHERE meeting_id = $1`, meeting).Scan(&pos)
		}
		if err != nil {
			return "", fmt.Errorf("agenda position: %w", err)
		}
	}
	name := o.str("name")
	if name == "" {
		o.problem("missing-name", "AgendaItem without name")
		name = "Tagesordnungspunkt " + o.str("number")
	}
	return im.save(ctx, o, "agenda_item", []string{"meeting_id", "position", "number", "name", "public", "result", "resolution_text"},
		[]any{meeting, pos, o.str("number"), strings.TrimSpace(name), o.boolean("public", true), o.str("result"), o.text("resolutionText")}, nil)
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
	if name == "" {
		o.problem("missing-name", "Paper without name")
		name = strings.TrimSpace("Vorlage " + ref)
	}
	pt := o.str("paperType")
	typ, known := paperType(pt)
	if !known && pt != "" {
		o.problem("paper-type-unknown", fmt.Sprintf("paperType = %q, imported as %s", pt, typ))
	}
	status := o.str("plenar:status")
	if !paperStatuses[status] {
		status = "submitted"
	}
	var lead *string
	for _, u := range o.links("underDirectionOf") {
		id, err := im.resolve(ctx, o, u, "Organization")
		if err != nil {
			return "", err
		}
		if id != "" && lead == nil {
			lead = &id
		}
	}
	type originator struct{ person, org string }
	var origs []originator
	for _, l := range []struct{ key, typ string }{{"originatorPerson", "Person"}, {"originatorOrganization", "Organization"}} {
		for _, u := range o.links(l.key) {
			id, err := im.resolve(ctx, o, u, l.typ)
			if err != nil {
				return "", err
			}
			if id != "" {
				if l.typ == "Person" {
					origs = append(origs, originator{person: id})
				} else {
					origs = append(origs, originator{org: id})
				}
			}
		}
	}
	// Relations to other papers (OParl relatedPaper, superordinatedPaper,
	// subordinatedPaper). A linked paper not imported yet is fetched and
	// imported first; a cycle back to a paper being imported resolves to
	// nothing on that side, and the other side records the link.
	type relation struct{ from, to, kind string } // "" stands for this paper
	var rels []relation
	for _, l := range []struct{ key, kind string }{{"relatedPaper", "related"}, {"superordinatedPaper", "super"}, {"subordinatedPaper", "sub"}} {
		for _, u := range o.links(l.key) {
			id, err := im.resolve(ctx, o, u, "Paper")
			if err != nil {
				return "", err
			}
			switch {
			case id == "":
			case l.kind == "related":
				rels = append(rels, relation{to: id, kind: "related"})
			case l.kind == "super":
				rels = append(rels, relation{to: id, kind: "superordinate"})
			default:
				rels = append(rels, relation{from: id, kind: "superordinate"})
			}
		}
	}
	var refp, prefix *string
	var year, seq *int
	if ref != "" {
		refp = &ref
		if m := plenarRef.FindStringSubmatch(ref); m != nil {
			y, _ := strconv.Atoi(m[3])
			n, _ := strconv.Atoi(m[2])
			y += 2000
			prefix, year, seq = &m[1], &y, &n
		} else {
			p, y, n := "oparl:"+ref, 0, 0
			prefix, year, seq = &p, &y, &n
		}
	}
	cols := []string{"body_id", "name", "paper_type", "reference", "ref_prefix", "ref_year", "ref_seq", "date", "text",
		"status", "public", "lead_org_id"}
	after := func(tx pgx.Tx, id string) error {
		if seq != nil && year != nil && *year > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO paper_counters (body_id, prefix, year, last) VALUES ($1, $2, $3, $4)
				ON CONFLICT (body_id, prefix, year) DO UPDATE SET last = GREATEST(paper_counters.last, $4)`,
				body, *prefix, *year, *seq); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM paper_originators WHERE paper_id = $1`, id); err != nil {
			return err
		}
		for i, og := range origs {
			if _, err := tx.Exec(ctx, `INSERT INTO paper_originators (paper_id, position, person_id, organization_id)
				VALUES ($1, $2, $3, $4)`, id, i, nonEmpty(og.person), nonEmpty(og.org)); err != nil {
				return err
			}
		}
		// This paper's own links are replaced; a subordinate's link to it
		// is only added (the subordinate's own superordinatedPaper owns it).
		if _, err := tx.Exec(ctx, `DELETE FROM paper_relations WHERE paper_id = $1`, id); err != nil {
			return err
		}
		for _, r := range rels {
			from, to := r.from, r.to
			if from == "" {
				from = id
			}
			if to == "" {
				to = id
			}
			if from == to {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO paper_relations (paper_id, related_id, kind) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, from, to, r.kind); err != nil {
				return err
			}
		}
		return nil
	}
	vals := []any{body, name, string(typ), refp, prefix, year, seq, o.date("date"), o.text("plenar:text"), status, true, lead}
	id, err := im.save(ctx, o, "paper", cols, vals, after)
	if err != nil && isUniqueViolation(err) && ctx.Err() == nil {
		o.problem("duplicate-reference", fmt.Sprintf("reference %q is taken; imported without it", ref))
		vals[3], vals[4], vals[5], vals[6] = nil, nil, nil, nil
		seq = nil
		id, err = im.save(ctx, o, "paper", cols, vals, after)
	}
	return id, err
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
	var org string
	for _, u := range o.links("organization") {
		if org, err = im.resolve(ctx, o, u, "Organization"); err != nil {
			return "", err
		}
		if org != "" {
			break
		}
	}
	if org == "" && item != "" {
		// The committee of the meeting the paper is on.
		_ = im.opt.DB.QueryRow(ctx, `SELECT mo.organization_id::text FROM agenda_items i
			JOIN meeting_organizations mo ON mo.meeting_id = i.meeting_id WHERE i.id = $1 LIMIT 1`, item).Scan(&org)
		if org != "" {
			o.problem("missing-organization", "Consultation without organization; the meeting's organization is used")
		}
	}
	if paper == "" || org == "" {
		return "", fmt.Errorf("consultation without paper or organization")
	}
	return im.save(ctx, o, "consultation", []string{"paper_id", "organization_id", "agenda_item_id", "position", "role", "authoritative"},
		[]any{paper, org, nonEmpty(item), pos, o.str("role"), o.boolean("authoritative", false)}, nil)
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

// fileKnown reports whether the File at u was imported.
func (im *importer) fileKnown(ctx context.Context, u string) bool {
	var n int
	_ = im.opt.DB.QueryRow(ctx, `SELECT count(*) FROM import_files WHERE source_url = $1`, u).Scan(&n)
	return n > 0
}

// fileLinked reports whether the File at u was imported with link l.
func (im *importer) fileLinked(ctx context.Context, u string, l fileLink) bool {
	lj, err := json.Marshal([]fileLink{l})
	if err != nil {
		return false
	}
	var n int
	_ = im.opt.DB.QueryRow(ctx, `SELECT count(*) FROM import_files WHERE source_url = $1 AND links @> $2::jsonb`, u, lj).Scan(&n)
	return n > 0
}

// fileUnchanged reports whether File o was imported with the same
// modified (or, lacking modified, at all).
func (im *importer) fileUnchanged(ctx context.Context, o obj) bool {
	var mod time.Time
	if err := im.opt.DB.QueryRow(ctx, `SELECT modified FROM import_files WHERE source_url = $1`, o.url).Scan(&mod); err != nil {
		return false
	}
	mt := o.datetime("modified")
	return mt.IsZero() || !mt.After(mod)
}
