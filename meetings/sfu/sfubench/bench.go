// Package sfubench measures the SFU under the council scenarios of issue 6:
// (a) 60 audio publishers at 50 packets/s with K=4 on the floor, 60 members
// and 60 viewers subscribed; (b) the same plus 2 video sources (~1 KB at 60
// packets/s) to all 120; (c) 500 join/leave cycles with resource baselines.
//
// Method. The SFU runs in this process in its production configuration
// (every peer on one UDP port, Config.UDPPort); the load generator (pion clients
// from sfuclient) runs in a child process — the same executable, re-executed
// with the environment variable PLENAR_SFUBENCH_CHILD, which the executable
// must hand to [ChildMain] first thing in main (or TestMain). Signalling
// crosses the process boundary as JSON lines on the child's stdin/stdout.
// With at least two CPUs the SFU's threads are pinned to CPU 0 and the
// child's to CPU 1 (sched_setaffinity on every thread), so they do not
// compete. SFU CPU is getrusage(RUSAGE_SELF) user+system time of this
// process over the measured window, which holds only the SFU (and idle
// signalling); divided by the packets the SFU wrote to subscribers in that
// window it gives CPU µs per delivered packet. Loss comes from the
// receivers' sequence numbers; SFU-internal latency (source read →
// subscriber write) from the SFU's histogram.
package sfubench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/plenar/plenar/meetings/sfu"
)

// childEnv carries the child's Options.
const childEnv = "PLENAR_SFUBENCH_CHILD"

// Options size the benchmark. Zero values take the figures.
type Options struct {
	Scenarios  []string      // of "a", "b", "c"; default all
	Duration   time.Duration // measured window of a and b; default 10s
	Warmup     time.Duration // before the window; default 2s
	Publishers int           // audio-publishing members; default 60
	Viewers    int           // default 60
	Floor      int           // K; default 4
	Churn      int           // join/leave cycles in c; default 500
	VideoSize  int           // default 1000 bytes
	VideoPPS   int           // default 60
	CPUProfile string        // write the SFU's CPU profile of the window of a and b here (suffixed by scenario)
	// Record runs a and b a second time ("a+rec", "b+rec") with the
	// room recording its public programme (Room.SetRecording), to compare
	// the SFU's CPU with and without (docs/BENCHMARKS.md, "Recording").
	Record    bool
	RecordDir string // where the recorder writes; default: the system's temporary folder
	Log       *slog.Logger
}

func (o *Options) defaults() {
	if len(o.Scenarios) == 0 {
		o.Scenarios = []string{"a", "b", "c"}
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.Warmup <= 0 {
		o.Warmup = 2 * time.Second
	}
	if o.Publishers <= 0 {
		o.Publishers = 60
	}
	if o.Viewers < 0 {
		o.Viewers = 0
	} else if o.Viewers == 0 {
		o.Viewers = 60
	}
	if o.Floor <= 0 {
		o.Floor = 4
	}
	if o.Churn <= 0 {
		o.Churn = 500
	}
	if o.VideoSize <= 0 {
		o.VideoSize = 1000
	}
	if o.VideoPPS <= 0 {
		o.VideoPPS = 60
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Result is one scenario's figures.
type Result struct {
	Scenario        string
	Window          time.Duration
	Ingress         float64 // packets/s the SFU read from publishers in the window
	Delivered       uint64  // packets the SFU wrote to subscribers in the window
	PacketsPerSec   float64 // Delivered / Window
	SFUCPU          time.Duration
	CPUPerPacketUS  float64
	Received        uint64 // packets the receivers counted (whole run)
	Lost            uint64 // from the receivers' sequence numbers
	LossPercent     float64
	LatencyP50      time.Duration
	LatencyP99      time.Duration
	Pinned          bool
	GoroutinesStart int // c: the SFU process before and after the churn
	GoroutinesEnd   int
	FDsStart        int
	FDsEnd          int
	HeapStartMB     float64
	HeapEndMB       float64
	Cycles          int
	// Recorded and RecordDropped are the packets handed to the recorder
	// and dropped at its full queue (+rec scenarios).
	Recorded, RecordDropped uint64
}

// Report is the benchmark's outcome.
type Report struct {
	CPUs    int
	Method  string
	Results []Result
}

// String renders the report as a small text table.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CPUs: %d\nmethod: %s\n", r.CPUs, r.Method)
	for _, x := range r.Results {
		if x.Scenario == "c" {
			fmt.Fprintf(&b, "c: %d join/leave cycles; SFU goroutines %d → %d, open fds %d → %d, heap %.1f → %.1f MB\n",
				x.Cycles, x.GoroutinesStart, x.GoroutinesEnd, x.FDsStart, x.FDsEnd, x.HeapStartMB, x.HeapEndMB)
			continue
		}
		fmt.Fprintf(&b, "%s: %.0f packets/s in, %.0f delivered packets/s, SFU CPU %.2f µs/packet (%v in %v), loss %.4f %% (%d of %d), SFU latency p50 %v p99 %v, pinned %v\n",
			x.Scenario, x.Ingress, x.PacketsPerSec, x.CPUPerPacketUS, x.SFUCPU.Round(time.Millisecond), x.Window.Round(time.Millisecond),
			x.LossPercent, x.Lost, x.Received+x.Lost, x.LatencyP50, x.LatencyP99, x.Pinned)
		if base, ok := strings.CutSuffix(x.Scenario, "+rec"); ok {
			fmt.Fprintf(&b, "%s: recorded %d packets, %d dropped at the recorder's queue\n", x.Scenario, x.Recorded, x.RecordDropped)
			for _, y := range r.Results {
				if y.Scenario == base && y.CPUPerPacketUS > 0 {
					fmt.Fprintf(&b, "%s: recording adds %+.1f %% SFU CPU per delivered packet\n", base, 100*(x.CPUPerPacketUS/y.CPUPerPacketUS-1))
				}
			}
		}
	}
	return b.String()
}

// Summary sums up repeated runs of scenario a or b: median and range of
// the SFU CPU per packet and of the p99, and in how many runs the issue's
// targets for b held (≤ 15 µs per packet, loss < 0.01 %, p99 < 2 ms).
func Summary(scenario string, runs []Result) string {
	var cpu []float64
	var p99 []time.Duration
	met := 0
	for _, x := range runs {
		if x.Scenario != scenario {
			continue
		}
		cpu = append(cpu, x.CPUPerPacketUS)
		p99 = append(p99, x.LatencyP99)
		if x.CPUPerPacketUS <= 15 && x.LossPercent < 0.01 && x.LatencyP99 < 2*time.Millisecond {
			met++
		}
	}
	if len(cpu) == 0 {
		return ""
	}
	slices.Sort(cpu)
	slices.Sort(p99)
	return fmt.Sprintf("%s over %d runs: SFU CPU median %.2f µs/packet (%.2f–%.2f), p99 median %v (%v–%v); "+
		"≤ 15 µs, loss < 0.01 %% and p99 < 2 ms together in %d of %d runs\n",
		scenario, len(cpu), cpu[len(cpu)/2], cpu[0], cpu[len(cpu)-1], p99[len(p99)/2], p99[0], p99[len(p99)-1], met, len(cpu))
}

// Run runs the scenarios, each with a fresh SFU and a fresh child process.
func Run(ctx context.Context, o Options) (Report, error) {
	o.defaults()
	rep := Report{CPUs: runtime.NumCPU(), Method: "SFU in this process (single UDP port), load generator in a child process; " +
		"SFU CPU = getrusage(RUSAGE_SELF) over the window / packets written to subscribers"}
	pinned := false
	if rep.CPUs >= 2 {
		pinned = pinProcess(0) == nil
		if pinned {
			// One P per pinned CPU: two Ps time-sliced on one core would add
			// the kernel's scheduling latency to the SFU's.
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			rep.Method += "; SFU threads pinned to CPU 0, load generator to CPU 1, GOMAXPROCS=1 each"
		}
	}
	for _, sc := range o.Scenarios {
		var res Result
		var err error
		switch sc {
		case "a", "b":
			res, err = runFloor(ctx, o, sc, false)
			if err == nil && o.Record {
				res.Pinned = pinned
				rep.Results = append(rep.Results, res)
				res, err = runFloor(ctx, o, sc, true)
			}
		case "c":
			res, err = runChurn(ctx, o)
		default:
			err = fmt.Errorf("unknown scenario %q", sc)
		}
		if err != nil {
			return rep, fmt.Errorf("scenario %s: %w", sc, err)
		}
		res.Pinned = pinned
		rep.Results = append(rep.Results, res)
		o.Log.Info("sfu bench", "scenario", sc, "result", fmt.Sprintf("%+v", res))
	}
	return rep, nil
}

// pinProcess binds every current thread of this process to cpu; threads
// created later inherit the mask of their creator.
func pinProcess(cpu int) error {
	var set unix.CPUSet
	set.Set(cpu)
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, &set); err != nil {
			return err
		}
	}
	return nil
}

func cpuTime() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func openFDs() int {
	ents, _ := os.ReadDir("/proc/self/fd")
	return len(ents)
}

// msg is one JSON line between the SFU process and the load generator.
type msg struct {
	Op     string      `json:"op"` // join, signal, leave, whip, answer, ready, stop, result, error
	ID     string      `json:"id,omitempty"`
	Kind   sfu.Kind    `json:"kind,omitempty"`
	Signal *sfu.Signal `json:"signal,omitempty"`
	SDP    string      `json:"sdp,omitempty"`
	// result
	Received, Lost uint64 `json:",omitempty"`
	Error          string `json:"error,omitempty"`
}

// childConfig is what the child needs.
type childConfig struct {
	Scenario                        string
	Publishers, Viewers             int
	Churn, VideoSize, VideoPPS, CPU int
}

// link is the parent's side of the child process.
type link struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
	wmu  sync.Mutex
	werr error
}

func startChild(ctx context.Context, cc childConfig) (*link, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cfg, _ := json.Marshal(cc)
	cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(cfg))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start load generator: %w", err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return &link{cmd: cmd, in: in, out: sc}, nil
}

func (l *link) send(m msg) {
	b, _ := json.Marshal(m)
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.werr == nil {
		_, l.werr = l.in.Write(append(b, '\n'))
	}
}

func (l *link) recv() (msg, error) {
	if !l.out.Scan() {
		if err := l.out.Err(); err != nil {
			return msg{}, err
		}
		return msg{}, io.EOF
	}
	var m msg
	if err := json.Unmarshal(l.out.Bytes(), &m); err != nil {
		return msg{}, fmt.Errorf("load generator said %q: %w", l.out.Text(), err)
	}
	if m.Op == "error" {
		return m, errors.New("load generator: " + m.Error)
	}
	return m, nil
}

func (l *link) close() error {
	_ = l.in.Close()
	return l.cmd.Wait()
}
