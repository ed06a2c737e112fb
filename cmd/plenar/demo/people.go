package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/plenar/plenar/council"
)

// city is what the structure steps create and the later steps use.
type city struct {
	body       council.Body
	terms      [2]council.LegislativeTerm // previous, current
	locs       map[string]council.ID
	council    *gremium
	committees []*gremium
	districts  []*gremium
	youth, gwa *gremium
	groups     []*group
	depts      map[string]council.ID
	mayor      council.Person
	usedNames  map[string]bool
	accounts   map[string]council.ID // login e-mail → person
	meetings   []*meeting
	live       *meeting // the session running live (planLive)
	papers     []*paper
}

// gremium is an organization that meets.
type gremium struct {
	org      council.Organization
	key      string
	gen      string // genitive for meeting names: "des Stadtrates"
	place    string // district name for district councils
	perYear  int
	capacity int // papers per meeting
	weekday  time.Weekday
	week     int // week of the month, 0-based
	hour     int
	loc      council.ID
	meetings []*meeting
}

// group is a party group (Fraktion).
type group struct {
	org     council.Organization
	seats   [2]int
	members [2][]council.Person // per term
}

func (s *seeder) seedStructure(ctx context.Context) error {
	var err error
	s.body, err = s.cs.CreateBody(ctx, council.Body{Name: "Stadt Musterstadt", ShortName: "Musterstadt",
		Website: demoWebsite, License: "https://creativecommons.org/licenses/by/4.0/",
		AGS: "15099000", RGS: "150990000000", Classification: "Kreisfreie Stadt"})
	if err != nil {
		return err
	}
	// Musterstadt is in Sachsen-Anhalt (AGS 15…): its council votes under
	// the KVG LSA (meetings/voting profile ST, docs/VOTING.md).
	if _, err := s.tx.Exec(ctx, `UPDATE bodies SET voting_profile = 'ST' WHERE id = $1`, s.body.ID); err != nil {
		return fmt.Errorf("voting profile: %w", err)
	}
	y := s.now.Year()
	for (y-2019)%5 != 0 || time.Date(y, 7, 1, 0, 0, 0, 0, time.UTC).After(s.now) {
		y--
	}
	for i, start := range []int{y - 5, y} {
		t := council.LegislativeTerm{BodyID: s.body.ID, Name: fmt.Sprintf("Wahlperiode %d–%d", start, start+5),
			Start: time.Date(start, 7, 1, 0, 0, 0, 0, time.UTC), End: time.Date(start+5, 6, 30, 0, 0, 0, 0, time.UTC)}
		if s.terms[i], err = s.cs.CreateLegislativeTerm(ctx, t); err != nil {
			return err
		}
	}
	if err := s.seedLocations(ctx); err != nil {
		return err
	}
	return s.seedOrganizations(ctx)
}

func (s *seeder) seedLocations(ctx context.Context) error {
	type loc struct {
		key, desc, street, room, zip, locality string
		lat, lon                               float64
	}
	locs := []loc{
		{"rathaus", "Rathaus Musterstadt", "Marktplatz 1", "", "39999", "Musterstadt", 52.1316, 11.6398},
		{"ratssaal", "Rathaus Musterstadt", "Marktplatz 1", "Ratssaal", "39999", "Musterstadt", 52.1316, 11.6398},
		{"r104", "Rathaus Musterstadt", "Marktplatz 1", "Sitzungsraum 1.04", "39999", "Musterstadt", 52.1316, 11.6398},
		{"r212", "Rathaus Musterstadt", "Marktplatz 1", "Sitzungsraum 2.12", "39999", "Musterstadt", 52.1316, 11.6398},
		{"Lindenau", "Dorfgemeinschaftshaus Lindenau", "Lindenauer Dorfstraße 12", "Saal", "39998", "Musterstadt-Lindenau", 52.1702, 11.5931},
		{"Kirchberg", "Bürgerhaus Kirchberg", "Am Kirchberg 3", "Großer Saal", "39997", "Musterstadt-Kirchberg", 52.0954, 11.6012},
		{"Wiesenhof", "Alte Schule Wiesenhof", "Wiesenhofer Anger 7", "", "39996", "Musterstadt-Wiesenhof", 52.1488, 11.7103},
		{"Neudorf am See", "Gemeindezentrum Neudorf am See", "Seestraße 21", "Versammlungsraum", "39995", "Musterstadt-Neudorf am See", 52.0811, 11.6894},
		{"youth", "Jugendzentrum „Alte Feuerwache“", "Feuerwachenstraße 3", "Kinosaal", "39999", "Musterstadt", 52.1259, 11.6301},
		{"gwa", "Stadtteiltreff Südstadt", "Schönebecker Straße 44", "", "39999", "Musterstadt", 52.1102, 11.6455},
	}
	s.locs = map[string]council.ID{}
	for _, l := range locs {
		saved, err := s.cs.SaveLocation(ctx, council.Location{BodyID: s.body.ID, Description: l.desc, StreetAddress: l.street,
			Room: l.room, PostalCode: l.zip, Locality: l.locality, HasPoint: true, Lat: l.lat, Lon: l.lon})
		if err != nil {
			return err
		}
		s.locs[l.key] = saved.ID
	}
	return nil
}

func (s *seeder) saveOrg(ctx context.Context, o council.Organization) (council.Organization, error) {
	o.BodyID = s.body.ID
	saved, err := s.cs.SaveOrganization(ctx, o)
	if err == nil {
		s.counts.Organizations++
	}
	return saved, err
}

func (s *seeder) seedOrganizations(ctx context.Context) error {
	since := s.terms[0].Start
	gs := []*gremium{
		{key: "council", gen: "des Stadtrates", perYear: 11, capacity: 28, weekday: time.Thursday, week: 3, hour: 17, loc: s.locs["ratssaal"],
			org: council.Organization{Name: "Stadtrat", ShortName: "SR", Kind: council.KindCouncil, StatutorySeats: 50}},
		{key: "fin", gen: "des Finanzausschusses", perYear: 11, capacity: 12, weekday: time.Monday, week: 1, hour: 17, loc: s.locs["r104"],
			org: council.Organization{Name: "Finanzausschuss", ShortName: "FA", Kind: council.KindCommittee, StatutorySeats: 13}},
		{key: "bau", gen: "des Ausschusses für Bau und Stadtentwicklung", perYear: 11, capacity: 15, weekday: time.Tuesday, week: 1, hour: 17, loc: s.locs["r104"],
			org: council.Organization{Name: "Ausschuss für Bau und Stadtentwicklung", ShortName: "BSA", Kind: council.KindCommittee, StatutorySeats: 13}},
		{key: "umv", gen: "des Ausschusses für Umwelt und Verkehr", perYear: 11, capacity: 15, weekday: time.Wednesday, week: 1, hour: 17, loc: s.locs["r212"],
			org: council.Organization{Name: "Ausschuss für Umwelt und Verkehr", ShortName: "UVA", Kind: council.KindCommittee, StatutorySeats: 11}},
		{key: "sch", gen: "des Schulausschusses", perYear: 11, capacity: 10, weekday: time.Monday, week: 0, hour: 16, loc: s.locs["r212"],
			org: council.Organization{Name: "Schulausschuss (Ausschuss für Bildung)", ShortName: "SchA", Kind: council.KindCommittee, StatutorySeats: 11}},
		{key: "soz", gen: "des Sozialausschusses", perYear: 11, capacity: 14, weekday: time.Tuesday, week: 0, hour: 17, loc: s.locs["r104"],
			org: council.Organization{Name: "Sozialausschuss (Soziales, Jugend und Familie)", ShortName: "SozA", Kind: council.KindCommittee, StatutorySeats: 12}},
		{key: "kul", gen: "des Kultur- und Sportausschusses", perYear: 11, capacity: 8, weekday: time.Wednesday, week: 0, hour: 17, loc: s.locs["r104"],
			org: council.Organization{Name: "Kultur- und Sportausschuss", ShortName: "KSA", Kind: council.KindCommittee, StatutorySeats: 11}},
	}
	for i, d := range []string{"Lindenau", "Kirchberg", "Wiesenhof", "Neudorf am See"} {
		gs = append(gs, &gremium{key: "or-" + d, gen: "des Ortschaftsrates " + d, place: d, perYear: 10, capacity: 4,
			weekday: time.Weekday(1 + i), week: 2, hour: 19, loc: s.locs[d],
			org: council.Organization{Name: "Ortschaftsrat " + d, ShortName: "OR " + d, Kind: council.KindDistrictCouncil, StatutorySeats: 7}})
	}
	gs = append(gs,
		&gremium{key: "youth", gen: "des Kinder- und Jugendrates", perYear: 8, capacity: 2, weekday: time.Friday, week: 1, hour: 16, loc: s.locs["youth"],
			org: council.Organization{Name: "Kinder- und Jugendrat", ShortName: "KJR", Kind: council.KindYouthCouncil, StatutorySeats: 15}},
		&gremium{key: "gwa", gen: "der Gemeinwesenarbeitsgruppe Südstadt", perYear: 8, capacity: 2, weekday: time.Thursday, week: 0, hour: 18, loc: s.locs["gwa"],
			org: council.Organization{Name: "Gemeinwesenarbeitsgruppe (GWA) Südstadt", ShortName: "GWA Süd", Kind: council.KindCommunityGroup}})
	for _, g := range gs {
		g.org.Classification, g.org.LocationID, g.org.Start = "Gremium", g.loc, since
		if g.org.Kind == council.KindCommittee {
			g.org.ParentID = s.council.org.ID
		}
		var err error
		if g.org, err = s.saveOrg(ctx, g.org); err != nil {
			return err
		}
		switch g.org.Kind {
		case council.KindCouncil:
			s.council = g
		case council.KindCommittee:
			s.committees = append(s.committees, g)
		case council.KindDistrictCouncil:
			s.districts = append(s.districts, g)
		case council.KindYouthCouncil:
			s.youth = g
		default:
			s.gwa = g
		}
	}
	groups := []struct {
		name, short string
		seats       [2]int
	}{
		{"Fraktion Bündnis 90/Die Grünen", "GRÜNE", [2]int{10, 13}},
		{"CDU-Fraktion", "CDU", [2]int{15, 14}},
		{"SPD-Fraktion", "SPD", [2]int{13, 11}},
		{"Fraktion DIE LINKE", "LINKE", [2]int{7, 6}},
		{"Fraktion FDP/Freie Wähler", "FDP/FW", [2]int{5, 6}},
	}
	for _, g := range groups {
		o, err := s.saveOrg(ctx, council.Organization{Name: g.name, ShortName: g.short, Kind: council.KindPartyGroup,
			Classification: "Fraktion", ParentID: s.council.org.ID, StatutorySeats: g.seats[1], Start: since})
		if err != nil {
			return err
		}
		s.groups = append(s.groups, &group{org: o, seats: g.seats})
	}
	return s.seedAdministration(ctx)
}

func (s *seeder) seedAdministration(ctx context.Context) error {
	s.depts = map[string]council.ID{}
	dezernate := []struct {
		name  string
		ämter [][2]string
	}{
		{"Dezernat I – Oberbürgermeisterin", [][2]string{{"haupt", "Hauptamt"}, {"kaem", "Kämmerei"}, {"feuer", "Amt für Brand- und Katastrophenschutz"}}},
		{"Dezernat II – Bau und Stadtentwicklung", [][2]string{{"stpl", "Stadtplanungsamt"}, {"tief", "Tiefbauamt"}, {"hoch", "Amt für Gebäudemanagement"}}},
		{"Dezernat III – Bildung, Jugend und Soziales", [][2]string{{"schul", "Schulverwaltungsamt"}, {"jug", "Jugendamt"}, {"soz", "Sozialamt"}}},
		{"Dezernat IV – Umwelt, Kultur und Sport", [][2]string{{"umw", "Umweltamt"}, {"kult", "Amt für Kultur und Sport"}}},
	}
	for i, d := range dezernate {
		dz, err := s.saveOrg(ctx, council.Organization{Name: d.name, ShortName: fmt.Sprintf("Dez. %s", []string{"I", "II", "III", "IV"}[i]),
			Kind: council.KindAdministration, Classification: "Dezernat", LocationID: s.locs["rathaus"]})
		if err != nil {
			return err
		}
		s.depts[fmt.Sprintf("dez%d", i)] = dz.ID
		for _, a := range d.ämter {
			amt, err := s.saveOrg(ctx, council.Organization{Name: a[1], Kind: council.KindAdministration, Classification: "Amt",
				ParentID: dz.ID, LocationID: s.locs["rathaus"]})
			if err != nil {
				return err
			}
			s.depts[a[0]] = amt.ID
		}
	}
	return nil
}

// newPerson saves a person with a random, not yet used name.
func (s *seeder) newPerson(ctx context.Context, youth bool) (council.Person, error) {
	for {
		set := nameSets[0]
		n := s.r.IntN(100)
		for _, ns := range nameSets {
			if n < ns.weight {
				set = ns
				break
			}
			n -= ns.weight
		}
		p := council.Person{BodyID: s.body.ID, FamilyName: pick(s.r, set.family)}
		female := chance(s.r, 0.5)
		given := set.male
		p.Gender, p.FormOfAddress = "male", "Herr"
		if female {
			given, p.Gender, p.FormOfAddress = set.female, "female", "Frau"
		}
		if youth {
			given = youthMale
			if female {
				given = youthFemale
			}
		}
		if chance(s.r, 0.15) { // mixed families
			p.FamilyName = pick(s.r, nameSets[0].family)
		}
		p.GivenName = pick(s.r, given)
		if !youth && s.r.IntN(1000) < set.titleFrequency {
			p.Title = pick(s.r, titles)
		}
		if s.usedNames[p.GivenName+" "+p.FamilyName] {
			continue
		}
		s.usedNames[p.GivenName+" "+p.FamilyName] = true
		saved, err := s.cs.SavePerson(ctx, p)
		if err == nil {
			s.counts.Persons++
		}
		return saved, err
	}
}

func (s *seeder) addMembership(ctx context.Context, m council.Membership) error {
	if _, err := s.cs.SaveMembership(ctx, m); err != nil {
		return err
	}
	s.counts.Memberships++
	return nil
}

// gendered returns female for women, male otherwise.
func gendered(p council.Person, female, male string) string {
	if p.Gender == "female" {
		return female
	}
	return male
}

func (s *seeder) termEnd(t int) time.Time {
	if t == 0 {
		return s.terms[0].End
	}
	return time.Time{}
}

func (s *seeder) seedPeople(ctx context.Context) error {
	s.usedNames, s.accounts = map[string]bool{}, map[string]council.ID{}
	s.usedNames["Katrin Weiß"] = true
	var err error
	s.mayor, err = s.cs.SavePerson(ctx, council.Person{BodyID: s.body.ID, Title: "Dr.", GivenName: "Katrin", FamilyName: "Weiß",
		FormOfAddress: "Frau", Gender: "female", Email: "oberbuergermeisterin@musterstadt.example"})
	if err != nil {
		return err
	}
	s.counts.Persons++
	if err := s.addMembership(ctx, council.Membership{PersonID: s.mayor.ID, OrganizationID: s.council.org.ID,
		Role: "Vorsitzende (Oberbürgermeisterin)", VotingRight: true, Start: s.terms[0].Start}); err != nil {
		return err
	}
	if err := s.addMembership(ctx, council.Membership{PersonID: s.mayor.ID, OrganizationID: s.depts["dez0"],
		Role: "Oberbürgermeisterin", Start: s.terms[0].Start}); err != nil {
		return err
	}
	for i := 1; i <= 3; i++ {
		p, err := s.newPerson(ctx, false)
		if err != nil {
			return err
		}
		if err := s.addMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: s.depts[fmt.Sprintf("dez%d", i)],
			Role: gendered(p, "Beigeordnete", "Beigeordneter"), Start: s.terms[0].Start}); err != nil {
			return err
		}
	}
	if err := s.seedCouncillors(ctx); err != nil {
		return err
	}
	if err := s.seedCommittees(ctx); err != nil {
		return err
	}
	return s.seedLocalBodies(ctx)
}

func (s *seeder) seedCouncillors(ctx context.Context) error {
	for _, g := range s.groups {
		prev, cur := g.seats[0], g.seats[1]
		n := cur + (prev*3+9)/10
		all := make([]council.Person, n)
		for i := range all {
			p, err := s.newPerson(ctx, false)
			if err != nil {
				return err
			}
			all[i] = p
		}
		g.members[1], g.members[0] = all[:cur], all[n-prev:]
		for t := range 2 {
			for i, p := range g.members[t] {
				start, end := s.terms[t].Start, s.termEnd(t)
				if err := s.addMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: s.council.org.ID,
					Role: gendered(p, "Stadträtin", "Stadtrat"), VotingRight: true, OnBehalfOfID: g.org.ID, Start: start, End: end}); err != nil {
					return err
				}
				role := gendered(p, "Mitglied", "Mitglied")
				switch i {
				case 0:
					role = gendered(p, "Fraktionsvorsitzende", "Fraktionsvorsitzender")
				case 1:
					role = gendered(p, "stellvertretende Fraktionsvorsitzende", "stellvertretender Fraktionsvorsitzender")
				}
				if err := s.addMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: g.org.ID,
					Role: role, VotingRight: true, Start: start, End: end}); err != nil {
					return err
				}
			}
		}
	}
	s.accounts["stadtrat@musterstadt.example"] = s.groups[0].members[1][2].ID
	return nil
}

// dhondt distributes seats among the groups by their council seats.
func dhondt(seats int, votes []int) []int {
	out := make([]int, len(votes))
	for range seats {
		best := 0
		for i := range votes {
			if votes[i]*(out[best]+1) > votes[best]*(out[i]+1) {
				best = i
			}
		}
		out[best]++
	}
	return out
}

func (s *seeder) seedCommittees(ctx context.Context) error {
	chairGroup := []int{1, 0, 2, 1, 3, 0}
	for t := range 2 {
		next := make([]int, len(s.groups)) // round-robin pointer per group
		votes := make([]int, len(s.groups))
		for i, g := range s.groups {
			votes[i] = g.seats[t]
		}
		for ci, c := range s.committees {
			start, end := s.terms[t].Start, s.termEnd(t)
			per := dhondt(c.org.StatutorySeats, votes)
			chairDone := false
			for gi, g := range s.groups {
				ms := g.members[t]
				for k := 0; k <= per[gi]; k++ { // the last one is the substitute
					p := ms[next[gi]%len(ms)]
					next[gi]++
					m := council.Membership{PersonID: p.ID, OrganizationID: c.org.ID, VotingRight: true, OnBehalfOfID: g.org.ID,
						Start: start, End: end, Role: "Mitglied"}
					switch {
					case k == per[gi]:
						m.Role, m.Substitute = "Stellvertretendes Mitglied", true
					case gi == chairGroup[ci] && !chairDone:
						m.Role, chairDone = gendered(p, "Vorsitzende", "Vorsitzender"), true
						if t == 1 && ci == 0 {
							s.accounts["ausschuss@musterstadt.example"] = p.ID
						}
					case k == 0 && gi == (chairGroup[ci]+1)%len(s.groups):
						m.Role = gendered(p, "stellvertretende Vorsitzende", "stellvertretender Vorsitzender")
					}
					if err := s.addMembership(ctx, m); err != nil {
						return err
					}
				}
			}
			if t == 0 {
				continue
			}
			for k := range 2 { // co-opted citizens without a vote
				p, err := s.newPerson(ctx, false)
				if err != nil {
					return err
				}
				if err := s.addMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: c.org.ID,
					Role: gendered(p, "sachkundige Einwohnerin", "sachkundiger Einwohner"), OnBehalfOfID: s.groups[(ci+k*2)%len(s.groups)].org.ID,
					Start: start}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *seeder) seedLocalBodies(ctx context.Context) error {
	type body struct {
		g              *gremium
		n              int
		youth          bool
		chairF, chairM string
		start          time.Time
		behalf         bool
		account        string
	}
	var bodies []body
	for _, d := range s.districts {
		bodies = append(bodies, body{g: d, n: 7, chairF: "Ortsbürgermeisterin", chairM: "Ortsbürgermeister", start: s.terms[1].Start, behalf: true})
	}
	bodies = append(bodies,
		body{g: s.youth, n: 13, youth: true, chairF: "Sprecherin", chairM: "Sprecher", start: day(s.now, -420), account: "jugendrat@musterstadt.example"},
		body{g: s.gwa, n: 6, chairF: "Sprecherin", chairM: "Sprecher", start: s.terms[0].Start})
	for _, b := range bodies {
		for i := range b.n {
			p, err := s.newPerson(ctx, b.youth)
			if err != nil {
				return err
			}
			m := council.Membership{PersonID: p.ID, OrganizationID: b.g.org.ID, VotingRight: true, Role: "Mitglied", Start: b.start}
			if i == 0 {
				m.Role = gendered(p, b.chairF, b.chairM)
			}
			if b.behalf && i%3 != 2 {
				m.OnBehalfOfID = s.groups[(i+len(b.g.place))%len(s.groups)].org.ID
			}
			if err := s.addMembership(ctx, m); err != nil {
				return err
			}
			if i == 1 && b.account != "" {
				s.accounts[b.account] = p.ID
			}
		}
	}
	return nil
}

func (s *seeder) seedAccounts(ctx context.Context, hashes []string) error {
	for i, l := range demoLogins {
		u := council.User{Email: l.Email, PasswordHash: hashes[i], Role: council.Role(l.Role), PersonID: s.accounts[l.Email]}
		switch u.Role {
		case council.RoleAdmin:
			u.DisplayName = "Administration Musterstadt"
		case council.RoleClerk:
			u.DisplayName = "Sitzungsdienst Musterstadt"
		case council.RoleCitizen:
			u.DisplayName = "Erika Musterbürgerin"
		default:
			p, err := s.cs.Person(ctx, u.PersonID)
			if err != nil {
				return err
			}
			u.DisplayName = p.Name()
		}
		saved, err := s.cs.CreateUser(ctx, u)
		if err != nil {
			return err
		}
		if l.TOTPSecret != "" {
			if err := s.cs.SetTOTP(ctx, saved.ID, l.TOTPSecret, true); err != nil {
				return err
			}
		}
	}
	return nil
}
