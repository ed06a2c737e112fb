// Package web is Plenar's HTTP face: the chi router, middleware (security
// headers, sessions, CSRF, rate limits, logging, metrics), the public
// portal and the clerk back office as server-rendered html/template pages
// with embedded static files, and the operator endpoints /healthz and
// /metrics. Handlers are func(w, r) error; one adapter per response kind
// (page, JSON, plain text) renders the error, with the status from
// web/httperr, the table of error kinds that web/oparl shares.
//
// Nothing imports web except cmd/plenar. Domain logic stays in council and
// meetings; web holds no SQL.
package web
