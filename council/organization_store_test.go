package council_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plenar/plenar/council"
)

func TestSaveOrganization(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	council_ := e.org(t, "Stadtrat", council.KindCouncil)

	m := e.mark(t)
	in := council.Organization{BodyID: e.body.ID, Name: "Bauausschuss", ShortName: "BA", Kind: council.KindCommittee,
		ParentID: council_.ID, StatutorySeats: 11, Start: date(2024, 7, 1)}
	o, err := e.s.SaveOrganization(e.ctx, in)
	if err != nil {
		t.Fatalf("SaveOrganization(create): %v", err)
	}
	e.wantTrail(t, "create", m, council.NilID, change{"organization", o.ID, "create", council.NilID})
	in.ID = o.ID
	if diff := cmp.Diff(in, o, ignoreMeta); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}

	m = e.mark(t)
	upd := o
	upd.Name, upd.StatutorySeats = "Ausschuss für Bau und Verkehr", 13
	saved, err := e.s.SaveOrganization(e.ctx, upd)
	if err != nil {
		t.Fatalf("SaveOrganization(update): %v", err)
	}
	e.wantTrail(t, "update", m, council.NilID, change{"organization", o.ID, "update", council.NilID})
	if diff := cmp.Diff(upd, saved, ignoreMeta); diff != "" {
		t.Errorf("updated (-want +got):\n%s", diff)
	}
	if !saved.Modified.After(o.Modified) || !saved.Created.Equal(o.Created) {
		t.Errorf("after update created/modified = %v/%v, want %v/after %v", saved.Created, saved.Modified, o.Created, o.Modified)
	}

	var raw []byte
	if err := e.pool.QueryRow(e.ctx, `SELECT changes FROM audit WHERE entity_id = $1 AND op = 'update'`, o.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var diff map[string][2]any
	if err := json.Unmarshal(raw, &diff); err != nil {
		t.Fatalf("audit changes %s: %v", raw, err)
	}
	wantDiff := map[string][2]any{"Name": {"Bauausschuss", "Ausschuss für Bau und Verkehr"}, "StatutorySeats": {11.0, 13.0}}
	if d := cmp.Diff(wantDiff, diff); d != "" {
		t.Errorf("audit changes of update (-want +got):\n%s", d)
	}
}

func TestSaveOrganizationInvalid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	parent := e.org(t, "Stadtrat", council.KindCouncil)
	valid := council.Organization{BodyID: e.body.ID, Name: "Ausschuss", Kind: council.KindCommittee}
	for _, tc := range []struct {
		name       string
		edit       func(*council.Organization)
		wantFields []string // nil: ErrInvalid from the database, not FieldErrors
	}{
		{"no name", func(o *council.Organization) { o.Name = "  " }, []string{"name"}},
		{"name too long", func(o *council.Organization) { o.Name = strings.Repeat("ä", 301) }, []string{"name"}},
		{"short name too long", func(o *council.Organization) { o.ShortName = strings.Repeat("x", 51) }, []string{"short_name"}},
		{"unknown kind", func(o *council.Organization) { o.Kind = "club" }, []string{"kind"}},
		{"empty kind", func(o *council.Organization) { o.Kind = "" }, []string{"kind"}},
		{"negative seats", func(o *council.Organization) { o.StatutorySeats = -1 }, []string{"statutory_seats"}},
		{"end before start", func(o *council.Organization) { o.Start, o.End = date(2024, 1, 2), date(2024, 1, 1) }, []string{"end"}},
		{"several", func(o *council.Organization) { o.Name, o.Kind = "", "x" }, []string{"kind", "name"}},
		{"own parent", func(o *council.Organization) { o.ID = parent.ID; o.ParentID = parent.ID }, []string{"parent"}},
		{"unknown parent", func(o *council.Organization) { o.ParentID = council.NewID() }, nil},
		{"unknown location", func(o *council.Organization) { o.LocationID = council.NewID() }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := valid
			tc.edit(&in)
			_, err := e.s.SaveOrganization(e.ctx, in)
			if !errors.Is(err, council.ErrInvalid) {
				t.Fatalf("SaveOrganization(%+v) error = %v, want ErrInvalid", in, err)
			}
			if tc.wantFields == nil {
				return
			}
			var fe council.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("SaveOrganization(%+v) error = %v, want FieldErrors", in, err)
			}
			var got []string
			for k := range fe {
				got = append(got, k)
			}
			if diff := cmp.Diff(tc.wantFields, got, sortStrings); diff != "" {
				t.Errorf("SaveOrganization(%+v) field keys (-want +got):\n%s", in, diff)
			}
		})
	}
}

func TestOrganizationsFilterAndOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other, err := e.s.CreateBody(e.ctx, council.Body{Name: "Nachbarstadt"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.SaveOrganization(e.ctx, council.Organization{BodyID: other.ID, Name: "Fremder Rat", Kind: council.KindCouncil}); err != nil {
		t.Fatal(err)
	}
	// Created out of order on purpose.
	fraktionB := e.org(t, "Fraktion B", council.KindPartyGroup)
	ausschussZ := e.org(t, "Zuschussausschuss", council.KindCommittee)
	rat := e.org(t, "Stadtrat", council.KindCouncil)
	fraktionA := e.org(t, "Fraktion A", council.KindPartyGroup)
	ausschussA := e.org(t, "Ausschuss für Finanzen", council.KindCommittee)
	gone := e.org(t, "Aufgelöster Ausschuss", council.KindCommittee)
	if err := e.s.DeleteOrganization(e.ctx, gone.ID); err != nil {
		t.Fatal(err)
	}

	names := func(os []council.Organization) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.Name)
		}
		return out
	}
	for _, tc := range []struct {
		kinds []council.OrgKind
		want  []council.Organization
	}{
		{nil, []council.Organization{rat, ausschussA, ausschussZ, fraktionA, fraktionB}},
		{[]council.OrgKind{council.KindCommittee}, []council.Organization{ausschussA, ausschussZ}},
		{[]council.OrgKind{council.KindPartyGroup, council.KindCouncil}, []council.Organization{rat, fraktionA, fraktionB}},
		{[]council.OrgKind{council.KindParty}, nil},
	} {
		got, err := e.s.Organizations(e.ctx, e.body.ID, tc.kinds...)
		if err != nil {
			t.Fatalf("Organizations(%v): %v", tc.kinds, err)
		}
		if diff := cmp.Diff(names(tc.want), names(got)); diff != "" {
			t.Errorf("Organizations(kinds %v) names (-want +got):\n%s", tc.kinds, diff)
		}
	}
}

func TestDeleteOrganization(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := e.org(t, "Jugendrat", council.KindYouthCouncil)

	m := e.mark(t)
	if err := e.s.DeleteOrganization(e.ctx, o.ID); err != nil {
		t.Fatalf("DeleteOrganization: %v", err)
	}
	e.wantTrail(t, "delete", m, council.NilID, change{"organization", o.ID, "delete", council.NilID})

	got, err := e.s.Organization(e.ctx, o.ID)
	if err != nil {
		t.Fatalf("Organization(deleted) error = %v, want the row to stay", err)
	}
	if !got.Deleted || !got.Modified.After(o.Modified) {
		t.Errorf("deleted org: Deleted=%t Modified=%v, want true and after %v", got.Deleted, got.Modified, o.Modified)
	}

	m = e.mark(t)
	if err := e.s.DeleteOrganization(e.ctx, o.ID); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("second DeleteOrganization error = %v, want ErrNotFound", err)
	}
	if err := e.s.DeleteOrganization(e.ctx, council.NewID()); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("DeleteOrganization(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := e.s.SaveOrganization(e.ctx, got); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("SaveOrganization(deleted) error = %v, want ErrNotFound", err)
	}
	e.wantTrail(t, "failed deletes", m, council.NilID)
}

func TestOrganizationParentCycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rat := e.org(t, "Stadtrat", council.KindCouncil)
	save := func(o council.Organization) council.Organization {
		t.Helper()
		saved, err := e.s.SaveOrganization(e.ctx, o)
		if err != nil {
			t.Fatalf("SaveOrganization(%q): %v", o.Name, err)
		}
		return saved
	}
	ausschuss := save(council.Organization{BodyID: e.body.ID, Name: "Bauausschuss", Kind: council.KindCommittee, ParentID: rat.ID})
	unter := save(council.Organization{BodyID: e.body.ID, Name: "Unterausschuss Radverkehr", Kind: council.KindCommittee, ParentID: ausschuss.ID})
	if got, _ := e.s.Organization(e.ctx, unter.ID); got.ParentID != ausschuss.ID {
		t.Errorf("parent of the sub-committee = %v, want %v", got.ParentID, ausschuss.ID)
	}

	for _, tc := range []struct {
		name   string
		parent council.ID
	}{
		{"child as parent", ausschuss.ID},
		{"grandchild as parent", unter.ID},
	} {
		m := e.mark(t)
		in := rat
		in.ParentID = tc.parent
		_, err := e.s.SaveOrganization(e.ctx, in)
		var fe council.FieldErrors
		if !errors.As(err, &fe) || fe["parent"] == "" {
			t.Errorf("SaveOrganization(%s) error = %v, want FieldErrors with \"parent\"", tc.name, err)
		}
		e.wantTrail(t, tc.name, m, council.NilID)
	}
	// Moving a sub-committee under a sibling is fine.
	other := save(council.Organization{BodyID: e.body.ID, Name: "Finanzausschuss", Kind: council.KindCommittee, ParentID: rat.ID})
	unter.ParentID = other.ID
	save(unter)
}
