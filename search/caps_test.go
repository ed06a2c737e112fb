package search_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search"
)

// logBuffer collects JSON log lines from several goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// records returns the logged records at level.
func (l *logBuffer) records(t testing.TB, level string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		if line == "" {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if r["level"] == level {
			out = append(out, r)
		}
	}
	return out
}

// babble returns at least n bytes of made-up words from a vocabulary of
// 5,000: text that packs about 4:1, so a DOCX of it passes the upload's
// zip-bomb checks, and that the analyser cannot skip through.
func babble(n int) string {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, 5000)
	for i := range vocab {
		w := make([]byte, 4+rng.IntN(8))
		for j := range w {
			w[j] = byte('a' + rng.IntN(26))
		}
		vocab[i] = string(w)
	}
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(vocab[rng.IntN(len(vocab))])
		b.WriteByte(' ')
	}
	return b.String()
}

// A file with more text than the index takes comes first in the outbox:
// the indexer reads and analyses only its first IndexTextLimit characters
// (a warning names the file and why), so one catch-up also indexes a
// small public change made after it. The file's text beyond the limit is
// not searchable.
func TestIndexerBoundsHugeText(t *testing.T) {
	e := newEnv(t)
	e.build(t)
	var logs logBuffer
	in := search.NewIndexer(e.pool, e.ix, slog.New(slog.NewJSONHandler(&logs, nil)))

	host := e.paper(t, council.Paper{Name: "Sammelanlage", Public: true})
	huge := e.file(t, "Riesendatei", true, paperLink(host),
		"Amselhecke "+babble(search.IndexTextLimit)+" Zaunkönigwiese")
	later := e.paper(t, council.Paper{Name: "Kleingartenanlage Drosselweg", Public: true})

	if _, err := in.CatchUp(e.ctx); err != nil {
		t.Fatalf("CatchUp: %v", err)
	}
	if !e.finds(t, council.Public, "Drosselweg", later.ID) {
		t.Error("the paper changed after the huge file is not indexed")
	}
	if !e.finds(t, council.Public, "Amselhecke", huge.ID) {
		t.Error("the start of the huge file's text is not indexed")
	}
	if e.finds(t, council.Public, "Zaunkönigwiese", huge.ID) {
		t.Errorf("a word after the first %d characters of a file is indexed: the indexer read all of it", search.IndexTextLimit)
	}
	var warned bool
	for _, r := range logs.records(t, "WARN") {
		if r["file_id"] == huge.ID.String() && r["reason"] != nil {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning with file_id %s and a reason; warnings: %v", huge.ID, logs.records(t, "WARN"))
	}
}
