package liveweb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/meetings/sfu"
)

// Media signalling on the live websocket (docs/ARCHITECTURE.md, "Live
// media": signalling runs on the live websocket). Client messages:
//
//	{"v":1,"type":"media_join","id":"m1","kind":"member"|"guest"|"viewer"}
//	{"v":1,"type":"media","id":"m2","signal":{"type":"answer","sdp":"…"}}
//	{"v":1,"type":"media","signal":{"type":"candidate","candidate":{…}}}
//	{"v":1,"type":"media_leave","id":"m3"}
//
// The server sends {"v":1,"type":"media","signal":{…}} (offers and
// candidates; the SFU is the only offerer) and acks or errors for
// media_join and media_leave; a bad signal gets an error with its id.
// A member peer's id is the session's person id, never one the client
// names; a viewer's is random.

// Limits of media messages: an answer for the program's slots and the
// member's own tracks is a few kilobytes.
const (
	MaxMessage       = 32 << 10 // the websocket's read limit; commands stay at live.MaxClientMessage
	MaxSDP           = 24 << 10 // the largest session description in a media message
	liveMaxCandidate = 1024
	MediaBurst       = 64                    // media messages a client may send at once …
	liveMediaRefill  = 20 * time.Millisecond // … and one more every this long
)

// mediaClientMessage is a media message from the client.
type mediaClientMessage struct {
	V      int         `json:"v"`
	Type   string      `json:"type"`
	ID     string      `json:"id,omitempty"`
	Kind   sfu.Kind    `json:"kind,omitempty"`
	Signal *sfu.Signal `json:"signal,omitempty"`
}

// mediaServerMessage carries a signal from the SFU to the client.
type mediaServerMessage struct {
	V      int        `json:"v"`
	Type   string     `json:"type"`
	Signal sfu.Signal `json:"signal"`
}

// isMediaMessage peeks at the message type.
func isMediaMessage(b []byte) bool {
	var m struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(b, &m) != nil {
		return false
	}
	return m.Type == "media" || m.Type == "media_join" || m.Type == "media_leave"
}

// decodeMedia parses and checks a media message. Errors wrap ErrInvalid;
// the id is returned whenever it could be read.
func decodeMedia(b []byte) (mediaClientMessage, error) {
	var m mediaClientMessage
	if len(b) > MaxMessage {
		return m, council.Invalidf("message of %d bytes exceeds %d", len(b), MaxMessage)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return mediaClientMessage{}, council.Invalidf("malformed media message")
	}
	if dec.More() {
		return mediaClientMessage{}, council.Invalidf("trailing data after message")
	}
	if len(m.ID) > 64 || !utf8.ValidString(m.ID) {
		m.ID = ""
		return m, council.Invalidf("bad message id")
	}
	if m.V != live.ProtocolVersion {
		return m, council.Invalidf("protocol version %d, want %d", m.V, live.ProtocolVersion)
	}
	switch m.Type {
	case "media_join":
		if m.Kind != sfu.KindMember && m.Kind != sfu.KindViewer && m.Kind != sfu.KindGuest {
			return m, council.Invalidf("kind: want member, guest or viewer")
		}
		if m.Signal != nil {
			return m, council.Invalidf("media_join carries no signal")
		}
	case "media_leave":
		if m.Kind != "" || m.Signal != nil {
			return m, council.Invalidf("media_leave carries nothing")
		}
	case "media":
		if m.Kind != "" {
			return m, council.Invalidf("media carries no kind")
		}
		if err := checkSignal(m.Signal); err != nil {
			return m, err
		}
	default:
		return m, council.Invalidf("unknown message type %q", m.Type)
	}
	return m, nil
}

// checkSignal checks a client's signal: an answer or a candidate.
func checkSignal(s *sfu.Signal) error {
	if s == nil {
		return council.Invalidf("signal missing")
	}
	switch s.Type {
	case "answer":
		if s.Candidate != nil {
			return council.Invalidf("an answer carries no candidate")
		}
		if len(s.SDP) > MaxSDP || !strings.HasPrefix(s.SDP, "v=0") || !utf8.ValidString(s.SDP) {
			return council.Invalidf("answer: not a session description of at most %d bytes", MaxSDP)
		}
	case "candidate":
		if s.SDP != "" {
			return council.Invalidf("a candidate carries no sdp")
		}
		if c := s.Candidate; c != nil {
			if len(c.Candidate) > liveMaxCandidate || !utf8.ValidString(c.Candidate) ||
				(c.SDPMid != nil && len(*c.SDPMid) > 64) || (c.UsernameFragment != nil && len(*c.UsernameFragment) > 256) {
				return council.Invalidf("candidate too long")
			}
		}
	default:
		return council.Invalidf("signal type %q: want answer or candidate", s.Type)
	}
	return nil
}

// media runs one media message on the connection's media (media.Conn)
// and returns its reply (nil: none).
func (lc *liveConn) media(ctx context.Context, b []byte) any {
	m, err := decodeMedia(b)
	if err != nil {
		return live.ErrorMessage(m.ID, err)
	}
	if lc.mc == nil {
		return live.ErrorMessage(m.ID, fmt.Errorf("%w: no media server", council.ErrUnavailable))
	}
	switch m.Type {
	case "media_join":
		if err := lc.checkSession(ctx); err != nil {
			return live.ErrorMessage(m.ID, err)
		}
		if err := lc.mc.Join(ctx, m.Kind); err != nil {
			var refused *media.RefusedError
			if !errors.Is(err, council.ErrForbidden) && !errors.Is(err, council.ErrConflict) && !errors.As(err, &refused) {
				lc.s.Log.Warn("media join failed", "meeting_id", lc.meeting, "kind", m.Kind, "err", err)
			}
			return live.ErrorMessage(m.ID, err)
		}
		return live.AckMessage(m.ID, 0)
	case "media_leave":
		lc.mc.Leave()
		return live.AckMessage(m.ID, 0)
	}
	if err := lc.mc.Signal(*m.Signal); err != nil {
		if !errors.Is(err, council.ErrConflict) {
			lc.s.Log.Info("media signal refused", "meeting_id", lc.meeting, "signal", m.Signal.Type, "err", err)
		}
		return live.ErrorMessage(m.ID, err)
	}
	return nil
}
