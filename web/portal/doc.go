// Package portal is the web face for citizens and members: the public
// pages (home, calendar and month grid, meetings, bodies, persons, papers,
// "my bodies") and the search (the page /search and the JSON API
// /api/v1/search). Every page reads what the request's viewer may see;
// non-public material never reaches a template for the public.
//
// Package web mounts it (Routes) behind the page cache and hands it what
// it shares with the other audiences (Deps): rendering, error pages,
// translations, the request's visitor. Templates and texts stay embedded
// in web (templates/pages, i18n/portal.*.json). It holds no SQL and must
// not import web.
package portal
