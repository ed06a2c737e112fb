//go:build linux && (amd64 || arm64)

package sfu

import (
	"encoding/binary"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func loopbackPair(t testing.TB) (*batchConn, *net.UDPConn, *atomic.Uint64) {
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
	_ = rx.SetReadBuffer(4 << 20)
	var errs atomic.Uint64
	b, err := newBatchConn(c, &errs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(); rx.Close() })
	return b, rx, &errs
}

// datagram i is 100+i%50 bytes and carries i in its first four bytes.
func datagram(i int) []byte {
	p := make([]byte, 100+i%50)
	binary.BigEndian.PutUint32(p, uint32(i))
	return p
}

// receive reads n datagrams and returns how often each number arrived.
func receive(t *testing.T, rx *net.UDPConn, n int) map[uint32]int {
	t.Helper()
	got := map[uint32]int{}
	buf := make([]byte, mtu)
	for i := range n {
		_ = rx.SetReadDeadline(time.Now().Add(5 * time.Second))
		m, err := rx.Read(buf)
		if err != nil {
			t.Fatalf("datagram %d of %d: %v", i+1, n, err)
		}
		k := binary.BigEndian.Uint32(buf)
		if m != 100+int(k)%50 {
			t.Fatalf("datagram %d: %d bytes, want %d", k, m, 100+int(k)%50)
		}
		got[k]++
	}
	return got
}

// TestBatchConnSendsEverything: a fan-out larger than a batch arrives whole
// and in order, a write outside a fan-out leaves at once, and a datagram too
// large to queue is sent after what was queued before it.
func TestBatchConnSendsEverything(t *testing.T) {
	b, rx, errs := loopbackPair(t)
	to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	const n = 2*batchSize + 7
	b.hold()
	for i := range n {
		if _, err := b.WriteToAddrPort(datagram(i), to); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.flushes.Load(); got != 2 {
		t.Errorf("%d batches sent during the fan-out, want 2 full ones", got)
	}
	b.release()
	buf := make([]byte, mtu)
	for i := range n {
		_ = rx.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := rx.Read(buf); err != nil {
			t.Fatalf("datagram %d of %d: %v", i+1, n, err)
		}
		if k := binary.BigEndian.Uint32(buf); k != uint32(i) {
			t.Fatalf("datagram %d arrived as number %d", i, k)
		}
	}

	if _, err := b.WriteTo(datagram(7), rx.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	receive(t, rx, 1)

	b.hold()
	_, _ = b.WriteToAddrPort(datagram(1), to)
	big := make([]byte, batchBuf+1)
	binary.BigEndian.PutUint32(big, 2)
	if _, err := b.WriteToAddrPort(big, to); err != nil {
		t.Fatal(err)
	}
	for _, want := range []uint32{1, 2} {
		_ = rx.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := rx.Read(buf); err != nil {
			t.Fatal(err)
		}
		if k := binary.BigEndian.Uint32(buf); k != want {
			t.Fatalf("got datagram %d, want %d (queued before the large one)", k, want)
		}
	}
	b.release()
	if errs.Load() != 0 {
		t.Errorf("%d send errors", errs.Load())
	}
}

// TestBatchConnConcurrentFanOuts: fan-outs on several goroutines and writes
// from outside any fan-out (the mux's STUN and RTCP) interleave; every
// datagram arrives exactly once and nothing stays queued.
func TestBatchConnConcurrentFanOuts(t *testing.T) {
	b, rx, errs := loopbackPair(t)
	to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	const writers, perWriter = 6, 300
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				k := w*perWriter + i
				fan := w%2 == 0
				if fan && i%10 == 0 {
					b.hold()
				}
				if _, err := b.WriteToAddrPort(datagram(k), to); err != nil {
					t.Error(err)
				}
				if fan && i%10 == 9 {
					b.release()
				}
				if i%50 == 0 {
					time.Sleep(time.Millisecond) // let the receiver drain
				}
			}
		})
	}
	got := receive(t, rx, writers*perWriter)
	wg.Wait()
	for k := range writers * perWriter {
		if got[uint32(k)] != 1 {
			t.Fatalf("datagram %d arrived %d times", k, got[uint32(k)])
		}
	}
	b.mu.Lock()
	queued := b.n
	b.mu.Unlock()
	if queued != 0 || b.holders.Load() != 0 {
		t.Errorf("after all fan-outs: %d queued, %d holders", queued, b.holders.Load())
	}
	if errs.Load() != 0 {
		t.Errorf("%d send errors", errs.Load())
	}
}

// TestBatchConnIPv6: a socket of the other family fills IPv6 addresses.
func TestBatchConnIPv6(t *testing.T) {
	lo := &net.UDPAddr{IP: net.IPv6loopback}
	c, err := net.ListenUDP("udp6", lo)
	if err != nil {
		t.Fatalf("no IPv6 loopback on this machine: %v", err)
	}
	rx, err := net.ListenUDP("udp6", lo)
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	var errs atomic.Uint64
	b, err := newBatchConn(c, &errs)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.hold()
	for i := range 3 {
		_, _ = b.WriteToAddrPort(datagram(i), rx.LocalAddr().(*net.UDPAddr).AddrPort())
	}
	b.release()
	if got := receive(t, rx, 3); len(got) != 3 || errs.Load() != 0 {
		t.Errorf("got %v, %d errors", got, errs.Load())
	}
}

// TestBatchConnAllocatesNothing: queueing and sending a fan-out allocates
// nothing.
func TestBatchConnAllocatesNothing(t *testing.T) {
	b, rx, _ := loopbackPair(t)
	to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
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
// sockets (one fan-out), one sendto each or batched with sendmmsg, and
// reports the sending thread's CPU time per datagram (the loopback receive
// path runs in it too).
func BenchmarkFanOutSend(b *testing.B) {
	lo := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}
	var dst []netip.AddrPort
	for range 120 {
		rx, err := net.ListenUDP("udp4", lo)
		if err != nil {
			b.Fatal(err)
		}
		defer rx.Close()
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
	bc, _, _ := loopbackPair(b)
	p := make([]byte, 100)
	threadCPU := func(b *testing.B, f func()) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var r0, r1 unix.Rusage
		_ = unix.Getrusage(unix.RUSAGE_THREAD, &r0)
		for b.Loop() {
			f()
			time.Sleep(100 * time.Microsecond) // let the receivers drain
		}
		_ = unix.Getrusage(unix.RUSAGE_THREAD, &r1)
		cpu := r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano()
		b.ReportMetric(float64(cpu)/float64(b.N)/float64(len(dst)), "cpu-ns/datagram")
	}
	b.Run("sendto", func(b *testing.B) {
		threadCPU(b, func() {
			for _, d := range dst {
				_, _ = bc.UDPConn.WriteToUDPAddrPort(p, d)
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
