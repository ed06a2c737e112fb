package council

import (
	"context"
	"fmt"
	"net/netip"
	"time"
)

// TruncateAddr returns the network of a client address for the login
// log: an IPv4 address to its /24, an IPv6 address to its /48 (data
// minimisation: enough to recognise "not my network", not the device).
// Anything else gives "".
func TruncateAddr(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return ""
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// RecordLogin stores a successful login and the session it opened.
// Errors: ErrInvalid (unknown method or user).
func (s *Store) RecordLogin(ctx context.Context, in LoginInput) (ID, error) {
	var token *string
	if in.Token != "" {
		token = &in.Token
	}
	id := NewID()
	_, err := s.db.Exec(ctx, `INSERT INTO logins (id, user_id, at, method, user_agent, addr, session_token, session_epoch, last_seen)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $3)`,
		id, in.UserID, in.At, string(in.Method), clip(in.UserAgent, 100), clip(in.Addr, 64), token, in.Epoch)
	if err != nil {
		return NilID, fmt.Errorf("record login: %w", TranslateError(err))
	}
	return id, nil
}

// SessionRenewed moves the login of session token old to its new token
// (the session manager renews a token when a user's role changes).
func (s *Store) SessionRenewed(ctx context.Context, old, renewed string) error {
	_, err := s.db.Exec(ctx, `UPDATE logins SET session_token = $2 WHERE session_token = $1`, old, renewed)
	if err != nil {
		return fmt.Errorf("session renewed: %w", TranslateError(err))
	}
	return nil
}

// SessionSeen notes that the session token was used at at.
func (s *Store) SessionSeen(ctx context.Context, token string, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE logins SET last_seen = $2 WHERE session_token = $1 AND last_seen < $2`, token, at)
	if err != nil {
		return fmt.Errorf("session seen: %w", TranslateError(err))
	}
	return nil
}

const loginCols = `l.id, l.user_id, l.at, l.method, l.user_agent, l.addr, l.last_seen`

// activeSession is the condition that login l's session still stands:
// its row in sessions exists and has not expired (by the database's
// clock, as the session manager's own lookup) and it is of the user's
// current session epoch.
const activeSession = `(l.session_token IS NOT NULL AND l.session_epoch = u.session_epoch AND NOT u.disabled AND
	EXISTS (SELECT 1 FROM sessions x WHERE x.token = l.session_token AND current_timestamp < x.expiry))`

// Logins lists user's logins since since, newest first, at most limit,
// each with whether its session still stands.
func (s *Store) Logins(ctx context.Context, user ID, since time.Time, limit int) ([]Login, error) {
	return s.logins(ctx, `l.user_id = $1 AND l.at >= $2 ORDER BY l.at DESC LIMIT $3`, user, since, limit)
}

// Sessions lists user's sessions that still stand, the most recently
// used first.
func (s *Store) Sessions(ctx context.Context, user ID) ([]Login, error) {
	return s.logins(ctx, `l.user_id = $1 AND `+activeSession+` ORDER BY l.last_seen DESC, l.at DESC`, user)
}

func (s *Store) logins(ctx context.Context, where string, args ...any) ([]Login, error) {
	rows, err := s.db.Query(ctx, `SELECT `+loginCols+`, `+activeSession+`
		FROM logins l JOIN users u ON u.id = l.user_id WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("logins: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []Login
	for rows.Next() {
		var l Login
		var method string
		if err := rows.Scan(&l.ID, &l.UserID, &l.At, &method, &l.UserAgent, &l.Addr, &l.LastSeen, &l.Active); err != nil {
			return nil, fmt.Errorf("logins: %w", err)
		}
		l.Method = LoginMethod(method)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("logins: %w", TranslateError(err))
	}
	return out, nil
}

// LoginOfSession returns the id of the login that opened session token.
// Errors: ErrNotFound.
func (s *Store) LoginOfSession(ctx context.Context, token string) (ID, error) {
	var id ID
	if err := s.db.QueryRow(ctx, `SELECT id FROM logins WHERE session_token = $1`, token).Scan(&id); err != nil {
		return NilID, fmt.Errorf("login of session: %w", TranslateError(err))
	}
	return id, nil
}

// EndSession ends the session that user's login id opened: its row in
// sessions goes, so its next request is anonymous, and the end is
// announced on SessionsChannel so that its live websockets close.
// Errors: ErrNotFound (no such login of user, or its session ended
// already).
func (s *Store) EndSession(ctx context.Context, user, id ID) error {
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		var token string
		err := tx.QueryRow(ctx, `WITH old AS (
				SELECT id, session_token FROM logins WHERE id = $1 AND user_id = $2 AND session_token IS NOT NULL FOR UPDATE)
			UPDATE logins l SET session_token = NULL FROM old WHERE l.id = old.id RETURNING old.session_token`,
			id, user).Scan(&token)
		if err != nil {
			return TranslateError(err)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token)
		if err != nil {
			return TranslateError(err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		if err := notifySessionsEnded(ctx, tx, user); err != nil {
			return err
		}
		return Record(ctx, tx, "user", user, OpUpdate, map[string]any{"changed": "session", "login": id})
	})
	if err != nil {
		return fmt.Errorf("end session %s: %w", id, err)
	}
	return nil
}

// ForgetLogins deletes logins older than before and forgets the tokens
// of sessions that are gone (logged out, expired, ended).
func (s *Store) ForgetLogins(ctx context.Context, before time.Time) error {
	_, err := s.db.Exec(ctx, `WITH old AS (DELETE FROM logins WHERE at < $1)
		UPDATE logins l SET session_token = NULL WHERE l.session_token IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM sessions x WHERE x.token = l.session_token)`, before)
	if err != nil {
		return fmt.Errorf("forget logins: %w", TranslateError(err))
	}
	return nil
}
