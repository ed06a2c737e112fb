// Package alerts lets citizens and members follow a body (organization),
// a paper, a person, a decision's implementation or a saved search of the
// portal, and receive the public news of what they follow as e-mail
// digests (instant, daily or weekly, only when there is news) through the
// mail outbox of council/mail, or as a private Atom feed.
//
// What counts as news is the change log (the outbox table that
// council.Record writes) read through the SQL function alert_news
// (migrations/sql/00027_alerts.sql), which applies the public visibility
// rules: nothing a digest or feed shows can be non-public. A digest run
// (Digester.Run) is set-based: one query finds the news of every due
// follow, and one transaction per run marks the period prepared and
// queues all messages (mail.Store.EnqueueBatch), so a period is never
// prepared twice. docs/ARCHITECTURE.md, "Alerts" describes the design.
//
// alerts imports council and council/mail of Plenar; pgx only in
// *_store.go files. The saved searches are evaluated through the Matcher
// the caller hands in (package search stays out of here).
package alerts
