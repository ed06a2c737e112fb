package web

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	liveweb "github.com/plenar/plenar/web/live"
)

// liveRoutes mounts the live sessions (package web/live): the websocket,
// ICE, WHIP and WHEP, the live pages and the console's media tokens, and
// the segments of recorded sessions.
func (s *Server) liveRoutes(r chi.Router) {
	keys := make([]string, 0, len(s.i18n[langs[0]]))
	for k := range s.i18n[langs[0]] {
		keys = append(keys, k)
	}
	liveweb.Routes(r, liveweb.Deps{Meetings: s.meetings, Docs: s.docs, Live: s.opt.Live, Media: s.opt.Media, Log: s.log,
		BaseURL: s.opt.BaseURL, Now: s.opt.Now, I18n: s.i18n, I18nKeys: keys, Handle: s.h, API: s.api, Fail: s.fail,
		Render: s.render, ClientAddr: s.clientAddr, Session: s.sockSessionOf, Wake: s.wake,
		AllowCrossOrigin: s.auth.cop.AddInsecureBypassPattern,
		State: func(r *http.Request) liveweb.State {
			rs := requestStateOf(r)
			return liveweb.State{Lang: rs.lang, Viewer: rs.viewer, User: rs.user}
		}})
}

// sessionEnded tells this node's live websockets that a session ended.
func (s *Server) sessionEnded() { s.wake.Fire() }

// Watch listens for ended sessions (council.SessionsChannel) until ctx
// ends: an ended session wakes this node's live websockets to check
// theirs (package web/live, session.go). A lost connection is retried
// with back-off, and each new listen wakes the sockets too (a
// notification may have been missed meanwhile). It returns nil after ctx
// ends. The serve command runs it next to the HTTP server; without it the
// sockets still check every few seconds. (Revoked media tokens are
// media.Service.Run's.)
func (s *Server) Watch(ctx context.Context) error {
	council.ListenRetry(ctx, s.pool, []string{council.SessionsChannel}, s.log, "session listener", func() {
		s.sessionEnded()
		s.wake.Listened()
	}, func(string, string) { s.sessionEnded() })
	return nil
}
