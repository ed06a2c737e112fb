package sfuclient

import (
	"context"
	"encoding/binary"
	"errors"
	"maps"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// Payload layout. Video payloads start with a 1-byte VP8 payload descriptor
// (S=1, partition 0) and the first VP8 header byte (P bit clear on
// keyframes), so the SFU's keyframe detection sees real VP8 framing. Then,
// for audio and video alike: tag length, tag, send time (unix nanos).
const videoPrefix = 2

// Publish sends synthetic RTP on the client's audio and video tracks until
// ctx ends or the client closes. It returns at once; the senders run in the
// background.
func (c *Client) Publish(ctx context.Context) {
	if c.audio != nil {
		c.wg.Go(func() { c.publish(ctx, c.audio, false, c.opts.AudioPPS, c.opts.AudioSize, 960) })
	}
	if c.video != nil {
		c.wg.Go(func() {
			c.publish(ctx, c.video, true, c.opts.VideoPPS, c.opts.VideoSize, 90000/uint32(c.opts.VideoPPS))
		})
	}
}

func (c *Client) publish(ctx context.Context, t *webrtc.TrackLocalStaticRTP, video bool, pps, size int, tsStep uint32) {
	tick := time.NewTicker(time.Second / time.Duration(pps))
	defer tick.Stop()
	payload := make([]byte, size)
	off := 0
	if video {
		payload[0] = 0x10
		off = videoPrefix
	}
	payload[off] = byte(len(c.opts.Tag))
	copy(payload[off+1:], c.opts.Tag)
	tsAt := off + 1 + len(c.opts.Tag)
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(time.Now().UnixNano()), Timestamp: uint32(time.Now().UnixNano())}, Payload: payload}
	n := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.done:
			return
		case <-tick.C:
		}
		if video {
			key := n%c.opts.KeyframeEvery == 0 || c.forceKey.Swap(false)
			payload[1] = 0x01
			if key {
				payload[1] = 0x00
			}
		}
		pkt.Marker = video
		binary.BigEndian.PutUint64(payload[tsAt:], uint64(time.Now().UnixNano()))
		if err := t.WriteRTP(&pkt); err != nil && !errors.Is(err, context.Canceled) {
			c.errs.Add(1)
		}
		pkt.SequenceNumber++
		pkt.Timestamp += tsStep
		n++
	}
}

// onTrack counts the packets of a track the server sends.
func (c *Client) onTrack(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	id := t.ID()
	video := t.Kind() == webrtc.RTPCodecTypeVideo
	c.mu.Lock()
	st := c.tracks[id]
	if st == nil {
		st = &TrackStats{ID: id, BySource: map[string]uint64{}}
		c.tracks[id] = st
	}
	st.ssrc = uint32(t.SSRC())
	c.mu.Unlock()
	c.wg.Go(func() {
		buf := make([]byte, 1500)
		var h rtp.Header
		for {
			n, _, err := t.Read(buf)
			if err != nil {
				return
			}
			hl, err := h.Unmarshal(buf[:n])
			if err != nil {
				continue
			}
			now := time.Now()
			p := buf[hl:n]
			off := 0
			if video {
				off = videoPrefix
			}
			var tag string
			var sent int64
			key := video && len(p) > 1 && p[1]&1 == 0
			if len(p) > off {
				l := int(p[off])
				if len(p) >= off+1+l+8 {
					tag = string(p[off+1 : off+1+l])
					sent = int64(binary.BigEndian.Uint64(p[off+1+l:]))
				}
			}
			c.mu.Lock()
			st.count(h.SequenceNumber, n, tag, key)
			if sent > 0 {
				st.Latency += now.Sub(time.Unix(0, sent))
			}
			c.mu.Unlock()
		}
	})
}

// count records one packet.
func (s *TrackStats) count(seq uint16, n int, tag string, key bool) {
	s.Packets++
	s.Bytes += uint64(n)
	if tag != "" && tag != s.LastSource {
		s.LastSource = tag
	}
	s.BySource[tag]++
	if key {
		s.Keyframes++
	}
	if !s.started {
		s.started = true
		s.FirstKey = key
		s.first, s.highest = uint32(seq), uint32(seq)
		return
	}
	// Extend seq to 32 bits relative to the highest seen.
	diff := int32(int16(seq - uint16(s.highest)))
	ext := uint32(int64(s.highest) + int64(diff))
	if diff != 1 {
		s.Discontinue++
	}
	if diff > 0 {
		s.highest = ext
	}
	expected := uint64(s.highest-s.first) + 1
	if expected > s.Packets {
		s.Lost = expected - s.Packets
	} else {
		s.Lost = 0
	}
}

// Tracks returns a copy of the per-track counters, by track id (the SFU's
// program slot name).
func (c *Client) Tracks() map[string]TrackStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]TrackStats, len(c.tracks))
	for id, st := range c.tracks {
		cp := *st
		cp.BySource = maps.Clone(st.BySource)
		out[id] = cp
	}
	return out
}

// Track returns the counters of one track (zero when not received).
func (c *Client) Track(id string) TrackStats {
	return c.Tracks()[id]
}

// RequestKeyframe sends a PLI for the received track id to the server.
func (c *Client) RequestKeyframe(id string) error {
	c.mu.Lock()
	st := c.tracks[id]
	c.mu.Unlock()
	if st == nil {
		return errors.New("no such track")
	}
	return c.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: st.ssrc}})
}

// Nack asks the server to retransmit sequence number seq of track id.
func (c *Client) Nack(id string, seq uint16) error {
	c.mu.Lock()
	st := c.tracks[id]
	c.mu.Unlock()
	if st == nil {
		return errors.New("no such track")
	}
	return c.pc.WriteRTCP([]rtcp.Packet{&rtcp.TransportLayerNack{MediaSSRC: st.ssrc,
		Nacks: []rtcp.NackPair{{PacketID: seq}}}})
}

// Highest returns the highest sequence number received on track id.
func (c *Client) Highest(id string) uint16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.tracks[id]; st != nil {
		return uint16(st.highest)
	}
	return 0
}
