package meetings_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

var ignoreMeta = cmpopts.IgnoreFields(council.Meta{}, "Created", "Modified")

func TestSaveMeeting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	loc, err := e.c.SaveLocation(e.ctx, council.Location{BodyID: e.body.ID, Description: "Rathaus", Room: "Ratssaal"})
	if err != nil {
		t.Fatal(err)
	}

	m := e.mark(t)
	in := meetings.Meeting{BodyID: e.body.ID, Name: "Gemeinsame Sitzung", Start: at(10, 17), End: at(10, 20),
		LocationID: loc.ID, Organizations: []council.ID{e.rat.ID, e.ausschuss.ID}}
	got, err := e.s.SaveMeeting(e.ctx, in)
	if err != nil {
		t.Fatalf("SaveMeeting(create): %v", err)
	}
	e.wantTrail(t, "create", m, change{"meeting", got.ID, "create"})
	want := in
	want.ID, want.State = got.ID, meetings.Planned
	want.Organizations = []council.ID{e.ausschuss.ID, e.rat.ID} // by organization name
	if diff := cmp.Diff(want, got, ignoreMeta); diff != "" {
		t.Errorf("SaveMeeting(create) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, e.mustMeeting(t, got.ID), ignoreMeta); diff != "" {
		t.Errorf("Meeting after create (-want +got):\n%s", diff)
	}

	m = e.mark(t)
	upd := got
	upd.Name, upd.Start, upd.End, upd.LocationID = "Sitzung des Stadtrates", at(11, 18), time.Time{}, council.NilID
	upd.Organizations = []council.ID{e.rat.ID}
	saved, err := e.s.SaveMeeting(e.ctx, upd)
	if err != nil {
		t.Fatalf("SaveMeeting(update): %v", err)
	}
	e.wantTrail(t, "update", m, change{"meeting", got.ID, "update"})
	if diff := cmp.Diff(upd, saved, ignoreMeta); diff != "" {
		t.Errorf("SaveMeeting(update) (-want +got):\n%s", diff)
	}
	if !saved.Modified.After(got.Modified) {
		t.Errorf("modified after update = %v, want after %v", saved.Modified, got.Modified)
	}

	for _, tc := range []struct {
		name   string
		edit   func(*meetings.Meeting)
		fields []string // nil: ErrInvalid from the database
	}{
		{"no organizations", func(m *meetings.Meeting) { m.Organizations = nil }, []string{"organizations"}},
		{"no name", func(m *meetings.Meeting) { m.Name = " " }, []string{"name"}},
		{"name too long", func(m *meetings.Meeting) { m.Name = strings.Repeat("x", 301) }, []string{"name"}},
		{"no start", func(m *meetings.Meeting) { m.Start = time.Time{} }, []string{"start"}},
		{"end before start", func(m *meetings.Meeting) { m.End = m.Start.Add(-time.Hour) }, []string{"end"}},
		{"unknown organization", func(m *meetings.Meeting) { m.Organizations = []council.ID{council.NewID()} }, nil},
		{"unknown location", func(m *meetings.Meeting) { m.LocationID = council.NewID() }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := meetings.Meeting{BodyID: e.body.ID, Name: "Sitzung", Start: at(12, 17), Organizations: []council.ID{e.rat.ID}}
			tc.edit(&in)
			m := e.mark(t)
			_, err := e.s.SaveMeeting(e.ctx, in)
			e.wantTrail(t, tc.name, m)
			if !errors.Is(err, council.ErrInvalid) {
				t.Fatalf("SaveMeeting(%s) error = %v, want ErrInvalid", tc.name, err)
			}
			if tc.fields == nil {
				return
			}
			var fe council.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("SaveMeeting(%s) error = %v, want FieldErrors", tc.name, err)
			}
			var keys []string
			for k := range fe {
				keys = append(keys, k)
			}
			if diff := cmp.Diff(tc.fields, keys); diff != "" {
				t.Errorf("SaveMeeting(%s) field keys (-want +got):\n%s", tc.name, diff)
			}
		})
	}

	unknown := upd
	unknown.ID = council.NewID()
	if _, err := e.s.SaveMeeting(e.ctx, unknown); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("SaveMeeting(unknown id) error = %v, want ErrNotFound", err)
	}
	if _, err := e.s.Meeting(e.ctx, council.NewID()); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("Meeting(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestMeetingsFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jugend := e.org(t, "Jugendrat", council.KindYouthCouncil)
	other, err := e.c.CreateBody(e.ctx, council.Body{Name: "Nachbarstadt"})
	if err != nil {
		t.Fatal(err)
	}
	otherRat, err := e.c.SaveOrganization(e.ctx, council.Organization{BodyID: other.ID, Name: "Rat", Kind: council.KindCouncil})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.SaveMeeting(e.ctx, meetings.Meeting{BodyID: other.ID, Name: "Fremd", Start: at(5, 17), Organizations: []council.ID{otherRat.ID}}); err != nil {
		t.Fatal(err)
	}
	// Created out of order on purpose.
	m3 := e.meeting(t, "Rat Dezember", at(30, 17), e.rat.ID)
	m1 := e.meeting(t, "Rat November", at(2, 17), e.rat.ID)
	m2 := e.meeting(t, "Bau und Jugend", at(9, 17), e.ausschuss.ID, jugend.ID)
	m2b := e.meeting(t, "Jugendrat", at(9, 17), jugend.ID) // same start: ordered by id
	gone := e.meeting(t, "Abgesagt und gelöscht", at(12, 17))
	if err := e.s.DeleteMeeting(e.ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	same := []meetings.Meeting{m2, m2b}
	if m2b.ID.String() < m2.ID.String() {
		same = []meetings.Meeting{m2b, m2}
	}
	if _, err := e.s.SaveAgendaItem(e.ctx, meetings.AgendaItem{MeetingID: m1.ID, Name: "Eröffnung", Public: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Invite(e.ctx, m1.ID, at(1, 9)); err != nil {
		t.Fatal(err)
	}

	names := func(ms []meetings.Meeting) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    meetings.Filter
		want []meetings.Meeting
	}{
		{"all", meetings.Filter{}, []meetings.Meeting{m1, same[0], same[1], m3}},
		{"descending", meetings.Filter{Descending: true}, []meetings.Meeting{m3, same[0], same[1], m1}}, // ties by id
		{"from is inclusive", meetings.Filter{From: at(9, 17)}, []meetings.Meeting{same[0], same[1], m3}},
		{"to is exclusive", meetings.Filter{To: at(9, 17)}, []meetings.Meeting{m1}},
		{"range", meetings.Filter{From: at(3, 0), To: at(10, 0)}, same},
		{"organization", meetings.Filter{OrganizationID: jugend.ID}, same},
		{"organization in range", meetings.Filter{OrganizationID: e.rat.ID, From: at(3, 0)}, []meetings.Meeting{m3}},
		{"any of organizations", meetings.Filter{OrganizationIDs: []council.ID{e.rat.ID, e.ausschuss.ID}}, []meetings.Meeting{m1, m2, m3}},
		{"any of one organization", meetings.Filter{OrganizationIDs: []council.ID{jugend.ID}}, same},
		{"state", meetings.Filter{State: meetings.Invited}, []meetings.Meeting{m1}},
		{"state none", meetings.Filter{State: meetings.Running}, nil},
		{"limit", meetings.Filter{Limit: 2}, []meetings.Meeting{m1, same[0]}},
		{"offset", meetings.Filter{Limit: 2, Offset: 2}, []meetings.Meeting{same[1], m3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.BodyID = e.body.ID
			got, err := e.s.Meetings(e.ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(names(tc.want), names(got)); diff != "" {
				t.Errorf("Meetings(%+v) (-want +got):\n%s", tc.f, diff)
			}
		})
	}
	got, err := e.s.Meetings(e.ctx, meetings.Filter{BodyID: e.body.ID, OrganizationID: jugend.ID, Limit: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("Meetings(jugend, limit 1) = %v, %v", got, err)
	}
	if diff := cmp.Diff(e.mustMeeting(t, got[0].ID), got[0]); diff != "" {
		t.Errorf("list entry differs from Meeting() (-Meeting +list):\n%s", diff)
	}
}

func TestMeetingLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("invite", func(t *testing.T) {
		mt := e.meeting(t, "Sitzung", at(20, 17))
		mark := e.mark(t)
		if _, err := e.s.Invite(e.ctx, mt.ID, at(1, 9)); !errors.Is(err, council.ErrConflict) {
			t.Errorf("Invite(empty agenda) error = %v, want ErrConflict", err)
		}
		e.wantTrail(t, "refused Invite", mark)
		e.item(t, mt.ID, "Eröffnung", true)
		mark = e.mark(t)
		got, err := e.s.Invite(e.ctx, mt.ID, at(1, 9))
		if err != nil {
			t.Fatalf("Invite: %v", err)
		}
		e.wantTrail(t, "Invite", mark, change{"meeting", mt.ID, "update"})
		if got.State != meetings.Invited || !got.InvitedAt.Equal(at(1, 9)) || !got.AgendaPublished() {
			t.Errorf("after Invite: state %s invited at %v published %t; want invited at %v, published",
				got.State, got.InvitedAt, got.AgendaPublished(), at(1, 9))
		}
		if _, err := e.s.Invite(e.ctx, mt.ID, at(2, 9)); !errors.Is(err, council.ErrConflict) {
			t.Errorf("second Invite error = %v, want ErrConflict", err)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		mt := e.meeting(t, "Sitzung", at(21, 17))
		e.item(t, mt.ID, "Eröffnung", true)
		mark := e.mark(t)
		got, err := e.s.Cancel(e.ctx, mt.ID)
		if err != nil {
			t.Fatalf("Cancel: %v", err)
		}
		e.wantTrail(t, "Cancel", mark, change{"meeting", mt.ID, "update"})
		if !got.Cancelled || got.State != meetings.Planned {
			t.Errorf("after Cancel: cancelled %t state %s, want true, planned", got.Cancelled, got.State)
		}
		if _, err := e.s.Cancel(e.ctx, mt.ID); !errors.Is(err, council.ErrConflict) {
			t.Errorf("second Cancel error = %v, want ErrConflict", err)
		}
		if _, err := e.s.Invite(e.ctx, mt.ID, at(1, 9)); !errors.Is(err, council.ErrConflict) {
			t.Errorf("Invite(cancelled) error = %v, want ErrConflict", err)
		}
		if _, err := e.s.Cancel(e.ctx, council.NewID()); !errors.Is(err, council.ErrNotFound) {
			t.Errorf("Cancel(unknown) error = %v, want ErrNotFound", err)
		}
	})

	t.Run("states", func(t *testing.T) {
		// Each step starts from a fresh meeting brought to from (cancelled when asked).
		for _, tc := range []struct {
			from      meetings.State
			cancelled bool
			to        meetings.State
			ok        bool
		}{
			{meetings.Invited, false, meetings.Running, true},
			{meetings.Running, false, meetings.Closed, true},
			{meetings.Invited, false, meetings.Closed, true},
			{meetings.Planned, false, meetings.Running, false},
			{meetings.Planned, false, meetings.Closed, false},
			{meetings.Planned, false, meetings.Invited, false}, // only through Invite
			{meetings.Running, false, meetings.Invited, false},
			{meetings.Closed, false, meetings.Running, false},
			{meetings.Running, false, meetings.Running, false},
			{meetings.Invited, true, meetings.Running, false},
			{meetings.Invited, false, "adjourned", false},
		} {
			mt := e.meeting(t, "Sitzung", at(22, 17))
			e.item(t, mt.ID, "Eröffnung", true)
			var err error
			if tc.from != meetings.Planned {
				_, err = e.s.Invite(e.ctx, mt.ID, at(1, 9))
			}
			if err == nil && tc.cancelled {
				_, err = e.s.Cancel(e.ctx, mt.ID)
			}
			if err == nil && (tc.from == meetings.Running || tc.from == meetings.Closed) {
				_, err = e.s.SetState(e.ctx, mt.ID, meetings.Running)
			}
			if err == nil && tc.from == meetings.Closed {
				_, err = e.s.SetState(e.ctx, mt.ID, meetings.Closed)
			}
			if err != nil {
				t.Fatalf("bringing a meeting to %s: %v", tc.from, err)
			}
			got, err := e.s.SetState(e.ctx, mt.ID, tc.to)
			switch {
			case tc.ok && (err != nil || got.State != tc.to):
				t.Errorf("SetState(%s → %s) = %s, %v; want %s", tc.from, tc.to, got.State, err, tc.to)
			case !tc.ok && !errors.Is(err, council.ErrConflict):
				t.Errorf("SetState(%s (cancelled %t) → %s) error = %v, want ErrConflict", tc.from, tc.cancelled, tc.to, err)
			}
			if tc.from == meetings.Running || tc.from == meetings.Closed {
				if _, err := e.s.Cancel(e.ctx, mt.ID); !errors.Is(err, council.ErrConflict) {
					t.Errorf("Cancel(%s meeting) error = %v, want ErrConflict", tc.from, err)
				}
			}
		}
	})

	t.Run("closed meeting is frozen", func(t *testing.T) {
		mt := e.meeting(t, "Sitzung", at(23, 17))
		it := e.item(t, mt.ID, "Eröffnung", true)
		second := e.item(t, mt.ID, "Verschiedenes", true)
		p := e.submitted(t, "Vorlage", true)
		if _, err := e.s.Invite(e.ctx, mt.ID, at(1, 9)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.SetState(e.ctx, mt.ID, meetings.Closed); err != nil {
			t.Fatal(err)
		}
		before := e.mustMeeting(t, mt.ID)
		mark := e.mark(t)
		errs := map[string]error{}
		_, errs["SaveMeeting"] = e.s.SaveMeeting(e.ctx, before)
		_, errs["SaveAgendaItem(new)"] = e.s.SaveAgendaItem(e.ctx, meetings.AgendaItem{MeetingID: mt.ID, Name: "Nachtrag", Public: true})
		it.Result = "nachträglich geändert"
		_, errs["SaveAgendaItem(update)"] = e.s.SaveAgendaItem(e.ctx, it)
		errs["MoveItem"] = e.s.MoveItem(e.ctx, mt.ID, second.ID, -1)
		errs["DeleteItem"] = e.s.DeleteItem(e.ctx, mt.ID, it.ID)
		_, errs["AddPaper"] = e.s.AddPaper(e.ctx, mt.ID, p.ID, e.rat.ID, true)
		for what, err := range errs {
			if !errors.Is(err, council.ErrConflict) {
				t.Errorf("%s on a closed meeting: error = %v, want ErrConflict", what, err)
			}
		}
		e.wantTrail(t, "refused changes", mark)
		if after := e.mustMeeting(t, mt.ID); !after.Modified.Equal(before.Modified) {
			t.Errorf("closed meeting modified moved from %v to %v", before.Modified, after.Modified)
		}
	})
}

// TestNextMeetingFor: an admitted motion goes to the responsible body's
// next meeting whose agenda deadline (days before the meeting's day in
// Germany) has not passed — the boundary day counts, a nearer meeting, a
// cancelled or deleted one and another body's are skipped, and without
// such a meeting there is none.
func TestNextMeetingFor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, berlin) // Monday 2 March
	day := func(d, hour, minute int) time.Time { return time.Date(2026, 3, 2+d, hour, minute, 0, 0, berlin) }
	jugend := e.org(t, "Jugendhilfeausschuss", council.KindCommittee)
	e.meeting(t, "JHA zu früh", day(6, 23, 30), jugend.ID) // the day before the deadline's day
	cancelled := e.meeting(t, "Abgesagt", day(7, 9, 0), jugend.ID)
	if _, err := e.s.Cancel(e.ctx, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	deleted := e.meeting(t, "Gelöscht", day(7, 10, 0), jugend.ID)
	if err := e.s.DeleteMeeting(e.ctx, deleted.ID); err != nil {
		t.Fatal(err)
	}
	e.meeting(t, "Bauausschuss", day(7, 11, 0), e.ausschuss.ID)
	boundary := e.meeting(t, "JHA März", day(7, 0, 30), jugend.ID) // 23:30 UTC the day before: Berlin's day counts
	e.meeting(t, "JHA April", day(30, 17, 0), jugend.ID)

	m, ok, err := e.s.NextMeetingFor(e.ctx, jugend.ID, 7, now)
	if err != nil || !ok || m.ID != boundary.ID {
		t.Errorf("NextMeetingFor(7 days) = %q %v %v, want %q", m.Name, ok, err, boundary.Name)
	}
	// One day more: the boundary meeting is too near now; the cancelled
	// and deleted ones stay skipped.
	m, ok, err = e.s.NextMeetingFor(e.ctx, jugend.ID, 8, now)
	if err != nil || !ok || m.Name != "JHA April" {
		t.Errorf("NextMeetingFor(8 days) = %q %v %v, want JHA April", m.Name, ok, err)
	}
	// An invited meeting counts as well as a planned one.
	if _, err := e.s.SaveAgendaItem(e.ctx, meetings.AgendaItem{MeetingID: boundary.ID, Name: "Eröffnung", Public: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Invite(e.ctx, boundary.ID, now); err != nil {
		t.Fatal(err)
	}
	if m, ok, err = e.s.NextMeetingFor(e.ctx, jugend.ID, 7, now); err != nil || !ok || m.ID != boundary.ID {
		t.Errorf("invited: NextMeetingFor = %q %v %v, want %q", m.Name, ok, err, boundary.Name)
	}
	// The next day, the March meeting's deadline has passed.
	if m, ok, err = e.s.NextMeetingFor(e.ctx, jugend.ID, 7, now.AddDate(0, 0, 1)); err != nil || !ok || m.Name != "JHA April" {
		t.Errorf("a day later: NextMeetingFor = %q %v %v, want JHA April", m.Name, ok, err)
	}
	// No meeting within the deadline, and a body without meetings: none.
	if m, ok, err = e.s.NextMeetingFor(e.ctx, jugend.ID, 60, now); err != nil || ok {
		t.Errorf("60 days: NextMeetingFor = %q %v %v, want none", m.Name, ok, err)
	}
	leer := e.org(t, "Ohne Sitzungen", council.KindCommittee)
	if m, ok, err = e.s.NextMeetingFor(e.ctx, leer.ID, 0, now); err != nil || ok {
		t.Errorf("a body without meetings: %q %v %v, want none", m.Name, ok, err)
	}
}
