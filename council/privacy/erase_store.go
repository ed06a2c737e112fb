package privacy

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// Placeholder replaces a text that an erasure or the retention removes
// where the column needs a value.
const Placeholder = "[gelöscht]"

// Erase removes the personal data of user's account (Art. 17 DSGVO;
// docs/DOMAIN.md, "Erasure of an account") in one transaction and
// returns the pseudonym the account keeps ("gelöschtes Konto 7F3A"):
//
//   - its logins, sessions (ended at once on every node), passkeys,
//     pending verifications, follows and feed token, login failures, mail
//     to its address, tokens and opt-outs are deleted;
//   - the account row keeps only its id, role and dates: address, name,
//     group, password, second factors, residence, year of birth and the
//     link to a person are overwritten, it is disabled and marked deleted
//     and erased;
//   - a linked person (a councillor's record, which is the council's and
//     stays) loses the address when it is the account's;
//   - its signatures keep counting without a signer; its reports lose
//     their reporter;
//   - what it contributed to the public record (a motion past its draft,
//     a published or answered question) stays under the pseudonym, which
//     the public never sees (user_name_public is false for it); drafts and
//     questions never published are blanked and deleted; the moderators'
//     notes go.
//
// The audit trail records the erasure with the actor of ctx. An unknown
// user is ErrNotFound; erasing an erased account again is ErrConflict.
func (s *Store) Erase(ctx context.Context, user council.ID, now time.Time) (string, error) {
	var pseudonym string
	err := council.Tx(ctx, s.db, func(tx pgx.Tx) error {
		var email string
		var erased *time.Time
		if err := tx.QueryRow(ctx, `SELECT email, erased, 'gelöschtes Konto ' || upper(substr(md5(id::text), 1, 4))
			FROM users WHERE id = $1 FOR UPDATE`, user).Scan(&email, &erased, &pseudonym); err != nil {
			return council.TranslateError(err)
		}
		if erased != nil {
			return fmt.Errorf("%w: the account is already erased", council.ErrConflict)
		}
		stmts := []struct {
			q    string
			args []any
		}{
			{`DELETE FROM sessions WHERE token IN (SELECT session_token FROM logins WHERE user_id = $1
				AND session_token IS NOT NULL)`, []any{user}},
			{`DELETE FROM logins WHERE user_id = $1`, []any{user}},
			{`DELETE FROM passkeys WHERE user_id = $1`, []any{user}},
			{`DELETE FROM email_verifications WHERE user_id = $1`, []any{user}},
			{`DELETE FROM alert_follows WHERE user_id = $1`, []any{user}},
			{`DELETE FROM alert_feed_tokens WHERE user_id = $1`, []any{user}},
			{`DELETE FROM login_failures WHERE lower(account) = lower($1)`, []any{email}},
			{`DELETE FROM mail_outbox WHERE lower(recipient) = lower($1)`, []any{email}},
			{`DELETE FROM mail_unsubscribe_tokens WHERE lower(address) = lower($1)`, []any{email}},
			{`DELETE FROM mail_optouts WHERE address = lower($1)`, []any{email}},
			{`UPDATE persons p SET email = '', modified = $2 FROM users u
				WHERE u.id = $1 AND p.id = u.person_id AND lower(p.email) = lower(u.email)`, []any{user, now}},
			{`UPDATE abuse_reports SET reporter_id = NULL WHERE reporter_id = $1`, []any{user}},
			// A childcare claim is the voucher of a payment (kept with the
			// pseudonym until its retention ends); its free text goes.
			{`UPDATE childcare_claims SET note = '' WHERE user_id = $1`, []any{user}},
			{`UPDATE initiative_signatures SET user_id = NULL WHERE user_id = $1`, []any{user}},
			{`UPDATE initiatives i SET title = $2, text = $2, reasoning = '', deleted = true, modified = $3
				WHERE author_id = $1 AND (state = 'draft' OR (state = 'withdrawn' AND NOT initiative_public(i)))`,
				[]any{user, Placeholder, now}},
			{`UPDATE questions SET note = '', modified = $3,
				text = CASE WHEN state IN ('published', 'answered') THEN text ELSE $2 END,
				norm = CASE WHEN state IN ('published', 'answered') THEN norm ELSE id::text END,
				deleted = deleted OR state NOT IN ('published', 'answered')
				WHERE asker_id = $1`, []any{user, Placeholder, now}},
			{`UPDATE users SET email = 'erased-' || id || '@invalid', display_name = $2, password_hash = '!',
				totp_secret = '', totp_enabled = false, totp_last_step = 0, group_name = '', residence_confirmed = NULL,
				birth_year = NULL, publish_name = false, person_id = NULL, disabled = true, deleted = true,
				erased = $3, session_epoch = session_epoch + 1, modified = $3 WHERE id = $1`,
				[]any{user, pseudonym, now}},
		}
		for _, st := range stmts {
			if _, err := tx.Exec(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, council.SessionsChannel, user.String()); err != nil {
			return err
		}
		return council.Record(ctx, tx, "user", user, council.OpUpdate, map[string]any{"erased": true})
	})
	if err != nil {
		return "", fmt.Errorf("erase account %s: %w", user, council.TranslateError(err))
	}
	return pseudonym, nil
}

// UserByEmail returns the id of the account with address email (any
// case), for an administrator's erasure; ErrNotFound when there is none.
func (s *Store) UserByEmail(ctx context.Context, email string) (council.ID, error) {
	var id council.ID
	if err := s.db.QueryRow(ctx, `SELECT id FROM users WHERE lower(email) = lower($1) AND erased IS NULL`,
		email).Scan(&id); err != nil {
		return council.NilID, fmt.Errorf("account %q: %w", email, council.TranslateError(err))
	}
	return id, nil
}
