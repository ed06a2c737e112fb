package record

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/at-wat/ebml-go"
	"github.com/at-wat/ebml-go/webm"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
)

// File is a parsed WebM file: its tracks and frames in time order. It is
// what the tests check a segment with, and what the demo generator and
// tests replay as RTP (Packets).
type File struct {
	Duration time.Duration // Info.Duration
	Tracks   []webm.TrackEntry
	Cues     int // cue points
	Frames   []Frame
}

// Frame is one block of a WebM file.
type Frame struct {
	Video    bool
	Keyframe bool
	At       time.Duration // from the start of the file
	Data     []byte
}

// Parse reads a whole WebM file (ebml-go's unmarshaller).
func Parse(r io.Reader) (File, error) {
	var doc struct {
		Header  webm.EBMLHeader `ebml:"EBML"`
		Segment webm.Segment    `ebml:"Segment"`
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return File{}, fmt.Errorf("read webm: %w", err)
	}
	if err := ebml.Unmarshal(bytes.NewReader(b), &doc); err != nil {
		return File{}, fmt.Errorf("parse webm: %w", err)
	}
	scale := doc.Segment.Info.TimecodeScale
	if scale == 0 {
		scale = 1_000_000
	}
	f := File{Tracks: doc.Segment.Tracks.TrackEntry,
		Duration: time.Duration(doc.Segment.Info.Duration * float64(scale))}
	if doc.Segment.Cues != nil {
		f.Cues = len(doc.Segment.Cues.CuePoint)
	}
	video := map[uint64]bool{}
	for _, t := range f.Tracks {
		video[t.TrackNumber] = t.TrackType == 1
	}
	add := func(c webm.Cluster, b ebml.Block, key bool) {
		at := time.Duration((int64(c.Timecode) + int64(b.Timecode)) * int64(scale))
		for _, d := range b.Data {
			f.Frames = append(f.Frames, Frame{Video: video[b.TrackNumber], Keyframe: key, At: at, Data: d})
		}
	}
	for _, c := range doc.Segment.Cluster {
		for _, b := range c.SimpleBlock {
			add(c, b, b.Keyframe)
		}
		for _, g := range c.BlockGroup {
			add(c, g.Block, g.ReferenceBlock == 0)
		}
	}
	sort.SliceStable(f.Frames, func(i, j int) bool { return f.Frames[i].At < f.Frames[j].At })
	return f, nil
}

// Packet is one RTP packet of a replayed file, with its time from the
// start.
type Packet struct {
	Video bool
	At    time.Duration
	RTP   *rtp.Packet
}

// Packetizer turns frames into RTP packets as a WebRTC sender would
// (VP8 per RFC 7741, Opus per RFC 7587), continuing its sequence numbers
// and timestamps across calls.
type Packetizer struct {
	vseq, aseq uint16
	vp8        codecs.VP8Payloader
	opus       codecs.OpusPayloader
	base       time.Duration // added to the frames' times (Packets of the next file)
	last       time.Duration
}

// Packets packetizes the frames of one file after those of the files
// packetized before.
func (p *Packetizer) Packets(frames []Frame) []Packet {
	var out []Packet
	for _, f := range frames {
		at := p.base + f.At
		p.last = max(p.last, at)
		if f.Video {
			parts := p.vp8.Payload(1200, f.Data)
			for i, part := range parts {
				out = append(out, Packet{Video: true, At: at, RTP: &rtp.Packet{Header: rtp.Header{Version: 2,
					PayloadType: 96, SequenceNumber: p.vseq, Timestamp: uint32(at.Milliseconds() * 90), SSRC: 1,
					Marker: i == len(parts)-1}, Payload: part}})
				p.vseq++
			}
			continue
		}
		for _, part := range p.opus.Payload(1200, f.Data) {
			out = append(out, Packet{At: at, RTP: &rtp.Packet{Header: rtp.Header{Version: 2,
				PayloadType: 111, SequenceNumber: p.aseq, Timestamp: uint32(at.Milliseconds() * 48), SSRC: 2},
				Payload: part}})
			p.aseq++
		}
	}
	p.base = p.last + 20*time.Millisecond
	return out
}
