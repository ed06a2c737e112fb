package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestBenchHTTP(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken" {
			http.Error(w, "no", http.StatusInternalServerError)
			return
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
	if ok[0] != "/" || ok[1] == "0" || ok[2] != "0" {
		t.Errorf("row for / = %v, want requests > 0 and no errors", ok)
	}
	if broken[0] != "/broken" || broken[1] != "0" || broken[2] == "0" {
		t.Errorf("row for /broken = %v, want 0 measured requests and errors > 0", broken)
	}

	for _, tc := range []struct{ args []string }{
		{[]string{"bench"}},
		{[]string{"bench", "http", "--url", "ftp://x"}},
		{[]string{"bench", "http", "--url", "http://203.0.113.9:8080"}},
		{[]string{"bench", "http", "--url", ts.URL, "--concurrency", "0"}},
	} {
		if code, _, errOut := runCmd(t, nil, tc.args...); code != 2 || errOut == "" {
			t.Errorf("plenar %v = %d (stderr %q), want 2 with a message", tc.args, code, errOut)
		}
	}
}
