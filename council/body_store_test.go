package council_test

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plenar/plenar/council"
)

func TestBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	got, err := e.s.Body(e.ctx, e.body.ID)
	if err != nil {
		t.Fatalf("Body(%s): %v", e.body.ID, err)
	}
	want := council.Body{ID: e.body.ID, Name: "Stadt Musterstadt", ShortName: "Musterstadt", AGS: "15003000"}
	if diff := cmp.Diff(want, got, ignoreMeta); diff != "" {
		t.Errorf("Body (-want +got):\n%s", diff)
	}
	if got.Created.IsZero() || got.Modified.IsZero() {
		t.Errorf("Body timestamps = %v, %v; want set", got.Created, got.Modified)
	}

	m := e.mark(t)
	second, err := e.s.CreateBody(e.ctx, council.Body{Name: "Landkreis"})
	if err != nil {
		t.Fatal(err)
	}
	e.wantTrail(t, "CreateBody", m, council.NilID, change{"body", second.ID, "create", council.NilID})

	main, err := e.s.MainBody(e.ctx)
	if err != nil || main.ID != e.body.ID {
		t.Errorf("MainBody = %v, %v; want the oldest body %v", main.ID, err, e.body.ID)
	}
	if _, err := e.s.Body(e.ctx, council.NewID()); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("Body(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := e.s.CreateBody(e.ctx, council.Body{ID: second.ID, Name: "Dup"}); !errors.Is(err, council.ErrConflict) {
		t.Errorf("CreateBody(existing id) error = %v, want ErrConflict", err)
	}
	if _, err := e.s.CreateBody(e.ctx, council.Body{Name: ""}); !errors.Is(err, council.ErrInvalid) {
		t.Errorf("CreateBody(no name) error = %v, want ErrInvalid", err)
	}
}

func TestMainBodyEmpty(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.pool.Exec(e.ctx, `UPDATE bodies SET deleted = true`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.MainBody(e.ctx); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("MainBody with no live body: error = %v, want ErrNotFound", err)
	}
}

func TestLegislativeTerms(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.mark(t)
	var created []council.LegislativeTerm
	for _, in := range []council.LegislativeTerm{
		{Name: "2019–2024", Start: date(2019, 6, 1), End: date(2024, 5, 31)},
		{Name: "2024–2029", Start: date(2024, 6, 1)},
		{Name: "unbekannt"},
	} {
		in.BodyID = e.body.ID
		got, err := e.s.CreateLegislativeTerm(e.ctx, in)
		if err != nil {
			t.Fatalf("CreateLegislativeTerm(%+v): %v", in, err)
		}
		created = append(created, got)
	}
	e.wantTrail(t, "CreateLegislativeTerm", m, council.NilID,
		change{"legislative_term", created[0].ID, "create", council.NilID},
		change{"legislative_term", created[1].ID, "create", council.NilID},
		change{"legislative_term", created[2].ID, "create", council.NilID})

	got, err := e.s.LegislativeTerms(e.ctx, e.body.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []council.LegislativeTerm{created[1], created[0], created[2]} // newest first, unknown start last
	if diff := cmp.Diff(want, got, ignoreMeta); diff != "" {
		t.Errorf("LegislativeTerms (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name string
		in   council.LegislativeTerm
	}{
		{"end before start", council.LegislativeTerm{BodyID: e.body.ID, Name: "x", Start: date(2024, 1, 1), End: date(2023, 1, 1)}},
		{"no name", council.LegislativeTerm{BodyID: e.body.ID}},
		{"unknown body", council.LegislativeTerm{BodyID: council.NewID(), Name: "x"}},
	} {
		if _, err := e.s.CreateLegislativeTerm(e.ctx, tc.in); !errors.Is(err, council.ErrInvalid) {
			t.Errorf("CreateLegislativeTerm(%s) error = %v, want ErrInvalid", tc.name, err)
		}
	}
}

func TestSaveLocation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	m := e.mark(t)
	l, err := e.s.SaveLocation(e.ctx, council.Location{BodyID: e.body.ID, Description: "Rathaus", Room: "Ratssaal",
		StreetAddress: "Markt 1", PostalCode: "39104", Locality: "Musterstadt", HasPoint: true, Lat: 52.13, Lon: 11.64})
	if err != nil {
		t.Fatalf("SaveLocation(create): %v", err)
	}
	e.wantTrail(t, "create", m, council.NilID, change{"location", l.ID, "create", council.NilID})
	if got, want := l.Label(), "Rathaus, Ratssaal, Markt 1, 39104 Musterstadt"; got != want {
		t.Errorf("Label() = %q, want %q", got, want)
	}

	m = e.mark(t)
	upd := l
	upd.Room, upd.HasPoint, upd.Lat, upd.Lon = "Sitzungszimmer 2", false, 0, 0
	saved, err := e.s.SaveLocation(e.ctx, upd)
	if err != nil {
		t.Fatalf("SaveLocation(update): %v", err)
	}
	e.wantTrail(t, "update", m, council.NilID, change{"location", l.ID, "update", council.NilID})
	got, err := e.s.Location(e.ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(upd, got, ignoreMeta); diff != "" {
		t.Errorf("Location after update (-want +got):\n%s", diff)
	}
	if !saved.Modified.After(l.Modified) {
		t.Errorf("modified after update = %v, want after %v", saved.Modified, l.Modified)
	}
	list, err := e.s.Locations(e.ctx, e.body.ID)
	if err != nil || len(list) != 1 {
		t.Errorf("Locations = %d rows (err %v), want 1: an update must not add a row", len(list), err)
	}

	t.Run("update unknown id", func(t *testing.T) {
		m := e.mark(t)
		_, err := e.s.SaveLocation(e.ctx, council.Location{ID: council.NewID(), BodyID: e.body.ID, Description: "Phantom"})
		if !errors.Is(err, council.ErrNotFound) {
			t.Errorf("SaveLocation(unknown id) error = %v, want ErrNotFound", err)
		}
		e.wantTrail(t, "update unknown", m, council.NilID)
	})

	for _, tc := range []struct {
		name  string
		in    council.Location
		field string
	}{
		{"nothing to describe it", council.Location{}, "description"},
		{"lat too big", council.Location{Description: "x", HasPoint: true, Lat: 90.5, Lon: 0}, "point"},
		{"lon too small", council.Location{Description: "x", HasPoint: true, Lat: 0, Lon: -181}, "point"},
		{"lat NaN", council.Location{Description: "x", HasPoint: true, Lat: math.NaN(), Lon: 0}, "point"},
		{"room too long", council.Location{Description: "x", Room: string(make([]byte, 101))}, "room"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.BodyID = e.body.ID
			_, err := e.s.SaveLocation(e.ctx, tc.in)
			var fe council.FieldErrors
			if !errors.As(err, &fe) || !errors.Is(err, council.ErrInvalid) {
				t.Fatalf("SaveLocation(%+v) error = %v, want FieldErrors", tc.in, err)
			}
			if _, ok := fe[tc.field]; !ok {
				t.Errorf("SaveLocation(%+v) FieldErrors = %v, want key %q", tc.in, fe, tc.field)
			}
		})
	}
}

// TestLocationLabelNoRepeats: an imported location whose description
// already names its room and street (as SD.NET servers send it) is
// labelled once, not "Rathaus, Raum 101, Markt 1, Raum 101, Markt 1".
func TestLocationLabelNoRepeats(t *testing.T) {
	t.Parallel()
	l := council.Location{Description: "Rathaus, Raum 101, Markt 1", Room: "Raum 101", StreetAddress: "Markt 1",
		PostalCode: "39104", Locality: "Musterstadt"}
	if got, want := l.Label(), "Rathaus, Raum 101, Markt 1, 39104 Musterstadt"; got != want {
		t.Errorf("Label() = %q, want %q", got, want)
	}
}
