package liveweb

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/site"
)

// iceServer is one RTCIceServer of the browser's RTCConfiguration.
type iceServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// iceReply is the body of GET /meetings/{id}/live/ice.
type iceReply struct {
	ICEServers []iceServer `json:"ice_servers"`
	ExpiresAt  *time.Time  `json:"expires_at,omitempty"` // of the TURN credential
}

// liveICE is GET /meetings/{id}/live/ice: the ICE servers for a page
// about to join the session's media (media.Service.ICE decides who gets
// TURN credentials), rate limited per client address.
func (s *server) liveICE(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	if s.Live == nil || s.Media == nil {
		return council.ErrUnavailable
	}
	if ok, wait := s.Media.AllowICE(s.ClientAddr(r)); !ok {
		w.Header().Set("Cache-Control", "no-store")
		tooMany(w, wait, "too many requests for ICE servers; try again later")
		return nil
	}
	ice, err := s.Media.ICE(r.Context(), id, s.actor(r))
	if err != nil {
		return site.HideMissing(err, "meeting", id)
	}
	out := iceReply{ICEServers: make([]iceServer, 0, len(ice.Servers))}
	for _, x := range ice.Servers {
		out.ICEServers = append(out.ICEServers, iceServer{URLs: x.URLs, Username: x.Username, Credential: x.Credential})
	}
	if !ice.Expires.IsZero() {
		out.ExpiresAt = &ice.Expires
	}
	return writeJSONNoStore(w, http.StatusOK, out)
}

// tooMany answers 429 with Retry-After (whole seconds, at least 1).
func tooMany(w http.ResponseWriter, wait time.Duration, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	http.Error(w, msg, http.StatusTooManyRequests)
}
