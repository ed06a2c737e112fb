package council_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plenar/plenar/council"
)

func TestPersonNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in             council.Person
		name, sortName string
	}{
		{council.Person{Title: "Dr.", GivenName: "Erika", FamilyName: "Mustermann"}, "Dr. Erika Mustermann", "Mustermann, Erika"},
		{council.Person{FamilyName: "Yılmaz"}, "Yılmaz", "Yılmaz"},
		{council.Person{GivenName: "Hans", FamilyName: "Müller", Affix: "MdL"}, "Hans Müller MdL", "Müller, Hans"},
		{council.Person{GivenName: " Jo ", FamilyName: "Li"}, "Jo Li", "Li,  Jo "},
	} {
		if got := tc.in.Name(); got != tc.name {
			t.Errorf("%+v.Name() = %q, want %q", tc.in, got, tc.name)
		}
		if got := tc.in.SortName(); got != tc.sortName {
			t.Errorf("%+v.SortName() = %q, want %q", tc.in, got, tc.sortName)
		}
	}
}

func TestSavePerson(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.mark(t)
	in := council.Person{BodyID: e.body.ID, FamilyName: "Mustermann", GivenName: "Erika", Title: "Dr.",
		FormOfAddress: "Frau", Gender: "female", Email: "erika@example.org", Phone: "+49 391 1"}
	p, err := e.s.SavePerson(e.ctx, in)
	if err != nil {
		t.Fatalf("SavePerson(create): %v", err)
	}
	in.ID = p.ID
	if diff := cmp.Diff(in, p, ignoreMeta); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	upd := p
	upd.Email = "e.mustermann@example.org"
	if _, err := e.s.SavePerson(e.ctx, upd); err != nil {
		t.Fatalf("SavePerson(update): %v", err)
	}
	e.wantTrail(t, "create and update", m, council.NilID,
		change{"person", p.ID, "create", council.NilID}, change{"person", p.ID, "update", council.NilID})
	got, err := e.s.Person(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(upd, got, ignoreMeta); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name  string
		in    council.Person
		field string
	}{
		{"no family name", council.Person{GivenName: "Erika"}, "family_name"},
		{"email without @", council.Person{FamilyName: "M", Email: "erika.example.org"}, "email"},
		{"unknown gender", council.Person{FamilyName: "M", Gender: "f"}, "gender"},
		{"title too long", council.Person{FamilyName: "M", Title: string(make([]rune, 51))}, "title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.BodyID = e.body.ID
			_, err := e.s.SavePerson(e.ctx, tc.in)
			var fe council.FieldErrors
			if !errors.As(err, &fe) || !errors.Is(err, council.ErrInvalid) || fe[tc.field] == "" {
				t.Errorf("SavePerson(%+v) error = %v, want FieldErrors with %q", tc.in, err, tc.field)
			}
		})
	}
	if _, err := e.s.SavePerson(e.ctx, council.Person{ID: council.NewID(), BodyID: e.body.ID, FamilyName: "X"}); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("SavePerson(unknown id) error = %v, want ErrNotFound", err)
	}

	if err := e.s.DeletePerson(e.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	list, err := e.s.Persons(e.ctx, e.body.ID)
	if err != nil || len(list) != 0 {
		t.Errorf("Persons after delete = %v (err %v), want none", list, err)
	}
}

func TestMemberships(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rat := e.org(t, "Stadtrat", council.KindCouncil)
	ausschuss := e.org(t, "Bauausschuss", council.KindCommittee)
	gruene, err := e.s.SaveOrganization(e.ctx, council.Organization{BodyID: e.body.ID, Name: "Fraktion Bündnis 90/Die Grünen",
		ShortName: "Grüne", Kind: council.KindPartyGroup})
	if err != nil {
		t.Fatal(err)
	}
	spd := e.org(t, "SPD-Fraktion", council.KindPartyGroup)

	anna := e.person(t, "Anna", "Zander")   // chair
	bernd := e.person(t, "Bernd", "Albers") // member
	carla := e.person(t, "Carla", "Becker") // deputy chair
	dieter := e.person(t, "Dieter", "Alt")  // left before the day
	emil := e.person(t, "Emil", "Adler")    // joins after the day
	frida := e.person(t, "Frida", "Abel")   // substitute
	gone := e.person(t, "Gerd", "Gelöscht") // deleted person

	save := func(m council.Membership) council.Membership {
		t.Helper()
		saved, err := e.s.SaveMembership(e.ctx, m)
		if err != nil {
			t.Fatalf("SaveMembership(%+v): %v", m, err)
		}
		return saved
	}
	mark := e.mark(t)
	mAnna := save(council.Membership{PersonID: anna.ID, OrganizationID: rat.ID, Role: "Vorsitzende", VotingRight: true,
		OnBehalfOfID: gruene.ID, Start: date(2024, 7, 1)})
	e.wantTrail(t, "SaveMembership", mark, council.NilID, change{"membership", mAnna.ID, "create", council.NilID})
	mBernd := save(council.Membership{PersonID: bernd.ID, OrganizationID: rat.ID, Role: "Mitglied", VotingRight: true,
		OnBehalfOfID: spd.ID, Start: date(2024, 7, 1), End: date(2026, 6, 30)})
	save(council.Membership{PersonID: carla.ID, OrganizationID: rat.ID, Role: "Stellvertretende Vorsitzende", VotingRight: true})
	save(council.Membership{PersonID: dieter.ID, OrganizationID: rat.ID, Role: "Mitglied", Start: date(2019, 7, 1), End: date(2024, 6, 30)})
	save(council.Membership{PersonID: emil.ID, OrganizationID: rat.ID, Role: "Mitglied", Start: date(2025, 1, 1)})
	mFrida := save(council.Membership{PersonID: frida.ID, OrganizationID: rat.ID, Role: "Mitglied", Substitute: true})
	save(council.Membership{PersonID: gone.ID, OrganizationID: rat.ID, Role: "Mitglied"})
	if err := e.s.DeletePerson(e.ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	deleted := save(council.Membership{PersonID: bernd.ID, OrganizationID: ausschuss.ID, Role: "Vorsitzender"})
	if err := e.s.DeleteMembership(e.ctx, deleted.ID); err != nil {
		t.Fatal(err)
	}
	mBerndA := save(council.Membership{PersonID: bernd.ID, OrganizationID: ausschuss.ID, Role: "Mitglied", Start: date(2024, 9, 1)})

	type row struct {
		Person, Role, OnBehalf string
	}
	seatRows := func(ss []council.Seat) []row {
		var out []row
		for _, s := range ss {
			out = append(out, row{s.Person.SortName(), s.Role, s.OnBehalfName})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		day  string
		want []row
	}{
		{"on a day", "2024-12-01", []row{
			{"Zander, Anna", "Vorsitzende", "Grüne"},
			{"Becker, Carla", "Stellvertretende Vorsitzende", ""},
			{"Albers, Bernd", "Mitglied", "SPD-Fraktion"},
			{"Abel, Frida", "Mitglied", ""}, // substitutes after full members
		}},
		{"on the first day", "2024-07-01", []row{
			{"Zander, Anna", "Vorsitzende", "Grüne"},
			{"Becker, Carla", "Stellvertretende Vorsitzende", ""},
			{"Albers, Bernd", "Mitglied", "SPD-Fraktion"},
			{"Abel, Frida", "Mitglied", ""},
		}},
		{"on the last day of the old term", "2024-06-30", []row{
			{"Becker, Carla", "Stellvertretende Vorsitzende", ""},
			{"Alt, Dieter", "Mitglied", ""},
			{"Abel, Frida", "Mitglied", ""},
		}},
		{"after an end date", "2026-07-01", []row{
			{"Zander, Anna", "Vorsitzende", "Grüne"},
			{"Becker, Carla", "Stellvertretende Vorsitzende", ""},
			{"Adler, Emil", "Mitglied", ""},
			{"Abel, Frida", "Mitglied", ""},
		}},
		{"any day", "", []row{
			{"Zander, Anna", "Vorsitzende", "Grüne"},
			{"Becker, Carla", "Stellvertretende Vorsitzende", ""},
			{"Adler, Emil", "Mitglied", ""},
			{"Albers, Bernd", "Mitglied", "SPD-Fraktion"},
			{"Alt, Dieter", "Mitglied", ""},
			{"Abel, Frida", "Mitglied", ""},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			day := mustDay(t, tc.day)
			got, err := e.s.Members(e.ctx, rat.ID, day)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, seatRows(got)); diff != "" {
				t.Errorf("Members(Stadtrat, %q) (-want +got):\n%s", tc.day, diff)
			}
		})
	}

	t.Run("seat fields", func(t *testing.T) {
		got, err := e.s.Members(e.ctx, rat.ID, date(2025, 3, 1))
		if err != nil || len(got) == 0 {
			t.Fatalf("Members = %v, %v", got, err)
		}
		if diff := cmp.Diff(mAnna, got[0].Membership, ignoreMeta); diff != "" {
			t.Errorf("first seat membership (-want +got):\n%s", diff)
		}
		if got[0].Person.ID != anna.ID || got[0].OrgName != "Stadtrat" || got[0].OrgKind != council.KindCouncil {
			t.Errorf("first seat = person %v org %q %q; want %v, Stadtrat, council", got[0].Person.ID, got[0].OrgName, got[0].OrgKind, anna.ID)
		}
	})

	t.Run("memberships of a person", func(t *testing.T) {
		got, err := e.s.MembershipsOf(e.ctx, bernd.ID, date(2025, 3, 1))
		if err != nil {
			t.Fatal(err)
		}
		var ids []council.ID
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		if diff := cmp.Diff([]council.ID{mBerndA.ID, mBernd.ID}, ids); diff != "" {
			t.Errorf("MembershipsOf(Bernd) ids, ordered by org name (-want +got):\n%s", diff)
		}
	})

	t.Run("orgs of", func(t *testing.T) {
		for _, tc := range []struct {
			who  council.Person
			day  string
			want map[council.ID]bool
		}{
			{bernd, "2025-03-01", map[council.ID]bool{rat.ID: true, ausschuss.ID: true}},
			{bernd, "2024-08-01", map[council.ID]bool{rat.ID: true}},
			{bernd, "2026-07-01", map[council.ID]bool{ausschuss.ID: true}},
			{dieter, "2025-03-01", map[council.ID]bool{}},
			{frida, "2025-03-01", map[council.ID]bool{rat.ID: true}},
		} {
			got, err := e.s.OrgsOf(e.ctx, tc.who.ID, mustDay(t, tc.day))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("OrgsOf(%s, %s) (-want +got):\n%s", tc.who.Name(), tc.day, diff)
			}
		}
	})

	t.Run("update", func(t *testing.T) {
		m := e.mark(t)
		upd := mFrida
		upd.Substitute, upd.Role = false, "Mitglied (nachgerückt)"
		got, err := e.s.SaveMembership(e.ctx, upd)
		if err != nil {
			t.Fatal(err)
		}
		e.wantTrail(t, "update membership", m, council.NilID, change{"membership", mFrida.ID, "update", council.NilID})
		if diff := cmp.Diff(upd, got, ignoreMeta); diff != "" {
			t.Errorf("updated membership (-want +got):\n%s", diff)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			in    council.Membership
			field string // "": ErrInvalid from the database
		}{
			{"no person", council.Membership{OrganizationID: rat.ID}, "person"},
			{"no organization", council.Membership{PersonID: anna.ID}, "organization"},
			{"end before start", council.Membership{PersonID: anna.ID, OrganizationID: rat.ID, Start: date(2024, 2, 1), End: date(2024, 1, 1)}, "end"},
			{"unknown person", council.Membership{PersonID: council.NewID(), OrganizationID: rat.ID}, ""},
			{"unknown party group", council.Membership{PersonID: anna.ID, OrganizationID: rat.ID, OnBehalfOfID: council.NewID()}, ""},
		} {
			_, err := e.s.SaveMembership(e.ctx, tc.in)
			if !errors.Is(err, council.ErrInvalid) {
				t.Errorf("SaveMembership(%s) error = %v, want ErrInvalid", tc.name, err)
				continue
			}
			var fe council.FieldErrors
			if tc.field != "" && (!errors.As(err, &fe) || fe[tc.field] == "") {
				t.Errorf("SaveMembership(%s) error = %v, want FieldErrors with %q", tc.name, err, tc.field)
			}
		}
	})
}
