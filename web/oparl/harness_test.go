package oparl_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/plenar/plenar/cmd/plenar/demo"
	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
	"github.com/plenar/plenar/web/oparl"
)

const schemaBase = "https://schema.oparl.org/1.1/"

// testMonths is the size of the city the conformance test seeds: 14 months
// of meetings and papers, which has more than 1,000 public papers in the
// main body (the page-size cap; a year has about 1,060) and is 40 % of
// the full city.
const testMonths = 14

// demoEnv is a seeded demo city behind a test server. The full city
// (months 0) takes a minute to seed and is for the benchmark; tests seed
// the last few months, which has every kind of object.
type demoEnv struct {
	pool *pgxpool.Pool
	cs   *council.Store
	ms   *meetings.Store
	docs *documents.Store
	srv  *httptest.Server
	body council.ID
	base string // srv.URL + "/oparl/v1.1"
}

// newDemoEnv seeds a fresh database with the demo city (months of
// meetings and papers before now; 0: the full city) and starts the API on
// it. Cleanup is registered on t.
func newDemoEnv(t testing.TB, months int) *demoEnv {
	t.Helper()
	pool := pgtest.New(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := demo.SeedWith(ctx, pool, log, demo.Options{Now: time.Now(), Months: months}); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	// Fresh statistics, as autovacuum has them on a running system.
	if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatalf("analyze: %v", err)
	}
	e := &demoEnv{pool: pool, cs: council.NewStore(pool), ms: meetings.NewStore(pool),
		docs: documents.NewStore(pool, filepath.Join(t.TempDir(), "files"), documents.Limits{})}
	b, err := e.cs.MainBody(ctx)
	if err != nil {
		t.Fatalf("main body: %v", err)
	}
	e.body = b.ID
	r := chi.NewRouter()
	e.srv = httptest.NewServer(r)
	t.Cleanup(e.srv.Close)
	h, err := oparl.New(oparl.Options{Council: e.cs, Meetings: e.ms, Files: e.docs, BaseURL: e.srv.URL,
		License: "https://creativecommons.org/licenses/by/4.0/", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	r.Mount("/oparl", h)
	e.base = e.srv.URL + "/oparl/v1.1"
	return e
}

// repoRoot finds the directory of go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if gomod := strings.TrimSpace(string(out)); err == nil && gomod != "" && gomod != os.DevNull {
		return filepath.Dir(gomod)
	}
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// schemas are the compiled OParl 1.1 schemas by type name, with the
// property names each type allows.
type schemas struct {
	byType map[string]*jsonschema.Schema
	props  map[string]map[string]bool
}

// loadSchemas reads ../shared/oparl/schema/1.1 beside the repository and
// turns the non-standard "schema": "X.json" links into "$ref", so that
// embedded objects are validated too. This is an in-memory adaptation of
// the CC BY-SA 4.0 OParl schemas (OParl contributors).
func loadSchemas(t testing.TB) *schemas {
	t.Helper()
	// The schemas: PLENAR_OPARL_SCHEMAS, the shared copy beside the
	// repository, or the committed copy in testdata (see its SOURCE.md).
	var files []string
	var tried []string
	for _, dir := range []string{os.Getenv("PLENAR_OPARL_SCHEMAS"),
		filepath.Join(repoRoot(t), "..", "shared", "oparl", "schema", "1.1"),
		filepath.Join("testdata", "schema-1.1")} {
		if dir == "" {
			continue
		}
		tried = append(tried, dir)
		if files, _ = filepath.Glob(filepath.Join(dir, "*.json")); len(files) > 0 {
			break
		}
	}
	if len(files) == 0 {
		pgtest.Unavailable(t, "OParl 1.1 schemas not found in "+strings.Join(tried, ", "))
	}
	c := jsonschema.NewCompiler()
	s := &schemas{byType: map[string]*jsonschema.Schema{}, props: map[string]map[string]bool{}}
	var names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		doc = schemaToRef(doc)
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if m, ok := doc.(map[string]any); ok {
			if p, ok := m["properties"].(map[string]any); ok {
				s.props[name] = map[string]bool{}
				for k := range p {
					s.props[name][k] = true
				}
			}
		}
		if err := c.AddResource("https://schema.oparl.org/schema/1.1/"+filepath.Base(f), doc); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	for _, n := range names {
		sch, err := c.Compile("https://schema.oparl.org/schema/1.1/" + n + ".json")
		if err != nil {
			t.Fatalf("compile %s: %v", n, err)
		}
		s.byType[n] = sch
	}
	return s
}

func schemaToRef(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if s, ok := val.(string); k == "schema" && ok && strings.HasSuffix(s, ".json") {
				out["$ref"] = s
				continue
			}
			out[k] = schemaToRef(val)
		}
		return out
	case []any:
		for i := range x {
			x[i] = schemaToRef(x[i])
		}
	}
	return v
}

// response is a fetched URL.
type response struct {
	status int
	header http.Header
	body   []byte
}

func get(t testing.TB, c *http.Client, method, url string, hdr map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// must stops the test when err is not nil, naming what failed.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// serveOParl mounts an OParl handler on cs and ms at a test server and
// returns the API's base URL (…/oparl/v1.1).
func serveOParl(t testing.TB, cs *council.Store, ms *meetings.Store) string {
	t.Helper()
	r := chi.NewRouter()
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	h, err := oparl.New(oparl.Options{Council: cs, Meetings: ms, BaseURL: srv.URL, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("oparl: %v", err)
	}
	r.Mount("/oparl", h)
	return srv.URL + "/oparl/v1.1"
}

// fetchClean GETs u, wants 200 and a JSON object, and reports each of
// leaks that the response contains (leaks of what: of).
func fetchClean(t testing.TB, u, of string, leaks ...string) (string, map[string]any) {
	t.Helper()
	res := get(t, http.DefaultClient, http.MethodGet, u, nil)
	if res.status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", u, res.status, res.body)
	}
	for _, leak := range leaks {
		if strings.Contains(string(res.body), leak) {
			t.Errorf("GET %s shows %q of %s", u, leak, of)
		}
	}
	return string(res.body), decode(t, u, res.body)
}

func decode(t testing.TB, url string, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: not a JSON object: %v\n%s", url, err, b)
	}
	return m
}

func typeName(v map[string]any) string {
	s, _ := v["type"].(string)
	return strings.TrimPrefix(s, schemaBase)
}

func str(v any) string { s, _ := v.(string); return s }

func ids(data []any) []string {
	var out []string
	for _, d := range data {
		if m, ok := d.(map[string]any); ok {
			out = append(out, str(m["id"]))
		}
	}
	return out
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
