package meetings_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
)

// env is one test's database with a body, its council and a committee.
type env struct {
	ctx       context.Context
	pool      *pgxpool.Pool
	c         *council.Store
	s         *meetings.Store
	body      council.Body
	rat       council.Organization
	ausschuss council.Organization
}

func newEnv(t testing.TB) *env {
	t.Helper()
	pool := pgtest.New(t)
	e := &env{ctx: context.Background(), pool: pool, c: council.NewStore(pool), s: meetings.NewStore(pool)}
	var err error
	if e.body, err = e.c.CreateBody(e.ctx, council.Body{Name: "Stadt Musterstadt"}); err != nil {
		t.Fatalf("CreateBody: %v", err)
	}
	e.rat = e.org(t, "Stadtrat", council.KindCouncil)
	e.ausschuss = e.org(t, "Bauausschuss", council.KindCommittee)
	return e
}

func (e *env) org(t testing.TB, name string, kind council.OrgKind) council.Organization {
	t.Helper()
	o, err := e.c.SaveOrganization(e.ctx, council.Organization{BodyID: e.body.ID, Name: name, Kind: kind})
	if err != nil {
		t.Fatalf("SaveOrganization(%q): %v", name, err)
	}
	return o
}

// meeting creates a planned meeting of orgs (the council when none).
func (e *env) meeting(t testing.TB, name string, start time.Time, orgs ...council.ID) meetings.Meeting {
	t.Helper()
	if len(orgs) == 0 {
		orgs = []council.ID{e.rat.ID}
	}
	m, err := e.s.SaveMeeting(e.ctx, meetings.Meeting{BodyID: e.body.ID, Name: name, Start: start, Organizations: orgs})
	if err != nil {
		t.Fatalf("SaveMeeting(%q): %v", name, err)
	}
	return m
}

func (e *env) item(t testing.TB, meeting council.ID, name string, public bool) meetings.AgendaItem {
	t.Helper()
	it, err := e.s.SaveAgendaItem(e.ctx, meetings.AgendaItem{MeetingID: meeting, Name: name, Public: public})
	if err != nil {
		t.Fatalf("SaveAgendaItem(%q): %v", name, err)
	}
	return it
}

// submitted creates a submitted paper.
func (e *env) submitted(t testing.TB, name string, public bool) council.Paper {
	t.Helper()
	p, err := e.c.SavePaper(e.ctx, council.Paper{BodyID: e.body.ID, Name: name, Type: council.PaperResolution, Public: public})
	if err != nil {
		t.Fatalf("SavePaper(%q): %v", name, err)
	}
	if p, err = e.c.Submit(e.ctx, p.ID, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatalf("Submit(%q): %v", name, err)
	}
	return p
}

func (e *env) mustMeeting(t testing.TB, id council.ID) meetings.Meeting {
	t.Helper()
	m, err := e.s.Meeting(e.ctx, id)
	if err != nil {
		t.Fatalf("Meeting(%s): %v", id, err)
	}
	return m
}

// numbers returns the agenda as "number name" lines.
func (e *env) numbers(t testing.TB, meeting council.ID) []string {
	t.Helper()
	items, err := e.s.AgendaItems(e.ctx, meeting)
	if err != nil {
		t.Fatalf("AgendaItems: %v", err)
	}
	var out []string
	for i, it := range items {
		if it.Position != i {
			t.Errorf("item %q has position %d at index %d", it.Name, it.Position, i)
		}
		out = append(out, it.Number+" "+it.Name)
	}
	return out
}

// change is one outbox row.
type change struct {
	Entity   string
	EntityID council.ID
	Op       string
}

// mark returns the highest outbox and audit ids.
func (e *env) mark(t testing.TB) [2]int64 {
	t.Helper()
	var m [2]int64
	if err := e.pool.QueryRow(e.ctx, `SELECT coalesce((SELECT max(id) FROM outbox), 0), coalesce((SELECT max(id) FROM audit), 0)`).
		Scan(&m[0], &m[1]); err != nil {
		t.Fatalf("mark: %v", err)
	}
	return m
}

func (e *env) rowsSince(t testing.TB, table string, after int64) []change {
	t.Helper()
	rows, err := e.pool.Query(e.ctx, `SELECT entity, entity_id, op FROM `+table+` WHERE id > $1 ORDER BY id`, after)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	var out []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.Entity, &c.EntityID, &c.Op); err != nil {
			t.Fatalf("scan %s: %v", table, err)
		}
		out = append(out, c)
	}
	return out
}

// wantTrail checks that exactly want (in any order) was written to the
// outbox and to the audit since m.
func (e *env) wantTrail(t testing.TB, what string, m [2]int64, want ...change) {
	t.Helper()
	sorted := cmpopts.SortSlices(func(a, b change) bool {
		return a.Entity+a.Op+a.EntityID.String() < b.Entity+b.Op+b.EntityID.String()
	})
	if diff := cmp.Diff(want, e.rowsSince(t, "outbox", m[0]), sorted, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: outbox rows (-want +got):\n%s", what, diff)
	}
	if diff := cmp.Diff(want, e.rowsSince(t, "audit", m[1]), sorted, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: audit rows (-want +got):\n%s", what, diff)
	}
}

func at(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC) }
