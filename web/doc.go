// Package web is Plenar's HTTP face: the chi router, middleware (security
// headers, sessions, CSRF, rate limits, logging, metrics), the public
// portal and the clerk back office as server-rendered html/template pages
// with embedded static files, and the operator endpoints /healthz and
// /metrics. Handlers are func(w, r) error; one adapter maps the error
// kinds of package council to HTTP status codes and pages.
//
// Nothing imports web except cmd/plenar. Domain logic stays in council and
// meetings; web holds no SQL.
package web
