// Package web is Plenar's HTTP face: the chi router, middleware (security
// headers, sessions, CSRF, rate limits, logging, metrics), the templates,
// texts and static files every page uses, the login, and the operator
// endpoints /healthz and /metrics. Handlers are func(w, r) error; one adapter per response kind
// (page, JSON, plain text) renders the error, with the status from
// web/httperr, the table of error kinds that web/oparl shares.
//
// web assembles the site: web.New builds the server and mounts the
// audience packages beside its own routes — web/portal (the public pages
// and the search), web/admin (the clerk back office), web/account (a
// signed-in user's own pages: security, alerts, their data and the privacy
// pages, a member's childcare claims), web/participation (/beteiligung:
// motions and co-signing), web/feeds (feeds and open data), web/live
// (package liveweb: the live pages, the live websocket, WHIP/WHEP, ICE and
// recordings; transport only, the session's rules are meetings/live's and
// the media's orchestration meetings/media's) and web/oparl — which share
// web/site and get what they need from the server through their Deps.
//
// Nothing imports web except cmd/plenar. Domain logic stays in council and
// meetings; web holds no SQL.
package web
