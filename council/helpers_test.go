package council_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/migrations/pgtest"
)

// env is one test's database with a body to hang fixtures on.
type env struct {
	ctx   context.Context
	pool  *pgxpool.Pool
	s     *council.Store
	body  council.Body
	clock time.Time
}

func newEnv(t testing.TB) *env {
	t.Helper()
	pool := pgtest.New(t)
	e := &env{ctx: context.Background(), pool: pool, s: council.NewStore(pool)}
	b, err := e.s.CreateBody(e.ctx, council.Body{Name: "Stadt Musterstadt", ShortName: "Musterstadt", AGS: "15003000"})
	if err != nil {
		t.Fatalf("CreateBody: %v", err)
	}
	e.body = b
	return e
}

// ignoreMeta drops bookkeeping fields that the database sets.
var ignoreMeta = cmpopts.IgnoreFields(council.Meta{}, "Created", "Modified")

func (e *env) org(t testing.TB, name string, kind council.OrgKind) council.Organization {
	t.Helper()
	o, err := e.s.SaveOrganization(e.ctx, council.Organization{BodyID: e.body.ID, Name: name, Kind: kind})
	if err != nil {
		t.Fatalf("SaveOrganization(%q, %s): %v", name, kind, err)
	}
	return o
}

func (e *env) person(t testing.TB, given, family string) council.Person {
	t.Helper()
	p, err := e.s.SavePerson(e.ctx, council.Person{BodyID: e.body.ID, GivenName: given, FamilyName: family})
	if err != nil {
		t.Fatalf("SavePerson(%q %q): %v", given, family, err)
	}
	return p
}

func (e *env) paper(t testing.TB, name string, typ council.PaperType) council.Paper {
	t.Helper()
	p, err := e.s.SavePaper(e.ctx, council.Paper{BodyID: e.body.ID, Name: name, Type: typ, Public: true})
	if err != nil {
		t.Fatalf("SavePaper(%q, %s): %v", name, typ, err)
	}
	return p
}

func (e *env) user(t testing.TB, email string, role council.Role) council.User {
	t.Helper()
	u, err := e.s.CreateUser(e.ctx, council.User{Email: email, PasswordHash: "$argon2id$fake", Role: role})
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

// change is one outbox or audit row.
type change struct {
	Entity   string
	EntityID council.ID
	Op       string
	Actor    council.ID // audit only
}

// mark returns the highest outbox and audit ids, so that a later call to
// since sees only what happened in between.
func (e *env) mark(t testing.TB) [2]int64 {
	t.Helper()
	var m [2]int64
	if err := e.pool.QueryRow(e.ctx, `SELECT coalesce((SELECT max(id) FROM outbox), 0), coalesce((SELECT max(id) FROM audit), 0)`).
		Scan(&m[0], &m[1]); err != nil {
		t.Fatalf("mark: %v", err)
	}
	return m
}

// since returns the outbox and audit rows written after m, in order.
func (e *env) since(t testing.TB, m [2]int64) (outbox, audit []change) {
	t.Helper()
	rows, err := e.pool.Query(e.ctx, `SELECT entity, entity_id, op FROM outbox WHERE id > $1 ORDER BY id`, m[0])
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.Entity, &c.EntityID, &c.Op); err != nil {
			t.Fatalf("scan outbox: %v", err)
		}
		outbox = append(outbox, c)
	}
	rows.Close()
	rows, err = e.pool.Query(e.ctx, `SELECT entity, entity_id, op, actor_id FROM audit WHERE id > $1 ORDER BY id`, m[1])
	if err != nil {
		t.Fatalf("read audit: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c change
		var actor *council.ID
		if err := rows.Scan(&c.Entity, &c.EntityID, &c.Op, &actor); err != nil {
			t.Fatalf("scan audit: %v", err)
		}
		c.Actor = council.IDOf(actor)
		audit = append(audit, c)
	}
	return outbox, audit
}

// wantTrail checks that exactly want was written to the outbox and the
// audit (audit rows carry actor) since m.
func (e *env) wantTrail(t testing.TB, what string, m [2]int64, actor council.ID, want ...change) {
	t.Helper()
	outbox, audit := e.since(t, m)
	if diff := cmp.Diff(want, outbox, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: outbox rows (-want +got):\n%s", what, diff)
	}
	withActor := make([]change, len(want))
	for i, c := range want {
		c.Actor = actor
		withActor[i] = c
	}
	if diff := cmp.Diff(withActor, audit, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: audit rows (-want +got):\n%s", what, diff)
	}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// mustDay parses "2006-01-02"; "" is the zero time.
func mustDay(t testing.TB, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatalf("bad test day %q: %v", s, err)
	}
	return d
}

var idSet = cmpopts.SortSlices(func(a, b council.ID) bool { return a.String() < b.String() })
