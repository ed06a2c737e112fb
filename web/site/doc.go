// Package site is what every audience of the web face shares: the
// handler type and its request helpers (ids from the URL, not-found
// errors that do not tell unknown from hidden), the body's directory of
// organizations and places, the time zone pages are shown in, and the
// check of submitted text (ValidText, TextPart, ErrBadChars). Package
// web assembles the site from the audience packages (web/feeds,
// web/oparl, …) and hands each one what it needs from the server
// (rendering, error pages, translations, the request's language).
//
// It must not import web or any audience package; like them it holds no
// SQL (it calls stores). See docs/ARCHITECTURE.md, "Packages".
package site
