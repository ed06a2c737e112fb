package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/web/httperr"
)

// WHIP (RFC 9725) and WHEP: one-shot SDP offers over HTTP. WHIP is the
// room's source (camera and audio mixer, e.g. OBS Studio); WHEP plays the
// public programme for any WHEP player while the session runs in public.
// Both need a per-meeting bearer token of their kind from the chair
// console (citizens watch on the public live page instead). Both
// answer 201 with the SDP answer and a Location whose DELETE ends the
// peer. The resource id in the Location is random and unguessable: it is
// the capability to end the peer.

// maxOffer is the largest SDP offer accepted.
const maxOffer = 64 << 10

// mediaRoutes registers WHIP and WHEP. They are for programs, not pages:
// no cookies, so the cross-origin form protection does not apply to them
// (a WHEP player on another site must be able to POST).
func (s *Server) mediaRoutes(r chi.Router) {
	for _, p := range []string{"/meetings/{id}/whip", "/meetings/{id}/whip/{res}", "/meetings/{id}/whep", "/meetings/{id}/whep/{res}"} {
		s.auth.cop.AddInsecureBypassPattern(p)
		r.Options(p, s.mediaPreflight)
	}
	r.Post("/meetings/{id}/whip", s.plain(s.whipPost))
	r.Delete("/meetings/{id}/whip/{res}", s.plain(s.mediaDelete(sfu.KindRoom)))
	r.Post("/meetings/{id}/whep", s.plain(s.whepPost))
	r.Delete("/meetings/{id}/whep/{res}", s.plain(s.mediaDelete(sfu.KindViewer)))
}

// mediaCORS lets WHIP and WHEP clients in browsers on other origins use
// the endpoints; they carry no cookies (credentials are not allowed).
func mediaCORS(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "POST, DELETE, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Expose-Headers", "Location")
	h.Set("Access-Control-Max-Age", "600")
}

func (s *Server) mediaPreflight(w http.ResponseWriter, r *http.Request) {
	mediaCORS(w)
	w.Header().Set("Accept-Post", "application/sdp")
	w.WriteHeader(http.StatusNoContent)
}

// httpError is an error with its own status, for the statuses the one
// table (httperr.Status) has no kind for.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// plain adapts a handler of a program-facing endpoint: errors are
// text/plain with the status from httperr.Status (or an *httpError's), 401
// with a Bearer challenge; 5xx are logged and generic.
func (s *Server) plain(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		mediaCORS(w)
		err := fn(w, r)
		if err == nil {
			return
		}
		status, msg := httperr.Status(err), err.Error()
		var he *httpError
		if errors.As(err, &he) {
			status = he.status
		}
		if status >= 500 {
			s.log.Error("media request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
			msg = http.StatusText(status)
		} else {
			s.log.Info("media request refused", append([]any{"method", r.Method, "path", r.URL.Path, "status", status}, errAttrs(err)...)...)
		}
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="plenar whip"`)
		}
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "30")
		}
		http.Error(w, msg, status)
	}
}

// readOffer checks the content type and reads an SDP offer.
func readOffer(w http.ResponseWriter, r *http.Request) (string, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/sdp" {
		return "", &httpError{http.StatusUnsupportedMediaType, "want Content-Type: application/sdp"}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxOffer))
	if err != nil {
		return "", fmt.Errorf("read offer: %w", err)
	}
	sdp := string(b)
	if !strings.HasPrefix(sdp, "v=0") || !strings.Contains(sdp, "\nm=") {
		return "", council.Invalidf("the body is not an SDP offer")
	}
	return sdp, nil
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// mediaResource is a WHIP or WHEP peer.
type mediaResource struct {
	id      string
	meeting council.ID
	kind    sfu.Kind
	token   council.ID // the media token it was opened with: revoking the token ends it
	driver  *mediaDriver

	mu     sync.Mutex
	peer   *sfu.Peer
	closed bool // the SFU reported it closed (perhaps before registration)
}

// whipPost is POST /meetings/{id}/whip: the room's source.
func (s *Server) whipPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	token, err := s.checkIngestToken(r.Context(), id, tokenWHIP, bearer(r))
	if err != nil {
		return err
	}
	if s.mediaHub == nil {
		return fmt.Errorf("%w: no media server", council.ErrUnavailable)
	}
	offer, err := readOffer(w, r)
	if err != nil {
		return err
	}
	snap, err := s.opt.Live.Snapshot(r.Context(), id, live.Actor{})
	if err != nil {
		return hideMissing(err, "meeting", id)
	}
	if snap.State == "closed" {
		return fmt.Errorf("%w: the session is closed", council.ErrConflict)
	}
	return s.mediaOffer(w, r, id, token, sfu.KindRoom, offer)
}

// whepPost is POST /meetings/{id}/whep: the public program.
func (s *Server) whepPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if s.mediaHub == nil {
		return fmt.Errorf("%w: no media server", council.ErrUnavailable)
	}
	if !s.limitWHEP(w, r) {
		return nil
	}
	token, err := s.checkIngestToken(r.Context(), id, tokenWHEP, bearer(r))
	if err != nil {
		return err
	}
	offer, err := readOffer(w, r)
	if err != nil {
		return err
	}
	snap, err := s.opt.Live.Snapshot(r.Context(), id, live.Actor{})
	if err != nil {
		return hideMissing(err, "meeting", id)
	}
	if snap.State != "running" || snap.Part != live.PartPublic {
		return fmt.Errorf("%w: the session is not running in public", council.ErrForbidden)
	}
	return s.mediaOffer(w, r, id, token, sfu.KindViewer, offer)
}

// mediaOffer answers offer with a new peer of kind, opened with media
// token token, and registers it.
func (s *Server) mediaOffer(w http.ResponseWriter, r *http.Request, meeting, token council.ID, kind sfu.Kind, offer string) error {
	mh := s.mediaHub
	d, err := mh.acquire(r.Context(), meeting)
	if err != nil {
		return err
	}
	res := &mediaResource{id: newSecret()[:32], meeting: meeting, kind: kind, token: token, driver: d}
	onState := func(st sfu.State) {
		if st.Closed {
			res.mu.Lock()
			res.closed = true
			res.mu.Unlock()
			go mh.dropResource(res.id) // never block the SFU
		}
	}
	room := mh.sfu.Room(meeting.String())
	var answer string
	var p *sfu.Peer
	if kind == sfu.KindRoom {
		answer, p, err = room.Ingest(r.Context(), offer, onState)
	} else {
		answer, p, err = room.View(r.Context(), offer, onState)
	}
	if err != nil {
		mh.release(d)
		if errors.Is(err, council.ErrInvalid) {
			return err
		}
		return fmt.Errorf("%s offer: %w", kind, err)
	}
	res.mu.Lock()
	res.peer = p
	dead := res.closed
	res.mu.Unlock()
	if dead {
		p.Close()
		mh.release(d)
		return fmt.Errorf("%w: the media connection closed at once", council.ErrUnavailable)
	}
	if !mh.register(res) {
		// The token was revoked while the peer was being set up.
		mh.dropResource(res.id)
		return fmt.Errorf("%w: the %s token was revoked", council.ErrUnauthorized, strings.ToUpper(string(kind)))
	}
	seg := "whep"
	if kind == sfu.KindRoom {
		seg = "whip"
	}
	s.log.Info("media peer created", "meeting_id", meeting, "kind", kind, "peer", p.ID())
	w.Header().Set("Location", "/meetings/"+meeting.String()+"/"+seg+"/"+res.id)
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_, err = io.WriteString(w, answer)
	return err
}

// mediaDelete is DELETE on a WHIP or WHEP resource.
func (s *Server) mediaDelete(kind sfu.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if s.mediaHub == nil {
			return council.ErrNotFound
		}
		rid := chi.URLParam(r, "res")
		mh := s.mediaHub
		mh.mu.Lock()
		res, ok := mh.resources[rid]
		mh.mu.Unlock()
		if !ok || res.meeting != id || res.kind != kind {
			return fmt.Errorf("media resource: %w", council.ErrNotFound)
		}
		mh.dropResource(rid)
		w.WriteHeader(http.StatusOK)
		return nil
	}
}

// register remembers res, unless its token was revoked on this node
// meanwhile (then it reports false and res is not registered).
func (m *mediaHub) register(res *mediaResource) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if res.driver.revoked[res.token] {
		return false
	}
	m.resources[res.id] = res
	return true
}

// dropToken ends every WHIP/WHEP peer of this node opened with meeting's
// media token id, which was revoked, and refuses the peers still being
// set up with it (they hold the meeting's driver, which remembers the
// revocation).
func (m *mediaHub) dropToken(meeting, id council.ID) {
	m.mu.Lock()
	if d := m.drivers[meeting]; d != nil {
		d.revoked[id] = true
	}
	var ids []string
	for rid, res := range m.resources {
		if res.token == id {
			ids = append(ids, rid)
		}
	}
	m.mu.Unlock()
	for _, rid := range ids {
		m.dropResource(rid)
	}
	if len(ids) > 0 {
		m.log.Info("media peers of a revoked token closed", "token_id", id, "peers", len(ids))
	}
}

// dropResource closes and forgets a WHIP/WHEP peer; once.
func (m *mediaHub) dropResource(id string) {
	m.mu.Lock()
	res, ok := m.resources[id]
	delete(m.resources, id)
	m.mu.Unlock()
	if !ok {
		return
	}
	res.mu.Lock()
	p := res.peer
	res.mu.Unlock()
	if p != nil {
		p.Close()
	}
	m.release(res.driver)
}
