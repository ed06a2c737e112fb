// Package admin is the clerk back office under /admin: organizations and
// memberships, persons, papers with their consultation path, meetings,
// the agenda builder, inviting and cancelling meetings, and the files of
// papers, meetings and agenda items (uploads, versions, title, licence,
// date, public flag, deletion; admin_files.go). Every edit form is
// rendered from one form value (admin_forms.go) and follows
// Post/Redirect/Get; every write runs with the logged-in user as actor.
//
// Package web mounts it (Routes) inside its staff-only group (clerk or
// admin role, no-store; the session middleware checks CSRF) and hands it
// what it shares with the other audiences (Deps): rendering, error pages,
// the request's actor and notice, the documents store, the streamed
// upload the CSRF check began to read. Templates and texts stay embedded
// in web (templates/pages/admin*, i18n/admin.*.json). It holds no SQL (it calls the stores) and must not
// import web or another audience package (web/portal, web/feeds, …).
// A new back-office page goes here.
package admin
