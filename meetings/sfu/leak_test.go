package sfu_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
)

func openFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		pgtestUnavailable(t, "no /proc/self/fd")
	}
	return len(ents)
}

// settle waits until the goroutine and fd counts are at most base+tol and
// returns them.
func settle(t testing.TB, baseG, baseFD, tol int) (int, int) {
	t.Helper()
	var g, fd int
	for range 100 {
		runtime.GC()
		g, fd = runtime.NumGoroutine(), openFDs(t)
		if g <= baseG+tol && fd <= baseFD+tol {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return g, fd
}

// stable returns the goroutine and fd counts once two readings agree.
func stable(t testing.TB) (int, int) {
	t.Helper()
	g, fd := -1, -1
	for range 50 {
		runtime.GC()
		g2, fd2 := runtime.NumGoroutine(), openFDs(t)
		if g2 == g && fd2 == fd {
			break
		}
		g, fd = g2, fd2
		time.Sleep(100 * time.Millisecond)
	}
	return g, fd
}

// cycle joins a publishing member and a viewer, lets media flow, and has
// both leave.
func cycle(t testing.TB, room *sfu.Room, i int) {
	id := fmt.Sprintf("m%d", i)
	m := join(t, room, id, sfu.KindMember, sfuclient.Options{PublishAudio: true, PublishVideo: i%4 == 0})
	v := join(t, room, "v"+id, sfu.KindViewer, sfuclient.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	m.Publish(ctx)
	room.SetFloor([]string{id})
	eventually(t, "media at the viewer", func() bool { return v.Track("floor-0").Packets > 0 })
	cancel()
	if i%2 == 0 {
		m.peer.Close() // the server ends it (leave)
		v.peer.Close()
	}
	m.Close() // the client goes away; the server notices by state or stale timer
	v.Close()
	m.peer.Close()
	v.peer.Close()
}

func TestJoinLeaveCyclesLeakNothing(t *testing.T) {
	s := newSFU(t, sfu.Config{})
	room := s.Room("m1")
	cycle(t, room, -1) // pion's lazily started goroutines and pools
	baseG, baseFD := stable(t)

	const cycles, parallel = 200, 8
	var wg sync.WaitGroup
	next := make(chan int)
	for range parallel {
		wg.Go(func() {
			for i := range next {
				cycle(t, room, i)
			}
		})
	}
	for i := range cycles {
		next <- i
	}
	close(next)
	wg.Wait()

	g, fd := settle(t, baseG, baseFD, 3)
	t.Logf("goroutines %d → %d, open fds %d → %d after %d cycles", baseG, g, baseFD, fd, cycles)
	if g > baseG+3 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines %d after %d cycles, baseline %d\n%s", g, cycles, baseG, buf[:runtime.Stack(buf, true)])
	}
	if fd > baseFD+3 {
		t.Errorf("open files %d after %d cycles, baseline %d", fd, cycles, baseFD)
	}
	if st := s.Stats(); st.Peers != 0 || st.Publishers != 0 {
		t.Errorf("after the cycles: %d peers, %d publishers, want 0", st.Peers, st.Publishers)
	}
}
