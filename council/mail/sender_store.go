package mail

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
)

// lockClass is the first key of the senders' advisory locks ("mail").
const lockClass = 0x6d61696c

// claimConn is a sender's own database connection: it holds the session
// advisory lock (lockClass, key) for as long as the sender lives, and
// every claim and state change of the sender runs on it. When the
// process dies, PostgreSQL ends the session and the lock with it; rows
// still claimed under key are then free to claim (see claim).
type claimConn struct {
	conn *pgx.Conn
	key  int32
}

// openClaimConn takes a connection out of pool and locks a fresh key.
func openClaimConn(ctx context.Context, pool *pgxpool.Pool) (*claimConn, error) {
	pc, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("mail sender: acquire: %w", council.TranslateError(err))
	}
	conn := pc.Hijack() // the lock lives with this session: never back to the pool
	for range 10 {
		key := rand.Int32N(1<<31-2) + 1
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, int32(lockClass), key).Scan(&ok); err != nil {
			conn.Close(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("mail sender: lock: %w", council.TranslateError(err))
		}
		if ok {
			return &claimConn{conn: conn, key: key}, nil
		}
	}
	conn.Close(context.WithoutCancel(ctx))
	return nil, errors.New("mail sender: no free lock key")
}

func (c *claimConn) close(ctx context.Context) { _ = c.conn.Close(context.WithoutCancel(ctx)) }

// claimed is a row a sender took, with the state it was found in.
type claimed struct {
	Outgoing
	prev State
}

// claim takes up to n due rows: queued ones whose time has come, and rows
// left in sending or committing by a sender whose lock is gone (it died).
// FOR UPDATE SKIP LOCKED lets several senders claim side by side without
// waiting for or taking each other's rows.
func (c *claimConn) claim(ctx context.Context, n int) ([]claimed, error) {
	rows, err := c.conn.Query(ctx, `
		WITH c AS (
			SELECT o.id, o.state AS prev FROM mail_outbox o
			WHERE (o.state = 'queued' AND o.next_attempt_at <= now())
			   OR (o.state IN ('sending','committing') AND NOT EXISTS (
					SELECT 1 FROM pg_locks l
					WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
					  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
					  AND l.classid = $1::int::oid AND l.objid = o.claimed_by::oid))
			ORDER BY o.next_attempt_at LIMIT $3
			FOR UPDATE OF o SKIP LOCKED)
		UPDATE mail_outbox m SET state = 'sending', claimed_by = $2, attempts = m.attempts + 1
		FROM c WHERE m.id = c.id
		RETURNING `+prefixed("m.", outgoingCols)+`, c.prev`, int32(lockClass), c.key, n)
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", council.TranslateError(err))
	}
	defer rows.Close()
	var out []claimed
	for rows.Next() {
		var cl claimed
		var sent *time.Time
		o := &cl.Outgoing
		if err := rows.Scan(&o.ID, &o.MessageID, &o.To, &o.Lang, &o.Kind, &o.List, &o.Subject, &o.Text, &o.HTML, &o.Headers,
			&o.State, &o.Attempts, &o.NextAt, &o.LastError, &o.Created, &sent, &o.Attachments, &o.Coalesce, &cl.prev); err != nil {
			return nil, fmt.Errorf("claim mail: %w", err)
		}
		out = append(out, cl)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim mail: %w", council.TranslateError(err))
	}
	return out, nil
}

// move changes row id from state from to state to, if it is still this
// sender's; set adds SET clauses ($3… are args). errNotMine when the row
// is no longer this sender's in state from.
func (c *claimConn) move(ctx context.Context, id council.ID, from, to State, set string, args ...any) error {
	q := `UPDATE mail_outbox SET state = $3` + set + ` WHERE id = $1 AND claimed_by = $2 AND state = $4`
	tag, err := c.conn.Exec(ctx, q, append([]any{id, c.key, string(to), string(from)}, args...)...)
	if err != nil {
		return fmt.Errorf("mail %s → %s: %w", from, to, council.TranslateError(err))
	}
	if tag.RowsAffected() == 0 {
		return errNotMine
	}
	return nil
}

func (c *claimConn) committing(ctx context.Context, id council.ID) error {
	return c.move(ctx, id, Sending, Committing, "")
}

func (c *claimConn) sent(ctx context.Context, id council.ID) error {
	return c.move(ctx, id, Committing, Sent, `, sent_at = now(), last_error = '', claimed_by = NULL`)
}

// retry puts row id back in the queue until after delay (or fails it for
// good when final), noting why.
func (c *claimConn) retry(ctx context.Context, id council.ID, from State, final bool, delay time.Duration, why string) error {
	if len(why) > 2000 {
		why = why[:2000]
	}
	to := Queued
	if final {
		to = Failed
	}
	return c.move(ctx, id, from, to, `, claimed_by = NULL, last_error = $5, next_attempt_at = now() + make_interval(secs => $6)`,
		why, delay.Seconds())
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
