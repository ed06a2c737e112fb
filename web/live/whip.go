package liveweb

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/web/httperr"
	"github.com/plenar/plenar/web/site"
)

// WHIP (RFC 9725) and WHEP: one-shot SDP offers over HTTP. WHIP is the
// room's source (camera and audio mixer, e.g. OBS Studio); WHEP plays the
// public programme for any WHEP player while the session runs in public.
// Both need a per-meeting bearer token of their kind from the chair
// console (citizens watch on the public live page instead). Both
// answer 201 with the SDP answer and a Location whose DELETE ends the
// peer. The resource id in the Location is random and unguessable: it is
// the capability to end the peer. A WHEP player with a valid token is
// admitted against the node's, the meeting's and its address's viewer
// budgets (media.Limits.Viewers); a refusal is 429 with an exact
// Retry-After.

// MaxOffer is the largest SDP offer accepted.
const MaxOffer = 64 << 10

// mediaRoutes registers WHIP and WHEP. They are for programs, not pages:
// no cookies, so the cross-origin form protection does not apply to them
// (a WHEP player on another site must be able to POST).
func (s *server) mediaRoutes(r chi.Router) {
	for _, p := range []string{"/meetings/{id}/whip", "/meetings/{id}/whip/{res}", "/meetings/{id}/whep", "/meetings/{id}/whep/{res}"} {
		s.AllowCrossOrigin(p)
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

func (s *server) mediaPreflight(w http.ResponseWriter, r *http.Request) {
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
func (s *server) plain(fn site.HandlerFunc) http.HandlerFunc {
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
			s.Log.Error("media request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
			msg = http.StatusText(status)
		} else {
			s.Log.Info("media request refused", append([]any{"method", r.Method, "path", r.URL.Path, "status", status}, httperr.LogAttrs(err)...)...)
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
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxOffer))
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

// whipPost is POST /meetings/{id}/whip: the room's source.
func (s *server) whipPost(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	token, err := s.checkIngestToken(r.Context(), id, tokenWHIP, bearer(r))
	if err != nil {
		return err
	}
	if s.Media == nil {
		return fmt.Errorf("%w: no media server", council.ErrUnavailable)
	}
	offer, err := readOffer(w, r)
	if err != nil {
		return err
	}
	res, answer, err := s.Media.Ingest(r.Context(), id, token, offer)
	if err != nil {
		return site.HideMissing(err, "meeting", id)
	}
	return writeAnswer(w, "/meetings/"+id.String()+"/whip/"+res, answer)
}

// whepPost is POST /meetings/{id}/whep: the public program.
func (s *server) whepPost(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	if s.Media == nil {
		return fmt.Errorf("%w: no media server", council.ErrUnavailable)
	}
	token, err := s.checkIngestToken(r.Context(), id, tokenWHEP, bearer(r))
	if err != nil {
		return err
	}
	// Admission after the token: a request without one spends none of the
	// node's or the meeting's budget.
	if err := s.Media.AdmitViewer(id, s.ClientAddr(r)); err != nil {
		var refused *media.RefusedError
		if errors.As(err, &refused) {
			tooMany(w, refused.Wait, refused.Error())
			return nil
		}
		return err
	}
	offer, err := readOffer(w, r)
	if err != nil {
		return err
	}
	res, answer, err := s.Media.View(r.Context(), id, token, offer)
	if err != nil {
		return site.HideMissing(err, "meeting", id)
	}
	return writeAnswer(w, "/meetings/"+id.String()+"/whep/"+res, answer)
}

// writeAnswer answers 201 with the SDP answer and the resource's location.
func writeAnswer(w http.ResponseWriter, location, answer string) error {
	w.Header().Set("Location", location)
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_, err := io.WriteString(w, answer)
	return err
}

// mediaDelete is DELETE on a WHIP or WHEP resource.
func (s *server) mediaDelete(kind sfu.Kind) site.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := site.PathID(r)
		if err != nil {
			return err
		}
		if s.Media == nil {
			return council.ErrNotFound
		}
		if err := s.Media.End(id, kind, chi.URLParam(r, "res")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
}
