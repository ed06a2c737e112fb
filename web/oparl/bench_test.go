package oparl_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
)

// BenchmarkOParl crawls the demo city's lists as a harvester does: a full
// crawl of every list page of 100 objects, then an incremental crawl with
// modified_since after a few changes. It reports requests/s and the
// p50/p95/p99 latency of a list page (one client; full4_req/s is the
// throughput of four). Run it with
//
//	go test -run '^$' -bench OParl -benchtime 1x ./web/oparl
func BenchmarkOParl(b *testing.B) {
	e := newDemoEnv(b, 0)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	lists := []string{e.base + "/body"}
	for _, l := range []string{"organization", "person", "meeting", "paper", "agendaItem", "consultation", "file",
		"location", "legislativeTerm", "membership"} {
		lists = append(lists, e.base+"/body/"+e.body.String()+"/"+l)
	}
	// Warm up the connection pool and PostgreSQL's caches.
	crawl(b, client, lists, "", 4)
	for b.Loop() {
		// Latency with one client, throughput with four.
		full := crawl(b, client, lists, "", 1)
		full.report(b, "full")
		par := crawl(b, client, lists, "", 4)
		b.ReportMetric(float64(len(par.pages))/par.elapsed.Seconds(), "full4_req/s")

		since := time.Now().Add(-time.Second)
		touch(b, e)
		inc := crawl(b, client, lists, "modified_since="+url.QueryEscape(since.Format(time.RFC3339)), 1)
		inc.report(b, "incr")
	}
}

// touch changes a few objects, as a day of clerk work does.
func touch(b *testing.B, e *demoEnv) {
	ctx := context.Background()
	ps, _, err := e.cs.OParlPapers(ctx, council.ListQuery{Body: e.body, Limit: 20})
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range ps {
		cs, err := e.cs.Consultations(ctx, p.ID)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range cs {
			if _, err := e.cs.SaveConsultation(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
	}
}

type crawlStats struct {
	pages   []time.Duration
	objects int
	elapsed time.Duration
}

func (s crawlStats) report(b *testing.B, name string) {
	slices.Sort(s.pages)
	pct := func(p float64) float64 {
		if len(s.pages) == 0 {
			return 0
		}
		return float64(s.pages[int(p*float64(len(s.pages)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(s.pages))/s.elapsed.Seconds(), name+"_req/s")
	b.ReportMetric(pct(0.50), name+"_p50_ms")
	b.ReportMetric(pct(0.95), name+"_p95_ms")
	b.ReportMetric(pct(0.99), name+"_p99_ms")
	b.ReportMetric(float64(len(s.pages)), name+"_pages")
	b.ReportMetric(float64(s.objects), name+"_objects")
}

// crawl follows every list's next links with workers lists in parallel
// and times each page.
func crawl(b *testing.B, c *http.Client, lists []string, query string, workers int) crawlStats {
	var mu sync.Mutex
	var st crawlStats
	work := make(chan string)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next := range work {
				if query != "" {
					next += "?" + query
				}
				for next != "" {
					t0 := time.Now()
					res, err := c.Get(next)
					if err != nil {
						b.Error(err)
						return
					}
					var l struct {
						Data  []json.RawMessage `json:"data"`
						Links struct {
							Next string `json:"next"`
						} `json:"links"`
					}
					err = json.NewDecoder(res.Body).Decode(&l)
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					d := time.Since(t0)
					if err != nil || res.StatusCode != 200 {
						b.Errorf("GET %s: %d %v", next, res.StatusCode, err)
						return
					}
					mu.Lock()
					if testing.Verbose() {
						b.Logf("%6.1f ms %4d objects %s", float64(d.Microseconds())/1000, len(l.Data), next)
					}
					st.pages = append(st.pages, d)
					st.objects += len(l.Data)
					mu.Unlock()
					next = l.Links.Next
				}
			}
		}()
	}
	for _, l := range lists {
		work <- l
	}
	close(work)
	wg.Wait()
	st.elapsed = time.Since(start)
	return st
}
