package mail

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// Channel is the notification channel on which Enqueue wakes the senders
// at commit.
const Channel = "plenar_mail"

// ErrOptedOut is returned by Enqueue for a bulk message to an address that
// unsubscribed from its list; nothing is queued.
var ErrOptedOut = fmt.Errorf("%w: the recipient unsubscribed from this list", council.ErrConflict)

// Store reads and writes the outbox, the unsubscribe tokens and the
// opt-outs.
type Store struct {
	db      council.DBTX
	baseURL string // the public site: unsubscribe links, the Message-ID's domain
	domain  string
}

// NewStore returns a Store on db for the site at baseURL.
func NewStore(db council.DBTX, baseURL string) *Store {
	domain := "plenar.invalid"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		domain = u.Hostname()
	}
	return &Store{db: db, baseURL: strings.TrimRight(baseURL, "/"), domain: domain}
}

// UnsubscribePath is the path of the one-click unsubscribe endpoint; the
// token follows as ?t=.
const UnsubscribePath = "/unsubscribe"

// footers of bulk messages, by language.
var footers = map[string]string{
	German:  "Sie erhalten diese Nachricht, weil Sie sie abonniert haben. Abbestellen: ",
	English: "You receive this message because you subscribed to it. Unsubscribe: ",
}

// Enqueue queues m in tx, the caller's transaction, so that the message
// exists exactly when the change that causes it commits; the senders are
// woken at commit. A bulk message gets a one-click unsubscribe token of
// its own: the headers List-Unsubscribe and List-Unsubscribe-Post
// (RFC 8058) and a footer with the link. It returns the row's id, or
// NilID when m.Coalesce found a message still waiting that says it all.
// Errors: ErrInvalid, ErrOptedOut.
func (s *Store) Enqueue(ctx context.Context, tx council.DBTX, m Message) (council.ID, error) {
	if err := m.validate(); err != nil {
		return council.NilID, err
	}
	if m.Coalesce != "" {
		var waiting bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM mail_outbox WHERE coalesce_key = $1 AND state = 'queued' AND attempts = 0)`,
			m.Coalesce).Scan(&waiting); err != nil {
			return council.NilID, fmt.Errorf("enqueue mail: %w", council.TranslateError(err))
		}
		if waiting {
			return council.NilID, nil
		}
	}
	headers := map[string]string{}
	for k, v := range m.Headers {
		headers[k] = v
	}
	if m.Kind == Bulk {
		var out bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM mail_optouts WHERE address = lower($1) AND list = $2)`,
			m.To, m.List).Scan(&out); err != nil {
			return council.NilID, fmt.Errorf("enqueue mail: %w", council.TranslateError(err))
		}
		if out {
			return council.NilID, ErrOptedOut
		}
		token, hash := NewToken()
		if _, err := tx.Exec(ctx, `INSERT INTO mail_unsubscribe_tokens (token_hash, address, list) VALUES ($1, lower($2), $3)`,
			hash, m.To, m.List); err != nil {
			return council.NilID, fmt.Errorf("enqueue mail: %w", council.TranslateError(err))
		}
		s.addUnsubscribe(&m, headers, token)
	} else {
		headers["Auto-Submitted"] = "auto-generated"
	}
	hb, err := json.Marshal(headers)
	if err != nil {
		return council.NilID, fmt.Errorf("enqueue mail: %w", err)
	}
	atts := m.Attachments
	if atts == nil {
		atts = []Attachment{}
	}
	ab, err := json.Marshal(atts)
	if err != nil {
		return council.NilID, fmt.Errorf("enqueue mail: %w", err)
	}
	var notBefore *time.Time
	if !m.NotBefore.IsZero() {
		notBefore = &m.NotBefore
	}
	id := council.NewID()
	msgID := id.String() + "@" + s.domain
	if _, err := tx.Exec(ctx, `INSERT INTO mail_outbox (id, message_id, recipient, lang, kind, list, subject, body_text, body_html, headers,
			attachments, coalesce_key, next_attempt_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,coalesce($13, now()))`,
		id, msgID, m.To, m.Lang, string(m.Kind), m.List, m.Subject, m.Text, m.HTML, hb, ab, m.Coalesce, notBefore); err != nil {
		return council.NilID, fmt.Errorf("enqueue mail: %w", council.TranslateError(err))
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, Channel); err != nil {
		return council.NilID, fmt.Errorf("enqueue mail: notify: %w", council.TranslateError(err))
	}
	return id, nil
}

// addUnsubscribe gives bulk message m its one-click unsubscribe link for
// token: the List-Unsubscribe headers (RFC 8058) and a footer.
func (s *Store) addUnsubscribe(m *Message, headers map[string]string, token string) {
	link := s.baseURL + UnsubscribePath + "?t=" + token
	headers["List-Unsubscribe"] = "<" + link + ">"
	headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	headers["Precedence"] = "bulk"
	m.Text = strings.TrimRight(m.Text, "\n") + "\n\n-- \n" + footers[m.Lang] + link + "\n"
	if m.HTML != "" {
		m.HTML = appendHTMLFooter(m.HTML, footers[m.Lang], link)
	}
}

// appendHTMLFooter puts the unsubscribe footer before </body>, or at the
// end. The link is a URL we made (base64url token), safe in an attribute.
func appendHTMLFooter(html, text, link string) string {
	f := `<hr><p style="font-size: 0.875em;">` + text + `<a href="` + link + `">` + link + `</a></p>`
	if i := strings.LastIndex(html, "</main>"); i >= 0 {
		return html[:i] + f + html[i:]
	}
	return html + f
}

// NewToken returns a random token for a link and its SHA-256, which is
// what the database keeps.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the SHA-256 of token, as stored.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Unsubscribe records the opt-out that token stands for and returns the
// list. Unsubscribing twice is no error. Errors: ErrNotFound for an
// unknown token.
func (s *Store) Unsubscribe(ctx context.Context, token string) (string, error) {
	if token == "" || len(token) > 100 {
		return "", fmt.Errorf("%w: unsubscribe token", council.ErrNotFound)
	}
	var list string
	err := s.db.QueryRow(ctx, `WITH t AS (SELECT address, list FROM mail_unsubscribe_tokens WHERE token_hash = $1),
		i AS (INSERT INTO mail_optouts (address, list) SELECT address, list FROM t ON CONFLICT DO NOTHING)
		SELECT list FROM t`, HashToken(token)).Scan(&list)
	if err != nil {
		return "", fmt.Errorf("unsubscribe: %w", council.TranslateError(err))
	}
	return list, nil
}

// TokenList returns the list an unsubscribe token is for, without
// unsubscribing (the confirmation page). Errors: ErrNotFound.
func (s *Store) TokenList(ctx context.Context, token string) (string, error) {
	var list string
	err := s.db.QueryRow(ctx, `SELECT list FROM mail_unsubscribe_tokens WHERE token_hash = $1`, HashToken(token)).Scan(&list)
	if err != nil {
		return "", fmt.Errorf("unsubscribe token: %w", council.TranslateError(err))
	}
	return list, nil
}

// OptedOut reports whether address unsubscribed from list.
func (s *Store) OptedOut(ctx context.Context, address, list string) (bool, error) {
	var out bool
	err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM mail_optouts WHERE address = lower($1) AND list = $2)`,
		strings.TrimSpace(address), list).Scan(&out)
	if err != nil {
		return false, fmt.Errorf("opted out: %w", council.TranslateError(err))
	}
	return out, nil
}

// SentTo counts the messages queued for address since since (any state):
// the rate limit of the forms that send mail.
func (s *Store) SentTo(ctx context.Context, address string, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE lower(recipient) = lower($1) AND created >= $2`,
		strings.TrimSpace(address), since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("mail sent to: %w", council.TranslateError(err))
	}
	return n, nil
}

const outgoingCols = `id, message_id, recipient, lang, kind, list, subject, body_text, body_html, headers, state, attempts,
	next_attempt_at, last_error, created, sent_at, attachments, coalesce_key`

func scanOutgoing(row pgx.Row) (Outgoing, error) {
	var o Outgoing
	var sent *time.Time
	err := row.Scan(&o.ID, &o.MessageID, &o.To, &o.Lang, &o.Kind, &o.List, &o.Subject, &o.Text, &o.HTML, &o.Headers,
		&o.State, &o.Attempts, &o.NextAt, &o.LastError, &o.Created, &sent, &o.Attachments, &o.Coalesce)
	if sent != nil {
		o.SentAt = *sent
	}
	return o, err
}

// Outgoing returns the outbox row id. Errors: ErrNotFound.
func (s *Store) Outgoing(ctx context.Context, id council.ID) (Outgoing, error) {
	o, err := scanOutgoing(s.db.QueryRow(ctx, `SELECT `+outgoingCols+` FROM mail_outbox WHERE id = $1`, id))
	if err != nil {
		return Outgoing{}, fmt.Errorf("outgoing mail %s: %w", id, council.TranslateError(err))
	}
	return o, nil
}

// Counts returns how many outbox rows are in each state.
func (s *Store) Counts(ctx context.Context) (map[State]int, error) {
	rows, err := s.db.Query(ctx, `SELECT state, count(*) FROM mail_outbox GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("mail counts: %w", council.TranslateError(err))
	}
	out := map[State]int{}
	for rows.Next() {
		var st State
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// Purge deletes sent and failed messages created before before, and
// unsubscribe tokens created before tokensBefore (the opt-outs stay).
func (s *Store) Purge(ctx context.Context, before, tokensBefore time.Time) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM mail_outbox WHERE state IN ('sent','failed') AND created < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("purge mail: %w", council.TranslateError(err))
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM mail_unsubscribe_tokens WHERE created < $1`, tokensBefore); err != nil {
		return 0, fmt.Errorf("purge unsubscribe tokens: %w", council.TranslateError(err))
	}
	return tag.RowsAffected(), nil
}

// errNotMine means the row is no longer this sender's (another sender
// took it over after this one lost its database connection).
var errNotMine = errors.New("outbox row taken over by another sender")
