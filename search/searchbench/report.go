package searchbench

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// report writes the latencies of bleve (bl) and PostgreSQL (pg) per kind
// of query, bleve's phases and slowest queries, the hits per query, the
// edit latencies and the peak memory.
func (b *bench) report(qs []query, bl, pg *roundsResult, editLat []time.Duration) error {
	tw := tabwriter.NewWriter(b.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tqueries\tbleve p50 ms\tp95 ms\tp99 ms\tCPU p50 ms\tp95 ms\tPG p50 ms\tp95 ms\tp99 ms\tPG/bleve p95\t")
	for _, k := range kinds {
		bw, p, cp := bl.wall[k], pg.wall[k], bl.cpu[k]
		slices.Sort(bw)
		slices.Sort(p)
		slices.Sort(cp)
		ratio := "-"
		if len(p) > 0 && pct(bw, 95) > 0 {
			ratio = fmt.Sprintf("%.1f×", float64(pct(p, 95))/float64(pct(bw, 95)))
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%.1f\t%.1f\t%s\t\n", k, len(bw),
			ms(pct(bw, 50)), ms(pct(bw, 95)), ms(pct(bw, 99)), ms(pct(cp, 50)), ms(pct(cp, 95)),
			ms(pct(p, 50)), ms(pct(p, 95)), ms(pct(p, 99)), ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i, name := range []string{"index search (bleve, facets)", "hits' texts from PostgreSQL", "snippets"} {
		slices.Sort(bl.phases[i])
		fmt.Fprintf(b.out, "bleve queries, phase %-30s p50 %.2f ms, p95 %.2f ms, max %.2f ms\n", name+":",
			ms(pct(bl.phases[i], 50)), ms(pct(bl.phases[i], 95)), ms(pct(bl.phases[i], 100)))
	}
	slowest := slices.Clone(bl.slowest)
	slices.SortFunc(slowest, func(x, y timed) int { return cmp.Compare(y.d, x.d) })
	fmt.Fprintln(b.out, "slowest bleve queries (ms: wall, thread CPU; index, texts, snippets):")
	for _, t := range slowest[:min(len(slowest), 8)] {
		fmt.Fprintf(b.out, "  %-9s %-40q year=%-4s %6.2f %6.2f; %6.2f %6.2f %6.2f\n", t.q.kind, t.q.text, t.q.year,
			ms(t.d), ms(t.cpu), ms(t.ph[0]), ms(t.ph[1]), ms(t.ph[2]))
	}
	fmt.Fprintln(b.out, "hits per query (public viewer), bleve / PostgreSQL:")
	for _, q := range qs {
		fmt.Fprintf(b.out, "  %-9s %-40q year=%-4s org=%-5v %7d / %d\n", q.kind, q.text, q.year, q.org != "", bl.hits[q.key()], pg.hits[q.key()])
	}
	slices.Sort(editLat)
	fmt.Fprintf(b.out, "single edit → searchable through outbox + Indexer (%d edits): median %.0f ms, max %.0f ms\n",
		len(editLat), ms(pct(editLat, 50)), ms(pct(editLat, 100)))
	fmt.Fprintf(b.out, "RSS peak of this process (VmHWM): %s; total %.0f s\n", vmHWM(), time.Since(b.started).Seconds())
	return nil
}

// threadCPU is the CPU time of the calling OS thread (the goroutine must
// be locked to it): a latency figure that the neighbours' load on a
// shared machine does not inflate.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil { // RUSAGE_THREAD
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU is the CPU time of this process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pct is the p-th percentile of the sorted s, 0 when s is empty.
func pct[T int | time.Duration](s []T, p int) T {
	if len(s) == 0 {
		return 0
	}
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// vmHWM is the peak resident set of this process, from /proc/self/status.
func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
