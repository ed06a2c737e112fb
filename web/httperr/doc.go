// Package httperr is the one table from error kinds to HTTP status codes.
// Package web's pages and JSON API, package web/live's WHIP/WHEP endpoints
// and package web/oparl's API all take their status from Status (and log a
// refusal with LogAttrs); the live protocol
// sends the kind itself (council.KindOf) as its error code, so the three
// transports cannot drift apart.
//
// It is a package of its own because web mounts web/oparl, so web/oparl
// cannot import web; and not part of council because status codes are
// HTTP's business, which the domain packages leave alone.
//
// It imports only council and the standard library; it must not import
// web, web/oparl or any other Plenar package.
package httperr
