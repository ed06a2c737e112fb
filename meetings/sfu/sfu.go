package sfu

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/webrtc/v4"
)

// ICEServer is a STUN or TURN server handed to the SFU's ICE agents.
type ICEServer struct {
	URLs                 []string
	Username, Credential string
}

// Config configures an SFU. The zero value works (ephemeral UDP ports, no
// STUN/TURN, K=4).
type Config struct {
	ICEServers   []ICEServer
	UDPPort      int           // >0: every peer shares this one UDP port (ICE UDP mux); 0: ephemeral ports
	NAT1To1IPs   []string      // addresses announced as host candidates instead of the host's (NAT)
	LoopbackOnly bool          // tests/bench: loopback candidates only, UDP4, mDNS off
	MaxFloor     int           // K: at most K members forwarded as audio at once; default DefaultMaxFloor
	Debounce     time.Duration // offers for a burst of changes are debounced; default 50ms
	StaleAfter   time.Duration // a peer not connected within / disconnected for this long is closed; default 15s
	// RecordDir is where recordings are written while they grow
	// (Room.SetRecording); default: the system's temporary folder.
	RecordDir string
}

// Stats are the SFU's counters since New.
type Stats struct {
	Rooms, Peers, Publishers int
	Ingress                  uint64 // RTP packets read from publishers
	Forwarded                uint64 // RTP packets written to subscribers
	ForwardedBytes           uint64
	Dropped                  uint64 // packets read from sources and forwarded to nobody (gated, no subscriber)
	WriteErrors              uint64
	NACKs                    uint64        // NACKed packets requested by subscribers
	Retransmitted            uint64        // of those, answered from a source's cache
	PLIs                     uint64        // keyframe requests sent to publishers
	PLIsCoalesced            uint64        // keyframe requests (outputs waiting, subscribers' PLIs) served by an outstanding or recent PLI instead
	Offers                   uint64        // offers sent to member and viewer peers
	LatencyP50, LatencyP99   time.Duration // source read → subscriber write, per delivered packet
	LatencySamples           uint64
}

// SFU owns the rooms, the pion API (codecs, interceptors, ICE settings) and
// the shared UDP port.
type SFU struct {
	cfg   Config
	log   *slog.Logger
	api   *webrtc.API
	iceSv []webrtc.ICEServer
	mux   ice.UDPMux // nil without Config.UDPPort
	fan   fanOut     // the mux's batching sockets (batch.go)

	oneShotIDs atomic.Uint64 // numbers WHIP/WHEP peers: room-1, viewer-2, …

	mu     sync.Mutex
	rooms  map[string]*Room
	closed bool

	m metrics
}

// metrics are the SFU-wide counters, updated atomically on the hot path.
type metrics struct {
	ingress, forwarded, forwardedBytes, dropped, writeErrors atomic.Uint64
	nacks, retransmitted, plis, plisCoalesced, offers        atomic.Uint64
	latency                                                  histogram
}

// Payload types the SFU offers; clients answer with them.
const (
	ptOpus = 111
	ptVP8  = 96
)

// DefaultMaxFloor is K when Config.MaxFloor is not set: at most this many
// members on the floor are heard at once.
const DefaultMaxFloor = 4

// New builds an SFU. It fails when the UDP port cannot be bound.
func New(cfg Config, log *slog.Logger) (*SFU, error) {
	if cfg.MaxFloor <= 0 {
		cfg.MaxFloor = DefaultMaxFloor
	}
	if cfg.Debounce <= 0 {
		cfg.Debounce = 50 * time.Millisecond
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = 15 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.RecordDir == "" {
		cfg.RecordDir = filepath.Join(os.TempDir(), "plenar-recording")
	}
	s := &SFU{cfg: cfg, log: log, rooms: map[string]*Room{}}
	for _, is := range cfg.ICEServers {
		s.iceSv = append(s.iceSv, webrtc.ICEServer{URLs: is.URLs, Username: is.Username, Credential: is.Credential})
	}

	me := &webrtc.MediaEngine{}
	fb := []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType:        ptOpus,
	}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("register opus: %w", err)
	}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: fb},
		PayloadType:        ptVP8,
	}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, fmt.Errorf("register vp8: %w", err)
	}

	// Interceptors: only what the SFU needs. NACKs towards publishers (the
	// generator) and RTCP sender/receiver reports. No NACK responder: the
	// SFU answers subscribers' NACKs itself from one cache per source.
	reg := &interceptor.Registry{}
	gen, err := nack.NewGeneratorInterceptor()
	if err != nil {
		return nil, fmt.Errorf("nack generator: %w", err)
	}
	reg.Add(gen)
	rr, err := report.NewReceiverInterceptor()
	if err != nil {
		return nil, fmt.Errorf("receiver reports: %w", err)
	}
	reg.Add(rr)
	sr, err := report.NewSenderInterceptor()
	if err != nil {
		return nil, fmt.Errorf("sender reports: %w", err)
	}
	reg.Add(sr)

	se := webrtc.SettingEngine{}
	se.SetICETimeouts(5*time.Second, min(cfg.StaleAfter, 25*time.Second), 2*time.Second)
	if len(cfg.NAT1To1IPs) > 0 {
		// Announce the public addresses instead of the host's (1:1 NAT).
		if err := se.SetICEAddressRewriteRules(webrtc.ICEAddressRewriteRule{External: cfg.NAT1To1IPs,
			AsCandidateType: webrtc.ICECandidateTypeHost, Mode: webrtc.ICEAddressRewriteReplace}); err != nil {
			return nil, fmt.Errorf("nat addresses: %w", err)
		}
	}
	if cfg.LoopbackOnly {
		se.SetIncludeLoopbackCandidate(true)
		se.SetInterfaceFilter(func(name string) bool { return name == "lo" || name == "lo0" })
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil })
		se.SetRemoteIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	}
	if cfg.UDPPort > 0 {
		// The mux's sockets send the datagrams of one fan-out in
		// sendmmsg batches (batch.go).
		bn, err := newBatchNet(&s.m.writeErrors)
		if err != nil {
			return nil, fmt.Errorf("network: %w", err)
		}
		opts := []ice.UDPMuxFromPortOption{ice.UDPMuxFromPortWithNet(bn), ice.UDPMuxFromPortWithNetworks(ice.NetworkTypeUDP4, ice.NetworkTypeUDP6)}
		if cfg.LoopbackOnly {
			opts = []ice.UDPMuxFromPortOption{
				ice.UDPMuxFromPortWithNet(bn),
				ice.UDPMuxFromPortWithLoopback(),
				ice.UDPMuxFromPortWithNetworks(ice.NetworkTypeUDP4),
				ice.UDPMuxFromPortWithInterfaceFilter(func(name string) bool { return name == "lo" || name == "lo0" }),
				ice.UDPMuxFromPortWithIPFilter(func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil }),
			}
		}
		mux, err := ice.NewMultiUDPMuxFromPort(cfg.UDPPort, opts...)
		if err != nil {
			return nil, fmt.Errorf("listen on udp port %d: %w", cfg.UDPPort, err)
		}
		s.mux = mux
		s.fan = fanOut(bn.sockets())
		se.SetICEUDPMux(mux)
	}
	s.api = webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se))
	return s, nil
}

// newPC creates a peer connection with the SFU's settings.
func (s *SFU) newPC() (*webrtc.PeerConnection, error) {
	pc, err := s.api.NewPeerConnection(webrtc.Configuration{ICEServers: s.iceSv})
	if err != nil {
		return nil, fmt.Errorf("new peer connection: %w", err)
	}
	return pc, nil
}

// Room returns the meeting's room, creating it when needed. After Close it
// returns a closed room whose Join fails.
func (s *SFU) Room(meetingID string) *Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rooms[meetingID]
	if !ok {
		r = newRoom(s, meetingID)
		if s.closed {
			r.closed = true
			return r
		}
		s.rooms[meetingID] = r
	}
	return r
}

// CloseRoom closes every peer of the meeting's room and frees it. A later
// Room call creates a fresh room.
func (s *SFU) CloseRoom(meetingID string) {
	s.mu.Lock()
	r, ok := s.rooms[meetingID]
	delete(s.rooms, meetingID)
	s.mu.Unlock()
	if ok {
		r.close()
	}
}

// Close closes every room and the shared UDP port.
func (s *SFU) Close() error {
	s.mu.Lock()
	s.closed = true
	rooms := s.rooms
	s.rooms = map[string]*Room{}
	s.mu.Unlock()
	for _, r := range rooms {
		r.close()
	}
	if s.mux != nil {
		if err := s.mux.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("close udp mux: %w", err)
		}
	}
	return nil
}

// Stats returns the current counters.
func (s *SFU) Stats() Stats {
	st := Stats{
		Ingress:        s.m.ingress.Load(),
		Forwarded:      s.m.forwarded.Load(),
		ForwardedBytes: s.m.forwardedBytes.Load(),
		Dropped:        s.m.dropped.Load(),
		WriteErrors:    s.m.writeErrors.Load(),
		NACKs:          s.m.nacks.Load(),
		Retransmitted:  s.m.retransmitted.Load(),
		PLIs:           s.m.plis.Load(),
		PLIsCoalesced:  s.m.plisCoalesced.Load(),
		Offers:         s.m.offers.Load(),
	}
	st.LatencyP50, st.LatencyP99, st.LatencySamples = s.m.latency.quantiles()
	s.mu.Lock()
	rooms := make([]*Room, 0, len(s.rooms))
	for _, r := range s.rooms {
		rooms = append(rooms, r)
	}
	s.mu.Unlock()
	st.Rooms = len(rooms)
	for _, r := range rooms {
		p, pub := r.counts()
		st.Peers += p
		st.Publishers += pub
	}
	return st
}

// ResetLatency clears the latency histogram (benchmarks measure a window).
func (s *SFU) ResetLatency() { s.m.latency.reset() }
