package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

// countWriter is a TrackLocalWriter that counts what it would send.
type countWriter struct {
	n       int
	lastSeq uint16
	lastTS  uint32
}

func (w *countWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	w.n++
	w.lastSeq, w.lastTS = h.SequenceNumber, h.Timestamp
	return h.MarshalSize() + len(payload), nil
}
func (w *countWriter) Write(b []byte) (int, error) { return len(b), nil }

func testOutputs(m *metrics, n int, src *source) ([]*output, []*countWriter) {
	outs := make([]*output, n)
	ws := make([]*countWriter, n)
	for i := range outs {
		ws[i] = &countWriter{}
		outs[i] = newOutput(nil, "floor-0", m)
		outs[i].ws, outs[i].ssr, outs[i].pt, outs[i].up = ws[i], uint32(1000+i), ptOpus, true
		outs[i].assign(src)
	}
	return outs, ws
}

// The fan-out path allocates nothing per packet and subscriber.
func TestForwardAllocatesNothing(t *testing.T) {
	var m metrics
	src := &source{clock: 48000, m: &m}
	outs, ws := testOutputs(&m, 100, src)
	h := rtp.Header{Version: 2, SequenceNumber: 100, Timestamp: 5000, SSRC: 42, PayloadType: 111}
	payload := make([]byte, 80)
	allocs := testing.AllocsPerRun(100, func() {
		t0 := time.Now()
		for _, o := range outs {
			_ = o.forward(src, &h, payload, false, t0)
		}
		h.SequenceNumber++
		h.Timestamp += 960
	})
	if allocs != 0 {
		t.Errorf("forwarding one packet to 100 subscribers: %.1f allocations, want 0", allocs)
	}
	if ws[0].n == 0 {
		t.Fatal("nothing written")
	}
}

// A switch continues the slot's sequence numbers and timestamps.
func TestSwitchRewritesContinuously(t *testing.T) {
	var m metrics
	a := &source{clock: 48000, m: &m}
	b := &source{clock: 48000, m: &m}
	outs, ws := testOutputs(&m, 1, a)
	o, w := outs[0], ws[0]
	ha := rtp.Header{SequenceNumber: 65530, Timestamp: 1 << 31}
	for range 10 { // across the sequence number wrap
		o.forward(a, &ha, nil, false, time.Now())
		ha.SequenceNumber++
		ha.Timestamp += 960
	}
	seq, ts := w.lastSeq, w.lastTS
	o.assign(b)
	o.forward(a, &ha, nil, false, time.Now()) // a late packet of the old source
	if w.n != 10 {
		t.Fatalf("the old source still wrote after the switch")
	}
	hb := rtp.Header{SequenceNumber: 7, Timestamp: 123}
	o.forward(b, &hb, nil, false, time.Now())
	if w.lastSeq != seq+1 {
		t.Errorf("sequence after switch %d, want %d", w.lastSeq, seq+1)
	}
	if d := w.lastTS - ts; d == 0 || d > 48000 {
		t.Errorf("timestamp advanced by %d over the switch, want a small positive step", d)
	}
	old := rtp.Header{SequenceNumber: 6, Timestamp: 100} // b's packet from before the switch
	o.forward(b, &old, nil, false, time.Now())
	if w.n != 11 {
		t.Errorf("a packet from before the switch was forwarded")
	}
}

func TestVP8Keyframe(t *testing.T) {
	for _, c := range []struct {
		name string
		p    []byte
		want bool
	}{
		{"key, short descriptor", []byte{0x10, 0x00}, true},
		{"delta", []byte{0x10, 0x01}, false},
		{"not a partition start", []byte{0x00, 0x00}, false},
		{"key with 15-bit picture id", []byte{0x90, 0x80, 0x81, 0x23, 0x00}, true},
		{"delta with picture id and tl0", []byte{0x90, 0xC0, 0x12, 0x05, 0x01}, false},
		{"truncated", []byte{0x90}, false},
	} {
		if got := vp8KeyframeStart(c.p); got != c.want {
			t.Errorf("%s: vp8KeyframeStart(%x) = %v, want %v", c.name, c.p, got, c.want)
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	for i := 1; i <= 1000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	p50, p99, n := h.quantiles()
	if n != 1000 {
		t.Fatalf("n = %d", n)
	}
	if p50 < 400*time.Microsecond || p50 > 600*time.Microsecond {
		t.Errorf("p50 = %v, want about 500µs", p50)
	}
	if p99 < 850*time.Microsecond || p99 > 1150*time.Microsecond {
		t.Errorf("p99 = %v, want about 990µs", p99)
	}
}

func BenchmarkForward120(b *testing.B) {
	var m metrics
	src := &source{clock: 48000, m: &m}
	outs, _ := testOutputs(&m, 120, src)
	h := rtp.Header{Version: 2, SequenceNumber: 100, Timestamp: 5000, SSRC: 42, PayloadType: 111}
	payload := make([]byte, 80)
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		for _, o := range outs {
			_ = o.forward(src, &h, payload, false, t0)
		}
		h.SequenceNumber++
	}
}
