package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestBenchHTTP(t *testing.T) {
	t.Parallel()
	var conditional atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/broken":
			http.Error(w, "no", http.StatusInternalServerError)
			return
		case "/cached":
			w.Header().Set("ETag", `"v1"`)
			if r.Header.Get("If-None-Match") == `"v1"` {
				conditional.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(ts.Close)

	code, out, errOut := runCmd(t, nil, "bench", "http", "--url", ts.URL, "--duration", "300ms", "--concurrency", "1",
		"--path", "/", "--path", "/broken")
	if code != 0 {
		t.Fatalf("bench http = %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("bench output has %d lines, want header + columns + 2 pages:\n%s", len(lines), out)
	}
	ok, broken := strings.Fields(lines[2]), strings.Fields(lines[3])
	if ok[0] != "/" || ok[1] != "1" || ok[2] == "0" || ok[3] != "0" {
		t.Errorf("row for / = %v, want 1 client, requests > 0 and no errors", ok)
	}
	if broken[0] != "/broken" || broken[2] != "0" || broken[3] == "0" {
		t.Errorf("row for /broken = %v, want 0 measured requests and errors > 0", broken)
	}

	// A sweep over client counts ends with a verdict per page; with
	// --revalidate the 304 answers count as requests, not errors.
	code, out, errOut = runCmd(t, nil, "bench", "http", "--url", ts.URL, "--duration", "200ms", "--concurrency", "1,3",
		"--revalidate", "--path", "/cached")
	if code != 0 {
		t.Fatalf("bench http sweep = %d, stderr %q", code, errOut)
	}
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[4], "/cached: ") || !strings.Contains(lines[4], "3 clients keep") {
		t.Fatalf("sweep output: want header, columns, rows for 1 and 3 clients and a verdict:\n%s", out)
	}
	for _, row := range lines[2:4] {
		if f := strings.Fields(row); f[3] != "0" || f[2] == "0" {
			t.Errorf("revalidating row %v: want requests and no errors", f)
		}
	}
	if conditional.Load() == 0 {
		t.Error("--revalidate sent no If-None-Match")
	}

	for _, tc := range []struct{ args []string }{
		{[]string{"bench"}},
		{[]string{"bench", "http", "--url", "ftp://x"}},
		{[]string{"bench", "http", "--url", "http://203.0.113.9:8080"}},
		{[]string{"bench", "http", "--url", ts.URL, "--concurrency", "0"}},
		{[]string{"bench", "http", "--url", ts.URL, "--concurrency", "1,x"}},
		{[]string{"bench", "http", "--url", ts.URL, "--concurrency", "4,1000"}},
	} {
		if code, _, errOut := runCmd(t, nil, tc.args...); code != 2 || errOut == "" {
			t.Errorf("plenar %v = %d (stderr %q), want 2 with a message", tc.args, code, errOut)
		}
	}
}
