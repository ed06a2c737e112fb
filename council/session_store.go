package council

import (
	"context"
	"fmt"
	"time"
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
