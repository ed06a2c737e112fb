package sfu

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/plenar/plenar/council"
)

// Signal is one signalling message between a client and the SFU.
type Signal struct {
	Type      string     `json:"type"` // "offer" (server→client), "answer" (client→server), "candidate" (both ways)
	SDP       string     `json:"sdp,omitempty"`
	Candidate *Candidate `json:"candidate,omitempty"` // nil with Type "candidate": end of candidates
}

// Candidate holds the fields of the browser's RTCIceCandidateInit.
type Candidate struct {
	Candidate        string  `json:"candidate"`
	SDPMid           *string `json:"sdpMid,omitempty"`
	SDPMLineIndex    *uint16 `json:"sdpMLineIndex,omitempty"`
	UsernameFragment *string `json:"usernameFragment,omitempty"`
}

// State is a peer's media state, reported through OnState.
type State struct {
	PeerID    string
	Kind      Kind
	Connected bool // ICE+DTLS connected (for KindMember: and media received)
	Closed    bool // the peer is gone for good (left, failed, stale, room closed)
}

// JoinOptions describe a peer joining a room.
type JoinOptions struct {
	ID      string       // members: the person id; viewers: a random id
	Kind    Kind         // KindMember, KindGuest or KindViewer (KindRoom only via Ingest)
	Send    func(Signal) // server→client signalling; called from SFU goroutines, must not block
	OnState func(State)  // media state changes; must not block
}

// maxQueuedCandidates bounds remote candidates held until an answer arrives.
const maxQueuedCandidates = 64

// Peer is one participant's peer connection.
type Peer struct {
	room    *Room
	id      string
	kind    Kind
	send    func(Signal)
	onState func(State)
	pc      *webrtc.PeerConnection
	log     *slog.Logger
	outs    []*output // by program slot index; nil entries: slot not carried
	oneShot bool      // WHIP/WHEP: created from the client's offer, no trickle, no renegotiation

	mic, cam atomic.Pointer[source]

	mu          sync.Mutex // negotiation and state
	closed      bool
	needOffer   bool
	offerMids   []string // mids of the offer in flight; nil: none
	debounce    *time.Timer
	stale       *time.Timer
	remoteCands []webrtc.ICECandidateInit
	pcConnected bool
	reported    State

	sigMu     sync.Mutex // orders the offer before the server's candidates
	offerSent bool
	candQ     []Signal

	wg sync.WaitGroup // source readers and RTCP readers
}

func newPeer(r *Room, id string, kind Kind, send func(Signal), onState func(State)) (*Peer, error) {
	pc, err := r.sfu.newPC()
	if err != nil {
		return nil, err
	}
	p := &Peer{room: r, id: id, kind: kind, send: send, onState: onState, pc: pc,
		log: r.log.With("peer_id", id, "kind", string(kind))}
	if p.send == nil {
		p.send = func(Signal) {}
	}
	p.reported = State{PeerID: id, Kind: kind}
	pc.OnICECandidate(p.localCandidate)
	pc.OnConnectionStateChange(p.connectionState)
	pc.OnTrack(p.track)
	p.mu.Lock()
	p.stale = time.AfterFunc(r.sfu.cfg.StaleAfter, p.staleClose)
	p.mu.Unlock()
	return p, nil
}

// ID returns the peer's id (the member id for members).
func (p *Peer) ID() string { return p.id }

// addProgram adds the program slots as sendonly transceivers. With want
// nil every slot is added; otherwise only the named slots, in that order.
func (p *Peer) addProgram(want []string) error {
	names := slotNames(p.room.sfu.cfg.MaxFloor)
	p.outs = make([]*output, len(names))
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	if want == nil {
		want = names
	}
	for _, n := range want {
		o := newOutput(p, n, &p.room.sfu.m)
		tr, err := p.pc.AddTransceiverFromTrack(o, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			return fmt.Errorf("add slot %s: %w", n, err)
		}
		p.outs[index[n]] = o
		p.wg.Go(func() { o.readRTCP(tr.Sender()) })
	}
	return nil
}

// addRecv adds the transceivers of the peer's own microphone and camera
// (client→server): kinds, in that order.
func (p *Peer) addRecv(kinds ...webrtc.RTPCodecType) error {
	for _, k := range kinds {
		if _, err := p.pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			return fmt.Errorf("add %s receiver: %w", k, err)
		}
	}
	return nil
}

// track starts a source for a track the client publishes.
func (p *Peer) track(t *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	if p.kind == KindViewer || (p.kind == KindGuest && t.Kind() != webrtc.RTPCodecTypeAudio) {
		return // viewers publish nothing, guests no camera
	}
	src := newSource(p, p.pc, t, &p.room.sfu.m, p.room.sfu.fan)
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.wg.Add(2)
	p.mu.Unlock()
	go func() {
		// Drain the publisher's RTCP (sender reports) so pion's buffers and
		// the report interceptor keep working.
		defer p.wg.Done()
		buf := make([]byte, mtu)
		for {
			if _, _, err := recv.Read(buf); err != nil {
				return
			}
		}
	}()
	slot := &p.mic
	if src.video {
		slot = &p.cam
	}
	slot.Store(src)
	p.room.reroute()
	go func() {
		defer p.wg.Done()
		src.run(p.updateState)
	}()
}

// negotiate asks for an offer: after the debounce, and only when no offer is
// in flight (otherwise when its answer arrives).
func (p *Peer) negotiate() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.needOffer = true
	if p.closed || p.offerMids != nil || p.debounce != nil {
		return
	}
	p.debounce = time.AfterFunc(p.room.sfu.cfg.Debounce, p.sendOffer)
}

// sendOffer creates, applies and sends an offer.
func (p *Peer) sendOffer() {
	p.mu.Lock()
	p.debounce = nil
	if p.closed || p.offerMids != nil || !p.needOffer {
		p.mu.Unlock()
		return
	}
	p.needOffer = false
	offer, err := p.pc.CreateOffer(nil)
	if err == nil {
		err = p.pc.SetLocalDescription(offer)
	}
	var mids []string
	if err == nil {
		mids, err = sdpMids(offer.SDP)
	}
	if err != nil {
		p.mu.Unlock()
		p.log.Warn("create offer", "err", err)
		go p.Close()
		return
	}
	p.offerMids = mids
	p.mu.Unlock()

	p.sigMu.Lock()
	defer p.sigMu.Unlock()
	p.room.sfu.m.offers.Add(1)
	p.send(Signal{Type: "offer", SDP: offer.SDP})
	p.offerSent = true
	for _, s := range p.candQ {
		p.send(s)
	}
	p.candQ = nil
}

// localCandidate trickles the server's candidates, after the offer.
func (p *Peer) localCandidate(c *webrtc.ICECandidate) {
	if p.oneShot {
		return // WHIP/WHEP: the answer carries all candidates
	}
	s := Signal{Type: "candidate"}
	if c != nil {
		init := c.ToJSON()
		s.Candidate = &Candidate{Candidate: init.Candidate, SDPMid: init.SDPMid,
			SDPMLineIndex: init.SDPMLineIndex, UsernameFragment: init.UsernameFragment}
	}
	p.sigMu.Lock()
	defer p.sigMu.Unlock()
	if !p.offerSent {
		p.candQ = append(p.candQ, s)
		return
	}
	p.send(s)
}

// Signal handles a message from the client: an answer to the offer in flight
// or a trickled candidate. An answer that matches no offer, a malformed SDP
// or a bad candidate is an error wrapping council.ErrInvalid; the peer stays
// usable. A closed peer returns council.ErrUnavailable.
func (p *Peer) Signal(s Signal) error {
	switch s.Type {
	case "answer":
		return p.answer(s.SDP)
	case "candidate":
		return p.remoteCandidate(s.Candidate)
	case "offer":
		return council.Invalidf("the server is the only offerer")
	default:
		return council.Invalidf("signal type %q", s.Type)
	}
}

func (p *Peer) answer(sdpText string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return fmt.Errorf("peer %s: %w", p.id, council.ErrUnavailable)
	}
	if p.offerMids == nil {
		return council.Invalidf("answer without an offer in flight")
	}
	mids, err := sdpMids(sdpText)
	if err != nil {
		return council.Invalidf("answer: %v", err)
	}
	if !equalStrings(mids, p.offerMids) {
		return council.Invalidf("answer does not match the offer (mids %v, want %v)", mids, p.offerMids)
	}
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdpText}); err != nil {
		return council.Invalidf("answer: %v", err)
	}
	p.offerMids = nil
	for _, c := range p.remoteCands {
		if err := p.pc.AddICECandidate(c); err != nil {
			p.log.Debug("queued candidate", "err", err)
		}
	}
	p.remoteCands = nil
	if p.needOffer && p.debounce == nil {
		p.debounce = time.AfterFunc(p.room.sfu.cfg.Debounce, p.sendOffer)
	}
	return nil
}

func (p *Peer) remoteCandidate(c *Candidate) error {
	if c == nil || c.Candidate == "" {
		return nil // end of candidates
	}
	init := webrtc.ICECandidateInit{Candidate: c.Candidate, SDPMid: c.SDPMid,
		SDPMLineIndex: c.SDPMLineIndex, UsernameFragment: c.UsernameFragment}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return fmt.Errorf("peer %s: %w", p.id, council.ErrUnavailable)
	}
	if p.pc.RemoteDescription() == nil {
		if len(p.remoteCands) >= maxQueuedCandidates {
			return council.Invalidf("too many candidates before the answer")
		}
		p.remoteCands = append(p.remoteCands, init)
		return nil
	}
	if err := p.pc.AddICECandidate(init); err != nil {
		return council.Invalidf("candidate: %v", err)
	}
	return nil
}

// connectionState follows pion's peer connection state.
func (p *Peer) connectionState(s webrtc.PeerConnectionState) {
	switch s {
	case webrtc.PeerConnectionStateConnected:
		p.mu.Lock()
		p.pcConnected = true
		if p.stale != nil {
			p.stale.Stop()
		}
		p.mu.Unlock()
		for _, o := range p.outs {
			if o != nil {
				o.setUp()
			}
		}
	case webrtc.PeerConnectionStateDisconnected:
		p.mu.Lock()
		p.pcConnected = false
		if !p.closed {
			if p.stale != nil {
				p.stale.Stop()
			}
			p.stale = time.AfterFunc(p.room.sfu.cfg.StaleAfter, p.staleClose)
		}
		p.mu.Unlock()
	case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
		go p.Close()
		return
	}
	p.updateState()
}

func (p *Peer) staleClose() {
	p.mu.Lock()
	connected := p.pcConnected
	p.mu.Unlock()
	if !connected {
		p.log.Info("closing stale peer")
		p.Close()
	}
}

// updateState reports a changed State through onState.
func (p *Peer) updateState() {
	p.mu.Lock()
	st := State{PeerID: p.id, Kind: p.kind, Closed: p.closed}
	st.Connected = p.pcConnected && !p.closed
	if p.kind == KindMember && st.Connected {
		mic, cam := p.mic.Load(), p.cam.Load()
		st.Connected = (mic != nil && mic.gotRTP.Load()) || (cam != nil && cam.gotRTP.Load())
	}
	changed := st != p.reported
	p.reported = st
	p.mu.Unlock()
	if changed && p.onState != nil {
		p.onState(st)
	}
}

// Close closes the peer connection and waits for its goroutines. It is
// idempotent.
func (p *Peer) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	if p.debounce != nil {
		p.debounce.Stop()
	}
	if p.stale != nil {
		p.stale.Stop()
	}
	p.mu.Unlock()
	p.room.remove(p)
	if err := p.pc.Close(); err != nil && !errors.Is(err, webrtc.ErrConnectionClosed) {
		p.log.Debug("close peer connection", "err", err)
	}
	p.wg.Wait()
	p.updateState()
}

// sdpMids returns the mids of an SDP's media sections, in order.
func sdpMids(text string) ([]string, error) {
	var d sdp.SessionDescription
	if err := d.UnmarshalString(text); err != nil {
		return nil, fmt.Errorf("parse sdp: %w", err)
	}
	mids := make([]string, 0, len(d.MediaDescriptions))
	for _, m := range d.MediaDescriptions {
		mid, _ := m.Attribute("mid")
		mids = append(mids, mid)
	}
	return mids, nil
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
