package council

import (
	"context"
	"fmt"
	"strings"
	"time"
)

const userCols = `id, email, display_name, password_hash, role, person_id, totp_secret, totp_enabled, totp_last_step,
	disabled, session_epoch, created, modified, deleted`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var person *ID
	err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.PasswordHash, &u.Role, &person, &u.TOTPSecret,
		&u.TOTPEnabled, &u.TOTPLastStep, &u.Disabled, &u.SessionEpoch, &u.Created, &u.Modified, &u.Deleted)
	u.PersonID = idOf(person)
	return u, err
}

// CreateUser inserts u. PasswordHash must already be a hash.
// Errors: ErrInvalid, ErrConflict (e-mail taken).
func (s *Store) CreateUser(ctx context.Context, u User) (User, error) {
	u.Email = strings.TrimSpace(u.Email)
	fe := FieldErrors{}
	checkText(fe, "email", u.Email, true, 320)
	if !strings.Contains(u.Email, "@") {
		fe.Add("email", MsgInvalid)
	}
	if !u.Role.Valid() {
		fe.Add("role", MsgUnknownKind)
	}
	if u.PasswordHash == "" {
		fe.Add("password", MsgRequired)
	}
	if err := fe.Err(); err != nil {
		return User{}, err
	}
	if u.ID == NilID {
		u.ID = NewID()
	}
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `INSERT INTO users (id, email, display_name, password_hash, role, person_id,
			totp_secret, totp_enabled) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING `+userCols,
			u.ID, u.Email, u.DisplayName, u.PasswordHash, u.Role, nullID(u.PersonID), u.TOTPSecret, u.TOTPEnabled))
		if err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, "user", u.ID, OpCreate, map[string]any{"Role": u.Role})
	})
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// User returns the user with id. Errors: ErrNotFound.
func (s *Store) User(ctx context.Context, id ID) (User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if err != nil {
		return User{}, fmt.Errorf("user %s: %w", id, TranslateError(err))
	}
	return u, nil
}

// UserByEmail returns the user with e-mail address email (case-insensitive).
// Errors: ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE lower(email) = lower($1) AND NOT deleted`,
		strings.TrimSpace(email)))
	if err != nil {
		return User{}, fmt.Errorf("user by email: %w", TranslateError(err))
	}
	return u, nil
}

// Users lists all accounts by e-mail.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.Query(ctx, `SELECT `+userCols+` FROM users WHERE NOT deleted ORDER BY lower(email)`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// endSessions is the SET clause that ends every session of the user (see
// User.SessionEpoch); it goes into the same UPDATE as the change that
// calls for it.
const endSessions = `session_epoch = session_epoch + 1`

// SetPassword replaces the user's password hash and ends every session of
// the user. Errors: ErrNotFound.
func (s *Store) SetPassword(ctx context.Context, id ID, hash string) error {
	return s.updateUser(ctx, id, "password", true, `password_hash = $2, `+endSessions, hash)
}

// SetTOTP stores a TOTP secret and whether it is confirmed (an empty secret
// resets the second factor), and ends every session of the user.
// Errors: ErrNotFound.
func (s *Store) SetTOTP(ctx context.Context, id ID, secret string, enabled bool) error {
	return s.updateUser(ctx, id, "totp", true, `totp_secret = $2, totp_enabled = $3, totp_last_step = 0, `+endSessions,
		secret, enabled)
}

// SetUserDisabled disables or enables an account; disabling ends every
// session of the user. Errors: ErrNotFound.
func (s *Store) SetUserDisabled(ctx context.Context, id ID, disabled bool) error {
	set := `disabled = $2`
	if disabled {
		set += `, ` + endSessions
	}
	return s.updateUser(ctx, id, "disabled", disabled, set, disabled)
}

// EndSessions ends every session of the user ("log out everywhere") and
// changes nothing else. Errors: ErrNotFound.
func (s *Store) EndSessions(ctx context.Context, id ID) error {
	return s.updateUser(ctx, id, "sessions", true, endSessions)
}

// updateUser applies set to user id; ends says that set ends the user's
// sessions, which is announced on SessionsChannel at commit.
func (s *Store) updateUser(ctx context.Context, id ID, what string, ends bool, set string, args ...any) error {
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET `+set+`, modified = now() WHERE id = $1 AND NOT deleted`, append([]any{id}, args...)...)
		if err != nil {
			return TranslateError(err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		if ends {
			if err := notifySessionsEnded(ctx, tx, id); err != nil {
				return err
			}
		}
		return Record(ctx, tx, "user", id, OpUpdate, map[string]any{"changed": what})
	})
	if err != nil {
		return fmt.Errorf("update user %s (%s): %w", id, what, err)
	}
	return nil
}

// UseTOTPStep records that the TOTP code of time step was used, so that it
// can never be replayed. It reports false when that step (or a later one)
// was already used.
func (s *Store) UseTOTPStep(ctx context.Context, id ID, step int64) (bool, error) {
	tag, err := s.db.Exec(ctx, `UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, id, step)
	if err != nil {
		return false, fmt.Errorf("use totp step: %w", TranslateError(err))
	}
	return tag.RowsAffected() == 1, nil
}

// RecordLoginFailure notes a failed login for account (normalised e-mail)
// from addr.
func (s *Store) RecordLoginFailure(ctx context.Context, account, addr string, at time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO login_failures (account, addr, at) VALUES (lower($1), $2, $3)`, account, addr, at)
	if err != nil {
		return fmt.Errorf("record login failure: %w", TranslateError(err))
	}
	return nil
}

// LoginFailures counts failed logins since since for account and for addr.
func (s *Store) LoginFailures(ctx context.Context, account, addr string, since time.Time) (byAccount, byAddr int, err error) {
	err = s.db.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM login_failures WHERE account = lower($1) AND at >= $3),
		(SELECT count(*) FROM login_failures WHERE addr = $2 AND at >= $3)`, account, addr, since).Scan(&byAccount, &byAddr)
	if err != nil {
		return 0, 0, fmt.Errorf("count login failures: %w", TranslateError(err))
	}
	return byAccount, byAddr, nil
}

// ClearLoginFailures forgets failures of account after a successful login,
// and every failure older than before (retention).
func (s *Store) ClearLoginFailures(ctx context.Context, account string, before time.Time) error {
	_, err := s.db.Exec(ctx, `DELETE FROM login_failures WHERE account = lower($1) OR at < $2`, account, before)
	if err != nil {
		return fmt.Errorf("clear login failures: %w", TranslateError(err))
	}
	return nil
}
