package media

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/sfu"
)

// WHIP (RFC 9725) and WHEP: one-shot SDP offers. WHIP is the room's source
// (camera and audio mixer, e.g. OBS Studio); WHEP plays the public
// programme while the session runs in public. Both are opened with a
// media token of their kind, which the caller has checked; revoking it
// ends the peer. A resource's id is random and unguessable: it is the
// capability to end the peer.

// resource is a WHIP or WHEP peer.
type resource struct {
	id      string
	meeting council.ID
	kind    sfu.Kind
	token   council.ID // the media token it was opened with: revoking the token ends it
	driver  *driver

	mu     sync.Mutex
	peer   *sfu.Peer
	closed bool // the SFU reported it closed (perhaps before registration)
}

// Ingest answers a WHIP offer for meeting's room source, opened with
// media token token, and returns the new resource's id and the SDP
// answer. Errors: ErrNotFound for an unknown meeting; ErrConflict when
// its session is closed; ErrInvalid for a bad offer; ErrUnauthorized when
// the token was revoked meanwhile; ErrUnavailable when the room is not
// ready.
func (s *Service) Ingest(ctx context.Context, meeting, token council.ID, offer string) (id, answer string, err error) {
	snap, err := s.live.Snapshot(ctx, meeting, live.Actor{})
	if err != nil {
		return "", "", err
	}
	if snap.State == "closed" {
		return "", "", fmt.Errorf("%w: the session is closed", council.ErrConflict)
	}
	return s.offer(ctx, meeting, token, sfu.KindRoom, offer)
}

// View answers a WHEP offer for meeting's public programme, like Ingest.
// Errors: ErrForbidden unless the session runs in its public part; the
// others as Ingest's.
func (s *Service) View(ctx context.Context, meeting, token council.ID, offer string) (id, answer string, err error) {
	snap, err := s.live.Snapshot(ctx, meeting, live.Actor{})
	if err != nil {
		return "", "", err
	}
	if snap.State != "running" || snap.Part != live.PartPublic {
		return "", "", fmt.Errorf("%w: the session is not running in public", council.ErrForbidden)
	}
	return s.offer(ctx, meeting, token, sfu.KindViewer, offer)
}

// offer answers offer with a new peer of kind, opened with media token
// token, and registers it.
func (s *Service) offer(ctx context.Context, meeting, token council.ID, kind sfu.Kind, offer string) (string, string, error) {
	d, err := s.acquire(ctx, meeting)
	if err != nil {
		return "", "", err
	}
	res := &resource{id: newSecret()[:32], meeting: meeting, kind: kind, token: token, driver: d}
	onState := func(st sfu.State) {
		if st.Closed {
			res.mu.Lock()
			res.closed = true
			res.mu.Unlock()
			go s.dropResource(res.id) // never block the SFU
		}
	}
	room := s.sfu.Room(meeting.String())
	var answer string
	var p *sfu.Peer
	if kind == sfu.KindRoom {
		answer, p, err = room.Ingest(ctx, offer, onState)
	} else {
		answer, p, err = room.View(ctx, offer, onState)
	}
	if err != nil {
		s.release(d)
		if errors.Is(err, council.ErrInvalid) {
			return "", "", err
		}
		return "", "", fmt.Errorf("%s offer: %w", kind, err)
	}
	res.mu.Lock()
	res.peer = p
	dead := res.closed
	res.mu.Unlock()
	if dead {
		p.Close()
		s.release(d)
		return "", "", fmt.Errorf("%w: the media connection closed at once", council.ErrUnavailable)
	}
	if !s.register(res) {
		// The token was revoked while the peer was being set up.
		s.dropResource(res.id)
		return "", "", fmt.Errorf("%w: the %s token was revoked", council.ErrUnauthorized, strings.ToUpper(string(kind)))
	}
	s.log.Info("media peer created", "meeting_id", meeting, "kind", kind, "peer", p.ID())
	return res.id, answer, nil
}

// End ends the WHIP (kind sfu.KindRoom) or WHEP (sfu.KindViewer) peer id
// of meeting. Errors: ErrNotFound when this node holds no such peer.
func (s *Service) End(meeting council.ID, kind sfu.Kind, id string) error {
	s.mu.Lock()
	res, ok := s.resources[id]
	s.mu.Unlock()
	if !ok || res.meeting != meeting || res.kind != kind {
		return fmt.Errorf("media resource: %w", council.ErrNotFound)
	}
	s.dropResource(id)
	return nil
}

// Holds reports whether this node holds the WHIP/WHEP peer id.
func (s *Service) Holds(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.resources[id]
	return ok
}

// register remembers res, unless its token was revoked on this node
// meanwhile (then it reports false and res is not registered).
func (s *Service) register(res *resource) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if res.driver.revoked[res.token] {
		return false
	}
	s.resources[res.id] = res
	return true
}

// dropResource closes and forgets a WHIP/WHEP peer; once.
func (s *Service) dropResource(id string) {
	s.mu.Lock()
	res, ok := s.resources[id]
	delete(s.resources, id)
	s.mu.Unlock()
	if !ok {
		return
	}
	res.mu.Lock()
	p := res.peer
	res.mu.Unlock()
	if p != nil {
		p.Close()
	}
	s.release(res.driver)
}
