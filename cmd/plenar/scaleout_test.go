package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/plenar/plenar/cmd/plenar/demo"
	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestScaleOutBehindNginx runs the deployment docs/DEPLOY.md describes:
// two plenar serve processes on one PostgreSQL and one files directory,
// behind a real nginx with docs/deploy/nginx-plenar.conf. Anonymous pages
// come from nginx's cache; a change made through one node is visible
// through the proxy within the pages' max-age and on the other node at
// once; live events reach viewers on both nodes.
func TestScaleOutBehindNginx(t *testing.T) {
	t.Parallel()
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr != nil {
			pgtest.Unavailable(t, "nginx is not installed (Debian package nginx-light)")
		}
		nginx = "/usr/sbin/nginx"
	}
	pool := pgtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := demo.SeedWith(ctx, pool, nil, demo.Options{Months: 2})
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	if res.Live == council.NilID {
		t.Fatal("the demo city has no live session")
	}

	shared := filepath.Join(t.TempDir(), "files")
	nodes := make([]string, 2)
	for i := range nodes {
		nodes[i] = startNode(ctx, t, map[string]string{
			"PLENAR_DATABASE_URL": pool.Config().ConnString(),
			"PLENAR_DATA_DIR":     filepath.Join(t.TempDir(), "data"),
			"PLENAR_FILES_DIR":    shared,
			"PLENAR_LOG_LEVEL":    "warn",
		})
	}
	proxy := startNginx(t, nginx, nodes)

	// Anonymous pages: the second request is nginx's.
	get := func(base, path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, _ := get(proxy, "/papers"); resp.StatusCode != 200 {
		t.Fatalf("GET /papers through nginx: %d", resp.StatusCode)
	}
	if resp, _ := get(proxy, "/papers"); resp.Header.Get("X-Cache-Status") != "HIT" {
		t.Errorf("second GET /papers through nginx: X-Cache-Status %q, want HIT", resp.Header.Get("X-Cache-Status"))
	}

	// A change (a store write, as node A's back office makes it): node B
	// shows it as soon as its change listener hears of it, the proxy
	// within the pages' max-age of 10 s.
	cs := council.NewStore(pool)
	_, list := get(nodes[0], "/papers")
	link := paperLink.FindStringSubmatch(list)
	if link == nil {
		t.Fatal("no paper on /papers")
	}
	id, err := council.ParseID(strings.TrimPrefix(link[1], "/papers/"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := cs.Paper(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	path := "/papers/" + p.ID.String()
	first, _ := get(proxy, path)
	if resp, _ := get(proxy, path); resp.Header.Get("X-Cache-Status") != "HIT" {
		// Say why: an uncacheable first answer (status, Cache-Control,
		// Set-Cookie) or a cache that did not store it.
		t.Errorf("the paper through nginx: X-Cache-Status %q, want HIT (first answer %d %q, Cache-Control %q, Set-Cookie %q; second %d %q)",
			resp.Header.Get("X-Cache-Status"), first.StatusCode, first.Header.Get("X-Cache-Status"), first.Header.Get("Cache-Control"),
			first.Header.Get("Set-Cookie"), resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	p.Name = "Neuer Titel " + fmt.Sprint(time.Now().UnixNano())
	if _, err := cs.SavePaper(ctx, p); err != nil {
		t.Fatal(err)
	}
	changed := time.Now()
	eventually := func(what string, within time.Duration, ok func() bool) time.Duration {
		t.Helper()
		for deadline := time.Now().Add(within); ; time.Sleep(100 * time.Millisecond) {
			if ok() {
				return time.Since(changed)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s", what, within)
			}
		}
	}
	onB := eventually("the change on node B", 5*time.Second, func() bool {
		_, body := get(nodes[1], path)
		return strings.Contains(body, p.Name)
	})
	viaProxy := eventually("the change through nginx", 25*time.Second, func() bool {
		_, body := get(proxy, path)
		return strings.Contains(body, p.Name)
	})
	t.Logf("change visible on node B after %s, through nginx after %s", onB, viaProxy)

	// Live: viewers on both nodes (and through the proxy) get the
	// session's events; the chair acts through the hub of a third party.
	dial := func(base string) *websocket.Conn {
		t.Helper()
		u := "ws" + strings.TrimPrefix(base, "http") + "/meetings/" + res.Live.String() + "/live/ws"
		conn, _, err := websocket.DefaultDialer.Dial(u, http.Header{"Origin": {base}})
		if err != nil {
			t.Fatalf("dial %s: %v", u, err)
		}
		t.Cleanup(func() { conn.Close() })
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		var m live.Message
		if err := conn.ReadJSON(&m); err != nil || m.Type != live.TypeSnapshot {
			t.Fatalf("%s: first message %+v, %v; want the snapshot", u, m, err)
		}
		return conn
	}
	viewers := []*websocket.Conn{dial(nodes[0]), dial(nodes[1]), dial(proxy)}
	clerk, err := cs.UserByEmail(ctx, demo.Logins()[1].Email)
	if err != nil {
		t.Fatal(err)
	}
	hub := live.NewHub(pool, live.Options{})
	if _, err := hub.Do(ctx, res.Live, live.Actor{Viewer: council.Viewer{UserID: clerk.ID, Role: council.RoleClerk}}, live.NextItem{}); err != nil {
		t.Fatalf("next item: %v", err)
	}
	for i, conn := range viewers {
		for {
			var m live.Message
			if err := conn.ReadJSON(&m); err != nil {
				t.Fatalf("viewer %d: %v before the item's event", i, err)
			}
			if m.Type == live.TypeEvent && m.Kind == live.EvItemChanged {
				break
			}
		}
	}
}

// startNode runs plenar serve with env until ctx ends and returns its
// base URL.
func startNode(ctx context.Context, t *testing.T, env map[string]string) string {
	t.Helper()
	listening := make(chan net.Addr, 1)
	var stderr syncBuffer
	a := &app{env: mapEnv(env), stdout: io.Discard, stderr: &stderr, onListen: func(addr net.Addr) { listening <- addr }}
	done := make(chan int, 1)
	go func() { done <- a.run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		t.Logf("node log:\n%s", stderr.String())
	})
	select {
	case addr := <-listening:
		return "http://" + addr.String()
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, stderr.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("serve not listening after 2 min: %s", stderr.String())
	}
	return ""
}

// startNginx runs nginx in the foreground with docs/deploy/nginx-plenar.conf,
// its upstreams pointed at nodes (the first is the media node), and
// returns its base URL.
func startNginx(t *testing.T, nginx string, nodes []string) string {
	t.Helper()
	site, err := os.ReadFile("../../docs/deploy/nginx-plenar.conf")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	host := func(u string) string { return strings.TrimPrefix(u, "http://") }
	conf := strings.NewReplacer(
		"/var/cache/nginx/plenar", filepath.Join(dir, "cache"),
		"server 127.0.0.1:8081;\n    server 127.0.0.1:8082;", "server "+host(nodes[0])+";\n    server "+host(nodes[1])+";",
		"server 127.0.0.1:8081;", "server "+host(nodes[0])+";",
		"listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;", port),
	).Replace(string(site))
	if strings.Contains(conf, ":8081") || strings.Contains(conf, "listen 80;") {
		t.Fatalf("docs/deploy/nginx-plenar.conf changed shape; the test's replacements no longer apply:\n%s", conf)
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n"
	}
	main := user + fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log stderr warn;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[1]s/plenar.conf;
}
`, dir)
	for name, text := range map[string]string{"plenar.conf": conf, "nginx.conf": main} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out syncBuffer
	cmd := exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", "stderr")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("nginx:\n%s", out.String())
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", host(base)); err == nil {
			c.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx not listening after 30 s:\n%s", out.String())
		}
	}
}
