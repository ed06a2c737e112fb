// Package meetings owns meetings (Sitzungen), their agendas, and — as the
// roadmap's live sessions arrive — attendance, speakers, polls and
// minutes. It builds on council for ids, error kinds, visibility and the
// outbox; pgx appears only in the *_store.go files.
//
// It must not import web, search, documents or the live/sfu packages.
package meetings
