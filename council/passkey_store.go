package council

import (
	"context"
	"fmt"
	"time"
)

const passkeyCols = `id, user_id, credential_id, public_key, sign_count, transports, aaguid, attestation_format,
	user_verified, backup_eligible, backup_state, name, created, last_used`

func scanPasskey(row interface{ Scan(...any) error }) (Passkey, error) {
	var p Passkey
	var count int64
	var lastUsed *time.Time
	err := row.Scan(&p.ID, &p.UserID, &p.CredentialID, &p.PublicKey, &count, &p.Transports, &p.AAGUID,
		&p.AttestationFormat, &p.UserVerified, &p.BackupEligible, &p.BackupState, &p.Name, &p.Created, &lastUsed)
	p.SignCount = uint32(count)
	if lastUsed != nil {
		p.LastUsed = *lastUsed
	}
	return p, err
}

// AddPasskey stores a passkey of p.UserID. Errors: ErrInvalid (a name
// missing or too long, no credential), ErrConflict (the credential is
// registered already, to this or another account).
func (s *Store) AddPasskey(ctx context.Context, p Passkey) (Passkey, error) {
	if err := p.Validate(); err != nil {
		return Passkey{}, err
	}
	if p.Transports == nil {
		p.Transports = []string{}
	}
	if p.AAGUID == nil {
		p.AAGUID = []byte{}
	}
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		var err error
		p, err = scanPasskey(tx.QueryRow(ctx, `INSERT INTO passkeys (user_id, credential_id, public_key, sign_count,
			transports, aaguid, attestation_format, user_verified, backup_eligible, backup_state, name)
			SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM users WHERE id = $1 AND NOT deleted
			RETURNING `+passkeyCols,
			p.UserID, p.CredentialID, p.PublicKey, int64(p.SignCount), p.Transports, p.AAGUID, p.AttestationFormat,
			p.UserVerified, p.BackupEligible, p.BackupState, clip(p.Name, MaxPasskeyName)))
		if err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, "passkey", p.ID, OpCreate, map[string]any{"user": p.UserID})
	})
	if err != nil {
		return Passkey{}, fmt.Errorf("add passkey: %w", err)
	}
	return p, nil
}

// Passkeys lists the passkeys of user, oldest first.
func (s *Store) Passkeys(ctx context.Context, user ID) ([]Passkey, error) {
	rows, err := s.db.Query(ctx, `SELECT `+passkeyCols+` FROM passkeys WHERE user_id = $1 ORDER BY created, id`, user)
	if err != nil {
		return nil, fmt.Errorf("passkeys: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []Passkey
	for rows.Next() {
		p, err := scanPasskey(rows)
		if err != nil {
			return nil, fmt.Errorf("passkeys: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("passkeys: %w", TranslateError(err))
	}
	return out, nil
}

// PasskeyByCredential returns the passkey with WebAuthn credential id
// credentialID. Errors: ErrNotFound.
func (s *Store) PasskeyByCredential(ctx context.Context, credentialID []byte) (Passkey, error) {
	p, err := scanPasskey(s.db.QueryRow(ctx, `SELECT `+passkeyCols+` FROM passkeys WHERE credential_id = $1`, credentialID))
	if err != nil {
		return Passkey{}, fmt.Errorf("passkey by credential: %w", TranslateError(err))
	}
	return p, nil
}

// RenamePasskey gives user's passkey id the name name. Errors:
// ErrInvalid, ErrNotFound (no such passkey of user).
func (s *Store) RenamePasskey(ctx context.Context, user, id ID, name string) error {
	fe := FieldErrors{}
	checkText(fe, "name", name, true, MaxPasskeyName)
	if err := fe.Err(); err != nil {
		return err
	}
	return s.changePasskey(ctx, user, id, OpUpdate, `UPDATE passkeys SET name = $3 WHERE id = $1 AND user_id = $2`,
		clip(name, MaxPasskeyName))
}

// DeletePasskey removes user's passkey id. Every account has a password,
// so removing a passkey never locks its owner out. Errors: ErrNotFound.
func (s *Store) DeletePasskey(ctx context.Context, user, id ID) error {
	return s.changePasskey(ctx, user, id, OpDelete, `DELETE FROM passkeys WHERE id = $1 AND user_id = $2`)
}

// DeletePasskeys removes every passkey of user (resetting the second
// factor: a passkey is one) and reports how many there were.
func (s *Store) DeletePasskeys(ctx context.Context, user ID) (int, error) {
	var n int64
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM passkeys WHERE user_id = $1`, user)
		if err != nil {
			return TranslateError(err)
		}
		if n = tag.RowsAffected(); n == 0 {
			return nil
		}
		return Record(ctx, tx, "user", user, OpUpdate, map[string]any{"changed": "passkeys", "deleted": n})
	})
	if err != nil {
		return 0, fmt.Errorf("delete passkeys of %s: %w", user, err)
	}
	return int(n), nil
}

func (s *Store) changePasskey(ctx context.Context, user, id ID, op Op, sql string, args ...any) error {
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		tag, err := tx.Exec(ctx, sql, append([]any{id, user}, args...)...)
		if err != nil {
			return TranslateError(err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return Record(ctx, tx, "passkey", id, op, map[string]any{"user": user})
	})
	if err != nil {
		return fmt.Errorf("%s passkey %s: %w", op, id, err)
	}
	return nil
}

// UsePasskey records a login with passkey id at at: the authenticator's
// new signature counter and backup state. It fails with ErrConflict when
// the stored counter moved since the caller read it as was (two logins
// with one assertion at once, or a cloned authenticator).
func (s *Store) UsePasskey(ctx context.Context, id ID, was, count uint32, backupState bool, at time.Time) error {
	tag, err := s.db.Exec(ctx, `UPDATE passkeys SET sign_count = $3, backup_state = $4, last_used = $5
		WHERE id = $1 AND sign_count = $2`, id, int64(was), int64(count), backupState, at)
	if err != nil {
		return fmt.Errorf("use passkey: %w", TranslateError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("use passkey %s: %w: its signature counter changed meanwhile", id, ErrConflict)
	}
	return nil
}
