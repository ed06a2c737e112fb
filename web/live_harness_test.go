package web

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/migrations/pgtest"
)

const liveSecretTitle = "Grundstücksverkauf Geheimweg 7"

// liveEnv is a testEnv whose server has a running hub, with a council of
// three voting members (persons[0] chairs) and an invited meeting with the
// items Ö 1 "Haushalt 2027", N 1 (secret title), Ö 2 "Radwege".
type liveEnv struct {
	*testEnv
	hub     *live.Hub
	org     council.Organization
	persons []council.Person
	meeting meetings.Meeting
	items   []meetings.AgendaItem
	sockets *atomic.Int64 // the node's websocket requests still being handled
}

func newLiveEnv(t testing.TB, opts ...func(*Options)) *liveEnv {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.New(t)
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("PLENAR_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, ts, hub, sockets := startLiveNode(t, pool, log, opts...)
	cs, ms := council.NewStore(pool), meetings.NewStore(pool)
	body, err := cs.CreateBody(ctx, council.Body{Name: "Stadt Musterstadt", ShortName: "Musterstadt"})
	liveMust(t, "create body", err)
	e := &liveEnv{testEnv: &testEnv{srv: srv, ts: ts, council: cs, meetings: ms, body: body}, hub: hub, sockets: sockets}
	e.org, err = cs.SaveOrganization(ctx, council.Organization{BodyID: body.ID, Name: "Stadtrat", Kind: council.KindCouncil, StatutorySeats: 3})
	liveMust(t, "save organization", err)
	for i, name := range []string{"Vorsitz", "Beate", "Carl"} {
		p, err := cs.SavePerson(ctx, council.Person{BodyID: body.ID, GivenName: name, FamilyName: fmt.Sprintf("Rat%d", i)})
		liveMust(t, "save person", err)
		role := "Mitglied"
		if i == 0 {
			role = "Vorsitzende"
		}
		_, err = cs.SaveMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: e.org.ID, Role: role, VotingRight: true})
		liveMust(t, "save membership", err)
		e.persons = append(e.persons, p)
	}
	e.meeting, err = ms.SaveMeeting(ctx, meetings.Meeting{BodyID: body.ID, Name: "Ratssitzung",
		Start: time.Now().Add(-time.Hour).UTC().Truncate(time.Minute), Organizations: []council.ID{e.org.ID}})
	liveMust(t, "save meeting", err)
	for _, it := range []struct {
		name   string
		public bool
	}{{"Haushalt 2027", true}, {liveSecretTitle, false}, {"Radwege", true}} {
		x, err := ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: e.meeting.ID, Name: it.name, Public: it.public})
		liveMust(t, "save agenda item", err)
		e.items = append(e.items, x)
	}
	_, err = ms.Invite(ctx, e.meeting.ID, time.Now().Add(-14*24*time.Hour))
	liveMust(t, "invite", err)
	return e
}

// startLiveNode starts a web node on pool with its own running hub, as
// one process of several on one database; it stops with the test. It
// counts the websocket requests the node is handling (their handlers and
// middleware included).
func startLiveNode(t testing.TB, pool *pgxpool.Pool, log *slog.Logger, opts ...func(*Options)) (*Server, *httptest.Server, *live.Hub, *atomic.Int64) {
	t.Helper()
	hub := live.NewHub(pool, live.Options{Log: log, CatchUp: time.Second})
	hctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.Run(hctx) }()
	opt := Options{Pool: pool, Log: log, BaseURL: "http://plenar.test", Version: "test", InsecureCookies: true,
		DataDir: t.TempDir(), Live: hub}
	for _, f := range opts {
		f(&opt)
	}
	srv, err := New(opt)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	sockets := new(atomic.Int64)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if websocket.IsWebSocketUpgrade(r) {
			sockets.Add(1)
			defer sockets.Add(-1)
		}
		srv.ServeHTTP(w, r)
	}))
	watched := make(chan error, 2)
	go func() { watched <- srv.Watch(hctx) }()
	if opt.Media != nil {
		go func() { watched <- opt.Media.Run(hctx) }()
	}
	t.Cleanup(func() {
		cancel()
		<-done
		<-watched
		ts.Close()
		if opt.Media != nil {
			<-watched
			opt.Media.Close()
		}
	})
	select {
	case <-hub.Listening():
	case <-time.After(10 * time.Second):
		t.Fatal("hub does not listen")
	}
	select {
	case <-srv.wake.Listening():
	case <-time.After(10 * time.Second):
		t.Fatal("the session watcher does not listen")
	}
	if opt.Media != nil {
		select {
		case <-opt.Media.Listening():
		case <-time.After(10 * time.Second):
			t.Fatal("the media token watcher does not listen")
		}
	}
	return srv, ts, hub, sockets
}

// otherNode returns e as seen through a second web node on the same
// database (another process): its own server, hub and options (withMedia:
// its own SFU); the data and the sessions are shared.
func (e *liveEnv) otherNode(t *testing.T, opts ...func(*Options)) *liveEnv {
	t.Helper()
	srv, ts, hub, sockets := startLiveNode(t, e.srv.pool, e.srv.log, opts...)
	te := *e.testEnv
	te.srv, te.ts = srv, ts
	n := *e
	n.testEnv, n.hub, n.sockets = &te, hub, sockets
	return &n
}

func liveMust(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// newMember creates a member account (password testPassword) linked to
// person p.
func (e *liveEnv) newMember(t testing.TB, p council.Person) council.User {
	t.Helper()
	hash, err := council.HashPassword(testPassword)
	liveMust(t, "hash password", err)
	u, err := e.council.CreateUser(context.Background(), council.User{Email: "m-" + council.NewID().String()[:8] + "@plenar.test",
		DisplayName: p.GivenName, PasswordHash: hash, Role: council.RoleMember, PersonID: p.ID})
	liveMust(t, "create member", err)
	return u
}

// loginMember creates a member account linked to person p and logs it in.
func (e *liveEnv) loginMember(t *testing.T, p council.Person) *http.Client {
	t.Helper()
	u := e.newMember(t, p)
	c := e.anon()
	resp := e.postForm(t, c, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login member: status %d", resp.StatusCode)
	}
	return c
}

// withMedia gives the server live media (meetings/media) on a
// loopback-only SFU on one shared UDP port, as in production
// (PLENAR_MEDIA_UDP_PORT), with a Presence with a short grace period;
// deps change the media's dependencies (ICE, limits, clock). The SFU and
// the Presence close with the test.
func withMedia(t testing.TB, deps ...func(*media.Deps)) func(*Options) {
	return func(o *Options) {
		var s *sfu.SFU
		var err error
		for try := 0; try < 5 && s == nil; try++ {
			// A port free a moment ago may be taken by a parallel test
			// before the SFU binds it: pick another.
			l, lerr := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			liveMust(t, "free udp port", lerr)
			port := l.LocalAddr().(*net.UDPAddr).Port
			liveMust(t, "free udp port", l.Close())
			s, err = sfu.New(sfu.Config{LoopbackOnly: true, UDPPort: port}, o.Log)
		}
		liveMust(t, "sfu", err)
		p := live.NewPresence(o.Live, 2*time.Second, o.Log)
		t.Cleanup(func() { // after the node's cleanup, which closes the media
			p.Close()
			_ = s.Close()
		})
		d := media.Deps{SFU: s, Live: o.Live, Pool: o.Pool, Tokens: meetings.NewStore(o.Pool), Presence: p, Log: o.Log}
		for _, f := range deps {
			f(&d)
		}
		o.Media = media.New(d)
	}
}

// clerkActor is an actor with staff rights for driving the hub directly.
func (e *liveEnv) clerkActor(t testing.TB) live.Actor {
	t.Helper()
	u := e.newTestUser(t, council.RoleClerk, false)
	return live.Actor{Viewer: council.Viewer{UserID: u.ID, Role: council.RoleClerk}}
}

func (e *liveEnv) do(t testing.TB, a live.Actor, c live.Command) int64 {
	t.Helper()
	seq, err := e.hub.Do(context.Background(), e.meeting.ID, a, c)
	if err != nil {
		t.Fatalf("Do(%s): %v", c.Name(), err)
	}
	return seq
}

// wsURL is the websocket URL of the meeting's live endpoint.
func (e *liveEnv) wsURL(query string) string {
	u := "ws" + strings.TrimPrefix(e.ts.URL, "http") + "/meetings/" + e.meeting.ID.String() + "/live/ws"
	if query != "" {
		u += "?" + query
	}
	return u
}

// dial opens the live websocket with c's cookies (nil: anonymous) and the
// test server as Origin.
func (e *liveEnv) dial(t *testing.T, c *http.Client, query string) *websocket.Conn {
	t.Helper()
	conn, resp, err := e.dialRaw(c, query, e.ts.URL)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", query, err, status)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func (e *liveEnv) dialRaw(c *http.Client, query, origin string) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	if c != nil {
		d.Jar = c.Jar
	}
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return d.Dial(e.wsURL(query), h)
}

// readMsg reads one server message within 10 s.
func readMsg(t *testing.T, conn *websocket.Conn) live.Message {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m live.Message
	if err := conn.ReadJSON(&m); err != nil {
		t.Fatalf("read message: %v", err)
	}
	return m
}

// readUntil reads messages until one satisfies ok, returning it and the
// ones before.
func readUntil(t *testing.T, conn *websocket.Conn, ok func(live.Message) bool) (live.Message, []live.Message) {
	t.Helper()
	var seen []live.Message
	for {
		m := readMsg(t, conn)
		if ok(m) {
			return m, seen
		}
		seen = append(seen, m)
	}
}

func isEvent(kind live.EventKind) func(live.Message) bool {
	return func(m live.Message) bool { return m.Type == live.TypeEvent && m.Kind == kind }
}

func sendCmd(t *testing.T, conn *websocket.Conn, id string, cmd live.CommandName, extra string) {
	t.Helper()
	msg := fmt.Sprintf(`{"v":1,"type":"command","id":%q,"command":%q%s}`, id, cmd, extra)
	if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatalf("send %s: %v", cmd, err)
	}
}
