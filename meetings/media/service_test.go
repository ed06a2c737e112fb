package media_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
	"github.com/plenar/plenar/migrations/pgtest"
)

// env is a running session (a council of one chairing member, a clerk, one
// public item) with a hub, a loopback SFU, presence and a running Service.
type env struct {
	ctx     context.Context
	pool    *pgxpool.Pool
	ms      *meetings.Store
	hub     *live.Hub
	svc     *media.Service
	meeting council.ID
	clerk   live.Actor
	member  live.Actor
}

func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{ctx: ctx, pool: pgtest.New(t)}
	cs := council.NewStore(e.pool)
	e.ms = meetings.NewStore(e.pool)
	body, err := cs.CreateBody(ctx, council.Body{Name: "Stadt Musterstadt"})
	must(t, "body", err)
	org, err := cs.SaveOrganization(ctx, council.Organization{BodyID: body.ID, Name: "Stadtrat", Kind: council.KindCouncil, StatutorySeats: 1})
	must(t, "organization", err)
	p, err := cs.SavePerson(ctx, council.Person{BodyID: body.ID, GivenName: "Vera", FamilyName: "Vorsitz"})
	must(t, "person", err)
	_, err = cs.SaveMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: org.ID, Role: "Vorsitzende", VotingRight: true})
	must(t, "membership", err)
	u, err := cs.CreateUser(ctx, council.User{Email: "vera@example.org", Role: council.RoleMember, PasswordHash: "x", PersonID: p.ID})
	must(t, "member", err)
	e.member = live.Actor{Viewer: council.Viewer{UserID: u.ID, Role: council.RoleMember, Orgs: map[council.ID]bool{org.ID: true}}, PersonID: p.ID}
	cu, err := cs.CreateUser(ctx, council.User{Email: "clerk@example.org", Role: council.RoleClerk, PasswordHash: "x"})
	must(t, "clerk", err)
	e.clerk = live.Actor{Viewer: council.Viewer{UserID: cu.ID, Role: council.RoleClerk}}
	m, err := e.ms.SaveMeeting(ctx, meetings.Meeting{BodyID: body.ID, Name: "Ratssitzung",
		Start: time.Now().Add(-time.Hour).UTC().Truncate(time.Minute), Organizations: []council.ID{org.ID}})
	must(t, "meeting", err)
	e.meeting = m.ID
	_, err = e.ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Haushalt 2027", Public: true})
	must(t, "item", err)
	_, err = e.ms.Invite(ctx, m.ID, time.Now().Add(-14*24*time.Hour))
	must(t, "invite", err)

	log := slog.New(slog.DiscardHandler)
	if os.Getenv("PLENAR_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	e.hub = live.NewHub(e.pool, live.Options{Log: log, CatchUp: time.Second})
	hubDone := make(chan error, 1)
	go func() { hubDone <- e.hub.Run(ctx) }()
	var rooms *sfu.SFU
	for try := 0; try < 5 && rooms == nil; try++ {
		l, lerr := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		must(t, "free udp port", lerr)
		port := l.LocalAddr().(*net.UDPAddr).Port
		must(t, "free udp port", l.Close())
		rooms, err = sfu.New(sfu.Config{LoopbackOnly: true, UDPPort: port}, log)
	}
	must(t, "sfu", err)
	presence := live.NewPresence(e.hub, 2*time.Second, log)
	e.svc = media.New(media.Deps{SFU: rooms, Live: e.hub, Pool: e.pool, Tokens: e.ms, Presence: presence, Log: log})
	svcDone := make(chan error, 1)
	go func() { svcDone <- e.svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-svcDone
		e.svc.Close()
		<-hubDone
		presence.Close()
		_ = rooms.Close()
	})
	for _, ch := range []<-chan struct{}{e.hub.Listening(), e.svc.Listening()} {
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatal("hub or media does not listen")
		}
	}
	return e
}

// token creates a media token of kind and returns its id.
func (e *env) token(t *testing.T, kind meetings.MediaTokenKind, label string) council.ID {
	t.Helper()
	tok, err := e.ms.CreateMediaToken(e.ctx, e.meeting, e.clerk.UserID, kind, label, "plenar_"+string(kind)+"_"+council.NewID().String())
	must(t, "media token", err)
	return tok.ID
}

// play opens a WHEP player with token tok.
func (e *env) play(ctx context.Context, t *testing.T, tok council.ID) (string, *sfuclient.Client, error) {
	t.Helper()
	c, err := sfuclient.New(sfuclient.Options{Tag: "player", RecvAudio: 1, RecvVideo: 1})
	must(t, "player", err)
	t.Cleanup(c.Close)
	offer, err := c.Offer(ctx)
	must(t, "offer", err)
	id, answer, err := e.svc.View(ctx, e.meeting, tok, offer)
	if err != nil {
		return "", c, err
	}
	must(t, "answer", c.SetAnswer(answer))
	must(t, "connected", c.WaitConnected(ctx))
	return id, c, nil
}

func waitStats(t *testing.T, s *media.Service, rooms, resources int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		n, r := s.Stats()
		if n == rooms && r == resources {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rooms and %d resources, want %d and %d", n, r, rooms, resources)
		}
	}
}

// TestServiceWHEP: a player needs the session running in public; it is
// held until its token is revoked (on this node, or by a notification
// from another), or ended; the last one frees the meeting's room; Close
// ends what is left.
func TestServiceWHEP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(e.ctx, 40*time.Second)
	defer cancel()
	a, b, c := e.token(t, meetings.MediaWHEP, "Stadt-Stream"), e.token(t, meetings.MediaWHEP, "Mediathek"), e.token(t, meetings.MediaWHEP, "Archiv")
	if _, _, err := e.play(ctx, t, a); !errors.Is(err, council.ErrForbidden) {
		t.Fatalf("WHEP before the start: %v, want ErrForbidden", err)
	}
	_, err := e.hub.Do(ctx, e.meeting, e.clerk, live.Start{})
	must(t, "start", err)

	ida, pa, err := e.play(ctx, t, a)
	must(t, "play a", err)
	idb, pb, err := e.play(ctx, t, b)
	must(t, "play b", err)
	if !e.svc.Holds(ida) || !e.svc.Holds(idb) {
		t.Fatal("the players are not held")
	}
	waitStats(t, e.svc, 1, 2)
	if err := e.svc.End(e.meeting, sfu.KindRoom, ida); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("End as WHIP of a WHEP player: %v, want ErrNotFound", err)
	}

	// Revoked on this node: its player ends at once, the other stays.
	must(t, "revoke a", e.ms.RevokeMediaToken(ctx, e.meeting, a))
	e.svc.Revoked(e.meeting, a)
	if e.svc.Holds(ida) || !e.svc.Holds(idb) {
		t.Errorf("after revoking a: holds a %t, b %t; want only b", e.svc.Holds(ida), e.svc.Holds(idb))
	}
	must(t, "player a lost", pa.WaitLost(ctx))

	// Revoked elsewhere: the notification reaches Run.
	must(t, "revoke b", e.ms.RevokeMediaToken(ctx, e.meeting, b))
	must(t, "player b lost", pb.WaitLost(ctx))
	waitStats(t, e.svc, 0, 0) // the last player freed the room

	idc, pc, err := e.play(ctx, t, c)
	must(t, "play c", err)
	must(t, "end c", e.svc.End(e.meeting, sfu.KindViewer, idc))
	must(t, "player c lost", pc.WaitLost(ctx))
	waitStats(t, e.svc, 0, 0)

	_, pd, err := e.play(ctx, t, c)
	must(t, "play c again", err)
	e.svc.Close()
	must(t, "player lost at Close", pd.WaitLost(ctx))
	waitStats(t, e.svc, 0, 0)
}

// TestServiceMemberPresence: a member's peer on a Conn is the member's
// remote attendance; leaving ends it after the grace period. Viewers are
// refused in the non-public part.
func TestServiceMemberPresence(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(e.ctx, 40*time.Second)
	defer cancel()
	conn := e.svc.Conn(e.meeting, e.member, "192.0.2.1")
	if err := conn.Join(ctx, sfu.KindMember); !errors.Is(err, council.ErrConflict) {
		t.Fatalf("join before the start: %v, want ErrConflict", err)
	}
	_, err := e.hub.Do(ctx, e.meeting, e.clerk, live.Start{})
	must(t, "start", err)
	if err := e.svc.Conn(e.meeting, e.clerk, "192.0.2.2").Join(ctx, sfu.KindMember); !errors.Is(err, council.ErrForbidden) {
		t.Errorf("a clerk joins as a member: %v, want ErrForbidden", err)
	}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go conn.Run(runCtx)
	c, err := sfuclient.New(sfuclient.Options{Tag: "vera", PublishAudio: true, Send: conn.Signal})
	must(t, "client", err)
	t.Cleanup(c.Close)
	go func() {
		for {
			select {
			case <-runCtx.Done():
				return
			case s := <-conn.Signals():
				c.Handle(s)
			}
		}
	}()
	must(t, "join", conn.Join(ctx, sfu.KindMember))
	must(t, "connected", c.WaitConnected(ctx))
	go c.Publish(runCtx)
	mode := func(want string) {
		t.Helper()
		for {
			snap, err := e.hub.Snapshot(ctx, e.meeting, e.clerk)
			must(t, "snapshot", err)
			if len(snap.Roster) == 1 && snap.Roster[0].Mode == want {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("roster %+v, want Vera %s", snap.Roster, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	mode("remote")
	conn.Leave()
	mode("absent")
	waitStats(t, e.svc, 0, 0)

	_, err = e.hub.Do(ctx, e.meeting, e.clerk, live.SetPart{Part: live.PartNonPublic})
	must(t, "non-public", err)
	if err := e.svc.Conn(e.meeting, live.Actor{}, "192.0.2.3").Join(ctx, sfu.KindViewer); !errors.Is(err, council.ErrConflict) {
		t.Errorf("a viewer joins in the non-public part: %v, want ErrConflict", err)
	}
}
