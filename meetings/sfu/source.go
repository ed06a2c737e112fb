package sfu

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// mtu is the largest RTP packet the SFU reads or caches.
const mtu = 1500

// videoCacheSize is how many recent packets of a video source are kept for
// NACKs (about 2 s at 250 packets/s). Audio is not cached: Opus is offered
// without NACK feedback.
const videoCacheSize = 512

// Keyframe requests (PLI) to a source are coalesced: at most one is
// outstanding at a time. After a PLI no other is sent until a keyframe has
// arrived from the source or pliTimeout passed without one, and never two
// within pliMinInterval; every output waiting on the source starts on the
// same keyframe. A wave of joining viewers costs the encoder one keyframe,
// a steady stream of them at most one every pliMinInterval.
const (
	pliTimeout     = time.Second
	pliMinInterval = 500 * time.Millisecond
)

// source is one published track: a member's microphone or camera, or the
// room's audio or video. One goroutine reads it and writes each packet to
// the outputs routed to it.
type source struct {
	owner *Peer
	video bool
	clock uint32 // RTP clock rate
	ssrc  uint32
	pc    *webrtc.PeerConnection
	track *webrtc.TrackRemote
	m     *metrics
	fan   fanOut // the sockets a fan-out batches on (none: one write each)

	outs    atomic.Pointer[[]*output] // set by Room.route, read per packet
	cache   *packetCache              // nil for audio
	lastPLI atomic.Int64              // unix nanos of the last keyframe request
	pliOpen atomic.Bool               // the last keyframe request is unanswered (no keyframe since)
	gotRTP  atomic.Bool
}

func newSource(owner *Peer, pc *webrtc.PeerConnection, t *webrtc.TrackRemote, m *metrics, fan fanOut) *source {
	s := &source{owner: owner, pc: pc, track: t, ssrc: uint32(t.SSRC()), m: m, fan: fan,
		video: t.Kind() == webrtc.RTPCodecTypeVideo, clock: t.Codec().ClockRate}
	if s.clock == 0 {
		s.clock = 48000
	}
	if s.video {
		s.cache = newPacketCache(videoCacheSize)
	}
	return s
}

// run reads the track until it ends and forwards every packet. onFirst is
// called after the first packet.
func (s *source) run(onFirst func()) {
	buf := make([]byte, mtu)
	var pkt rtp.Packet
	for {
		n, _, err := s.track.Read(buf)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.owner.log.Debug("source read ended", "err", err)
			}
			return
		}
		t0 := time.Now()
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			continue
		}
		s.m.ingress.Add(1)
		if !s.gotRTP.Load() {
			s.gotRTP.Store(true)
			onFirst()
		}
		if s.cache != nil {
			s.cache.put(pkt.SequenceNumber, buf[:n])
		}
		key := s.video && vp8KeyframeStart(pkt.Payload)
		if key && s.pliOpen.Load() {
			s.pliOpen.Store(false) // the outstanding request is answered
		}
		outs := s.outs.Load()
		if outs == nil || len(*outs) == 0 {
			s.m.dropped.Add(1)
			continue
		}
		s.fanOut(*outs, &pkt, key, t0)
	}
}

// fanOut writes one packet to every output routed to the source. Its
// SFU-internal latency ends when a datagram is handed to the kernel: at once
// without batching sockets, else when the batch holding it is sent (the
// datagrams of one batch share one clock read).
func (s *source) fanOut(outs []*output, pkt *rtp.Packet, key bool, t0 time.Time) {
	if len(s.fan) == 0 {
		for _, o := range outs {
			if o.forward(s, &pkt.Header, pkt.Payload, key, t0) {
				s.m.latency.record(time.Since(t0))
			}
		}
		return
	}
	s.fan.begin()
	var pending uint64
	mark := s.fan.sent()
	for _, o := range outs {
		if !o.forward(s, &pkt.Header, pkt.Payload, key, t0) {
			continue
		}
		pending++
		if f := s.fan.sent(); f != mark {
			s.m.latency.recordN(time.Since(t0), pending)
			pending, mark = 0, f
		}
	}
	s.fan.end()
	if pending > 0 {
		s.m.latency.recordN(time.Since(t0), pending)
	}
}

// requestKeyframe asks the publisher for a keyframe: it sends a PLI unless
// one is outstanding (sent less than pliTimeout ago and no keyframe
// since) or was sent less than pliMinInterval ago; then the request rides
// on that one (counted as coalesced).
func (s *source) requestKeyframe() {
	if !s.video {
		return
	}
	now := time.Now().UnixNano()
	last := s.lastPLI.Load()
	wait := int64(pliMinInterval)
	if s.pliOpen.Load() {
		wait = int64(pliTimeout)
	}
	if now-last < wait || !s.lastPLI.CompareAndSwap(last, now) {
		s.m.plisCoalesced.Add(1)
		return
	}
	s.pliOpen.Store(true)
	if err := s.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: s.ssrc}}); err == nil {
		s.m.plis.Add(1)
	}
}

// packetCache is a ring buffer of a source's recent packets, shared by all
// its subscribers: a NACK looks the original sequence number up and the
// subscriber's output rewrites the header.
type packetCache struct {
	mu   sync.Mutex
	size int
	seq  []uint16
	n    []int // 0: empty
	data []byte
}

func newPacketCache(size int) *packetCache {
	return &packetCache{size: size, seq: make([]uint16, size), n: make([]int, size), data: make([]byte, size*mtu)}
}

func (c *packetCache) put(seq uint16, pkt []byte) {
	i := int(seq) % c.size
	c.mu.Lock()
	c.seq[i] = seq
	c.n[i] = copy(c.data[i*mtu:(i+1)*mtu], pkt)
	c.mu.Unlock()
}

// get copies the packet with sequence number seq into dst and returns its
// length, or 0 when it is no longer cached.
func (c *packetCache) get(seq uint16, dst []byte) int {
	i := int(seq) % c.size
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[i] == 0 || c.seq[i] != seq {
		return 0
	}
	return copy(dst, c.data[i*mtu:i*mtu+c.n[i]])
}

// vp8KeyframeStart reports whether a VP8 RTP payload (RFC 7741) starts a
// keyframe: S=1, partition 0, and the P bit of the VP8 header clear.
func vp8KeyframeStart(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	x, s, pid := p[0]&0x80 != 0, p[0]&0x10 != 0, p[0]&0x07
	if !s || pid != 0 {
		return false
	}
	i := 1
	if x {
		if len(p) < 2 {
			return false
		}
		ext := p[1]
		i = 2
		if ext&0x80 != 0 { // I: picture id
			if len(p) <= i {
				return false
			}
			if p[i]&0x80 != 0 {
				i += 2
			} else {
				i++
			}
		}
		if ext&0x40 != 0 { // L: TL0PICIDX
			i++
		}
		if ext&0x30 != 0 { // T or K
			i++
		}
	}
	return len(p) > i && p[i]&0x01 == 0
}
