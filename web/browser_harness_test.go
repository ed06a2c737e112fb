package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/migrations/pgtest"
)

// chromiumPath finds Debian's Chromium (or PLENAR_CHROMIUM).
func chromiumPath() (string, error) {
	if p := os.Getenv("PLENAR_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium in PATH (Debian: apt-get install chromium)")
}

// chromiumOptions are the flags every browser test starts Chromium with
// (headless, no background networking: this machine's network is closed;
// German, the product's default, whatever the machine's locale), a fresh
// profile, and extra. Without Chromium the test skips locally and fails
// under CI=true.
func chromiumOptions(t testing.TB, extra ...chromedp.ExecAllocatorOption) (string, []chromedp.ExecAllocatorOption) {
	t.Helper()
	path, err := chromiumPath()
	if err != nil {
		pgtest.Unavailable(t, err.Error())
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "de-DE"),
		chromedp.Flag("accept-lang", "de-DE,de"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	return path, append(opts, extra...)
}

// newBrowser starts a headless Chromium for t and returns a chromedp
// context with a tab; everything is closed in t.Cleanup. Without Chromium
// the test skips locally and fails under CI=true.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path, opts := chromiumOptions(t)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	watchThirdParty(t, tctx)
	return tctx
}

// watchThirdParty fails t when a page in the tab of ctx requests any host
// but the test servers' (loopback) — no font, script, image or beacon of a
// third party on any page (docs/DOMAIN.md, "Personal data"). data:,
// blob:, about: and the browser's own schemes are no requests to a host;
// WebRTC's ICE is not HTTP and not seen here. Checked when the test ends.
func watchThirdParty(t testing.TB, ctx context.Context) {
	bad := thirdPartyRequests(t, ctx)
	t.Cleanup(func() {
		for _, u := range bad() {
			t.Errorf("request to a third-party host: %s", u)
		}
	})
}

// thirdPartyRequests listens to the tab of ctx and returns what it has
// requested from hosts but the test servers' so far.
func thirdPartyRequests(t testing.TB, ctx context.Context) func() []string {
	var mu sync.Mutex
	var bad []string
	if err := chromedp.Listen(ctx, func(ev any) {
		e, ok := ev.(*network.EventRequestWillBeSent)
		if !ok || e.Request == nil || firstParty(e.Request.URL) {
			return
		}
		mu.Lock()
		bad = append(bad, e.Request.URL+" (from "+e.DocumentURL+")")
		mu.Unlock()
	}); err != nil {
		t.Fatalf("listen to network events: %v", err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(bad)
	}
}

// firstParty reports whether raw is a URL the test's own servers answer
// (a loopback host) or no network request at all.
func firstParty(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob", "about", "chrome", "chrome-extension", "devtools":
		return true
	}
	h := u.Hostname()
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.IsLoopback()
}

// axeSource returns axe-core's axe.min.js (PLENAR_AXE_JS, or the npm cache
// that .ci/run fills). Missing: skip locally, fail under CI=true.
func axeSource(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("PLENAR_AXE_JS")}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".cache/plenar-npm/node_modules/axe-core/axe.min.js"))
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if b, err := os.ReadFile(c); err == nil {
			return string(b)
		}
	}
	pgtest.Unavailable(t, "axe-core not found (npm install --prefix ~/.cache/plenar-npm axe-core@4, or set PLENAR_AXE_JS)")
	return ""
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// runAxe runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page loaded in
// ctx and returns its serious and critical violations. The source is
// injected through the DevTools protocol, so the page's CSP (no inline
// scripts) stays as it is.
func runAxe(t *testing.T, ctx context.Context, axe string) []axeViolation {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
		t.Fatalf("inject axe: %v", err)
	}
	js := `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
		.then(r => JSON.stringify(r.violations))`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe: %v", err)
	}
	var all []axeViolation
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		t.Fatalf("axe result: %v", err)
	}
	var bad []axeViolation
	for _, v := range all {
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, v)
		}
	}
	return bad
}

func describeViolations(vs []axeViolation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "\n  [%s] %s: %s", v.Impact, v.ID, v.Help)
		for i, n := range v.Nodes {
			if i == 3 {
				fmt.Fprintf(&b, "\n      … %d more", len(v.Nodes)-3)
				break
			}
			fmt.Fprintf(&b, "\n      %v %s", n.Target, n.HTML)
		}
	}
	return b.String()
}

// submitAndWait submits the form that contains the element sel (a field
// or a button) and waits until the next document has loaded. It marks the
// current window first and polls until a window without the mark is
// complete, so it neither races the navigation nor depends on the URL
// changing (a form re-rendered with errors keeps its URL).
func submitAndWait(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		if (!el) return false;
		window.__plenarOld = true;
		const form = el.form || el.closest("form");
		if (el.tagName === "BUTTON" || (el.tagName === "INPUT" && el.type === "submit")) form.requestSubmit(el);
		else form.requestSubmit();
		return true;
	})()`, sel)
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		t.Fatalf("submit %s: found %t, %v", sel, ok, err)
	}
	waitNewDocument(t, ctx, "submit "+sel)
}

// navigate loads url and waits for the document.
func navigate(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("load %s: %v", url, err)
	}
}

func waitNewDocument(t testing.TB, ctx context.Context, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
			`window.__plenarOld === undefined && document.readyState === "complete"`))
		if err == nil && done {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: no new page within 20 s", what)
}

// pathOf returns the browser's current path and query, relative to base.
func pathOf(t *testing.T, ctx context.Context, base string) string {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("location: %v", err)
	}
	return strings.TrimPrefix(loc, base)
}

// setBrowserCookie gives the browser of ctx the session cookie ck for the
// test server at base (http://127.0.0.1:port), so its pages open as that
// user.
func setBrowserCookie(t testing.TB, ctx context.Context, base string, ck *http.Cookie) {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	host = host[:strings.IndexByte(host, ':')]
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: ck.Name, Value: ck.Value, Domain: host, Path: "/"})
		return err
	})); err != nil {
		t.Fatalf("set session cookie: %v", err)
	}
}

// waitScript waits up to 20 s until the page in ctx has an element
// matching sel: what a script marks when it has enhanced the page.
func waitScript(t *testing.T, ctx context.Context, sel, what string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`!!document.querySelector(%q)`, sel),
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// evalString evaluates js in the page of ctx and returns its string value.
func evalString(t testing.TB, ctx context.Context, js string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// pressKeys types keys (text or kb.* keys) into the focused element.
func pressKeys(t *testing.T, ctx context.Context, keys string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(keys)); err != nil {
		t.Fatalf("key %q: %v", keys, err)
	}
}

// pollTrue waits up to 10 s until js is true in the page of ctx; if it
// never is, the test fails with what and detail(), evaluated then.
func pollTrue(t *testing.T, ctx context.Context, what, js string, detail func() string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("%s: %v (%s)", what, err, detail())
	}
}

// TestThirdPartyWatch: the watch that every browser test runs sees what a
// page would fetch from another host (a tracking pixel, a web font) and
// not the page's own requests.
func TestThirdPartyWatch(t *testing.T) {
	t.Parallel()
	path, opts := chromiumOptions(t)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	seen := thirdPartyRequests(t, ctx)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/own.css" {
			w.Header().Set("Content-Type", "text/css")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="de"><head><title>t</title><link rel="stylesheet" href="/own.css">
<link rel="stylesheet" href="https://fonts.tracker.invalid/css?family=Roboto"></head>
<body><img src="http://pixel.tracker.invalid/p.gif" alt=""></body></html>`)
	}))
	defer ts.Close()
	navigate(t, ctx, ts.URL+"/")
	deadline := time.Now().Add(10 * time.Second)
	for len(seen()) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := strings.Join(seen(), "\n")
	for _, want := range []string{"https://fonts.tracker.invalid/css?family=Roboto", "http://pixel.tracker.invalid/p.gif"} {
		if !strings.Contains(got, want) {
			t.Errorf("the watch missed %s; saw:\n%s", want, got)
		}
	}
	if strings.Contains(got, "own.css") || strings.HasPrefix(got, ts.URL) || strings.Contains(got, "\n"+ts.URL) {
		t.Errorf("the watch reports the page's own requests:\n%s", got)
	}
}
