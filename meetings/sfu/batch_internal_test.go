package sfu

import (
	"net"
	"net/netip"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func loopbackPair(t *testing.T) (*batchConn, *net.UDPConn, *atomic.Uint64) {
	t.Helper()
	lo := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}
	c, err := net.ListenUDP("udp4", lo)
	if err != nil {
		t.Fatal(err)
	}
	rx, err := net.ListenUDP("udp4", lo)
	if err != nil {
		t.Fatal(err)
	}
	var errs atomic.Uint64
	b := newBatchConn(c, &errs)
	t.Cleanup(func() { b.Close(); rx.Close() })
	return b, rx, &errs
}

func readN(t *testing.T, rx *net.UDPConn, n int) []byte {
	t.Helper()
	buf := make([]byte, mtu)
	var last []byte
	for i := range n {
		_ = rx.SetReadDeadline(time.Now().Add(5 * time.Second))
		m, err := rx.Read(buf)
		if err != nil {
			t.Fatalf("datagram %d of %d: %v", i+1, n, err)
		}
		if int(buf[0]) != i%256 || m != 100+i%50 {
			t.Fatalf("datagram %d: first byte %d, %d bytes", i, buf[0], m)
		}
		last = buf[:m]
	}
	return last
}

// TestBatchConnSendsEverything: a fan-out larger than a batch arrives whole
// and in order, and a write outside a fan-out is sent at once.
func TestBatchConnSendsEverything(t *testing.T) {
	b, rx, errs := loopbackPair(t)
	to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	const n = 2*batchSize + 7
	b.hold()
	for i := range n {
		p := make([]byte, 100+i%50)
		p[0] = byte(i)
		if _, err := b.WriteToAddrPort(p, to); err != nil {
			t.Fatal(err)
		}
	}
	b.release()
	readN(t, rx, n)

	p := make([]byte, 100)
	if _, err := b.WriteTo(p, rx.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	readN(t, rx, 1)
	if errs.Load() != 0 {
		t.Errorf("%d send errors", errs.Load())
	}
}

// TestBatchConnAllocatesNothing: queueing and sending a fan-out allocates
// nothing.
func TestBatchConnAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	b, rx, _ := loopbackPair(t)
	to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	_ = rx.SetReadBuffer(socketBuffer)
	p := make([]byte, 100)
	allocs := testing.AllocsPerRun(20, func() {
		b.hold()
		for range 10 {
			_, _ = b.WriteToAddrPort(p, to)
		}
		b.release()
	})
	if allocs != 0 {
		t.Errorf("a fan-out of 10 datagrams: %.1f allocations, want 0", allocs)
	}
}

// BenchmarkFanOutSend sends one 100-byte datagram to each of 120 loopback
// sockets (one fan-out), one sendto each or batched with sendmmsg.
func BenchmarkFanOutSend(b *testing.B) {
	lo := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}
	var dst []netip.AddrPort
	for range 120 {
		rx, err := net.ListenUDP("udp4", lo)
		if err != nil {
			b.Fatal(err)
		}
		defer rx.Close()
		_ = rx.SetReadBuffer(socketBuffer)
		go func() { // drain
			buf := make([]byte, mtu)
			for {
				if _, err := rx.Read(buf); err != nil {
					return
				}
			}
		}()
		dst = append(dst, rx.LocalAddr().(*net.UDPAddr).AddrPort())
	}
	c, err := net.ListenUDP("udp4", lo)
	if err != nil {
		b.Fatal(err)
	}
	var errs atomic.Uint64
	bc := newBatchConn(c, &errs)
	defer bc.Close()
	p := make([]byte, 100)
	// The sending thread's CPU time (the loopback receive path runs in it
	// too), less noisy than wall time on a busy machine.
	threadCPU := func(b *testing.B, f func()) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var r0, r1 unix.Rusage
		_ = unix.Getrusage(unix.RUSAGE_THREAD, &r0)
		for b.Loop() {
			f()
		}
		_ = unix.Getrusage(unix.RUSAGE_THREAD, &r1)
		cpu := r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano()
		b.ReportMetric(float64(cpu)/float64(b.N)/float64(len(dst)), "cpu-ns/datagram")
	}
	b.Run("sendto", func(b *testing.B) {
		threadCPU(b, func() {
			for _, d := range dst {
				_, _ = c.WriteToUDPAddrPort(p, d)
			}
		})
	})
	b.Run("sendmmsg", func(b *testing.B) {
		threadCPU(b, func() {
			bc.hold()
			for _, d := range dst {
				_, _ = bc.WriteToAddrPort(p, d)
			}
			bc.release()
		})
	})
}
