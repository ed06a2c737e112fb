package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// benchHTTP runs load benchmarks against a running Plenar:
//
//	plenar bench http [--url http://127.0.0.1:8080] [--duration 20s] [--concurrency 4|1,4,16,100]
//	                  [--revalidate] [--path /x ...]
//
// Without --path it measures the home page, the calendar, the first
// meeting linked from home, the first paper of the paper list and a
// search. It prints requests/s and p50/p95/p99/max latency per page and
// number of clients. With several client counts it also says per page
// whether throughput collapses as clients grow (docs/BENCHMARKS.md,
// "Public pages under load"): the most clients must keep ≥ 90 % of the
// best throughput at any lower count, with p99 ≤ 250 ms. With
// --revalidate every request after a page's first carries that page's
// validators (If-None-Match, If-Modified-Since), so a server that
// answers 304 is measured on that path.
func (a *app) benchHTTP(ctx context.Context, args []string) error {
	fs := a.flagSet("bench http")
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of a running Plenar")
	duration := fs.Duration("duration", 20*time.Second, "how long to run each page at each client count")
	concList := fs.String("concurrency", "4", "parallel clients, or a comma-separated list of counts to sweep (1,4,16,100)")
	revalidate := fs.Bool("revalidate", false, "send the page's validators (ETag, Last-Modified) with every request after the first")
	allowRemote := fs.Bool("allow-remote", false, "allow a base URL that is not on this machine")
	var paths multiFlag
	fs.Var(&paths, "path", "a path to request (repeatable); default: home, calendar, a meeting, a paper, a search")
	if err := parse(fs, args); err != nil {
		return err
	}
	u, err := url.Parse(*base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--url %q: want an absolute http(s) URL", *base)
	}
	if !*allowRemote && !isLoopbackHost(u.Hostname()) {
		return usagef("--url %q is not on this machine; load only your own servers (or pass --allow-remote)", *base)
	}
	concs, err := parseCounts(*concList)
	if err != nil || *duration <= 0 || *duration > time.Hour {
		return usagef("--concurrency must be 1..256 (or a list of such counts) and --duration positive and at most 1h")
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: slices.Max(concs)}}
	if len(paths) == 0 {
		if paths, err = defaultBenchPaths(ctx, client, *base); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "plenar bench http: %s, %v clients, %s per page and count, revalidate %v, client GOMAXPROCS=%d, %d CPUs\n",
		*base, concs, *duration, *revalidate, runtime.GOMAXPROCS(0), runtime.NumCPU())
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "page\tclients\trequests\terrors\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	var verdicts []string
	for _, p := range paths {
		var sweep []loadResult
		for _, conc := range concs {
			r := loadPath(ctx, client, *base+p, conc, *duration, *revalidate)
			sweep = append(sweep, r)
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", p, conc, len(r.lat), r.errors,
				r.rate(), ms(r.pct(50)), ms(r.pct(95)), ms(r.pct(99)), ms(r.pct(100)))
		}
		if len(concs) > 1 {
			verdicts = append(verdicts, p+": "+collapseVerdict(concs, sweep))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, v := range verdicts {
		fmt.Fprintln(a.stdout, v)
	}
	return nil
}

// parseCounts reads "4" or "1,4,16,100": client counts from 1 to 256.
func parseCounts(v string) ([]int, error) {
	var counts []int
	for f := range strings.SplitSeq(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 256 {
			return nil, fmt.Errorf("client count %q: want 1..256", f)
		}
		counts = append(counts, n)
	}
	return counts, nil
}

// collapseVerdict compares the sweep's last (largest) client count with
// the best throughput at the counts before it.
func collapseVerdict(concs []int, sweep []loadResult) string {
	best, at := 0.0, 0
	for i, r := range sweep[:len(sweep)-1] {
		if r.rate() > best {
			best, at = r.rate(), concs[i]
		}
	}
	last := sweep[len(sweep)-1]
	kept := 100.0
	if best > 0 {
		kept = 100 * last.rate() / best
	}
	verdict := "no collapse"
	if kept < 90 || last.pct(99) > 250*time.Millisecond {
		verdict = "COLLAPSE"
	}
	return fmt.Sprintf("%s: %d clients keep %.0f %% of the best throughput (%.0f req/s at %d clients), p99 %.1f ms (want ≥ 90 %%, ≤ 250 ms)",
		verdict, concs[len(concs)-1], kept, best, at, ms(last.pct(99)))
}

type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint(*m) }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

var (
	meetingLink = regexp.MustCompile(`href="(/meetings/[0-9a-f-]{36})"`)
	paperLink   = regexp.MustCompile(`href="(/papers/[0-9a-f-]{36})"`)
)

func defaultBenchPaths(ctx context.Context, c *http.Client, base string) ([]string, error) {
	home, err := fetch(ctx, c, base+"/")
	if err != nil {
		return nil, err
	}
	papers, err := fetch(ctx, c, base+"/papers")
	if err != nil {
		return nil, err
	}
	m, p := meetingLink.FindStringSubmatch(home), paperLink.FindStringSubmatch(papers)
	if m == nil || p == nil {
		return nil, fmt.Errorf("no meeting on the home page or no paper in /papers: seed the demo first (plenar demo)")
	}
	return []string{"/", "/meetings", m[1], p[1], "/search?q=Haushalt"}, nil
}

func fetch(ctx context.Context, c *http.Client, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	return string(b), err
}

type loadResult struct {
	lat     []time.Duration
	errors  int
	elapsed time.Duration
}

func (r loadResult) rate() float64 { return float64(len(r.lat)) / r.elapsed.Seconds() }

func (r loadResult) pct(p int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := (len(r.lat)*p + 99) / 100
	return r.lat[min(max(i-1, 0), len(r.lat)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadPath requests u from conc clients until d has passed; the loop is
// bounded in time and stops by itself. With revalidate each client sends
// the validators of its previous answer, and 304 counts as success.
func loadPath(ctx context.Context, c *http.Client, u string, conc int, d time.Duration, revalidate bool) loadResult {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var res loadResult
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Go(func() {
			var lat []time.Duration
			var etag, modified string
			errs := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
				if etag != "" {
					req.Header.Set("If-None-Match", etag)
				}
				if modified != "" {
					req.Header.Set("If-Modified-Since", modified)
				}
				resp, err := c.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					switch {
					case resp.StatusCode == http.StatusOK && revalidate:
						etag, modified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
					case resp.StatusCode == http.StatusOK, resp.StatusCode == http.StatusNotModified && revalidate:
					default:
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if ctx.Err() != nil {
					break
				}
				if err != nil {
					errs++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errors += errs
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.lat)
	return res
}
