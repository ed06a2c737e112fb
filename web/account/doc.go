// Package account is the web face of a signed-in user's own pages, for
// citizens and members alike: the account's security (/account/security:
// passkeys, sessions, recent logins, year of birth), the follows and
// their private feed (/account/alerts), the user's data (/account/data:
// download, erasure) beside the privacy notice and the record of
// processing (/datenschutz) and the administrator's retention page
// (/admin/privacy), and a member's childcare claims (/my/childcare).
// Citizens' and groups' motions are web/participation; the login,
// registration, sessions and CSRF stay in web (shared by every audience).
//
// Package web mounts it (Routes) and hands it what it shares with the
// other audiences (Deps): rendering, error pages, translations, the
// request's visitor, the session's helpers. Templates and texts stay
// embedded in web (templates/pages/account_*.html, i18n). It holds no SQL
// and must not import web. See docs/ARCHITECTURE.md, "Packages".
package account
