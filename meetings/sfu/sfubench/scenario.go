package sfubench

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/plenar/plenar/meetings/sfu"
)

// server is the SFU side of one scenario: it relays the child's signalling.
type server struct {
	s    *sfu.SFU
	room *sfu.Room
	l    *link

	mu    sync.Mutex
	peers map[string]*sfu.Peer

	ready  chan struct{}
	result chan msg
	failed chan error
}

// onSFU, when not nil, runs once the SFU is up (its UDP port open) and
// before the load generator starts: the churn baseline is an SFU without
// peers.
func newServer(ctx context.Context, o Options, cc childConfig, onSFU func()) (*server, error) {
	// The production configuration: every peer on one UDP port (ICE UDP mux).
	port, err := freeUDPPort()
	if err != nil {
		return nil, err
	}
	s, err := sfu.New(sfu.Config{LoopbackOnly: true, UDPPort: port, MaxFloor: o.Floor, StaleAfter: time.Minute, RecordDir: o.RecordDir}, o.Log)
	if err != nil {
		return nil, err
	}
	if onSFU != nil {
		onSFU()
	}
	l, err := startChild(ctx, cc)
	if err != nil {
		s.Close()
		return nil, err
	}
	sv := &server{s: s, room: s.Room("bench"), l: l, peers: map[string]*sfu.Peer{},
		ready: make(chan struct{}, 1), result: make(chan msg, 1), failed: make(chan error, 1)}
	go sv.relay(ctx)
	return sv, nil
}

// relay handles the child's messages until it exits.
func (sv *server) relay(ctx context.Context) {
	for {
		m, err := sv.l.recv()
		if err != nil {
			sv.failed <- err
			return
		}
		switch m.Op {
		case "join":
			id := m.ID
			p, err := sv.room.Join(ctx, sfu.JoinOptions{ID: id, Kind: m.Kind, Send: func(s sfu.Signal) {
				sv.l.send(msg{Op: "signal", ID: id, Signal: &s})
			}})
			if err != nil {
				sv.failed <- err
				return
			}
			sv.mu.Lock()
			sv.peers[id] = p
			sv.mu.Unlock()
		case "signal":
			sv.mu.Lock()
			p := sv.peers[m.ID]
			sv.mu.Unlock()
			if p != nil && m.Signal != nil {
				if err := p.Signal(*m.Signal); err != nil {
					sv.failed <- fmt.Errorf("signal from %s: %w", m.ID, err)
					return
				}
			}
		case "leave":
			sv.mu.Lock()
			p := sv.peers[m.ID]
			delete(sv.peers, m.ID)
			sv.mu.Unlock()
			if p != nil {
				p.Close()
			}
		case "whip":
			answer, p, err := sv.room.Ingest(ctx, m.SDP, nil)
			if err != nil {
				sv.failed <- err
				return
			}
			sv.mu.Lock()
			sv.peers[m.ID] = p
			sv.mu.Unlock()
			sv.l.send(msg{Op: "answer", ID: m.ID, SDP: answer})
		case "ready":
			sv.ready <- struct{}{}
		case "result":
			sv.result <- m
		}
	}
}

func (sv *server) wait(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case err := <-sv.failed:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (sv *server) waitResult(ctx context.Context) (msg, error) {
	select {
	case m := <-sv.result:
		return m, nil
	case err := <-sv.failed:
		return msg{}, err
	case <-ctx.Done():
		return msg{}, ctx.Err()
	}
}

func (sv *server) close() error {
	err := sv.l.close()
	sv.s.Close()
	return err
}

// freeUDPPort returns a loopback UDP port that was free a moment ago.
func freeUDPPort() (int, error) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return 0, fmt.Errorf("find a free udp port: %w", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

func childCPU() int {
	if runtime.NumCPU() >= 2 {
		return 1
	}
	return -1
}

// runFloor runs scenario a (audio floor) or b (floor plus two video sources).
func runFloor(ctx context.Context, o Options, sc string, record bool) (Result, error) {
	res := Result{Scenario: sc}
	if record {
		res.Scenario += "+rec"
	}
	sv, err := newServer(ctx, o, childConfig{Scenario: sc, Publishers: o.Publishers, Viewers: o.Viewers,
		VideoSize: o.VideoSize, VideoPPS: o.VideoPPS, CPU: childCPU()}, nil)
	if err != nil {
		return res, err
	}
	defer sv.close()
	if err := sv.wait(ctx, sv.ready); err != nil {
		return res, err
	}
	var floor []string
	for i := range min(o.Floor, o.Publishers) {
		floor = append(floor, fmt.Sprintf("m%d", i))
	}
	sv.room.SetFloor(floor)
	sv.room.SetChair(fmt.Sprintf("m%d", o.Publishers-1))
	if record {
		// The programme (the first floor microphone, the chair's camera)
		// goes to a WebM file; finished segments are thrown away.
		sv.room.SetRecording(sc, func(seg sfu.Segment) { _ = os.Remove(seg.Path) })
	}
	time.Sleep(o.Warmup)
	rec0, _ := sv.room.Recording()

	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile + "." + sc)
		if err != nil {
			return res, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, err
		}
	}
	sv.s.ResetLatency()
	st0, cpu0, t0 := sv.s.Stats(), cpuTime(), time.Now()
	select {
	case <-time.After(o.Duration):
	case <-ctx.Done():
		return res, ctx.Err()
	}
	st1, cpu1, t1 := sv.s.Stats(), cpuTime(), time.Now()
	rec1, _ := sv.room.Recording()
	res.Recorded, res.RecordDropped = rec1.Queued-rec0.Queued, rec1.Dropped-rec0.Dropped
	if o.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	sv.l.send(msg{Op: "stop"})
	m, err := sv.waitResult(ctx)
	if err != nil {
		return res, err
	}
	res.Window = t1.Sub(t0)
	res.Delivered = st1.Forwarded - st0.Forwarded
	res.PacketsPerSec = float64(res.Delivered) / res.Window.Seconds()
	res.Ingress = float64(st1.Ingress-st0.Ingress) / res.Window.Seconds()
	res.SFUCPU = cpu1 - cpu0
	if res.Delivered > 0 {
		res.CPUPerPacketUS = float64(res.SFUCPU.Microseconds()) / float64(res.Delivered)
	}
	res.LatencyP50, res.LatencyP99 = st1.LatencyP50, st1.LatencyP99
	res.Received, res.Lost = m.Received, m.Lost
	if total := m.Received + m.Lost; total > 0 {
		res.LossPercent = 100 * float64(m.Lost) / float64(total)
	}
	return res, nil
}

// runChurn runs scenario c: join/leave cycles, SFU resources before and after.
func runChurn(ctx context.Context, o Options) (Result, error) {
	res := Result{Scenario: "c", Cycles: o.Churn}
	sv, err := newServer(ctx, o, childConfig{Scenario: "c", Churn: o.Churn, CPU: childCPU()}, func() {
		res.GoroutinesStart, res.FDsStart, res.HeapStartMB = stableResources()
	})
	if err != nil {
		return res, err
	}
	defer sv.s.Close()
	if _, err := sv.waitResult(ctx); err != nil {
		sv.l.close()
		return res, err
	}
	if err := sv.l.close(); err != nil { // the child's pipes are not the SFU's
		return res, err
	}
	for range 100 {
		if st := sv.s.Stats(); st.Peers == 0 {
			g, fd, _ := resources()
			if g <= res.GoroutinesStart && fd <= res.FDsStart {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	res.GoroutinesEnd, res.FDsEnd, res.HeapEndMB = resources()
	return res, nil
}

// stableResources waits until two readings agree (goroutines of an earlier
// scenario finishing) and returns them.
func stableResources() (goroutines, fds int, heapMB float64) {
	g, fd, h := resources()
	for range 50 {
		time.Sleep(100 * time.Millisecond)
		g2, fd2, h2 := resources()
		if g2 == g && fd2 == fd {
			return g2, fd2, h2
		}
		g, fd, h = g2, fd2, h2
	}
	return g, fd, h
}

func resources() (goroutines, fds int, heapMB float64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), openFDs(), float64(ms.HeapInuse) / (1 << 20)
}
