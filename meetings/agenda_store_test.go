package meetings_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

func TestAgendaNumbering(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mt := e.meeting(t, "Sitzung", at(20, 17))
	modified := mt.Modified

	// agendaChanged checks that the meeting's modified time moved.
	agendaChanged := func(what string) {
		t.Helper()
		now := e.mustMeeting(t, mt.ID).Modified
		if !now.After(modified) {
			t.Errorf("%s: meeting modified %v, want after %v (OParl embeds agenda items)", what, now, modified)
		}
		modified = now
	}

	mark := e.mark(t)
	open := e.item(t, mt.ID, "Eröffnung", true)
	e.wantTrail(t, "SaveAgendaItem", mark, change{"agenda_item", open.ID, "create"})
	agendaChanged("append")
	if open.Number != "Ö 1" || open.Position != 0 || open.MeetingID != mt.ID {
		t.Errorf("first item = %q at %d in %v, want Ö 1 at 0 in %v", open.Number, open.Position, open.MeetingID, mt.ID)
	}
	land := e.item(t, mt.ID, "Grundstücksangelegenheit", false)
	plan := e.item(t, mt.ID, "Bebauungsplan", true)
	staff := e.item(t, mt.ID, "Personalsache", false)
	agendaChanged("appends")
	if diff := cmp.Diff([]string{"Ö 1 Eröffnung", "N 1 Grundstücksangelegenheit", "Ö 2 Bebauungsplan", "N 2 Personalsache"},
		e.numbers(t, mt.ID)); diff != "" {
		t.Errorf("agenda after appends (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name  string
		item  meetings.AgendaItem
		delta int
		want  []string
	}{
		{"up one", plan, -1, []string{"Ö 1 Eröffnung", "Ö 2 Bebauungsplan", "N 1 Grundstücksangelegenheit", "N 2 Personalsache"}},
		{"to the top, clamped", staff, -10, []string{"N 1 Personalsache", "Ö 1 Eröffnung", "Ö 2 Bebauungsplan", "N 2 Grundstücksangelegenheit"}},
		{"to the end, clamped", staff, 10, []string{"Ö 1 Eröffnung", "Ö 2 Bebauungsplan", "N 1 Grundstücksangelegenheit", "N 2 Personalsache"}},
		{"down two", open, 2, []string{"Ö 1 Bebauungsplan", "N 1 Grundstücksangelegenheit", "Ö 2 Eröffnung", "N 2 Personalsache"}},
	} {
		mark := e.mark(t)
		if err := e.s.MoveItem(e.ctx, mt.ID, tc.item.ID, tc.delta); err != nil {
			t.Fatalf("MoveItem(%s, %d): %v", tc.item.Name, tc.delta, err)
		}
		e.wantTrail(t, "MoveItem", mark, change{"agenda_item", tc.item.ID, "update"})
		if diff := cmp.Diff(tc.want, e.numbers(t, mt.ID)); diff != "" {
			t.Errorf("MoveItem %s (%s by %d) (-want +got):\n%s", tc.name, tc.item.Name, tc.delta, diff)
		}
		agendaChanged("MoveItem " + tc.name)
	}
	if err := e.s.MoveItem(e.ctx, mt.ID, council.NewID(), 1); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("MoveItem(unknown item) error = %v, want ErrNotFound", err)
	}

	// Making an item public renumbers both sequences.
	mark = e.mark(t)
	land.Name, land.Public, land.Result = "Grundstück Am Markt", true, "angenommen"
	saved, err := e.s.SaveAgendaItem(e.ctx, land)
	if err != nil {
		t.Fatal(err)
	}
	e.wantTrail(t, "SaveAgendaItem(update)", mark, change{"agenda_item", land.ID, "update"})
	agendaChanged("update")
	if saved.Number != "Ö 2" || saved.Result != "angenommen" || saved.Position != 1 {
		t.Errorf("updated item = %q %q at %d, want Ö 2, angenommen, at 1", saved.Number, saved.Result, saved.Position)
	}
	if diff := cmp.Diff([]string{"Ö 1 Bebauungsplan", "Ö 2 Grundstück Am Markt", "Ö 3 Eröffnung", "N 1 Personalsache"},
		e.numbers(t, mt.ID)); diff != "" {
		t.Errorf("agenda after making an item public (-want +got):\n%s", diff)
	}

	mark = e.mark(t)
	if err := e.s.DeleteItem(e.ctx, mt.ID, plan.ID); err != nil {
		t.Fatal(err)
	}
	e.wantTrail(t, "DeleteItem", mark, change{"agenda_item", plan.ID, "delete"})
	agendaChanged("delete")
	if diff := cmp.Diff([]string{"Ö 1 Grundstück Am Markt", "Ö 2 Eröffnung", "N 1 Personalsache"}, e.numbers(t, mt.ID)); diff != "" {
		t.Errorf("agenda after delete (-want +got):\n%s", diff)
	}
	if err := e.s.DeleteItem(e.ctx, mt.ID, plan.ID); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("second DeleteItem error = %v, want ErrNotFound", err)
	}
	other := e.meeting(t, "Andere Sitzung", at(21, 17))
	if err := e.s.DeleteItem(e.ctx, other.ID, open.ID); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("DeleteItem(item of another meeting) error = %v, want ErrNotFound", err)
	}
	if _, err := e.s.SaveAgendaItem(e.ctx, meetings.AgendaItem{ID: open.ID, MeetingID: other.ID, Name: "x"}); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("SaveAgendaItem(item of another meeting) error = %v, want ErrNotFound", err)
	}

	for _, tc := range []struct {
		name string
		in   meetings.AgendaItem
		want error
	}{
		{"no name", meetings.AgendaItem{MeetingID: mt.ID, Name: " "}, council.ErrInvalid},
		{"unknown meeting", meetings.AgendaItem{MeetingID: council.NewID(), Name: "x"}, council.ErrNotFound},
	} {
		mark := e.mark(t)
		if _, err := e.s.SaveAgendaItem(e.ctx, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("SaveAgendaItem(%s) error = %v, want %v", tc.name, err, tc.want)
		}
		e.wantTrail(t, "failed SaveAgendaItem", mark)
	}
}

func TestAddPaper(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mt := e.meeting(t, "Bauausschuss", at(20, 17), e.ausschuss.ID)
	e.item(t, mt.ID, "Eröffnung", true)

	t.Run("links the planned consultation", func(t *testing.T) {
		p := e.submitted(t, "Bebauungsplan Nr. 12", true)
		c, err := e.c.SaveConsultation(e.ctx, council.Consultation{PaperID: p.ID, OrganizationID: e.ausschuss.ID, Role: "Vorberatung"})
		if err != nil {
			t.Fatal(err)
		}
		p, _ = e.c.Paper(e.ctx, p.ID)
		modified := e.mustMeeting(t, mt.ID).Modified

		mark := e.mark(t)
		it, err := e.s.AddPaper(e.ctx, mt.ID, p.ID, e.ausschuss.ID, true)
		if err != nil {
			t.Fatalf("AddPaper: %v", err)
		}
		e.wantTrail(t, "AddPaper", mark,
			change{"agenda_item", it.ID, "create"}, change{"paper", p.ID, "update"}, change{"consultation", c.ID, "update"})
		want := meetings.AgendaItem{ID: it.ID, MeetingID: mt.ID, Position: 1, Number: "Ö 2", Name: p.Name, Public: true,
			PaperID: p.ID, PaperReference: p.Reference, PaperPublic: true}
		if diff := cmp.Diff(want, it, ignoreMeta); diff != "" {
			t.Errorf("AddPaper item (-want +got):\n%s", diff)
		}
		cs, err := e.c.Consultations(e.ctx, p.ID)
		if err != nil || len(cs) != 1 || cs[0].ID != c.ID || cs[0].AgendaItemID != it.ID {
			t.Errorf("consultations after AddPaper = %+v (err %v), want the planned one linked to %v", cs, err, it.ID)
		}
		after, err := e.c.Paper(e.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Status != council.StatusInConsultation || !after.Modified.After(p.Modified) {
			t.Errorf("paper after AddPaper: status %s modified %v; want in_consultation, after %v", after.Status, after.Modified, p.Modified)
		}
		if now := e.mustMeeting(t, mt.ID).Modified; !now.After(modified) {
			t.Errorf("meeting modified after AddPaper = %v, want after %v", now, modified)
		}
		events, err := e.c.PaperEvents(e.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var statuses []council.PaperStatus
		for _, ev := range events {
			statuses = append(statuses, ev.Status)
		}
		if diff := cmp.Diff([]council.PaperStatus{council.StatusDraft, council.StatusSubmitted, council.StatusInConsultation}, statuses); diff != "" {
			t.Errorf("paper timeline after AddPaper (-want +got):\n%s", diff)
		}

		// Taking the item off the agenda unlinks the consultation and changes the paper.
		mark = e.mark(t)
		if err := e.s.DeleteItem(e.ctx, mt.ID, it.ID); err != nil {
			t.Fatal(err)
		}
		e.wantTrail(t, "DeleteItem", mark, change{"agenda_item", it.ID, "delete"}, change{"consultation", c.ID, "update"})
		cs, _ = e.c.Consultations(e.ctx, p.ID)
		if len(cs) != 1 || cs[0].AgendaItemID != council.NilID {
			t.Errorf("consultations after DeleteItem = %+v, want one, unscheduled", cs)
		}
		if again, _ := e.c.Paper(e.ctx, p.ID); !again.Modified.After(after.Modified) {
			t.Errorf("paper modified after DeleteItem = %v, want after %v", again.Modified, after.Modified)
		}
	})

	t.Run("creates a consultation", func(t *testing.T) {
		p := e.submitted(t, "Anfrage Radwege", true)
		mark := e.mark(t)
		it, err := e.s.AddPaper(e.ctx, mt.ID, p.ID, e.ausschuss.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := e.c.Consultations(e.ctx, p.ID)
		if err != nil || len(cs) != 1 || cs[0].AgendaItemID != it.ID || cs[0].OrganizationID != e.ausschuss.ID {
			t.Fatalf("consultations = %+v (err %v), want one of the committee linked to %v", cs, err, it.ID)
		}
		e.wantTrail(t, "AddPaper", mark,
			change{"agenda_item", it.ID, "create"}, change{"paper", p.ID, "update"}, change{"consultation", cs[0].ID, "create"})
	})

	t.Run("non-public paper makes a non-public item", func(t *testing.T) {
		p := e.submitted(t, "Grundstücksverkauf", false)
		it, err := e.s.AddPaper(e.ctx, mt.ID, p.ID, e.ausschuss.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if it.Public || it.Number[0] != 'N' {
			t.Errorf("item for a non-public paper: public %t number %q, want non-public N …", it.Public, it.Number)
		}
		q := e.submitted(t, "Personalangelegenheit", true)
		it, err = e.s.AddPaper(e.ctx, mt.ID, q.ID, e.ausschuss.ID, false)
		if err != nil || it.Public {
			t.Errorf("AddPaper(public=false) = public %t (err %v), want non-public", it.Public, err)
		}
	})

	t.Run("refused", func(t *testing.T) {
		draft, err := e.c.SavePaper(e.ctx, council.Paper{BodyID: e.body.ID, Name: "Entwurf", Type: council.PaperMotion, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		p := e.submitted(t, "Vorlage", true)
		for _, tc := range []struct {
			name                string
			meeting, paper, org council.ID
			want                error
		}{
			{"draft paper", mt.ID, draft.ID, e.ausschuss.ID, council.ErrConflict},
			{"unknown paper", mt.ID, council.NewID(), e.ausschuss.ID, council.ErrNotFound},
			{"unknown meeting", council.NewID(), p.ID, e.ausschuss.ID, council.ErrNotFound},
			{"unknown organization", mt.ID, p.ID, council.NewID(), council.ErrInvalid},
		} {
			before := e.numbers(t, mt.ID)
			mark := e.mark(t)
			if _, err := e.s.AddPaper(e.ctx, tc.meeting, tc.paper, tc.org, true); !errors.Is(err, tc.want) {
				t.Errorf("AddPaper(%s) error = %v, want %v", tc.name, err, tc.want)
			}
			e.wantTrail(t, "refused AddPaper", mark)
			if diff := cmp.Diff(before, e.numbers(t, mt.ID)); diff != "" {
				t.Errorf("AddPaper(%s) changed the agenda (-before +after):\n%s", tc.name, diff)
			}
		}
		if got, _ := e.c.Paper(e.ctx, draft.ID); got.Status != council.StatusDraft {
			t.Errorf("draft status after refused AddPaper = %s", got.Status)
		}
	})
}

func TestForViewer(t *testing.T) {
	t.Parallel()
	rat, ausschuss := council.NewID(), council.NewID()
	orgs := []council.ID{rat}
	secret := meetings.AgendaItem{ID: council.NewID(), MeetingID: council.NewID(), Position: 3, Number: "N 1",
		Name: "Verkauf Grundstück Markt 3 an Firma X", Public: false, Result: "angenommen", ResolutionText: "Der Rat beschließt …",
		PaperID: council.NewID(), PaperReference: "V0007/26", PaperPublic: true}
	public := secret
	public.Public, public.Number = true, "Ö 4"
	// A public item made from a non-public paper: the public sees the item
	// but not the paper link or reference.
	publicOfSecret := public
	publicOfSecret.PaperPublic = false
	publicOfSecretShown := publicOfSecret
	publicOfSecretShown.PaperID, publicOfSecretShown.PaperReference = council.NilID, ""
	hidden := meetings.AgendaItem{ID: secret.ID, MeetingID: secret.MeetingID, Position: 3, Number: "N 1", Name: meetings.NonPublicTitle}

	user := council.NewID()
	for _, tc := range []struct {
		name   string
		v      council.Viewer
		item   meetings.AgendaItem
		want   meetings.AgendaItem
		wantOK bool
	}{
		{"public sees a public item", council.Public, public, public, true},
		{"public sees no non-public paper behind a public item", council.Public, publicOfSecret, publicOfSecretShown, true},
		{"member of another body sees no non-public paper", council.Viewer{UserID: user, Role: council.RoleMember, Orgs: map[council.ID]bool{ausschuss: true}}, publicOfSecret, publicOfSecretShown, true},
		{"member of the body sees the paper", council.Viewer{UserID: user, Role: council.RoleMember, Orgs: map[council.ID]bool{rat: true}}, publicOfSecret, publicOfSecret, true},
		{"public", council.Public, secret, hidden, false},
		{"citizen", council.Viewer{UserID: user, Role: council.RoleCitizen}, secret, hidden, false},
		{"citizen who claims the org", council.Viewer{UserID: user, Role: council.RoleCitizen, Orgs: map[council.ID]bool{rat: true}}, secret, hidden, false},
		{"member of another body", council.Viewer{UserID: user, Role: council.RoleMember, Orgs: map[council.ID]bool{ausschuss: true}}, secret, hidden, false},
		{"member without bodies", council.Viewer{UserID: user, Role: council.RoleMember}, secret, hidden, false},
		{"member of the body", council.Viewer{UserID: user, Role: council.RoleMember, Orgs: map[council.ID]bool{rat: true}}, secret, secret, true},
		{"clerk", council.Viewer{UserID: user, Role: council.RoleClerk}, secret, secret, true},
		{"admin", council.Viewer{UserID: user, Role: council.RoleAdmin}, secret, secret, true},
	} {
		got, ok := tc.item.ForViewer(tc.v, orgs)
		if ok != tc.wantOK {
			t.Errorf("ForViewer(%s) ok = %t, want %t", tc.name, ok, tc.wantOK)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ForViewer(%s) (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.submitted(t, "Bebauungsplan Nr. 12", true)
	c0, err := e.c.SaveConsultation(e.ctx, council.Consultation{PaperID: p.ID, OrganizationID: e.ausschuss.ID, Position: 0, Role: "Vorberatung"})
	if err != nil {
		t.Fatal(err)
	}
	c1, err := e.c.SaveConsultation(e.ctx, council.Consultation{PaperID: p.ID, OrganizationID: e.rat.ID, Position: 1, Role: "Entscheidung", Authoritative: true})
	if err != nil {
		t.Fatal(err)
	}
	mt := e.meeting(t, "Bauausschuss", at(10, 17), e.ausschuss.ID)
	e.item(t, mt.ID, "Eröffnung", true)
	it, err := e.s.AddPaper(e.ctx, mt.ID, p.ID, e.ausschuss.ID, true)
	if err != nil {
		t.Fatal(err)
	}

	got, err := e.s.Path(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		ID, Org, Item, Meeting council.ID
		OrgName, Role, Number  string
		MeetingName            string
		State                  meetings.State
		Authoritative          bool
	}
	var steps []step
	for _, s := range got {
		steps = append(steps, step{s.ID, s.OrganizationID, s.Item.ID, s.Item.MeetingID, s.OrgName, s.Role, s.Item.Number,
			s.MeetingName, s.MeetingState, s.Authoritative})
		if s.Item.ID != s.AgendaItemID {
			t.Errorf("step %v: Item.ID %v, AgendaItemID %v; want equal", s.ID, s.Item.ID, s.AgendaItemID)
		}
	}
	want := []step{
		{c0.ID, e.ausschuss.ID, it.ID, mt.ID, "Bauausschuss", "Vorberatung", "Ö 2", "Bauausschuss", meetings.Planned, false},
		{c1.ID, e.rat.ID, council.NilID, council.NilID, "Stadtrat", "Entscheidung", "", "", "", true},
	}
	if diff := cmp.Diff(want, steps); diff != "" {
		t.Errorf("Path (-want +got):\n%s", diff)
	}
	if !got[0].MeetingStart.Equal(at(10, 17)) || !got[1].MeetingStart.IsZero() {
		t.Errorf("Path meeting starts = %v, %v; want %v and zero", got[0].MeetingStart, got[1].MeetingStart, at(10, 17))
	}
}

func TestPublicDecisions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	decide := func(meeting council.ID, it meetings.AgendaItem, result string) {
		t.Helper()
		it.Result = result
		if _, err := e.s.SaveAgendaItem(e.ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	older := e.meeting(t, "Oktobersitzung", at(1, 17))
	newer := e.meeting(t, "Novembersitzung", at(15, 17))
	planned := e.meeting(t, "Dezembersitzung", at(28, 17))
	publicPaper := e.submitted(t, "Radweg", true)
	secretPaper := e.submitted(t, "Grundstück", false)

	a := e.item(t, older.ID, "Haushalt", true)
	decide(older.ID, a, "angenommen")
	b := e.item(t, newer.ID, "Schulsanierung", true)
	decide(newer.ID, b, "einstimmig angenommen")
	c := e.item(t, newer.ID, "Personalsache", false)
	decide(newer.ID, c, "angenommen")
	e.item(t, newer.ID, "Noch offen", true) // no result yet
	d, err := e.s.AddPaper(e.ctx, newer.ID, publicPaper.ID, e.rat.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	decide(newer.ID, d, "abgelehnt")
	// An item made public by hand still hides a non-public paper's decision.
	s, err := e.s.AddPaper(e.ctx, newer.ID, secretPaper.ID, e.rat.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	s.Public = true
	decide(newer.ID, s, "angenommen")
	x := e.item(t, planned.ID, "Vorab beschlossen?", true)
	decide(planned.ID, x, "angenommen")
	// A cancelled meeting decided nothing, even when it had been invited.
	cancelled := e.meeting(t, "Abgesagte Sitzung", at(20, 17))
	otherPaper := e.submitted(t, "Spielplatz", true)
	y, err := e.s.AddPaper(e.ctx, cancelled.ID, otherPaper.ID, e.rat.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	decide(cancelled.ID, y, "angenommen")
	for _, id := range []council.ID{older.ID, newer.ID, cancelled.ID} {
		if _, err := e.s.Invite(e.ctx, id, at(1, 8)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.Cancel(e.ctx, cancelled.ID); err != nil {
		t.Fatal(err)
	}

	got, err := e.s.PublicDecisions(e.ctx, e.body.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, dec := range got {
		names = append(names, dec.MeetingName+": "+dec.Item.Name+" – "+dec.Item.Result)
	}
	// Free items without a paper (opening, minutes, "Haushalt" here) are
	// procedural and not listed as decisions.
	want := []string{
		"Novembersitzung: Radweg – abgelehnt",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("PublicDecisions (-want +got):\n%s", diff)
	}
	if len(got) == len(want) && (got[0].Item.PaperID != publicPaper.ID || got[0].Item.PaperReference != publicPaper.Reference) {
		t.Errorf("decision on a paper: paper %v %q, want %v %q", got[0].Item.PaperID, got[0].Item.PaperReference, publicPaper.ID, publicPaper.Reference)
	}
	if got, _ := e.s.PublicDecisions(e.ctx, e.body.ID, 1); len(got) != 1 {
		t.Errorf("PublicDecisions(limit 1) = %d rows, want 1", len(got))
	}
	// Narrowed to an organization: the council's meetings hold them all,
	// the committee's none.
	for org, n := range map[council.ID]int{e.rat.ID: len(want), e.ausschuss.ID: 0} {
		if got, err := e.s.PublicDecisionsOf(e.ctx, e.body.ID, org, 10); err != nil || len(got) != n {
			t.Errorf("PublicDecisionsOf(%v) = %d rows, %v; want %d", org, len(got), err, n)
		}
	}
}
