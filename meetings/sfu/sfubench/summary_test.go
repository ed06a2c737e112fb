package sfubench

import (
	"strings"
	"testing"
	"time"
)

// TestSummary: median and range of CPU per packet and p99 over the runs of
// one scenario, and the runs in which all three targets of b held.
func TestSummary(t *testing.T) {
	ms := time.Millisecond
	runs := []Result{
		{Scenario: "b", CPUPerPacketUS: 9.5, LatencyP99: 1440 * time.Microsecond},
		{Scenario: "a", CPUPerPacketUS: 30, LatencyP99: 9 * ms},
		{Scenario: "b", CPUPerPacketUS: 14.7, LatencyP99: 2360 * time.Microsecond},                    // p99 over
		{Scenario: "b", CPUPerPacketUS: 10.4, LatencyP99: 1180 * time.Microsecond, LossPercent: 0.43}, // loss over
		{Scenario: "b", CPUPerPacketUS: 16, LatencyP99: 1 * ms},                                       // CPU over
		{Scenario: "b", CPUPerPacketUS: 9.0, LatencyP99: 1700 * time.Microsecond},
	}
	got := Summary("b", runs)
	for _, want := range []string{"b over 5 runs", "median 10.40 µs/packet (9.00–16.00)", "p99 median 1.44ms (1ms–2.36ms)", "in 2 of 5 runs"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary %q lacks %q", got, want)
		}
	}
	if s := Summary("c", runs); s != "" {
		t.Errorf("summary of a scenario without runs: %q", s)
	}
}
