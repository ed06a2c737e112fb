package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// EnqueueBatch queues many messages in tx at once, as Enqueue does one:
// the unsubscribe tokens and the outbox rows are written with COPY and the
// senders are woken once, so a digest run of thousands of messages costs a
// handful of statements (docs/ARCHITECTURE.md, "Alerts"). A bulk message
// to an address that unsubscribed from its list is left out: its id is
// NilID. Coalescing is not supported (ErrInvalid). Errors: ErrInvalid.
func (s *Store) EnqueueBatch(ctx context.Context, tx pgx.Tx, msgs []Message) ([]council.ID, error) {
	ids := make([]council.ID, len(msgs))
	if len(msgs) == 0 {
		return ids, nil
	}
	var addrs, lists []string
	for i := range msgs {
		m := &msgs[i]
		if err := m.validate(); err != nil {
			return nil, err
		}
		if m.Coalesce != "" {
			return nil, fmt.Errorf("%w: a batch message cannot coalesce", council.ErrInvalid)
		}
		if m.Kind == Bulk {
			addrs, lists = append(addrs, strings.ToLower(m.To)), append(lists, m.List)
		}
	}
	out := map[[2]string]bool{}
	if len(addrs) > 0 {
		rows, err := tx.Query(ctx, `SELECT o.address, o.list FROM mail_optouts o
			JOIN unnest($1::text[], $2::text[]) AS x(address, list) ON x.address = o.address AND x.list = o.list`, addrs, lists)
		if err != nil {
			return nil, fmt.Errorf("enqueue mail: %w", council.TranslateError(err))
		}
		for rows.Next() {
			var k [2]string
			if err := rows.Scan(&k[0], &k[1]); err != nil {
				rows.Close()
				return nil, fmt.Errorf("enqueue mail: %w", err)
			}
			out[k] = true
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("enqueue mail: %w", council.TranslateError(err))
		}
	}
	var tokens, outbox [][]any
	now := time.Now()
	for i := range msgs {
		m := msgs[i]
		headers := map[string]string{}
		for k, v := range m.Headers {
			headers[k] = v
		}
		if m.Kind == Bulk {
			if out[[2]string{strings.ToLower(m.To), m.List}] {
				continue
			}
			token, hash := NewToken()
			tokens = append(tokens, []any{hash, strings.ToLower(m.To), m.List})
			s.addUnsubscribe(&m, headers, token)
		} else {
			headers["Auto-Submitted"] = "auto-generated"
		}
		hb, err := json.Marshal(headers)
		if err != nil {
			return nil, fmt.Errorf("enqueue mail: %w", err)
		}
		atts := m.Attachments
		if atts == nil {
			atts = []Attachment{}
		}
		ab, err := json.Marshal(atts)
		if err != nil {
			return nil, fmt.Errorf("enqueue mail: %w", err)
		}
		at := now
		if !m.NotBefore.IsZero() {
			at = m.NotBefore
		}
		ids[i] = council.NewID()
		outbox = append(outbox, []any{ids[i], ids[i].String() + "@" + s.domain, m.To, m.Lang, string(m.Kind), m.List,
			m.Subject, m.Text, m.HTML, string(hb), string(ab), at})
	}
	if len(tokens) > 0 {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"mail_unsubscribe_tokens"}, []string{"token_hash", "address", "list"},
			pgx.CopyFromRows(tokens)); err != nil {
			return nil, fmt.Errorf("enqueue mail: tokens: %w", council.TranslateError(err))
		}
	}
	if len(outbox) == 0 {
		return ids, nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"mail_outbox"}, []string{"id", "message_id", "recipient", "lang", "kind", "list",
		"subject", "body_text", "body_html", "headers", "attachments", "next_attempt_at"}, pgx.CopyFromRows(outbox)); err != nil {
		return nil, fmt.Errorf("enqueue mail: %w", council.TranslateError(err))
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, Channel); err != nil {
		return nil, fmt.Errorf("enqueue mail: notify: %w", council.TranslateError(err))
	}
	return ids, nil
}
