// Package sfuclient is a pion WebRTC client for tests and benchmarks of the
// SFU: it joins through the sfu.Signal exchange (or WHIP/WHEP offers),
// publishes synthetic Opus and VP8 RTP with increasing sequence numbers and
// counts what it receives per track, with loss computed from sequence
// numbers. Every payload carries the publisher's tag and send time, so a
// receiver knows which source a slot is carrying.
//
// It lives under meetings/sfu because only that tree may import pion.
package sfuclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"github.com/plenar/plenar/meetings/sfu"
)

// Options configure a client.
type Options struct {
	Tag           string // written into every published payload (≤ 32 bytes); default "client"
	PublishAudio  bool
	PublishVideo  bool
	AudioPPS      int // default 50
	VideoPPS      int // default 30
	AudioSize     int // payload bytes; default 80
	VideoSize     int // payload bytes; default 1000
	KeyframeEvery int // video packets between keyframes; default 90
	// Send carries the client's signals to the server (sfu.Peer.Signal);
	// nil for WHIP/WHEP clients.
	Send func(sfu.Signal) error
	// Recv asks for receive-only sections in a client offer (WHEP).
	RecvAudio, RecvVideo int
}

// Client is one pion peer connection acting as a member, viewer, WHIP
// encoder or WHEP player.
type Client struct {
	opts  Options
	pc    *webrtc.PeerConnection
	audio *webrtc.TrackLocalStaticRTP
	video *webrtc.TrackLocalStaticRTP

	signals   chan sfu.Signal
	done      chan struct{}
	wg        sync.WaitGroup
	connected chan struct{}
	connOnce  sync.Once
	lost      chan struct{} // closed when the connection is disconnected, failed or closed
	lostOnce  sync.Once
	closeOnce sync.Once

	offers, plis, errs atomic.Int64
	forceKey           atomic.Bool

	mu     sync.Mutex
	tracks map[string]*TrackStats
	lastEr error
}

// TrackStats count what one received track delivered.
type TrackStats struct {
	ID          string
	Packets     uint64
	Bytes       uint64
	Lost        uint64 // sequence numbers never received between the first and the highest
	Discontinue uint64 // packets whose sequence number did not follow the previous one
	BySource    map[string]uint64
	LastSource  string
	Keyframes   uint64
	FirstKey    bool // the first packet received started a keyframe
	// Latency is the sum of send-to-receive times (same host clock), for a mean.
	Latency time.Duration

	first, highest uint32 // extended sequence numbers
	ssrc           uint32
	started        bool
}

// New creates a client with loopback-only ICE (it is meant for tests and
// benchmarks on one host).
func New(opts Options) (*Client, error) {
	if opts.Tag == "" {
		opts.Tag = "client"
	}
	if len(opts.Tag) > 32 {
		return nil, errors.New("tag longer than 32 bytes")
	}
	if opts.AudioPPS <= 0 {
		opts.AudioPPS = 50
	}
	if opts.VideoPPS <= 0 {
		opts.VideoPPS = 30
	}
	if opts.AudioSize < 64 {
		opts.AudioSize = 80
	}
	if opts.VideoSize < 64 {
		opts.VideoSize = 1000
	}
	if opts.KeyframeEvery <= 0 {
		opts.KeyframeEvery = 90
	}
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2},
		PayloadType:        111,
	}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000,
			RTCPFeedback: []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}},
		PayloadType: 96,
	}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" || name == "lo0" })
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil })
	se.SetRemoteIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se),
		webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	c := &Client{opts: opts, pc: pc, signals: make(chan sfu.Signal, 64), done: make(chan struct{}),
		connected: make(chan struct{}), lost: make(chan struct{}), tracks: map[string]*TrackStats{}}
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		switch s {
		case webrtc.PeerConnectionStateConnected:
			c.connOnce.Do(func() { close(c.connected) })
		case webrtc.PeerConnectionStateDisconnected, webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			c.lostOnce.Do(func() { close(c.lost) })
		}
	})
	pc.OnTrack(c.onTrack)
	if opts.PublishAudio {
		if c.audio, err = c.addSend(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio"); err != nil {
			c.Close()
			return nil, err
		}
	}
	if opts.PublishVideo {
		if c.video, err = c.addSend(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video"); err != nil {
			c.Close()
			return nil, err
		}
	}
	for range opts.RecvAudio {
		if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			c.Close()
			return nil, err
		}
	}
	for range opts.RecvVideo {
		if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			c.Close()
			return nil, err
		}
	}
	if opts.Send != nil {
		pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
			s := sfu.Signal{Type: "candidate"}
			if cand != nil {
				init := cand.ToJSON()
				s.Candidate = &sfu.Candidate{Candidate: init.Candidate, SDPMid: init.SDPMid,
					SDPMLineIndex: init.SDPMLineIndex, UsernameFragment: init.UsernameFragment}
			}
			c.sendToServer(s)
		})
		c.wg.Go(c.signalLoop)
	}
	return c, nil
}

func (c *Client) addSend(cap webrtc.RTPCodecCapability, id string) (*webrtc.TrackLocalStaticRTP, error) {
	t, err := webrtc.NewTrackLocalStaticRTP(cap, id, c.opts.Tag)
	if err != nil {
		return nil, err
	}
	tr, err := c.pc.AddTransceiverFromTrack(t, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return nil, err
	}
	sender := tr.Sender()
	c.wg.Go(func() {
		for {
			pkts, _, err := sender.ReadRTCP()
			if err != nil {
				return
			}
			for _, p := range pkts {
				switch p.(type) {
				case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
					c.plis.Add(1)
					c.forceKey.Store(true)
				}
			}
		}
	})
	return t, nil
}

func (c *Client) sendToServer(s sfu.Signal) {
	if err := c.opts.Send(s); err != nil {
		c.errs.Add(1)
		c.mu.Lock()
		c.lastEr = err
		c.mu.Unlock()
	}
}

// Handle queues a signal from the server; it never blocks for long (it is
// meant to be the sfu.JoinOptions.Send function).
func (c *Client) Handle(s sfu.Signal) {
	select {
	case c.signals <- s:
	case <-c.done:
	}
}

func (c *Client) signalLoop() {
	for {
		select {
		case <-c.done:
			return
		case s := <-c.signals:
			if err := c.apply(s); err != nil {
				c.errs.Add(1)
				c.mu.Lock()
				c.lastEr = err
				c.mu.Unlock()
			}
		}
	}
}

func (c *Client) apply(s sfu.Signal) error {
	switch s.Type {
	case "offer":
		c.offers.Add(1)
		if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: s.SDP}); err != nil {
			return fmt.Errorf("set offer: %w", err)
		}
		answer, err := c.pc.CreateAnswer(nil)
		if err != nil {
			return fmt.Errorf("create answer: %w", err)
		}
		if err := c.pc.SetLocalDescription(answer); err != nil {
			return fmt.Errorf("set answer: %w", err)
		}
		c.sendToServer(sfu.Signal{Type: "answer", SDP: answer.SDP})
	case "candidate":
		if s.Candidate == nil {
			return nil
		}
		return c.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: s.Candidate.Candidate,
			SDPMid: s.Candidate.SDPMid, SDPMLineIndex: s.Candidate.SDPMLineIndex, UsernameFragment: s.Candidate.UsernameFragment})
	}
	return nil
}

// Offer creates a client offer (WHIP/WHEP) and returns it once ICE
// gathering is complete.
func (c *Client) Offer(ctx context.Context) (string, error) {
	offer, err := c.pc.CreateOffer(nil)
	if err != nil {
		return "", err
	}
	gathered := webrtc.GatheringCompletePromise(c.pc)
	if err := c.pc.SetLocalDescription(offer); err != nil {
		return "", err
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return c.pc.LocalDescription().SDP, nil
}

// SetAnswer applies the server's answer to Offer.
func (c *Client) SetAnswer(sdp string) error {
	return c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp})
}

// WaitConnected waits until ICE and DTLS are connected.
func (c *Client) WaitConnected(ctx context.Context) error {
	select {
	case <-c.connected:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("client %s not connected: %w", c.opts.Tag, ctx.Err())
	}
}

// WaitLost waits until the connection is disconnected, failed or closed
// (e.g. the server closed its peer: ICE consent checks go unanswered).
func (c *Client) WaitLost(ctx context.Context) error {
	select {
	case <-c.lost:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("client %s still connected: %w", c.opts.Tag, ctx.Err())
	}
}

// Offers is how many offers the client received from the server.
func (c *Client) Offers() int { return int(c.offers.Load()) }

// PLIs is how many keyframe requests reached the client's video sender.
func (c *Client) PLIs() int { return int(c.plis.Load()) }

// Err returns the last signalling error and how many there were.
func (c *Client) Err() (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int(c.errs.Load()), c.lastEr
}

// Close closes the peer connection and waits for the client's goroutines.
func (c *Client) Close() {
	c.closeOnce.Do(func() {
		close(c.done)
		_ = c.pc.Close()
		c.wg.Wait()
	})
}
