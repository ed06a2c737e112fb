package council

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DeleteExpiredSessions deletes the web sessions (table sessions, written
// by the web package's session manager) that expired before now, and
// reports how many it deleted.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE expiry < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", TranslateError(err))
	}
	return tag.RowsAffected(), nil
}

// SessionValid reports whether the web session token still stands for
// user: the session exists and has not expired (by the database's clock,
// as the session manager's own lookup), and the user is
// neither disabled nor deleted and still has role and the session epoch
// epoch (see User.SessionEpoch: no password or second-factor reset, no
// "log out everywhere" since). Long-lived connections (the live
// websocket) call it to end themselves with their session. It is one
// indexed lookup per table.
func (s *Store) SessionValid(ctx context.Context, token string, user ID, epoch int64, role Role) (bool, error) {
	var ok bool
	err := s.db.QueryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM sessions WHERE token = $1 AND current_timestamp < expiry) AND
		EXISTS (SELECT 1 FROM users WHERE id = $2 AND session_epoch = $3 AND role = $4 AND NOT disabled AND NOT deleted)`,
		token, user, epoch, role).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("session valid: %w", TranslateError(err))
	}
	return ok, nil
}

// TouchSession moves the idle expiry of the web session token forward to
// until, if the session still stands (exists and has not expired) and
// until is later than its expiry. A long-lived connection (the live
// websocket of a member in a four-hour council session) is activity of
// its session just as page requests are; the caller bounds until by the
// session's absolute deadline. It reports whether the session stands.
func (s *Store) TouchSession(ctx context.Context, token string, until time.Time) (bool, error) {
	var ok bool
	err := s.db.QueryRow(ctx, `WITH t AS (
			UPDATE sessions SET expiry = $2 WHERE token = $1 AND current_timestamp < expiry AND expiry < $2 RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM t) OR EXISTS (SELECT 1 FROM sessions WHERE token = $1 AND current_timestamp < expiry)`,
		token, until).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("touch session: %w", TranslateError(err))
	}
	return ok, nil
}

// SessionsChannel is the PostgreSQL notification channel on which ended
// sessions are announced (payload: the user's id, or "" when unknown),
// so that every process can close the long-lived connections (live
// websockets) of those sessions at once. A lost notification delays that
// only until the connections' own periodic check (SessionValid).
const SessionsChannel = "plenar_sessions"

func notifySessionsEnded(ctx context.Context, db DBTX, user ID) error {
	payload := ""
	if user != NilID {
		payload = user.String()
	}
	if _, err := db.Exec(ctx, `SELECT pg_notify($1, $2)`, SessionsChannel, payload); err != nil {
		return fmt.Errorf("notify ended sessions: %w", TranslateError(err))
	}
	return nil
}

// NotifySessionEnded announces on SessionsChannel that a session of user
// (NilID: unknown) ended outside this store, e.g. a logout.
func (s *Store) NotifySessionEnded(ctx context.Context, user ID) error {
	return notifySessionsEnded(ctx, s.db, user)
}

// Listen holds a connection from pool that listens on channels and calls
// notified with each notification's channel and payload, until ctx ends
// or the connection fails (it returns the error; ctx's error after ctx
// ended). listening is called once the connection listens: anything
// notified before may have been missed.
func Listen(ctx context.Context, pool *pgxpool.Pool, channels []string, listening func(), notified func(channel, payload string)) error {
	pc, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("listen: acquire: %w", err)
	}
	conn := pc.Hijack() // LISTEN state must not go back to the pool
	defer conn.Close(context.WithoutCancel(ctx))
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return fmt.Errorf("listen %s: %w", ch, err)
		}
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("listen: %w", err)
		}
		notified(n.Channel, n.Payload)
	}
}

// ListenRetry is Listen until ctx ends: a lost connection is logged and
// retried with back-off (100 ms, doubling up to 5 s); listening is called
// on every new listen, since a notification may have been missed
// meanwhile. what names the listener in the log.
func ListenRetry(ctx context.Context, pool *pgxpool.Pool, channels []string, log *slog.Logger, what string,
	listening func(), notified func(channel, payload string)) {
	backoff := 100 * time.Millisecond
	for {
		err := Listen(ctx, pool, channels, func() {
			backoff = 100 * time.Millisecond
			listening()
		}, notified)
		if ctx.Err() != nil {
			return
		}
		log.Warn(what+" lost its connection", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}
