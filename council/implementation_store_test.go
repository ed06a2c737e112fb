package council_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plenar/plenar/council"
)

// submitted saves and submits a paper (public or not) dated on.
func (e *env) submitted(t testing.TB, name string, public bool, on time.Time) council.Paper {
	t.Helper()
	p, err := e.s.SavePaper(e.ctx, council.Paper{BodyID: e.body.ID, Name: name, Type: council.PaperResolution, Public: public})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.s.Submit(e.ctx, p.ID, on); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) paperModified(t testing.TB, id council.ID) time.Time {
	t.Helper()
	p, err := e.s.Paper(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Modified
}

// TestImplementationLifecycle creates a record, changes its status with
// history and actor, adds and removes notes and follow-up papers, each
// change with its outbox and audit rows and a new modified time of the
// paper (OParl embeds the record).
func TestImplementationLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clerk := e.user(t, "clerk@example.org", council.RoleClerk)
	ctx := council.WithActor(e.ctx, clerk.ID)
	p := e.submitted(t, "Sanierung der Grundschule Lindenau", true, date(2026, 2, 3))
	follow := e.submitted(t, "Bericht zur Sanierung", true, date(2026, 5, 3))

	m := e.mark(t)
	im, err := e.s.SaveImplementation(ctx, council.Implementation{PaperID: p.ID, Office: " Amt für Schule ", Due: date(2026, 9, 30)},
		date(2026, 3, 1))
	if err != nil {
		t.Fatalf("SaveImplementation: %v", err)
	}
	if im.Status != council.ImplOpen || im.Office != "Amt für Schule" || !im.Due.Equal(date(2026, 9, 30)) {
		t.Errorf("created %+v, want open, trimmed office, due 2026-09-30", im)
	}
	e.wantTrail(t, "create", m, clerk.ID, change{Entity: "implementation", EntityID: im.ID, Op: "create"})
	if again, err := e.s.SaveImplementation(ctx, council.Implementation{PaperID: p.ID}, time.Now()); !errors.Is(err, council.ErrConflict) {
		t.Errorf("second record for the paper: %+v, %v; want ErrConflict", again, err)
	}

	before := e.paperModified(t, p.ID)
	if _, err := e.s.SetImplementationStatus(ctx, im.ID, council.ImplInProgress, "ignored without not_implemented", date(2026, 4, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.AddImplementationNote(ctx, im.ID, council.ImplementationNote{Date: date(2026, 4, 2), Text: "Auftrag vergeben"}); err != nil {
		t.Fatal(err)
	}
	gone, err := e.s.AddImplementationNote(ctx, im.ID, council.ImplementationNote{Date: date(2026, 4, 3), Text: "Tippfehler"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.s.DeleteImplementationNote(ctx, im.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.s.LinkFollowUp(ctx, im.ID, follow.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.s.LinkFollowUp(ctx, im.ID, follow.ID); err != nil {
		t.Errorf("linking again: %v, want no error", err)
	}
	if _, err := e.s.SetImplementationStatus(ctx, im.ID, council.ImplDone, "", date(2026, 6, 1)); err != nil {
		t.Fatal(err)
	}
	if after := e.paperModified(t, p.ID); !after.After(before) {
		t.Errorf("paper modified %s, not after %s: OParl harvesters miss the change", after, before)
	}

	got, err := e.s.ImplementationOfPaper(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, ev := range got.Events {
		events = append(events, ev.At.UTC().Format(time.DateOnly)+" "+string(ev.Status))
		if ev.ActorID != clerk.ID {
			t.Errorf("event %s by %s, want the clerk", ev.Status, ev.ActorID)
		}
	}
	if diff := cmp.Diff([]string{"2026-03-01 open", "2026-04-01 in_progress", "2026-06-01 done"}, events); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if len(got.Notes) != 1 || got.Notes[0].Text != "Auftrag vergeben" || got.Notes[0].AuthorID != clerk.ID {
		t.Errorf("notes %+v, want the one note by the clerk", got.Notes)
	}
	if diff := cmp.Diff([]council.ID{follow.ID}, got.FollowUps); diff != "" {
		t.Errorf("follow-ups (-want +got):\n%s", diff)
	}
	if got.Overdue(date(2027, 1, 1)) {
		t.Error("a done record is overdue")
	}
	if err := e.s.UnlinkFollowUp(ctx, im.ID, follow.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.s.UnlinkFollowUp(ctx, im.ID, follow.ID); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("unlinking twice: %v, want ErrNotFound", err)
	}
}

// TestImplementationBadInput: not implemented without a reason is a clear
// field error (and the database's check holds too), unknown papers and
// records are not found, drafts get no record, impossible dates and
// unknown statuses are refused.
func TestImplementationBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.submitted(t, "Radweg Kirchberg", true, date(2026, 2, 3))
	draft := e.paper(t, "Entwurf", council.PaperMotion)
	im, err := e.s.SaveImplementation(e.ctx, council.Implementation{PaperID: p.ID}, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	var fe council.FieldErrors
	_, err = e.s.SetImplementationStatus(e.ctx, im.ID, council.ImplNotImplemented, "  ", time.Now())
	if !errors.As(err, &fe) || fe["reason"] != council.MsgReasonRequired || !errors.Is(err, council.ErrInvalid) {
		t.Errorf("not implemented without reason: %v, want the field error %s on reason", err, council.MsgReasonRequired)
	}
	_, err = e.s.SaveImplementation(e.ctx, council.Implementation{PaperID: draft.ID, Status: council.ImplNotImplemented}, time.Now())
	if !errors.As(err, &fe) || fe["reason"] != council.MsgReasonRequired {
		t.Errorf("create not implemented without reason: %v, want the field error on reason", err)
	}
	if _, err := e.pool.Exec(e.ctx, `UPDATE implementations SET status = 'not_implemented', reason = '' WHERE id = $1`, im.ID); err == nil {
		t.Error("the database accepted not_implemented without a reason")
	}

	cases := []struct {
		name string
		im   council.Implementation
		want error
	}{
		{"unknown paper", council.Implementation{PaperID: council.NewID()}, council.ErrNotFound},
		{"no paper", council.Implementation{}, council.ErrInvalid},
		{"draft", council.Implementation{PaperID: draft.ID}, council.ErrConflict},
		{"unknown status", council.Implementation{PaperID: p.ID, Status: "abandoned"}, council.ErrInvalid},
		{"due in year 3000", council.Implementation{PaperID: p.ID, Due: date(3000, 1, 1)}, council.ErrInvalid},
		{"office too long", council.Implementation{PaperID: p.ID, Office: string(make([]rune, 301))}, council.ErrInvalid},
	}
	for _, c := range cases {
		if _, err := e.s.SaveImplementation(e.ctx, c.im, time.Now()); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := e.s.SetImplementationStatus(e.ctx, council.NewID(), council.ImplDone, "", time.Now()); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("status of an unknown record: %v, want ErrNotFound", err)
	}
	if _, err := e.s.SetImplementationStatus(e.ctx, im.ID, "abandoned", "", time.Now()); !errors.Is(err, council.ErrInvalid) {
		t.Errorf("unknown status: %v, want ErrInvalid", err)
	}
	notes := []council.ImplementationNote{{Text: "ohne Datum"}, {Date: date(1200, 1, 1), Text: "zu früh"}, {Date: date(2026, 1, 1), Text: " "}}
	for _, n := range notes {
		if _, err := e.s.AddImplementationNote(e.ctx, im.ID, n); !errors.Is(err, council.ErrInvalid) {
			t.Errorf("note %+v: %v, want ErrInvalid", n, err)
		}
	}
	if _, err := e.s.AddImplementationNote(e.ctx, council.NewID(), council.ImplementationNote{Date: date(2026, 1, 1), Text: "x"}); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("note on an unknown record: %v, want ErrNotFound", err)
	}
	if err := e.s.LinkFollowUp(e.ctx, im.ID, council.NewID()); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("unknown follow-up paper: %v, want ErrNotFound", err)
	}
	if err := e.s.LinkFollowUp(e.ctx, im.ID, p.ID); !errors.Is(err, council.ErrInvalid) {
		t.Errorf("the paper as its own follow-up: %v, want ErrInvalid", err)
	}
}

// TestPublicImplementations: the public list has exactly the records of
// public papers, filtered by status, overdue and year, with counts per
// status; the feed of changes likewise; members see a non-public paper's
// record only through its paper.
func TestPublicImplementations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	today := date(2026, 6, 15)
	mk := func(name string, public bool, on time.Time, st council.ImplementationStatus, due time.Time) council.Implementation {
		t.Helper()
		p := e.submitted(t, name, public, on)
		im, err := e.s.SaveImplementation(e.ctx, council.Implementation{PaperID: p.ID, Office: "Bauamt", Due: due}, on)
		if err != nil {
			t.Fatal(err)
		}
		if st != council.ImplOpen {
			if im, err = e.s.SetImplementationStatus(e.ctx, im.ID, st, "Haushaltssperre", on.AddDate(0, 1, 0)); err != nil {
				t.Fatal(err)
			}
		}
		return im
	}
	open := mk("Offen", true, date(2025, 3, 1), council.ImplOpen, date(2026, 12, 31))
	late := mk("Verspätet", true, date(2026, 1, 10), council.ImplInProgress, date(2026, 5, 1))
	done := mk("Erledigt", true, date(2026, 2, 1), council.ImplDone, date(2026, 3, 1))
	mk("Verworfen", true, date(2026, 2, 5), council.ImplNotImplemented, time.Time{})
	hidden := mk("Nichtöffentlich", false, date(2026, 2, 7), council.ImplInProgress, date(2026, 1, 1))

	list := func(f council.ImplementationFilter) ([]string, council.ImplementationCounts) {
		t.Helper()
		f.BodyID, f.Today = e.body.ID, today
		rows, total, counts, err := e.s.PublicImplementations(e.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if total != len(rows) {
			t.Errorf("%+v: total %d, %d rows", f, total, len(rows))
		}
		var names []string
		for _, r := range rows {
			names = append(names, r.Paper.Name)
		}
		return names, counts
	}
	all, counts := list(council.ImplementationFilter{})
	if diff := cmp.Diff([]string{"Verworfen", "Erledigt", "Verspätet", "Offen"}, all); diff != "" {
		t.Errorf("public list (-want +got):\n%s", diff)
	}
	want := council.ImplementationCounts{Total: 4, Overdue: 1, ByStatus: map[council.ImplementationStatus]int{
		council.ImplOpen: 1, council.ImplInProgress: 1, council.ImplDone: 1, council.ImplNotImplemented: 1}}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if got, _ := list(council.ImplementationFilter{Overdue: true}); !cmp.Equal(got, []string{"Verspätet"}) {
		t.Errorf("overdue: %v", got)
	}
	if got, _ := list(council.ImplementationFilter{Status: council.ImplDone}); !cmp.Equal(got, []string{"Erledigt"}) {
		t.Errorf("done: %v", got)
	}
	if got, c := list(council.ImplementationFilter{Year: 2025}); !cmp.Equal(got, []string{"Offen"}) || c.Total != 1 {
		t.Errorf("2025: %v, counts %+v", got, c)
	}
	if years, err := e.s.ImplementationYears(e.ctx, e.body.ID); err != nil || !cmp.Equal(years, []int{2026, 2025}) {
		t.Errorf("years %v, %v", years, err)
	}
	if !late.Overdue(today) || open.Overdue(today) || done.Overdue(today) {
		t.Error("Overdue disagrees with the list")
	}

	changes, err := e.s.PublicImplementationChanges(e.ctx, e.body.ID, council.NilID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		if c.ImplementationID == hidden.ID {
			t.Errorf("the feed of changes has the record of a non-public paper: %+v", c)
		}
	}
	if len(changes) != 7 || changes[0].Status != council.ImplNotImplemented || changes[0].Reason != "Haushaltssperre" || !changes[len(changes)-1].First {
		t.Errorf("changes %+v, want 7, the newest first (not implemented with its reason), the oldest a first status", changes)
	}
	byPaper, err := e.s.PublicImplementationsOf(e.ctx, []council.ID{open.PaperID, hidden.PaperID})
	if err != nil || len(byPaper) != 1 || byPaper[open.PaperID].ID != open.ID {
		t.Errorf("PublicImplementationsOf: %v, %v; want the public one only", byPaper, err)
	}

	if _, err := e.s.ImplementationFor(e.ctx, council.Public, hidden.PaperID); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("the public reads the record of a non-public paper: %v", err)
	}
	staff := council.Viewer{UserID: council.NewID(), Role: council.RoleClerk}
	if got, err := e.s.ImplementationFor(e.ctx, staff, hidden.PaperID); err != nil || got.ID != hidden.ID {
		t.Errorf("staff read %+v, %v", got, err)
	}
	if got, err := e.s.ImplementationFor(e.ctx, council.Public, open.PaperID); err != nil || got.ID != open.ID || len(got.Events) != 1 {
		t.Errorf("public read %+v, %v", got, err)
	}
}
