// Package feeds is the web face for programs that follow the public data:
// iCalendar (ics.go), Atom (atom.go, with the Atom feed of a search), the
// CSV and JSON dumps (dump.go), the DCAT-AP.de catalogue (catalog.go) and
// the open-data page that links them (opendata.go). Everything here is
// public data only and the same for every viewer: non-public agenda items,
// non-public papers, drafts and contact data never appear.
//
// Package web mounts it (Routes) and hands it what it shares with the
// other audiences (Deps). It holds no SQL and must not import web.
package feeds
