package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/migrations"
)

// benchVote runs the remote-voting benchmark of issue 16 in one command:
//
//	plenar bench vote [--db URL] [--members 60] [--watchers 1000] [--polls 20] [--window 10s]
//	                  [--window-polls 3] [--meetings 6] [--throughput-polls 10] [--kill] [--kill-polls 3]
//
// It creates a scratch database on the server --db names, fills it with a
// council of --members voting members (each a user with a password), one
// meeting per --meetings with every member checked in, and runs plenar
// serve on it as a child process. Members log in over HTTP like a browser
// and vote over their own live websocket; --watchers anonymous websocket
// clients watch the first meeting. Phases:
//
//   - window: --window-polls polls, each member voting at a random moment
//     within --window (the scenario);
//   - burst: --polls polls, all members voting at once;
//   - throughput: every meeting runs --throughput-polls burst polls at the
//     same time (many polls, ballots/s over all of them);
//   - kill (--kill): the child is killed with SIGKILL once half of a poll's
//     ballots are acknowledged, started again on the same database, and
//     every member sends their ballot again with the same ballot id.
//
// Polls cycle through open, named and secret. After every close the
// recorded result is compared with the acknowledged ballots.
func (a *app) benchVote(ctx context.Context, args []string) error {
	fs := a.flagSet("bench vote")
	var c voteBenchConfig
	fs.StringVar(&c.Server, "db", "", "admin URL of a PostgreSQL server for the scratch database (default: PLENAR_TEST_DATABASE_URL or the local server)")
	fs.IntVar(&c.Members, "members", 60, "voting members (the first chairs)")
	fs.IntVar(&c.Watchers, "watchers", 1000, "anonymous websocket clients watching the first meeting")
	fs.IntVar(&c.Polls, "polls", 20, "polls of the burst phase")
	fs.DurationVar(&c.Window, "window", 10*time.Second, "the window within which members vote in the window phase")
	fs.IntVar(&c.WindowPolls, "window-polls", 3, "polls of the window phase")
	fs.IntVar(&c.Meetings, "meetings", 6, "meetings voting at once in the throughput phase")
	fs.IntVar(&c.ThroughputPolls, "throughput-polls", 10, "polls per meeting in the throughput phase")
	fs.BoolVar(&c.Kill, "kill", false, "run the kill test: SIGKILL the server in the middle of a poll and restart it")
	fs.IntVar(&c.KillPolls, "kill-polls", 3, "polls of the kill test (each killed once)")
	phases := fs.String("phases", "window,burst,throughput", "phases to run, comma-separated: window, burst, throughput (kill: --kill)")
	fs.StringVar(&c.ServerLog, "server-log", "", "append the server's log to this file")
	if err := parse(fs, args); err != nil {
		return err
	}
	for p := range strings.SplitSeq(*phases, ",") {
		switch p = strings.TrimSpace(p); p {
		case "window", "burst", "throughput":
			c.Phases = append(c.Phases, p)
		case "kill":
			c.Kill = true
		case "":
		default:
			return usagef("--phases: unknown phase %q (window, burst, throughput)", p)
		}
	}
	switch {
	case c.Members < 2 || c.Members > 500:
		return usagef("--members must be 2..500")
	case c.Watchers < 0 || c.Watchers > 10000:
		return usagef("--watchers must be 0..10000")
	case c.Polls < 0 || c.WindowPolls < 0 || c.ThroughputPolls < 0 || c.KillPolls < 1 || c.Polls > 10000:
		return usagef("--polls, --window-polls, --throughput-polls must not be negative, --kill-polls at least 1")
	case c.Meetings < 1 || c.Meetings > 50:
		return usagef("--meetings must be 1..50")
	case c.Window < 0 || c.Window > 10*time.Minute:
		return usagef("--window must be 0..10m")
	}
	if c.Server == "" {
		c.Server, _ = a.env("PLENAR_TEST_DATABASE_URL")
	}
	if c.Server == "" {
		c.Server = testDatabaseURL
	}
	rep, err := runVoteBench(ctx, c, a.stdout)
	if err != nil {
		return fmt.Errorf("bench vote: %w", err)
	}
	if rep.Kill != nil && !rep.Kill.ok() {
		return fmt.Errorf("bench vote: the kill test failed: %s", rep.Kill)
	}
	if rep.Mismatches > 0 {
		return fmt.Errorf("bench vote: %d poll(s) whose result does not match the acknowledged ballots", rep.Mismatches)
	}
	return nil
}

// voteBenchConfig is what plenar bench vote runs.
type voteBenchConfig struct {
	Server                              string // admin URL of the PostgreSQL server
	Members, Watchers                   int
	Polls, WindowPolls, ThroughputPolls int
	Meetings, KillPolls                 int
	Window                              time.Duration
	Kill                                bool
	Phases                              []string
	ServerLog                           string
	exe                                 string // the server's executable; "": this one
}

// voteReport is what the benchmark measured.
type voteReport struct {
	Phases     []votePhase
	Kill       *killVerdict
	Mismatches int // polls whose result differs from the acknowledged ballots
}

// votePhase is one phase's measurements.
type votePhase struct {
	Name                string
	Polls, Ballots      int
	Elapsed             time.Duration // from the first open to the last close
	Acks, Results       []time.Duration
	Missed              int // watcher results not received within 10 s
	Throttled, Failures int
	// CPU time spent during the phase by the server child, by the
	// PostgreSQL backends of the scratch database and by this process
	// (the clients); zero where it could not be read.
	ServerCPU, PGCPU, ClientCPU time.Duration
}

func (p votePhase) rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Ballots) / p.Elapsed.Seconds()
}

// killVerdict counts what the kill test found.
type killVerdict struct {
	Polls, Acked, Unacked, Retried, Repeated int
	Lost, Double, Mismatch                   int
}

func (k *killVerdict) ok() bool { return k.Lost == 0 && k.Double == 0 && k.Mismatch == 0 }

func (k *killVerdict) String() string {
	return fmt.Sprintf("%d poll(s) killed: %d ballots acknowledged before the kill, %d not; after the restart %d sent again (%d answered as repeats); lost %d, counted twice %d, other mismatches %d",
		k.Polls, k.Acked, k.Unacked, k.Retried, k.Repeated, k.Lost, k.Double, k.Mismatch)
}

// runVoteBench sets up, runs the phases and prints the report to out.
func runVoteBench(ctx context.Context, c voteBenchConfig, out io.Writer) (voteReport, error) {
	var rep voteReport
	raiseFileLimit(c.Members*(c.Meetings+2) + c.Watchers + 256)
	admin, err := pgx.Connect(ctx, c.Server)
	if err != nil {
		return rep, fmt.Errorf("connect: %w", err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	name := "plenar_votebench_" + randomHex(6)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return rep, fmt.Errorf("create scratch database: %w", err)
	}
	defer func() {
		if _, err := admin.Exec(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(out, "drop %s: %v\n", name, err)
		}
	}()
	u, err := url.Parse(c.Server)
	if err != nil {
		return rep, err
	}
	u.Path = "/" + name
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		return rep, err
	}
	defer pool.Close()
	if err := migrations.Up(ctx, pool, nil); err != nil {
		return rep, fmt.Errorf("migrate: %w", err)
	}
	t0 := time.Now()
	b := &voteBench{cfg: c, pool: pool, out: out, closes: map[string]*pollCloses{}}
	if err := b.seed(ctx); err != nil {
		return rep, fmt.Errorf("seed: %w", err)
	}
	dataDir, err := os.MkdirTemp("", "plenar-votebench-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dataDir)
	b.srv = &voteServer{exe: c.exe, dbURL: u.String(), dataDir: dataDir, logPath: c.ServerLog}
	if err := b.srv.start(ctx); err != nil {
		return rep, err
	}
	defer b.srv.stop()
	defer b.closeAll()
	if err := b.login(ctx); err != nil {
		return rep, fmt.Errorf("log in: %w", err)
	}
	if err := b.connect(ctx); err != nil {
		return rep, fmt.Errorf("connect: %w", err)
	}
	// Statistics for the planner, as autovacuum gathers them on a live
	// database within a minute of such a change (the scratch database is
	// new, and a server may run with autovacuum off, as the test server
	// here does: its planner would then take the roster of 60 for a row).
	if _, err := b.pool.Exec(ctx, `ANALYZE`); err != nil {
		return rep, fmt.Errorf("analyze: %w", err)
	}
	// The server's own background work (search index, sockets' pings and
	// session checks) over 2 s before the first poll.
	idle := b.cpu(ctx)
	time.Sleep(2 * time.Second)
	idleCPU := b.cpu(ctx).server - idle.server
	fmt.Fprintf(out, "plenar bench vote: %d members, %d watchers, %d meetings; setup %s; server idle %.0f %% of a CPU; load average %s\n",
		c.Members, c.Watchers, c.Meetings, time.Since(t0).Round(time.Millisecond), 100*idleCPU.Seconds()/2, loadAverage())
	for _, ph := range c.Phases {
		var p votePhase
		var err error
		before := b.cpu(ctx)
		switch ph {
		case "window":
			p, err = b.sequence(ctx, "window", c.WindowPolls, c.Window)
		case "burst":
			p, err = b.sequence(ctx, "burst", c.Polls, 0)
		case "throughput":
			p, err = b.throughput(ctx)
		}
		if err != nil {
			return rep, fmt.Errorf("%s: %w", ph, err)
		}
		after := b.cpu(ctx)
		p.ServerCPU, p.ClientCPU = after.server-before.server, after.self-before.self
		for pid, t := range after.pg {
			p.PGCPU += t - before.pg[pid]
		}
		rep.Phases = append(rep.Phases, p)
	}
	if c.Kill {
		k, err := b.killTest(ctx)
		if err != nil {
			return rep, fmt.Errorf("kill test: %w", err)
		}
		rep.Kill = &k
	}
	rep.Mismatches = b.mismatches
	b.print(rep)
	return rep, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// raiseFileLimit raises the soft limit of open files to at least n (the
// child inherits it), as far as the hard limit allows.
func raiseFileLimit(n int) {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) != nil || l.Cur >= uint64(2*n) {
		return
	}
	l.Cur = min(max(uint64(2*n), l.Cur), l.Max)
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
}

// voteBench is one run's state.
type voteBench struct {
	cfg      voteBenchConfig
	pool     *pgxpool.Pool
	out      io.Writer
	srv      *voteServer
	members  []benchMember
	meetings []*benchMeeting
	watchers []*wsClient

	mu         sync.Mutex
	closes     map[string]*pollCloses // by poll id: when each watcher saw it closed
	mismatches int
	throttled  atomic.Int64
}

type benchMember struct {
	person council.ID
	email  string
	jar    http.CookieJar
}

// benchMeeting is a running session with every member's websocket and
// the chair's console (a second websocket of the chair).
type benchMeeting struct {
	id      council.ID
	console *wsClient
	conns   []*wsClient // by member
	polls   int
}

// pollCloses gathers the moments watchers received a poll's closed event.
type pollCloses struct {
	seen map[*wsClient]bool
	at   []time.Time
}

const benchPassword = "bench-vote-password-1"

// seed creates the council, its members and their accounts, the meetings
// (one public item each), and starts every session with all members in
// the room.
func (b *voteBench) seed(ctx context.Context) error {
	cs, ms := council.NewStore(b.pool), meetings.NewStore(b.pool)
	body, err := cs.CreateBody(ctx, council.Body{Name: "Stadt Benchheim"})
	if err != nil {
		return err
	}
	org, err := cs.SaveOrganization(ctx, council.Organization{BodyID: body.ID, Name: "Stadtrat", Kind: council.KindCouncil,
		StatutorySeats: b.cfg.Members})
	if err != nil {
		return err
	}
	hash, err := council.HashPassword(benchPassword)
	if err != nil {
		return err
	}
	for i := range b.cfg.Members {
		p, err := cs.SavePerson(ctx, council.Person{BodyID: body.ID, GivenName: "Rat", FamilyName: fmt.Sprintf("Mitglied %02d", i)})
		if err != nil {
			return err
		}
		role := "Mitglied"
		if i == 0 {
			role = "Vorsitzende"
		}
		if _, err := cs.SaveMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: org.ID, Role: role, VotingRight: true}); err != nil {
			return err
		}
		email := fmt.Sprintf("mitglied%03d@benchheim.example.org", i)
		if _, err := cs.CreateUser(ctx, council.User{Email: email, Role: council.RoleMember, PasswordHash: hash, PersonID: p.ID}); err != nil {
			return err
		}
		b.members = append(b.members, benchMember{person: p.ID, email: email})
	}
	cu, err := cs.CreateUser(ctx, council.User{Email: "buero@benchheim.example.org", Role: council.RoleClerk, PasswordHash: hash})
	if err != nil {
		return err
	}
	clerk := live.Actor{Viewer: council.Viewer{UserID: cu.ID, Role: council.RoleClerk}}
	hub := live.NewHub(b.pool, live.Options{})
	for i := range b.cfg.Meetings {
		m, err := ms.SaveMeeting(ctx, meetings.Meeting{BodyID: body.ID, Name: fmt.Sprintf("Ratssitzung %d", i+1),
			Start: time.Now().UTC().Truncate(time.Minute), Organizations: []council.ID{org.ID}})
		if err != nil {
			return err
		}
		if _, err := ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Beschlüsse", Public: true}); err != nil {
			return err
		}
		if _, err := ms.Invite(ctx, m.ID, time.Now().UTC()); err != nil {
			return err
		}
		if _, err := hub.Do(ctx, m.ID, clerk, live.Start{}); err != nil {
			return err
		}
		for _, mb := range b.members {
			if _, err := hub.Do(ctx, m.ID, clerk, live.CheckIn{Person: mb.person}); err != nil {
				return err
			}
		}
		b.meetings = append(b.meetings, &benchMeeting{id: m.ID, conns: make([]*wsClient, b.cfg.Members)})
	}
	return nil
}

// voteServer is the plenar serve child process.
type voteServer struct {
	exe, dbURL, dataDir, logPath string
	addr                         string
	env                          []string // more variables of the child (the mail test's PLENAR_SMTP_URL)
	cmd                          *exec.Cmd
	done                         chan struct{}
	log                          *tailBuffer
}

func (s *voteServer) base() string { return "http://" + s.addr }

// start runs plenar serve (on the same port as before, after a kill) and
// waits until it answers /healthz. The executable is this one; the test
// binary of cmd/plenar runs serve when its first argument is "serve"
// (bench_vote_test.go).
func (s *voteServer) start(ctx context.Context) error {
	if s.exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		s.exe = exe
	}
	if s.addr == "" {
		p, err := freePort()
		if err != nil {
			return err
		}
		s.addr = fmt.Sprintf("127.0.0.1:%d", p)
	}
	cmd := exec.Command(s.exe, "serve", "--addr", s.addr)
	cmd.Env = append(os.Environ(), "PLENAR_DATABASE_URL="+s.dbURL, "PLENAR_DATA_DIR="+s.dataDir, "PLENAR_BASE_URL="+s.base(),
		"PLENAR_LOG_LEVEL=warn", "PLENAR_MEDIA_UDP_PORT=0")
	cmd.Env = append(cmd.Env, s.env...)
	s.log = &tailBuffer{}
	var w io.Writer = s.log
	if s.logPath != "" {
		f, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		w = io.MultiWriter(s.log, f)
		defer f.Close() // the child holds its own descriptor
		cmd.Stderr, cmd.Stdout = f, f
	} else {
		cmd.Stderr, cmd.Stdout = w, io.Discard
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start plenar serve: %w", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(s.base() + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("plenar serve exited: %s", s.log.String())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("plenar serve not healthy after 2 min: %s", s.log.String())
		}
	}
}

// tailBuffer keeps the last 16 KiB written to it, for error messages.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - 16<<10; over > 0 {
		t.b = t.b[over:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// kill ends the child with SIGKILL and waits for it.
func (s *voteServer) kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	s.cmd = nil
}

// stop ends the child with SIGTERM (SIGKILL after 20 s).
func (s *voteServer) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		<-s.done
	}
	s.cmd = nil
}

// login logs every member in over HTTP, two at a time (the password hash
// is deliberately expensive).
func (b *voteBench) login(ctx context.Context) error {
	return forEach(ctx, len(b.members), 2, func(i int) error {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		form := url.Values{"email": {b.members[i].email}, "password": {benchPassword}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.srv.base()+"/login", strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("%s: login answered %d", b.members[i].email, resp.StatusCode)
		}
		b.members[i].jar = jar
		return nil
	})
}

// forEach runs fn(0..n-1) on conc goroutines and returns the first error.
func forEach(ctx context.Context, n, conc int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(conc, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// connect opens the members' websockets to every meeting, the chair's
// consoles and the watchers' websockets to the first meeting.
func (b *voteBench) connect(ctx context.Context) error {
	for _, m := range b.meetings {
		if err := b.connectMeeting(ctx, m); err != nil {
			return err
		}
	}
	b.watchers = make([]*wsClient, b.cfg.Watchers)
	return forEach(ctx, b.cfg.Watchers, 16, func(i int) error {
		w, err := b.dial(ctx, b.meetings[0].id, nil)
		if err != nil {
			return fmt.Errorf("watcher %d: %w", i, err)
		}
		w.onClosed = b.sawClosed
		b.watchers[i] = w
		return nil
	})
}

func (b *voteBench) connectMeeting(ctx context.Context, m *benchMeeting) error {
	var err error
	if m.console, err = b.dial(ctx, m.id, b.members[0].jar); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	return forEach(ctx, len(b.members), 8, func(i int) error {
		c, err := b.dial(ctx, m.id, b.members[i].jar)
		if err != nil {
			return fmt.Errorf("member %d: %w", i, err)
		}
		m.conns[i] = c
		return nil
	})
}

func (b *voteBench) closeAll() {
	for _, m := range b.meetings {
		m.console.close()
		for _, c := range m.conns {
			c.close()
		}
	}
	for _, w := range b.watchers {
		w.close()
	}
}

// sawClosed records that watcher w received poll id's closed event.
func (b *voteBench) sawClosed(w *wsClient, id string, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	pc := b.closes[id]
	if pc == nil {
		pc = &pollCloses{seen: map[*wsClient]bool{}}
		b.closes[id] = pc
	}
	if !pc.seen[w] {
		pc.seen[w] = true
		pc.at = append(pc.at, at)
	}
}

// wsClient is one live websocket: a member's, a console or a watcher's.
type wsClient struct {
	conn     *websocket.Conn
	wmu      sync.Mutex
	mu       sync.Mutex
	waiting  map[string]chan wsReply
	next     atomic.Int64
	done     chan struct{}
	onClosed func(w *wsClient, poll string, at time.Time) // watchers
}

// wsReply is a command's ack or error.
type wsReply struct {
	ok   bool
	code string
	msg  string
	data json.RawMessage
}

func (b *voteBench) dial(ctx context.Context, meeting council.ID, jar http.CookieJar) (*wsClient, error) {
	d := websocket.Dialer{Jar: jar, HandshakeTimeout: 30 * time.Second, ReadBufferSize: 16 << 10, WriteBufferSize: 4 << 10}
	u := "ws://" + b.srv.addr + "/meetings/" + meeting.String() + "/live/ws"
	conn, resp, err := d.DialContext(ctx, u, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %s: %w (status %d)", u, err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial %s: %w", u, err)
	}
	c := &wsClient{conn: conn, waiting: map[string]chan wsReply{}, done: make(chan struct{})}
	go c.read()
	return c, nil
}

var (
	eventPrefix  = []byte(`{"v":1,"type":"event"`)
	pollKind     = []byte(`"kind":"poll"`)
	closedState  = []byte(`"state":"closed"`)
	pollIDPrefix = []byte(`"data":{"id":"`)
)

func (c *wsClient) read() {
	defer func() {
		c.mu.Lock()
		close(c.done)
		for id, ch := range c.waiting {
			ch <- wsReply{code: "closed", msg: "connection closed"}
			delete(c.waiting, id)
		}
		c.mu.Unlock()
	}()
	var buf bytes.Buffer // reused: a thousand watchers read every event
	for {
		_, fr, err := c.conn.NextReader()
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(fr); err != nil {
			return
		}
		b := buf.Bytes()
		if bytes.HasPrefix(b, eventPrefix) {
			if c.onClosed != nil && bytes.Contains(b, pollKind) && bytes.Contains(b, closedState) {
				at := time.Now()
				if i := bytes.Index(b, pollIDPrefix); i >= 0 && len(b) >= i+len(pollIDPrefix)+36 {
					c.onClosed(c, string(b[i+len(pollIDPrefix):i+len(pollIDPrefix)+36]), at)
				}
			}
			continue
		}
		var m struct {
			Type  string          `json:"type"`
			ID    string          `json:"id"`
			Data  json.RawMessage `json:"data"`
			Error *live.ErrorBody `json:"error"`
		}
		if json.Unmarshal(b, &m) != nil || (m.Type != "ack" && m.Type != "error") {
			continue
		}
		r := wsReply{ok: m.Type == "ack", data: m.Data}
		if m.Error != nil {
			r.code, r.msg = m.Error.Code, m.Error.Message
		}
		c.mu.Lock()
		ch := c.waiting[m.ID]
		delete(c.waiting, m.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	}
}

func (c *wsClient) close() {
	if c != nil {
		_ = c.conn.Close()
	}
}

// errClosed: the connection ended before the command was answered.
var errClosed = errors.New("connection closed before the answer")

// do sends command name with fields and waits for its answer. A refusal
// for sending too many commands (the server's per-connection limit) is
// retried after a pause and counted in throttled.
func (c *wsClient) do(ctx context.Context, name string, fields map[string]any, throttled *atomic.Int64) (wsReply, error) {
	for {
		r, err := c.send(ctx, name, fields)
		if err != nil || r.ok || r.code != string(council.KindUnavailable) || !strings.Contains(r.msg, "too many") {
			return r, err
		}
		throttled.Add(1)
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(110 * time.Millisecond):
		}
	}
}

func (c *wsClient) send(ctx context.Context, name string, fields map[string]any) (wsReply, error) {
	id := fmt.Sprintf("c%d", c.next.Add(1))
	msg := map[string]any{"v": live.ProtocolVersion, "type": "command", "id": id, "command": name}
	for k, v := range fields {
		msg[k] = v
	}
	ch := make(chan wsReply, 1)
	c.mu.Lock()
	select {
	case <-c.done:
		c.mu.Unlock()
		return wsReply{}, errClosed
	default:
	}
	c.waiting[id] = ch
	c.mu.Unlock()
	c.wmu.Lock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	err := c.conn.WriteJSON(msg)
	c.wmu.Unlock()
	if err != nil {
		c.mu.Lock()
		delete(c.waiting, id)
		c.mu.Unlock()
		return wsReply{}, fmt.Errorf("%s: %w", name, err)
	}
	select {
	case r := <-ch:
		if r.code == "closed" {
			return r, errClosed
		}
		return r, nil
	case <-ctx.Done():
		return wsReply{}, ctx.Err()
	case <-time.After(30 * time.Second):
		return wsReply{}, fmt.Errorf("%s: no answer within 30 s", name)
	}
}

// ballot is one member's ballot in a poll.
type ballot struct {
	member  int
	id      string
	choice  string
	acked   bool
	receipt string
	lat     time.Duration
}

var pollKinds = []string{"open", "named", "secret"}

// openPoll opens the next poll (kinds in turn) in meeting m and returns
// its id.
func (b *voteBench) openPoll(ctx context.Context, m *benchMeeting) (council.ID, string, error) {
	kind := pollKinds[m.polls%len(pollKinds)]
	m.polls++
	r, err := m.console.do(ctx, "open_poll", map[string]any{"kind": kind, "text": fmt.Sprintf("Beschluss Nr. %d (%s)", m.polls, kind)}, &b.throttled)
	if err != nil {
		return council.NilID, kind, err
	}
	if !r.ok {
		return council.NilID, kind, fmt.Errorf("open_poll: %s: %s", r.code, r.msg)
	}
	var id council.ID
	err = b.pool.QueryRow(ctx, `SELECT id FROM polls WHERE meeting_id = $1 AND state = 'open'`, m.id).Scan(&id)
	return id, kind, err
}

// newBallots draws every member's ballot: a fresh ballot id and a random
// choice.
func (b *voteBench) newBallots() []*ballot {
	out := make([]*ballot, len(b.members))
	for i := range out {
		out[i] = &ballot{member: i, id: "b" + randomHex(8), choice: []string{"yes", "no", "abstain"}[mathrand.IntN(3)]}
	}
	return out
}

// cast sends ballot bl over c and records the answer.
func (b *voteBench) cast(ctx context.Context, c *wsClient, poll council.ID, bl *ballot) (wsReply, error) {
	t0 := time.Now()
	r, err := c.do(ctx, "cast_ballot", map[string]any{"poll": poll.String(), "choice": []string{bl.choice}, "ballot": bl.id}, &b.throttled)
	if err != nil || !r.ok {
		return r, err
	}
	bl.lat, bl.acked = time.Since(t0), true
	var rep live.BallotReply
	if json.Unmarshal(r.data, &rep) == nil {
		bl.receipt = rep.Receipt
	}
	return r, nil
}

// pollRun is one poll's measurements.
type pollRun struct {
	acks           []time.Duration
	ballots, fails int
	closeAck       time.Time
	start, end     time.Time
	id             council.ID
}

// runPoll opens a poll in m, lets every member vote (member i after
// delay(i)), closes it when all have been answered and checks the result.
func (b *voteBench) runPoll(ctx context.Context, m *benchMeeting, delay func(int) time.Duration) (pollRun, error) {
	var pr pollRun
	pr.start = time.Now()
	id, kind, err := b.openPoll(ctx, m)
	if err != nil {
		return pr, err
	}
	pr.id = id
	bls := b.newBallots()
	var wg sync.WaitGroup
	var fails atomic.Int64
	begin := time.Now()
	for i, bl := range bls {
		wg.Go(func() {
			if d := delay(i) - time.Since(begin); d > 0 {
				time.Sleep(d)
			}
			r, err := b.cast(ctx, m.conns[i], id, bl)
			if err != nil || !r.ok {
				fails.Add(1)
				if fails.Load() == 1 {
					fmt.Fprintf(b.out, "ballot of member %d refused: %v %s %s\n", i, err, r.code, r.msg)
				}
			}
		})
	}
	wg.Wait()
	r, err := m.console.do(ctx, "close_poll", map[string]any{"poll": id.String()}, &b.throttled)
	pr.closeAck, pr.end = time.Now(), time.Now()
	if err != nil {
		return pr, err
	}
	if !r.ok {
		return pr, fmt.Errorf("close_poll: %s: %s", r.code, r.msg)
	}
	for _, bl := range bls {
		if bl.acked {
			pr.acks = append(pr.acks, bl.lat)
			pr.ballots++
		}
	}
	pr.fails = int(fails.Load())
	if problems := b.verify(ctx, id, kind, bls); len(problems) > 0 {
		b.mu.Lock()
		b.mismatches++
		b.mu.Unlock()
		fmt.Fprintf(b.out, "poll %s (%s): the result does not match the acknowledged ballots: %s\n", id, kind, strings.Join(problems, "; "))
	}
	return pr, nil
}

// verify compares poll id's recorded result with the acknowledged
// ballots: the count, the tally and each member's choice (open, named)
// or each receipt's (secret).
func (b *voteBench) verify(ctx context.Context, id council.ID, kind string, bls []*ballot) []string {
	var problems []string
	ms := meetings.NewStore(b.pool)
	p, err := ms.Poll(ctx, id, "")
	if err != nil {
		return []string{err.Error()}
	}
	want := map[string]int{}
	n := 0
	for _, bl := range bls {
		if bl.acked {
			want[bl.choice]++
			n++
		}
	}
	if p.State != meetings.PollClosed {
		problems = append(problems, fmt.Sprintf("state %s", p.State))
	}
	if p.Ballots != n {
		problems = append(problems, fmt.Sprintf("%d ballots recorded, %d acknowledged", p.Ballots, n))
	}
	if got := (map[string]int{"yes": p.Tally.Yes, "no": p.Tally.No, "abstain": p.Tally.Abstain}); got["yes"] != want["yes"] ||
		got["no"] != want["no"] || got["abstain"] != want["abstain"] {
		problems = append(problems, fmt.Sprintf("tally %v, acknowledged %v", got, want))
	}
	if kind == "secret" {
		urn, err := ms.SecretBallots(ctx, id)
		if err != nil {
			return append(problems, err.Error())
		}
		byReceipt := map[string][]string{}
		for _, s := range urn {
			byReceipt[s.Receipt] = s.Choice
		}
		for _, bl := range bls {
			if bl.acked && !slices.Equal(byReceipt[bl.receipt], []string{bl.choice}) {
				problems = append(problems, fmt.Sprintf("receipt %q of member %d: %v, acknowledged %s", bl.receipt, bl.member, byReceipt[bl.receipt], bl.choice))
			}
		}
		if len(urn) != n {
			problems = append(problems, fmt.Sprintf("%d ballots in the urn, %d acknowledged", len(urn), n))
		}
		return problems
	}
	votes, err := ms.Votes(ctx, id)
	if err != nil {
		return append(problems, err.Error())
	}
	byPerson := map[council.ID][]string{}
	for _, v := range votes {
		byPerson[v.PersonID] = v.Choice
	}
	for _, bl := range bls {
		if bl.acked && !slices.Equal(byPerson[b.members[bl.member].person], []string{bl.choice}) {
			problems = append(problems, fmt.Sprintf("member %d: %v recorded, acknowledged %s", bl.member, byPerson[b.members[bl.member].person], bl.choice))
		}
	}
	if len(votes) != n {
		problems = append(problems, fmt.Sprintf("%d choices recorded, %d acknowledged", len(votes), n))
	}
	return problems
}

// results returns how long after the close's acknowledgement each watcher
// received poll id's closed event (events that overtook the ack count as
// 0), waiting up to 10 s for all, and how many did not receive it.
func (b *voteBench) results(id council.ID, closeAck time.Time) ([]time.Duration, int) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.mu.Lock()
		pc := b.closes[id.String()]
		got := 0
		if pc != nil {
			got = len(pc.at)
		}
		if got >= len(b.watchers) || time.Now().After(deadline) {
			var out []time.Duration
			if pc != nil {
				for _, at := range pc.at {
					out = append(out, max(at.Sub(closeAck), 0))
				}
				delete(b.closes, id.String())
			}
			b.mu.Unlock()
			return out, len(b.watchers) - got
		}
		b.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
}

// sequence runs polls one after another in the first meeting: members
// vote at random moments within window, or all at once (window 0).
func (b *voteBench) sequence(ctx context.Context, name string, polls int, window time.Duration) (votePhase, error) {
	ph := votePhase{Name: name}
	t0 := b.throttled.Load()
	m := b.meetings[0]
	for range polls {
		delays := make([]time.Duration, len(b.members))
		if window > 0 {
			for i := range delays {
				delays[i] = time.Duration(mathrand.Int64N(int64(window)))
			}
		}
		pr, err := b.runPoll(ctx, m, func(i int) time.Duration { return delays[i] })
		if err != nil {
			return ph, err
		}
		res, missed := b.results(pr.id, pr.closeAck)
		ph.Polls++
		ph.Ballots += pr.ballots
		ph.Failures += pr.fails
		ph.Acks = append(ph.Acks, pr.acks...)
		ph.Results = append(ph.Results, res...)
		ph.Missed += missed
		ph.Elapsed += pr.end.Sub(pr.start)
	}
	ph.Throttled = int(b.throttled.Load() - t0)
	return ph, nil
}

// throughput runs ThroughputPolls burst polls in every meeting at once.
func (b *voteBench) throughput(ctx context.Context) (votePhase, error) {
	ph := votePhase{Name: "throughput"}
	t0 := b.throttled.Load()
	start := time.Now()
	var mu sync.Mutex
	var wg sync.WaitGroup
	var first error
	var closes []pollRun
	for mi, m := range b.meetings {
		wg.Go(func() {
			for range b.cfg.ThroughputPolls {
				pr, err := b.runPoll(ctx, m, func(int) time.Duration { return 0 })
				mu.Lock()
				if err != nil {
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
				ph.Polls++
				ph.Ballots += pr.ballots
				ph.Failures += pr.fails
				ph.Acks = append(ph.Acks, pr.acks...)
				if mi == 0 {
					closes = append(closes, pr)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	ph.Elapsed = time.Since(start)
	if first != nil {
		return ph, first
	}
	for _, pr := range closes {
		res, missed := b.results(pr.id, pr.closeAck)
		ph.Results = append(ph.Results, res...)
		ph.Missed += missed
	}
	ph.Throttled = int(b.throttled.Load() - t0)
	return ph, nil
}

// killTest runs KillPolls polls in the first meeting, each killed with
// SIGKILL once half of its ballots are acknowledged; after the restart
// every member sends their ballot again with the same ballot id. Before
// the retries the database must hold every acknowledged ballot; after the
// close, the result must count each member's ballot exactly once.
func (b *voteBench) killTest(ctx context.Context) (killVerdict, error) {
	var k killVerdict
	for _, w := range b.watchers {
		w.close()
	}
	b.watchers = nil
	for _, m := range b.meetings[1:] {
		m.console.close()
		for _, c := range m.conns {
			c.close()
		}
	}
	m := b.meetings[0]
	ms := meetings.NewStore(b.pool)
	for range b.cfg.KillPolls {
		id, kind, err := b.openPoll(ctx, m)
		if err != nil {
			return k, err
		}
		k.Polls++
		bls := b.newBallots()
		var acked atomic.Int64
		half := int64((len(bls) + 1) / 2)
		killed := make(chan struct{})
		var killOnce sync.Once
		kill := func() { killOnce.Do(func() { b.srv.kill(); close(killed) }) }
		var wg sync.WaitGroup
		for i, bl := range bls {
			wg.Go(func() {
				// Spread the ballots over a second, so the kill falls
				// between ballots in flight, acknowledged and unsent.
				select {
				case <-time.After(time.Duration(mathrand.Int64N(int64(time.Second)))):
				case <-killed:
					return
				}
				r, err := b.cast(ctx, m.conns[i], id, bl)
				if err == nil && r.ok && acked.Add(1) >= half {
					kill()
				}
			})
		}
		wg.Wait()
		kill() // in case fewer than half were acknowledged
		pre := map[int]bool{}
		for _, bl := range bls {
			if bl.acked {
				pre[bl.member] = true
			}
		}
		k.Acked += len(pre)
		k.Unacked += len(bls) - len(pre)
		if err := b.srv.start(ctx); err != nil {
			return k, fmt.Errorf("restart: %w", err)
		}
		// Every ballot acknowledged before the kill must be in the database.
		lost, err := b.lost(ctx, ms, id, kind, bls)
		if err != nil {
			return k, err
		}
		k.Lost += lost
		if err := b.connectMeeting(ctx, m); err != nil {
			return k, fmt.Errorf("reconnect: %w", err)
		}
		// Everyone sends their ballot again with the same ballot id: the
		// acknowledged ones are repeats, the others count now (or are
		// repeats, if they committed before the kill without an ack).
		var retryErr error
		var mu sync.Mutex
		for i, bl := range bls {
			wg.Go(func() {
				was := *bl
				r, err := b.cast(ctx, m.conns[i], id, bl)
				mu.Lock()
				defer mu.Unlock()
				k.Retried++
				if err != nil || !r.ok {
					if retryErr == nil {
						retryErr = fmt.Errorf("retry of member %d: %v %s %s", i, err, r.code, r.msg)
					}
					return
				}
				var rep live.BallotReply
				_ = json.Unmarshal(r.data, &rep)
				if rep.Repeated {
					k.Repeated++
				}
				if was.acked && (!rep.Repeated || (kind == "secret" && rep.Receipt != was.receipt)) {
					k.Mismatch++
				}
			})
		}
		wg.Wait()
		if retryErr != nil {
			return k, retryErr
		}
		r, err := m.console.do(ctx, "close_poll", map[string]any{"poll": id.String()}, &b.throttled)
		if err != nil {
			return k, err
		}
		if !r.ok {
			return k, fmt.Errorf("close_poll after the restart: %s: %s", r.code, r.msg)
		}
		p, err := ms.Poll(ctx, id, "")
		if err != nil {
			return k, err
		}
		if extra := p.Ballots - len(bls); extra > 0 {
			k.Double += extra
		}
		if sum := p.Tally.Yes + p.Tally.No + p.Tally.Abstain; sum > len(bls) {
			k.Double = max(k.Double, sum-len(bls))
		}
		if problems := b.verify(ctx, id, kind, bls); len(problems) > 0 {
			k.Mismatch++
			fmt.Fprintf(b.out, "kill test, poll %s (%s): %s\n", id, kind, strings.Join(problems, "; "))
		}
	}
	return k, nil
}

// lost counts the ballots acknowledged before the kill that the database
// does not hold as acknowledged.
func (b *voteBench) lost(ctx context.Context, ms *meetings.Store, id council.ID, kind string, bls []*ballot) (int, error) {
	voters := map[council.ID]bool{}
	rows, err := b.pool.Query(ctx, `SELECT person_id FROM poll_voters WHERE poll_id = $1`, id)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var p council.ID
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return 0, err
		}
		voters[p] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, bl := range bls {
		if !bl.acked {
			continue
		}
		ok := voters[b.members[bl.member].person]
		if ok && kind == "secret" {
			choice, found, err := ms.SecretBallot(ctx, id, bl.receipt)
			if err != nil {
				return 0, err
			}
			ok = found && slices.Equal(choice, []string{bl.choice})
		} else if ok {
			choice, _, found, err := ms.Choice(ctx, id, b.members[bl.member].person)
			if err != nil {
				return 0, err
			}
			ok = found && slices.Equal(choice, []string{bl.choice})
		}
		if !ok {
			n++
		}
	}
	return n, nil
}

// cpuSample is the CPU time used so far by the server child, the
// PostgreSQL backends of the scratch database (by pid; only when the
// server runs on this machine) and this process.
type cpuSample struct {
	server, self time.Duration
	pg           map[int]time.Duration
}

func (b *voteBench) cpu(ctx context.Context) cpuSample {
	s := cpuSample{pg: map[int]time.Duration{}}
	if b.srv.cmd != nil {
		s.server = procCPU(b.srv.cmd.Process.Pid)
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	rows, err := b.pool.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		return s
	}
	defer rows.Close()
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) == nil {
			s.pg[pid] = procCPU(pid)
		}
	}
	return s
}

// procCPU reads the user and system CPU time of process pid from
// /proc/<pid>/stat (Linux; 0 elsewhere or when it cannot be read). Clock
// ticks are taken as 100 per second (USER_HZ on every Linux platform Go
// supports).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	var ut, st int64
	_, _ = fmt.Sscan(f[11], &ut)
	_, _ = fmt.Sscan(f[12], &st)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

func pctl(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return loadResult{lat: s}.pct(p)
}

// print writes the table and a verdict per target.
func (b *voteBench) print(rep voteReport) {
	tw := tabwriter.NewWriter(b.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tpolls\tballots\tballots/s\tack p50\tp95\tp99\tmax ms\tresult p50\tp95\tp99\tmax ms\tmissed\tthrottled\trefused\t")
	for _, p := range rep.Phases {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%d\t\n", p.Name, p.Polls, p.Ballots, p.rate(),
			ms(pctl(p.Acks, 50)), ms(pctl(p.Acks, 95)), ms(pctl(p.Acks, 99)), ms(pctl(p.Acks, 100)),
			ms(pctl(p.Results, 50)), ms(pctl(p.Results, 95)), ms(pctl(p.Results, 99)), ms(pctl(p.Results, 100)),
			p.Missed, p.Throttled, p.Failures)
	}
	_ = tw.Flush()
	tw = tabwriter.NewWriter(b.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\twall s\tCPU s: server\tPostgreSQL\tclients\tCPU ms per ballot: server\tPostgreSQL\tclients\t")
	for _, p := range rep.Phases {
		per := func(d time.Duration) float64 { return ms(d) / float64(max(p.Ballots, 1)) }
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f\t\n", p.Name, p.Elapsed.Seconds(), p.ServerCPU.Seconds(),
			p.PGCPU.Seconds(), p.ClientCPU.Seconds(), per(p.ServerCPU), per(p.PGCPU), per(p.ClientCPU))
	}
	_ = tw.Flush()
	verdict := func(ok bool) string {
		if ok {
			return "PASS"
		}
		return "FAIL"
	}
	for _, p := range rep.Phases {
		if p.Polls == 0 {
			continue
		}
		if p.Name != "throughput" {
			fmt.Fprintf(b.out, "%s  %s: ballots acknowledged p99 %.1f ms (target ≤ 100 ms), %d refused\n",
				verdict(pctl(p.Acks, 99) <= 100*time.Millisecond && p.Failures == 0), p.Name, ms(pctl(p.Acks, 99)), p.Failures)
		}
		if len(b.cfg.Phases) > 0 && b.cfg.Watchers > 0 {
			fmt.Fprintf(b.out, "%s  %s: result on every client p99 %.1f ms after the close (target ≤ 250 ms), %d missed\n",
				verdict(pctl(p.Results, 99) <= 250*time.Millisecond && p.Missed == 0), p.Name, ms(pctl(p.Results, 99)), p.Missed)
		}
		if p.Name == "throughput" {
			fmt.Fprintf(b.out, "%s  %s: %.0f ballots/s sustained over %d polls in %d meetings (target ≥ 1000)\n",
				verdict(p.rate() >= 1000), p.Name, p.rate(), p.Polls, b.cfg.Meetings)
		}
	}
	fmt.Fprintf(b.out, "%s  results match the acknowledged ballots in every poll (%d mismatches)\n", verdict(rep.Mismatches == 0), rep.Mismatches)
	if rep.Kill != nil {
		fmt.Fprintf(b.out, "%s  kill test: %s\n", verdict(rep.Kill.ok()), rep.Kill)
	}
}
