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
	"sync"
	"text/tabwriter"
	"time"
)

// benchHTTP runs load benchmarks against a running Plenar:
//
//	plenar bench http [--url http://127.0.0.1:8080] [--duration 20s] [--concurrency 4] [--path /x ...]
//
// Without --path it measures the home page, the calendar, the first
// meeting linked from home and the first paper of the paper list, which
// is the acceptance figure of the foundation (p95 under 50 ms on demo
// data). It prints requests/s and p50/p95/p99/max latency per page.
func (a *app) benchHTTP(ctx context.Context, args []string) error {
	fs := a.flagSet("bench http")
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of a running Plenar")
	duration := fs.Duration("duration", 20*time.Second, "how long to run")
	conc := fs.Int("concurrency", 4, "parallel clients")
	allowRemote := fs.Bool("allow-remote", false, "allow a base URL that is not on this machine")
	var paths multiFlag
	fs.Var(&paths, "path", "a path to request (repeatable); default: home, calendar, a meeting, a paper")
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
	if *conc < 1 || *conc > 256 || *duration <= 0 || *duration > time.Hour {
		return usagef("--concurrency must be 1..256 and --duration positive and at most 1h")
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc}}
	if len(paths) == 0 {
		if paths, err = defaultBenchPaths(ctx, client, *base); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "plenar bench http: %s, %d clients, %s per page, client GOMAXPROCS=%d, %d CPUs\n",
		*base, *conc, *duration, runtime.GOMAXPROCS(0), runtime.NumCPU())
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "page\trequests\terrors\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	for _, p := range paths {
		r := loadPath(ctx, client, *base+p, *conc, *duration)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", p, len(r.lat), r.errors,
			float64(len(r.lat))/r.elapsed.Seconds(), ms(r.pct(50)), ms(r.pct(95)), ms(r.pct(99)), ms(r.pct(100)))
	}
	return tw.Flush()
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
	return []string{"/", "/meetings", m[1], p[1]}, nil
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

func (r loadResult) pct(p int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := (len(r.lat)*p + 99) / 100
	return r.lat[min(max(i-1, 0), len(r.lat)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadPath requests u from conc clients until d has passed; the loop is
// bounded in time and stops by itself.
func loadPath(ctx context.Context, c *http.Client, u string, conc int, d time.Duration) loadResult {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var res loadResult
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			errs := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
				resp, err := c.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
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
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.lat)
	return res
}
