package sfubench

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if ChildMain() {
		return
	}
	os.Exit(m.Run())
}

// TestSmall runs every scenario at a small size: the benchmark machinery
// works and a small room loses nothing. The full-size run is
// `plenar bench sfu` (figures in docs/BENCHMARKS.md).
func TestSmall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, Options{Publishers: 6, Viewers: 4, Floor: 2, Churn: 20,
		Duration: time.Second, Warmup: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	if len(rep.Results) != 3 {
		t.Fatalf("%d results, want 3", len(rep.Results))
	}
	for _, r := range rep.Results[:2] {
		if r.Delivered == 0 || r.Received == 0 {
			t.Errorf("scenario %s delivered %d, received %d", r.Scenario, r.Delivered, r.Received)
		}
		if r.Lost != 0 {
			t.Errorf("scenario %s lost %d packets", r.Scenario, r.Lost)
		}
	}
	if c := rep.Results[2]; c.GoroutinesEnd > c.GoroutinesStart+3 || c.FDsEnd > c.FDsStart+3 {
		t.Errorf("churn left resources: %+v", c)
	}
}

// BenchmarkFloor runs the scenarios at full size once (`go test -run '^$'
// -bench Floor -benchtime 1x ./meetings/sfu/sfubench`); SFUBENCH_SCENARIOS
// ("a b") picks scenarios, SFUBENCH_CPUPROFILE=path writes profiles.
func BenchmarkFloor(b *testing.B) {
	for range b.N {
		rep, err := Run(context.Background(), Options{Scenarios: strings.Fields(os.Getenv("SFUBENCH_SCENARIOS")),
			CPUProfile: os.Getenv("SFUBENCH_CPUPROFILE")})
		if err != nil {
			b.Fatal(err)
		}
		b.Log(rep)
		for _, r := range rep.Results {
			if r.Scenario != "c" {
				b.ReportMetric(r.CPUPerPacketUS, r.Scenario+"-cpu-µs/pkt")
				b.ReportMetric(r.PacketsPerSec, r.Scenario+"-pkt/s")
			}
		}
	}
}
