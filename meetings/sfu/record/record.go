package record

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/at-wat/ebml-go/mkvcore"
	"github.com/at-wat/ebml-go/webm"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"
)

// Segment is one finished recording file.
type Segment struct {
	Label string
	// Path is the finished WebM file. OnSegment owns it: it stores and
	// removes it.
	Path     string
	Start    time.Time // wall clock of the first (key) frame
	Duration time.Duration
	Size     int64
	// Width and Height are the first keyframe's.
	Width, Height int
	// VideoFrames and AudioFrames are the blocks written.
	VideoFrames, AudioFrames int
}

// Config configures a Recorder. Dir and OnSegment are required.
type Config struct {
	// Dir is where segment files are written while they grow.
	Dir string
	// OnSegment receives each finished segment, on a goroutine of its
	// own (Close waits for it).
	OnSegment func(Segment)
	// RequestKeyframe asks the video source for a keyframe: at the start
	// of a segment, after a loss and every KeyframeEvery (seek points).
	RequestKeyframe func()
	// Queue is how many packets wait for the writer; a full queue drops
	// (Stats.Dropped). Default 4096 (several seconds of programme).
	Queue int
	// KeyframeEvery is how often a keyframe is asked for while writing,
	// so that the file has a seek point (cluster and cue) at least that
	// often. Default 10 s.
	KeyframeEvery time.Duration
	Log           *slog.Logger
}

// Stats are a Recorder's counters.
type Stats struct {
	Queued, Dropped, Segments uint64
}

// item is one packet handed over by Offer.
type item struct {
	video bool
	label string
	at    time.Time
	pkt   *rtp.Packet
}

// Recorder writes the packets offered to it into WebM segments. Offer is
// safe for concurrent use and never blocks; the rest is for one owner.
type Recorder struct {
	cfg   Config
	ch    chan item
	label atomic.Pointer[string]

	queued, dropped, segments atomic.Uint64

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	handoff  sync.WaitGroup
}

// New starts a Recorder. It records nothing until SetLabel.
func New(cfg Config) *Recorder {
	if cfg.Queue <= 0 {
		cfg.Queue = 4096
	}
	if cfg.KeyframeEvery <= 0 {
		cfg.KeyframeEvery = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.RequestKeyframe == nil {
		cfg.RequestKeyframe = func() {}
	}
	r := &Recorder{cfg: cfg, ch: make(chan item, cfg.Queue), stop: make(chan struct{}), done: make(chan struct{})}
	empty := ""
	r.label.Store(&empty)
	go r.run()
	return r
}

// SetLabel starts a new segment labelled label with the next keyframe
// (when it differs from the current one), or pauses with "": the current
// segment ends and nothing is written until the next SetLabel.
func (r *Recorder) SetLabel(label string) { r.label.Store(&label) }

// Label returns the current label ("" while paused).
func (r *Recorder) Label() string { return *r.label.Load() }

// Offer hands one RTP packet of the programme to the writer: it copies
// header and payload into the queue and returns at once. It reports
// false when the packet was not taken (paused, closed, or the queue is
// full: counted in Stats.Dropped).
func (r *Recorder) Offer(video bool, h *rtp.Header, payload []byte) bool {
	label := *r.label.Load()
	if label == "" {
		return false
	}
	p := &rtp.Packet{Header: *h, Payload: append([]byte(nil), payload...)}
	p.CSRC, p.Extensions, p.Extension = nil, nil, false
	select {
	case r.ch <- item{video: video, label: label, at: time.Now(), pkt: p}:
		r.queued.Add(1)
		return true
	default:
		r.dropped.Add(1)
		return false
	}
}

// Stats returns the counters.
func (r *Recorder) Stats() Stats {
	return Stats{Queued: r.queued.Load(), Dropped: r.dropped.Load(), Segments: r.segments.Load()}
}

// Close stops taking packets, writes what is queued, finishes the
// current segment and waits until OnSegment has returned for every
// segment.
func (r *Recorder) Close() {
	r.SetLabel("")
	r.stopOnce.Do(func() { close(r.stop) })
	<-r.done
	r.handoff.Wait()
}

func (r *Recorder) run() {
	defer close(r.done)
	w := newWriter(r)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case it := <-r.ch:
			w.handle(it)
		case now := <-tick.C:
			w.tick(now)
		case <-r.stop:
			for {
				select {
				case it := <-r.ch:
					w.handle(it)
				default:
					w.finish()
					return
				}
			}
		}
	}
}

// writer is the recorder goroutine's state: the samplebuilders and the
// open segment.
type writer struct {
	r        *Recorder
	label    string
	vsb, asb *samplebuilder.SampleBuilder
	vAt, aAt time.Time // arrival of the newest packet of each track
	lastAsk  time.Time

	// the open segment; file == nil: waiting for a keyframe
	file         *bufFile
	path         string
	vw, aw       webm.BlockWriteCloser
	start        time.Time
	width, hgt   int
	vts, ats     unwrap
	v0, a0, aOff int64
	aStarted     bool
	lastV, lastA int64
	lastKey      time.Time
	needKey      bool // a loss: skip delta frames until a keyframe
	nv, na       int
	failed       bool // writing failed: skip until the next label
	// fatal: the muxer's writer stopped (its further writes would block).
	fatal atomic.Bool
}

func newWriter(r *Recorder) *writer {
	w := &writer{r: r}
	w.vsb, w.asb = newBuilders()
	return w
}

func newBuilders() (video, audio *samplebuilder.SampleBuilder) {
	return samplebuilder.New(256, &codecs.VP8Packet{}, 90000), samplebuilder.New(64, &codecs.OpusPacket{}, 48000)
}

func (w *writer) handle(it item) {
	if it.label != w.label {
		// A new segment: what the builders hold belongs to the old one
		// or to a gap (the paused stretch).
		w.finish()
		w.label, w.failed = it.label, false
		w.vsb, w.asb = newBuilders()
	}
	if it.video {
		w.vAt = it.at
		w.vsb.Push(it.pkt)
		for s := w.vsb.Pop(); s != nil; s = w.vsb.Pop() {
			w.video(s)
		}
		return
	}
	w.aAt = it.at
	w.asb.Push(it.pkt)
	for s := w.asb.Pop(); s != nil; s = w.asb.Pop() {
		w.audio(s)
	}
}

// tick ends the segment of a paused recording once the queue is empty,
// and asks for the periodic keyframe.
func (w *writer) tick(now time.Time) {
	if w.r.Label() == "" && w.label != "" && len(w.r.ch) == 0 {
		w.finish()
		w.label = ""
		return
	}
	if w.file != nil && now.Sub(w.lastKey) >= w.r.cfg.KeyframeEvery {
		w.askKeyframe(now)
	}
}

func (w *writer) askKeyframe(now time.Time) {
	if now.Sub(w.lastAsk) < 500*time.Millisecond {
		return
	}
	w.lastAsk = now
	w.r.cfg.RequestKeyframe()
}

// vp8Key reports whether a VP8 frame is a keyframe (RFC 6386, 9.1: bit 0
// of the frame tag clear) and returns its size from the keyframe header
// (0 when the frame has no start code: the benchmark's synthetic frames).
func vp8Key(f []byte) (key bool, width, height int) {
	if len(f) < 1 || f[0]&0x01 != 0 {
		return false, 0, 0
	}
	if len(f) < 10 || f[3] != 0x9d || f[4] != 0x01 || f[5] != 0x2a {
		return true, 0, 0
	}
	return true, int(binary.LittleEndian.Uint16(f[6:8]) & 0x3fff), int(binary.LittleEndian.Uint16(f[8:10]) & 0x3fff)
}

func (w *writer) video(s *media.Sample) {
	if w.label == "" || w.failed || len(s.Data) == 0 {
		return
	}
	key, width, height := vp8Key(s.Data)
	if w.file == nil {
		if !key {
			w.askKeyframe(w.vAt)
			return
		}
		if err := w.open(width, height); err != nil {
			w.r.cfg.Log.Error("recording: open segment", "label", w.label, "err", err)
			w.failed = true
			return
		}
		w.v0 = w.vts.next(s.PacketTimestamp)
		w.lastKey = w.vAt
	} else if s.PrevDroppedPackets > 0 {
		w.needKey = true
	}
	ext := w.vts.next(s.PacketTimestamp)
	if w.needKey {
		if !key {
			w.askKeyframe(w.vAt)
			return
		}
		w.needKey = false
	}
	ms := max((ext-w.v0)/90, w.lastV)
	if w.fatal.Load() {
		w.fail(errMuxer)
		return
	}
	if _, err := w.vw.Write(key, ms, s.Data); err != nil {
		w.fail(err)
		return
	}
	w.lastV = ms
	w.nv++
	if key {
		w.lastKey = w.vAt
	}
}

func (w *writer) audio(s *media.Sample) {
	if w.file == nil || len(s.Data) == 0 {
		return
	}
	ext := w.ats.next(s.PacketTimestamp)
	if !w.aStarted {
		// Audio joins the video's time line by arrival: its first
		// packet's offset from the segment's first keyframe.
		w.aStarted, w.a0 = true, ext
		w.aOff = max(w.aAt.Sub(w.start).Milliseconds()-s.Duration.Milliseconds(), 0)
	}
	ms := max(w.aOff+(ext-w.a0)/48, w.lastA)
	if w.fatal.Load() {
		w.fail(errMuxer)
		return
	}
	if _, err := w.aw.Write(true, ms, s.Data); err != nil {
		w.fail(err)
		return
	}
	w.lastA = ms
	w.na++
}

func (w *writer) fail(err error) {
	w.r.cfg.Log.Error("recording: write", "label", w.label, "err", err)
	w.finish()
	w.failed = true
}

// Track numbers of a segment.
const (
	trackVideo = 1
	trackAudio = 2
)

// cuesReserve is the space reserved for the Cues: about 20 bytes a seek
// point, one every KeyframeEvery, so some 3 hours at 10 s (ebml-go thins
// them out when they do not fit).
const cuesReserve = 24 << 10

// opusHead is the Opus identification header WebM carries as the audio
// track's CodecPrivate (RFC 7845, 5.1): stereo, 48 kHz, no pre-skip.
var opusHead = []byte{'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 2, 0, 0, 0x80, 0xbb, 0, 0, 0, 0, 0}

func (w *writer) open(width, height int) error {
	if err := os.MkdirAll(w.r.cfg.Dir, 0o750); err != nil {
		return fmt.Errorf("recording dir: %w", err)
	}
	f, err := os.CreateTemp(w.r.cfg.Dir, "segment-*.webm")
	if err != nil {
		return fmt.Errorf("segment file: %w", err)
	}
	bf := &bufFile{f: f, w: bufio.NewWriterSize(f, 256<<10)}
	sorter, err := mkvcore.NewMultiTrackBlockSorter(mkvcore.WithMaxDelayedPackets(16), mkvcore.WithSortRule(mkvcore.BlockSorterDropOutdated))
	if err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return fmt.Errorf("block sorter: %w", err)
	}
	log := w.r.cfg.Log
	ws, err := webm.NewSimpleBlockWriter(bf, []webm.TrackEntry{
		{Name: "Video", TrackNumber: trackVideo, TrackUID: 1, CodecID: "V_VP8", TrackType: 1,
			Video: &webm.Video{PixelWidth: uint64(width), PixelHeight: uint64(height)}},
		{Name: "Audio", TrackNumber: trackAudio, TrackUID: 2, CodecID: "A_OPUS", TrackType: 2,
			CodecPrivate: opusHead, SeekPreRoll: 80_000_000,
			Audio: &webm.Audio{SamplingFrequency: 48000, Channels: 2}},
	},
		mkvcore.WithSegmentInfo(&webm.Info{TimecodeScale: 1_000_000, MuxingApp: "Plenar", WritingApp: "Plenar"}),
		mkvcore.WithBlockInterceptor(sorter),
		mkvcore.WithSeekHead(true),
		mkvcore.WithCues(cuesReserve),
		mkvcore.WithMinMaxClusterDuration(trackVideo, 0, 0x7fff),
		mkvcore.WithOnErrorHandler(func(err error) { log.Warn("recording: muxer", "err", err) }),
		mkvcore.WithOnFatalHandler(func(err error) { w.fatal.Store(true); log.Error("recording: muxer", "err", err) }),
	)
	if err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return fmt.Errorf("webm writer: %w", err)
	}
	w.file, w.path, w.vw, w.aw = bf, f.Name(), ws[0], ws[1]
	w.start, w.width, w.hgt = w.vAt, width, height
	w.vts, w.ats = unwrap{}, unwrap{}
	w.aStarted, w.needKey = false, false
	w.fatal.Store(false)
	w.lastV, w.lastA, w.nv, w.na = 0, 0, 0, 0
	return nil
}

// finish closes the open segment (if any) and hands it to OnSegment.
func (w *writer) finish() {
	if w.file == nil {
		return
	}
	// Closing both block writers finalizes the file (Cues, Duration) and
	// closes it.
	_ = w.vw.Close()
	_ = w.aw.Close()
	seg := Segment{Label: w.label, Path: w.path, Start: w.start,
		Duration: time.Duration(max(w.lastV, w.lastA)) * time.Millisecond,
		Width:    w.width, Height: w.hgt, VideoFrames: w.nv, AudioFrames: w.na}
	bf := w.file
	w.file, w.vw, w.aw = nil, nil, nil
	if err := bf.err; err != nil || w.fatal.Load() {
		if err == nil {
			err = errMuxer
		}
		w.r.cfg.Log.Error("recording: finish segment", "label", seg.Label, "err", err)
		_ = os.Remove(seg.Path)
		return
	}
	if st, err := os.Stat(seg.Path); err == nil {
		seg.Size = st.Size()
	}
	w.r.segments.Add(1)
	if w.r.cfg.OnSegment == nil {
		_ = os.Remove(seg.Path)
		return
	}
	w.r.handoff.Go(func() { w.r.cfg.OnSegment(seg) })
}

// errMuxer: the muxer stopped on an error it logged.
var errMuxer = errors.New("muxer failed")

// unwrap extends 32-bit RTP timestamps to 64 bits.
type unwrap struct {
	started bool
	last    uint32
	ext     int64
}

func (u *unwrap) next(ts uint32) int64 {
	if !u.started {
		u.started, u.last, u.ext = true, ts, int64(ts)
		return u.ext
	}
	u.ext += int64(int32(ts - u.last))
	u.last = ts
	return u.ext
}

// bufFile buffers the muxer's many small writes; WriteAt (Cues and
// Duration at the end) flushes first.
type bufFile struct {
	f   *os.File
	w   *bufio.Writer
	err error
}

func (b *bufFile) Write(p []byte) (int, error) { return b.w.Write(p) }

func (b *bufFile) WriteAt(p []byte, off int64) (int, error) {
	if err := b.w.Flush(); err != nil {
		return 0, err
	}
	return b.f.WriteAt(p, off)
}

func (b *bufFile) Close() error {
	err := b.w.Flush()
	if cerr := b.f.Close(); err == nil {
		err = cerr
	}
	b.err = err
	return err
}
