package web

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/privacy"
	"github.com/plenar/plenar/web/account"
	"github.com/plenar/plenar/web/participation"
)

// mountAccount mounts a signed-in user's own pages (package web/account:
// security, alerts, their data and the privacy pages, childcare claims).
func (s *Server) mountAccount(r chi.Router) {
	account.Routes(r, account.Deps{Council: s.council, Meetings: s.meetings, Alerts: s.alerts,
		Privacy: privacy.NewStore(s.pool), Log: s.log, BaseURL: s.opt.BaseURL, Now: s.opt.Now, I18n: s.i18n,
		DefaultLang: langs[0], RecordingRetention: s.opt.RecordingRetention, PasskeysOn: s.webauthn != nil,
		Handle: s.h, Render: s.render, State: func(r *http.Request) account.State {
			rs := requestStateOf(r)
			return account.State{Lang: rs.lang, Viewer: rs.viewer, User: rs.user}
		}, RequireRole: s.requireRole, Actor: actor, CurrentLogin: s.currentLogin, SessionEnded: s.sessionEnded,
		EndSession: s.auth.sessions.Destroy, CheckPassword: s.recheckPassword})
}

// mountParticipation mounts /beteiligung (package web/participation).
func (s *Server) mountParticipation(r chi.Router) {
	participation.Routes(r, participation.Deps{Council: s.council, Meetings: s.meetings, Now: s.opt.Now, I18n: s.i18n,
		Mailer: s.accounts.participation, Handle: s.h, Render: s.render, State: func(r *http.Request) participation.State {
			rs := requestStateOf(r)
			return participation.State{Lang: rs.lang, Viewer: rs.viewer}
		}, UserMessage: s.userMessage, ClientAddr: s.clientAddr, ReportWindow: accountWindow})
}

// recheckPassword checks the logged-in user's password again (erasing
// the account) as the login does: throttled per account and address, a
// failure counted and paced.
func (s *Server) recheckPassword(r *http.Request, password string) (ok, throttled bool, err error) {
	start := time.Now()
	ctx, u := r.Context(), requestStateOf(r).user
	if t, err := s.throttled(ctx, u.Email, s.clientAddr(r)); err != nil || t {
		return false, t, err
	}
	if council.CheckPassword(password, u.PasswordHash) {
		return true, false, nil
	}
	if err := s.council.RecordLoginFailure(ctx, u.Email, s.clientAddr(r), s.opt.Now()); err != nil {
		return false, false, err
	}
	s.pause(ctx, start)
	return false, false, nil
}

// DPO is the data protection officer's contact for the footer; "" when
// none is configured.
func (p *page) DPO() string { return p.s.opt.DPOContact }
