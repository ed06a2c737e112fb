package sfu

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// Program slot names. With K floor slots, slot i < K is "floor-i", then
// room-audio, speaker-video and room-video.
const (
	slotRoomAudio    = "room-audio"
	slotSpeakerVideo = "speaker-video"
	slotRoomVideo    = "room-video"
	programStream    = "program"
)

// slotNames returns the program's track ids in offer order for k floor slots.
func slotNames(k int) []string {
	names := make([]string, 0, k+3)
	for i := range k {
		names = append(names, "floor-"+strconv.Itoa(i))
	}
	return append(names, slotRoomAudio, slotSpeakerVideo, slotRoomVideo)
}

func slotIsVideo(name string) bool { return strings.HasSuffix(name, "-video") }

// output is one program slot of one receiving peer: a pion TrackLocal bound
// to that peer's RTP sender, fed by at most one source at a time. It keeps its
// own sequence number and timestamp offsets, so the source can change
// without renegotiation and the subscriber sees one continuous stream.
type output struct {
	peer  *Peer
	id    string
	video bool
	codec webrtc.RTPCodecCapability
	m     *metrics

	mu  sync.Mutex
	ws  webrtc.TrackLocalWriter // nil until bound
	ssr uint32
	pt  uint8
	src *source // assigned by Room.route
	// up: the peer's connection is up (ICE and DTLS), so what is written
	// reaches the subscriber. Before, nothing is forwarded and no
	// keyframe is asked for: pion drops packets written before SRTP runs,
	// and a keyframe dropped so would leave the subscriber without a
	// picture until the next one.
	up bool

	switching bool // the next packet from src (a keyframe for video) restarts the offsets
	started   bool // at least one packet written
	seqOff    uint16
	tsOff     uint32
	firstIn   uint16 // first source sequence number since the switch
	lastSeq   uint16 // highest output sequence number written
	lastTS    uint32
	lastAt    time.Time
	hdr       rtp.Header // reused for every write
	rtxBuf    []byte     // reused for retransmissions
	rtxPkt    rtp.Packet
}

var _ webrtc.TrackLocal = (*output)(nil)

func newOutput(p *Peer, id string, m *metrics) *output {
	o := &output{peer: p, id: id, video: slotIsVideo(id), m: m}
	if o.video {
		o.codec = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}
	} else {
		o.codec = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}
	}
	return o
}

// Bind is called by pion once the slot's transceiver is negotiated.
func (o *output) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	for _, c := range ctx.CodecParameters() {
		if strings.EqualFold(c.MimeType, o.codec.MimeType) {
			o.mu.Lock()
			o.ws, o.ssr, o.pt = ctx.WriteStream(), uint32(ctx.SSRC()), uint8(c.PayloadType)
			src := o.waitingLocked()
			o.mu.Unlock()
			if src != nil {
				src.requestKeyframe()
			}
			return c, nil
		}
	}
	return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
}

// Unbind is called by pion when the sender stops.
func (o *output) Unbind(webrtc.TrackLocalContext) error {
	o.mu.Lock()
	o.ws = nil
	o.mu.Unlock()
	return nil
}

func (o *output) ID() string       { return o.id }
func (o *output) RID() string      { return "" }
func (o *output) StreamID() string { return programStream }
func (o *output) Kind() webrtc.RTPCodecType {
	if o.video {
		return webrtc.RTPCodecTypeVideo
	}
	return webrtc.RTPCodecTypeAudio
}

// assign makes src the slot's source (nil: silence). It reports whether the
// source changed to a video source that now needs a keyframe for this
// output (not before the output is bound and its connection up: then
// Bind or setUp asks).
func (o *output) assign(src *source) (needKeyframe bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.src == src {
		return false
	}
	o.src = src
	o.switching = true
	return o.waitingLocked() != nil
}

// waitingLocked returns the video source the output can take a keyframe
// of and waits for, or nil. o.mu is held.
func (o *output) waitingLocked() *source {
	if o.src == nil || !o.src.video || !o.switching || o.ws == nil || !o.up {
		return nil
	}
	return o.src
}

// setUp marks the output's connection up; a video output waiting for a
// keyframe asks for one now.
func (o *output) setUp() {
	o.mu.Lock()
	o.up = true
	src := o.waitingLocked()
	o.mu.Unlock()
	if src != nil {
		src.requestKeyframe()
	}
}

func (o *output) source() *source {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.src
}

// seqNewer reports whether a is after b in RTP sequence number order.
func seqNewer(a, b uint16) bool { return a != b && a-b < 0x8000 }

// forward writes one packet of src to the subscriber, rewritten into the
// slot's sequence and timestamp space, and reports whether it was written.
// t0 is when the SFU read it.
func (o *output) forward(src *source, h *rtp.Header, payload []byte, keyframe bool, t0 time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.src != src || o.ws == nil || !o.up {
		return false
	}
	if o.switching {
		if o.video && !keyframe {
			// Wait for the keyframe requested on the switch; ask again
			// (coalesced by the source: this rides on the outstanding
			// request, or repeats it when it was lost).
			src.requestKeyframe()
			return false
		}
		o.switching = false
		o.firstIn = h.SequenceNumber
		if !o.started {
			o.seqOff, o.tsOff = 0, 0
			o.lastSeq = h.SequenceNumber - 1
		} else {
			// Continue where the previous source ended: next sequence number,
			// timestamp advanced by the wall time since the last packet.
			o.seqOff = o.lastSeq + 1 - h.SequenceNumber
			ticks := uint32(time.Since(o.lastAt).Seconds()*float64(src.clock)) + 1
			o.tsOff = o.lastTS + ticks - h.Timestamp
		}
	} else if seqNewer(o.firstIn, h.SequenceNumber) {
		return false // older than the switch: belongs to the previous mapping
	} else if h.SequenceNumber-o.firstIn > 0x4000 {
		o.firstIn = h.SequenceNumber - 0x4000 // keep the reference within half the sequence space
	}
	o.hdr = *h
	o.hdr.Extension, o.hdr.Extensions, o.hdr.ExtensionProfile = false, nil, 0
	o.hdr.SequenceNumber += o.seqOff
	o.hdr.Timestamp += o.tsOff
	o.hdr.SSRC, o.hdr.PayloadType = o.ssr, o.pt
	if !o.started || seqNewer(o.hdr.SequenceNumber, o.lastSeq) {
		o.lastSeq, o.lastTS, o.lastAt = o.hdr.SequenceNumber, o.hdr.Timestamp, t0
	}
	o.started = true
	n, err := o.ws.WriteRTP(&o.hdr, payload)
	if err != nil {
		o.m.writeErrors.Add(1)
		return false
	}
	o.m.forwarded.Add(1)
	o.m.forwardedBytes.Add(uint64(n))
	return true
}

// retransmit answers a subscriber's NACK for output sequence number seq from
// the current source's cache.
func (o *output) retransmit(seq uint16) {
	o.mu.Lock()
	defer o.mu.Unlock()
	src := o.src
	if src == nil || src.cache == nil || o.switching || o.ws == nil {
		return
	}
	in := seq - o.seqOff
	if seqNewer(o.firstIn, in) {
		return // from before the switch
	}
	if o.rtxBuf == nil {
		o.rtxBuf = make([]byte, mtu)
	}
	n := src.cache.get(in, o.rtxBuf)
	if n == 0 || o.rtxPkt.Unmarshal(o.rtxBuf[:n]) != nil {
		return
	}
	o.hdr = o.rtxPkt.Header
	o.hdr.Extension, o.hdr.Extensions, o.hdr.ExtensionProfile = false, nil, 0
	o.hdr.SequenceNumber += o.seqOff
	o.hdr.Timestamp += o.tsOff
	o.hdr.SSRC, o.hdr.PayloadType = o.ssr, o.pt
	if _, err := o.ws.WriteRTP(&o.hdr, o.rtxPkt.Payload); err == nil {
		o.m.retransmitted.Add(1)
	}
}

// readRTCP handles the subscriber's RTCP for this slot until the sender
// stops: keyframe requests go to the current source, NACKs are answered from
// its cache.
func (o *output) readRTCP(sender *webrtc.RTPSender) {
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			switch p := p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				if src := o.source(); src != nil {
					src.requestKeyframe()
				}
			case *rtcp.TransportLayerNack:
				for _, pair := range p.Nacks {
					for _, seq := range pair.PacketList() {
						o.m.nacks.Add(1)
						o.retransmit(seq)
					}
				}
			}
		}
	}
}
