package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/plenar/plenar/meetings/sfu/sfubench"
)

// benchSFU runs the media benchmark of issue 6 in one command:
//
//	plenar bench sfu [--scenarios a,b,c] [--duration 10s] [--runs N] [--cpuprofile F]
//
// The SFU runs in this process, the load generator (pion clients) in a
// child process of the same executable (main hands it to
// sfubench.ChildMain), each pinned to its own CPU; see package sfubench
// for the method. Scenarios: (a) 60 audio publishers at 50 packets/s,
// K=4 on the floor, 60 members and 60 viewers subscribed; (b) a plus two
// ~1 KB video sources at 60 packets/s to all 120; (c) 500 join/leave
// cycles with resources before and after.
func (a *app) benchSFU(ctx context.Context, args []string) error {
	fs := a.flagSet("bench sfu")
	scenarios := fs.String("scenarios", "a,b,c", "scenarios to run, comma-separated: a, b, c")
	duration := fs.Duration("duration", 10*time.Second, "measured window of a and b")
	warmup := fs.Duration("warmup", 2*time.Second, "time before the window")
	churn := fs.Int("churn", 500, "join/leave cycles in c")
	publishers := fs.Int("publishers", 60, "audio-publishing members")
	viewers := fs.Int("viewers", 60, "public viewers")
	floor := fs.Int("floor", 4, "K: members on the floor")
	runs := fs.Int("runs", 1, "run the scenarios this many times and sum a and b up (median, range, runs meeting the targets)")
	cpuProfile := fs.String("cpuprofile", "", "write the SFU's CPU profile of each window here (suffixed by scenario)")
	record := fs.Bool("record", false, "run a and b again while the room records its programme (a+rec, b+rec) and report the extra SFU CPU")
	if err := parse(fs, args); err != nil {
		return err
	}
	var list []string
	for _, s := range strings.Split(*scenarios, ",") {
		switch s = strings.TrimSpace(s); s {
		case "a", "b", "c":
			list = append(list, s)
		case "":
		default:
			return usagef("--scenarios: unknown scenario %q (a, b, c)", s)
		}
	}
	switch {
	case len(list) == 0:
		return usagef("--scenarios: name at least one of a, b, c")
	case *duration < time.Second || *duration > time.Hour || *warmup < 0 || *warmup > 10*time.Minute:
		return usagef("--duration must be 1s..1h and --warmup 0..10m")
	case *churn < 1 || *churn > 100000 || *publishers < 1 || *publishers > 500 || *viewers < 0 || *viewers > 1000:
		return usagef("--churn 1..100000, --publishers 1..500, --viewers 0..1000")
	case *floor < 1 || *floor > *publishers:
		return usagef("--floor must be 1..publishers")
	case *runs < 1 || *runs > 100:
		return usagef("--runs must be 1..100")
	}
	log := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var all []sfubench.Result
	for i := range *runs {
		if *runs > 1 {
			// Other work on the machine shows in the tail latency: say how
			// busy it was.
			fmt.Fprintf(a.stdout, "run %d of %d, load average %s\n", i+1, *runs, loadAverage())
		}
		rep, err := sfubench.Run(ctx, sfubench.Options{Scenarios: list, Duration: *duration, Warmup: *warmup, Churn: *churn,
			Publishers: *publishers, Viewers: *viewers, Floor: *floor, CPUProfile: *cpuProfile, Record: *record, Log: log})
		if err != nil {
			return fmt.Errorf("bench sfu: %w", err)
		}
		out := rep.String()
		if !strings.HasSuffix(out, "\n") {
			out += "\n"
		}
		fmt.Fprint(a.stdout, out)
		all = append(all, rep.Results...)
	}
	if *runs > 1 {
		for _, sc := range []string{"a", "b", "a+rec", "b+rec"} {
			fmt.Fprint(a.stdout, sfubench.Summary(sc, all))
		}
	}
	return nil
}

// loadAverage is the first field of /proc/loadavg, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "unknown"
}
