package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/migrations/pgtest"
)

const secretTitle = "Grundstücksverkauf Geheimweg 7"

// env is a council of five voting members (the first chairs) and one
// co-opted citizen without a vote, an invited meeting with the items
// Ö 1, N 1 (secret title), Ö 2, a clerk, and a running hub.
type env struct {
	ctx     context.Context
	url     string
	pool    *pgxpool.Pool
	hub     *live.Hub
	meeting meetings.Meeting
	items   []meetings.AgendaItem
	org     council.Organization
	clerk   live.Actor
	members []live.Actor // members[0] is the chair; members[5] has no vote
}

func newEnv(t testing.TB, opts live.Options) *env {
	t.Helper()
	e := &env{ctx: context.Background(), url: pgtest.URL(t)}
	e.pool = openPool(t, e.url)
	cs, ms := council.NewStore(e.pool), meetings.NewStore(e.pool)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	body, err := cs.CreateBody(e.ctx, council.Body{Name: "Stadt Musterstadt"})
	must("CreateBody", err)
	e.org, err = cs.SaveOrganization(e.ctx, council.Organization{BodyID: body.ID, Name: "Stadtrat", Kind: council.KindCouncil, StatutorySeats: 5})
	must("SaveOrganization", err)
	for i := range 6 {
		p, err := cs.SavePerson(e.ctx, council.Person{BodyID: body.ID, GivenName: "Rat", FamilyName: fmt.Sprintf("Mitglied%d", i)})
		must("SavePerson", err)
		role := "Mitglied"
		if i == 0 {
			role = "Vorsitzende"
		}
		_, err = cs.SaveMembership(e.ctx, council.Membership{PersonID: p.ID, OrganizationID: e.org.ID, Role: role, VotingRight: i < 5})
		must("SaveMembership", err)
		u, err := cs.CreateUser(e.ctx, council.User{Email: fmt.Sprintf("m%d@example.org", i), Role: council.RoleMember,
			PasswordHash: "x", PersonID: p.ID})
		must("CreateUser", err)
		e.members = append(e.members, live.Actor{Viewer: council.Viewer{UserID: u.ID, Role: council.RoleMember,
			Orgs: map[council.ID]bool{e.org.ID: true}}, PersonID: p.ID})
	}
	cu, err := cs.CreateUser(e.ctx, council.User{Email: "clerk@example.org", Role: council.RoleClerk, PasswordHash: "x"})
	must("CreateUser clerk", err)
	e.clerk = live.Actor{Viewer: council.Viewer{UserID: cu.ID, Role: council.RoleClerk}}
	e.meeting, err = ms.SaveMeeting(e.ctx, meetings.Meeting{BodyID: body.ID, Name: "Ratssitzung",
		Start: time.Date(2026, 11, 3, 17, 0, 0, 0, time.UTC), Organizations: []council.ID{e.org.ID}})
	must("SaveMeeting", err)
	for _, it := range []struct {
		name   string
		public bool
	}{{"Haushalt 2027", true}, {secretTitle, false}, {"Radwege", true}} {
		x, err := ms.SaveAgendaItem(e.ctx, meetings.AgendaItem{MeetingID: e.meeting.ID, Name: it.name, Public: it.public})
		must("SaveAgendaItem", err)
		e.items = append(e.items, x)
	}
	_, err = ms.Invite(e.ctx, e.meeting.ID, time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC))
	must("Invite", err)
	e.hub = runHub(t, e.pool, opts)
	return e
}

func openPool(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// runHub starts a hub and waits until it listens; it stops in t.Cleanup.
func runHub(t testing.TB, pool *pgxpool.Pool, opts live.Options) *live.Hub {
	t.Helper()
	h := live.NewHub(pool, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("hub Run: %v", err)
		}
	})
	select {
	case <-h.Listening():
	case <-time.After(10 * time.Second):
		t.Fatal("hub does not listen")
	}
	return h
}

func (e *env) do(t testing.TB, a live.Actor, c live.Command) int64 {
	t.Helper()
	seq, err := e.hub.Do(e.ctx, e.meeting.ID, a, c)
	if err != nil {
		t.Fatalf("Do(%s): %v", c.Name(), err)
	}
	return seq
}

func (e *env) start(t testing.TB, k int) int64 {
	t.Helper()
	return e.do(t, e.clerk, live.Start{FloorLimit: k})
}

func (e *env) subscribe(t testing.TB, h *live.Hub, a live.Actor, since int64) *live.Subscription {
	t.Helper()
	s, err := h.Subscribe(e.ctx, e.meeting.ID, a, since)
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func next(t testing.TB, s *live.Subscription) live.Message {
	t.Helper()
	select {
	case m, ok := <-s.C:
		if !ok {
			t.Fatal("subscription closed")
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
	}
	return live.Message{}
}

// until reads messages until one of kind arrives and returns it with
// everything read before.
func until(t testing.TB, s *live.Subscription, kind live.EventKind) (live.Message, []live.Message) {
	t.Helper()
	var seen []live.Message
	for {
		m := next(t, s)
		if m.Type == live.TypeEvent && m.Kind == kind {
			return m, seen
		}
		seen = append(seen, m)
	}
}

// kinds reads n messages and returns their kinds (or types for non-events).
func kinds(t testing.TB, s *live.Subscription, n int) []string {
	t.Helper()
	var out []string
	for range n {
		m := next(t, s)
		if m.Type == live.TypeEvent {
			out = append(out, string(m.Kind))
		} else {
			out = append(out, string(m.Type))
		}
	}
	return out
}

// quiet asserts that s receives nothing for d.
func quiet(t testing.TB, s *live.Subscription, d time.Duration) {
	t.Helper()
	select {
	case m := <-s.C:
		t.Fatalf("unexpected message %+v", m)
	case <-time.After(d):
	}
}

func decode[T any](t testing.TB, m live.Message) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(m.Data, &v); err != nil {
		t.Fatalf("decode %s %s: %v", m.Kind, m.Data, err)
	}
	return v
}

func wantErr(t testing.TB, what string, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: error %v, want one wrapping %v", what, err, kind)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func containsSecret(t testing.TB, msgs ...live.Message) bool {
	t.Helper()
	for _, m := range msgs {
		if strings.Contains(mustJSON(t, m), "Geheimweg") {
			return true
		}
	}
	return false
}

// running starts the session with floor limit k and returns a
// subscription as a (from the start, its snapshot already read), so the
// test's next message is the first event after the start.
func (e *env) running(t testing.TB, k int, a live.Actor) *live.Subscription {
	t.Helper()
	e.start(t, k)
	s := e.subscribe(t, e.hub, a, 0)
	next(t, s)
	return s
}
