// Package mail is Plenar's one way to send e-mail: a durable outbox in
// PostgreSQL (table mail_outbox), written by Enqueue inside the caller's
// transaction so that a change and its mail commit together, and a Sender
// that delivers the outbox over SMTP with go-mail (STARTTLS or implicit
// TLS), with retries, exponential back-off and a stable Message-ID per
// row. Messages are plain text plus HTML, in German or English per
// recipient, rendered from embedded templates; every bulk message carries
// List-Unsubscribe and List-Unsubscribe-Post (one-click, RFC 8058) with a
// token of its own, and opt-outs are kept per address and list. The
// members' mail (member.go: the invitation with its .ics file, agenda
// changes, minutes to approve) is queued by package meetings through
// council.MemberMailer. EnqueueBatch queues many messages with COPY (the
// digests of council/alerts).
//
// docs/ARCHITECTURE.md, "Mail" describes the delivery states and what a
// crash can and cannot do. mail imports only council and council/ical
// of Plenar; go-mail is imported nowhere else. pgx appears only in the
// *_store.go files and in the Sender's claim connection (sender_store.go).
package mail
