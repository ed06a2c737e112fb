// Package participation is the web face of "Beteiligung" (/beteiligung;
// docs/DOMAIN.md, "Einwohnerantrag"): citizens' motions, the motions of
// the youth council and community groups, and the motions and questions
// of party groups and single councillors — the public list, each motion's
// page with its co-signing and reports, and the author's forms. Anyone
// reads it; writing and signing need an account (the login and the
// registration are web's). The clerk's side is web/admin.
//
// Package web mounts it (Routes) and hands it what it shares with the
// other audiences (Deps): rendering, error pages, translations, the
// request's visitor. Templates and texts stay embedded in web
// (templates/pages/participation.html, initiative*.html, i18n). It holds
// no SQL and must not import web. See docs/ARCHITECTURE.md, "Packages".
package participation
