package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
)

// TestPageCache runs the portal with the page cache on a real database:
// anonymous pages are public with validators and revalidate to 304, no
// anonymous answer sets a cookie, a logged-in page is never shared, and a
// change of visibility reaches the anonymous page as soon as the change
// is known (docs/ARCHITECTURE.md, "HTTP caching").
func TestPageCache(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var changes *council.Changes
	e := newTestEnvWith(t, slog.New(slog.DiscardHandler), func(o *Options) {
		changes = council.NewChanges(o.Pool, nil)
		o.Changes = changes
	})
	go changes.Run(ctx) //nolint:errcheck // ends with ctx
	_, err := e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Bauausschuss", Kind: council.KindCommittee})
	if err != nil {
		t.Fatal(err)
	}
	paper, err := e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: "Zwischenlager Ufermauer",
		Type: council.PaperMotion, Status: council.StatusSubmitted, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	waitChange := func(after int64) int64 {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			next := changes.Next()
			if seq := changes.Latest().Seq; seq > after {
				return seq
			}
			select {
			case <-next:
			case <-deadline:
				t.Fatalf("no change after %d known within 30 s", after)
			}
		}
	}
	// known waits until the cache knows every change committed so far.
	known := func() {
		t.Helper()
		for seq, last := int64(-1), lastOutbox(t, e); seq < last; {
			seq = waitChange(seq)
		}
	}
	known()

	anon := e.anon()
	get := func(c *http.Client, path string, hdr ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	paperPath := "/papers/" + paper.ID.String()
	for _, path := range []string{"/", "/meetings", "/papers", paperPath, "/bodies"} {
		resp, body := get(anon, path)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Cache-Control"), "public, max-age=") ||
			resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("anonymous %s: %d, Cache-Control %q, ETag %q", path, resp.StatusCode,
				resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
			continue
		}
		if c := resp.Header.Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("anonymous %s sets cookies %q", path, c)
		}
		nm, nmBody := get(anon, path, "If-None-Match", resp.Header.Get("ETag"))
		if nm.StatusCode != http.StatusNotModified || nmBody != "" {
			t.Errorf("anonymous %s with its ETag: %d, want 304", path, nm.StatusCode)
		}
		_ = body
	}
	if _, body := get(anon, "/papers"); !strings.Contains(body, "Zwischenlager Ufermauer") {
		t.Fatal("the public paper is not listed")
	}

	// A logged-in page is personal: never public, never from the cache.
	member, _ := e.login(t, council.RoleMember)
	resp, body := get(member, "/papers")
	if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" || resp.Header.Get("ETag") != "" {
		t.Errorf("logged-in /papers: Cache-Control %q, ETag %q; want private, no-store without a validator", cc, resp.Header.Get("ETag"))
	}
	if !strings.Contains(body, "Abmelden") && !strings.Contains(body, "logout") {
		t.Errorf("logged-in /papers was not rendered for the member (served from the anonymous cache?)")
	}

	// The paper is made non-public: as soon as the change is known, the
	// anonymous list and page no longer show it, and the old validator
	// no longer answers 304.
	first, _ := get(anon, paperPath)
	paper.Public = false
	if _, err := e.council.SavePaper(ctx, paper); err != nil {
		t.Fatal(err)
	}
	known()
	if _, body := get(anon, "/papers"); strings.Contains(body, "Zwischenlager Ufermauer") {
		t.Error("the paper made non-public is still listed to the public")
	}
	if resp, _ := get(anon, paperPath, "If-None-Match", first.Header.Get("ETag")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the paper made non-public, revalidated with its old ETag: %d, want 404", resp.StatusCode)
	}
}

// lastOutbox is the newest outbox row of the test's database.
func lastOutbox(t *testing.T, e *testEnv) int64 {
	t.Helper()
	var id int64
	if err := e.srv.pool.QueryRow(context.Background(), `SELECT coalesce(max(id), 0) FROM outbox`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
