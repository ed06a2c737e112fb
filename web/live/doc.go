// Package liveweb is the web face of live sessions: the live pages (the
// public page, the member's view and the chair/clerk console), the live
// websocket (commands, events and the media signalling on it, and the
// closing of a socket whose login session ended), the ICE servers, WHIP
// and WHEP, the console's media tokens, and the segments of recorded
// sessions. It is transport only: the session's state and rules are
// meetings/live's (live.Hub), the live media's orchestration is
// meetings/media's.
//
// The folder is web/live, beside the other audiences (web/portal,
// web/admin, web/feeds, web/oparl); the package is named liveweb so that
// it does not clash with meetings/live, which most of its files import
// too. Import it as
//
//	liveweb "github.com/plenar/plenar/web/live"
//
// Package web mounts it (Routes) and hands it what it shares with the
// other audiences (Deps): rendering, error pages, translations, the
// request's visitor and login session, the client's address. Templates
// and texts stay embedded in web (templates/pages/live.html,
// i18n/*.json; static/live*.js). It holds no SQL and must not import web.
// See docs/ARCHITECTURE.md, "Packages" and "Live sessions".
package liveweb
