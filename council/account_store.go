package council

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Citizens' own accounts (docs/DOMAIN.md, "Citizen accounts"): the
// registration, the e-mail verification and what a clerk confirms.

// Translation keys of the registration's field errors.
const (
	MsgEmail         = "err.email"          // not a single e-mail address
	MsgPasswordShort = "err.password_short" // shorter than MinPasswordLength
)

// VerificationTTL is how long a verification link is valid; an account
// still unverified then is deleted (DeleteUnverified).
const VerificationTTL = 72 * time.Hour

// Registration is what the form /register asks for. Password is the
// plain password (hashed here); DisplayName and GroupName are optional.
type Registration struct {
	Email       string
	Password    string
	DisplayName string
	GroupName   string // the group the citizen represents, if any
	PublishName bool   // consent to show DisplayName in public
	Lang        string // "de" or "en": the language of the account's mail
}

// Validate checks r. Errors: FieldErrors (ErrInvalid) keyed by the form's
// field names (email, password, display_name, group_name).
func (r *Registration) Validate() error {
	r.Email = strings.TrimSpace(r.Email)
	r.DisplayName = strings.TrimSpace(r.DisplayName)
	r.GroupName = strings.TrimSpace(r.GroupName)
	if r.Lang != "en" {
		r.Lang = "de"
	}
	fe := FieldErrors{}
	checkText(fe, "email", r.Email, true, 254)
	if a, err := mail.ParseAddress(r.Email); fe["email"] == "" && (err != nil || a.Address != r.Email || a.Name != "" ||
		!strings.Contains(r.Email[strings.LastIndexByte(r.Email, '@')+1:], ".")) {
		fe.Add("email", MsgEmail)
	}
	switch n := len([]rune(r.Password)); {
	case n == 0:
		fe.Add("password", MsgRequired)
	case n < MinPasswordLength:
		fe.Add("password", MsgPasswordShort)
	case len(r.Password) > 1024:
		fe.Add("password", MsgTooLong)
	}
	checkText(fe, "display_name", r.DisplayName, false, 100)
	checkText(fe, "group_name", r.GroupName, false, 200)
	for f, v := range map[string]string{"display_name": r.DisplayName, "group_name": r.GroupName} {
		if strings.ContainsAny(v, "\r\n\t") {
			fe.Add(f, MsgInvalid)
		}
	}
	if r.PublishName && r.DisplayName == "" {
		fe.Add("display_name", MsgRequired)
	}
	return fe.Err()
}

// AccountMail is a message about an account that Register and
// ResendVerification queue in their transaction.
type AccountMail struct {
	To    string
	Lang  string
	Name  string
	Token string // the verification token; "" for AccountExists
	Kind  AccountMailKind
}

// AccountMailKind says which message.
type AccountMailKind int

// Account messages.
const (
	MailVerify        AccountMailKind = iota // "confirm your address": the link with Token
	MailAccountExists                        // "you already have an account"
)

// AccountMailer queues an account message inside tx (package council/mail
// implements it), so that the message commits with the account.
type AccountMailer interface {
	AccountMail(ctx context.Context, tx DBTX, m AccountMail) error
}

// Register creates an unverified citizen account for r and queues the
// verification mail — or, when the address already has an account, queues
// "you already have an account" to it and changes nothing. The caller
// cannot tell the two apart (the form must not reveal who has an
// account). Errors: ErrInvalid (FieldErrors).
func (s *Store) Register(ctx context.Context, r Registration, mailer AccountMailer) error {
	if err := r.Validate(); err != nil {
		return err
	}
	hash, err := HashPassword(r.Password)
	if err != nil {
		return err
	}
	err = Tx(ctx, s.db, func(tx DBTXTx) error {
		var existing ID
		var lang string
		err := tx.QueryRow(ctx, `SELECT id, lang FROM users WHERE lower(email) = lower($1) FOR UPDATE`, r.Email).Scan(&existing, &lang)
		switch {
		case err == nil:
			return mailer.AccountMail(ctx, tx, AccountMail{To: r.Email, Lang: r.Lang, Kind: MailAccountExists})
		case !errors.Is(err, pgx.ErrNoRows):
			return TranslateError(err)
		}
		id := NewID()
		if _, err := tx.Exec(ctx, `INSERT INTO users (id, email, display_name, password_hash, role, email_verified, lang,
			publish_name, group_name) VALUES ($1, $2, $3, $4, 'citizen', NULL, $5, $6, $7)`,
			id, r.Email, r.DisplayName, hash, r.Lang, r.PublishName, r.GroupName); err != nil {
			return TranslateError(err)
		}
		token, err := newVerification(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := Record(ctx, tx, "user", id, OpCreate, map[string]any{"Role": RoleCitizen, "registered": true}); err != nil {
			return err
		}
		return mailer.AccountMail(ctx, tx, AccountMail{To: r.Email, Lang: r.Lang, Name: r.DisplayName, Token: token, Kind: MailVerify})
	})
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	return nil
}

// newVerification stores a fresh verification token of user (its
// SHA-256) and returns the token.
func newVerification(ctx context.Context, tx DBTX, user ID) (string, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(token))
	if _, err := tx.Exec(ctx, `INSERT INTO email_verifications (token_hash, user_id, expires) VALUES ($1, $2, now() + make_interval(secs => $3))`,
		h[:], user, VerificationTTL.Seconds()); err != nil {
		return "", TranslateError(err)
	}
	return token, nil
}

// ResendVerification queues a new verification link for the unverified
// account of email, "you already have an account" for a verified one,
// and nothing when there is no account — the caller answers alike.
func (s *Store) ResendVerification(ctx context.Context, email, lang string, mailer AccountMailer) error {
	email = strings.TrimSpace(email)
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		var id ID
		var verified bool
		var name, ulang string
		err := tx.QueryRow(ctx, `SELECT id, email_verified IS NOT NULL, display_name, lang FROM users
			WHERE lower(email) = lower($1) AND NOT deleted AND NOT disabled FOR UPDATE`, email).Scan(&id, &verified, &name, &ulang)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return nil
		case err != nil:
			return TranslateError(err)
		case verified:
			return mailer.AccountMail(ctx, tx, AccountMail{To: email, Lang: ulang, Kind: MailAccountExists})
		}
		token, err := newVerification(ctx, tx, id)
		if err != nil {
			return err
		}
		return mailer.AccountMail(ctx, tx, AccountMail{To: email, Lang: ulang, Name: name, Token: token, Kind: MailVerify})
	})
	if err != nil {
		return fmt.Errorf("resend verification: %w", err)
	}
	return nil
}

// VerifyEmail marks the account of a valid, unexpired verification token
// verified, forgets its tokens and returns the account.
// Errors: ErrNotFound (unknown, used or expired token).
func (s *Store) VerifyEmail(ctx context.Context, token string) (User, error) {
	if token == "" || len(token) > 100 {
		return User{}, fmt.Errorf("verify e-mail: %w", ErrNotFound)
	}
	h := sha256.Sum256([]byte(token))
	var u User
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		var id ID
		if err := tx.QueryRow(ctx, `DELETE FROM email_verifications WHERE token_hash = $1 AND expires > now() RETURNING user_id`,
			h[:]).Scan(&id); err != nil {
			return TranslateError(err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM email_verifications WHERE user_id = $1`, id); err != nil {
			return TranslateError(err)
		}
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `UPDATE users SET email_verified = coalesce(email_verified, now()), modified = now()
			WHERE id = $1 AND NOT deleted RETURNING `+userCols, id))
		if err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, "user", id, OpUpdate, map[string]any{"changed": "email_verified"})
	})
	if err != nil {
		return User{}, fmt.Errorf("verify e-mail: %w", err)
	}
	return u, nil
}

// AccountState is what the login and the back office need to know of an
// account beyond User.
type AccountState struct {
	Verified           bool
	Lang               string
	PublishName        bool
	GroupName          string
	ResidenceConfirmed bool
	BirthYear          int // 0: not stored
}

// Account returns the account state of user id. Errors: ErrNotFound.
func (s *Store) Account(ctx context.Context, id ID) (AccountState, error) {
	var a AccountState
	var by *int32
	err := s.db.QueryRow(ctx, `SELECT email_verified IS NOT NULL, lang, publish_name, group_name, residence_confirmed IS NOT NULL, birth_year
		FROM users WHERE id = $1`, id).Scan(&a.Verified, &a.Lang, &a.PublishName, &a.GroupName, &a.ResidenceConfirmed, &by)
	if err != nil {
		return AccountState{}, fmt.Errorf("account %s: %w", id, TranslateError(err))
	}
	a.BirthYear = intOf(by)
	return a, nil
}

// ConfirmResidence records (or withdraws) the clerk's confirmation that
// citizen id lives in the municipality. Errors: ErrNotFound.
func (s *Store) ConfirmResidence(ctx context.Context, id ID, confirmed bool) error {
	set := `residence_confirmed = NULL`
	if confirmed {
		set = `residence_confirmed = coalesce(residence_confirmed, now())`
	}
	return s.updateUser(ctx, id, "residence_confirmed", false, set)
}

// SetBirthYear stores the birth year of user id, for a workflow whose rule
// needs an age (0 removes it). Errors: ErrInvalid, ErrNotFound.
func (s *Store) SetBirthYear(ctx context.Context, id ID, year int) error {
	if year != 0 && (year < 1900 || year > time.Now().Year()) {
		return fmt.Errorf("%w: birth year %d", ErrInvalid, year)
	}
	return s.updateUser(ctx, id, "birth_year", false, `birth_year = $2`, nullInt(year))
}

// Citizens lists the citizens' accounts for the back office, newest
// first, with their state.
func (s *Store) Citizens(ctx context.Context) ([]CitizenAccount, error) {
	rows, err := s.db.Query(ctx, `SELECT `+userCols+`, email_verified IS NOT NULL, group_name, residence_confirmed IS NOT NULL
		FROM users WHERE role = 'citizen' AND NOT deleted ORDER BY created DESC LIMIT 500`)
	if err != nil {
		return nil, fmt.Errorf("citizens: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []CitizenAccount
	for rows.Next() {
		var c CitizenAccount
		var person *ID
		u := &c.User
		if err := rows.Scan(&u.ID, &u.Email, &u.DisplayName, &u.PasswordHash, &u.Role, &person, &u.TOTPSecret,
			&u.TOTPEnabled, &u.TOTPLastStep, &u.Disabled, &u.SessionEpoch, &u.Created, &u.Modified, &u.Deleted,
			&c.Verified, &c.GroupName, &c.ResidenceConfirmed); err != nil {
			return nil, fmt.Errorf("citizens: %w", err)
		}
		u.PersonID = idOf(person)
		out = append(out, c)
	}
	return out, rows.Err()
}

// CitizenAccount is a row of the back office's list of citizens.
type CitizenAccount struct {
	User
	Verified           bool
	GroupName          string
	ResidenceConfirmed bool
}

// DeleteUnverified deletes accounts never verified that were created
// before before (their link has expired), and reports how many.
func (s *Store) DeleteUnverified(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM users u WHERE email_verified IS NULL AND role = 'citizen' AND created < $1
		AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.actor_id = u.id)`, before)
	if err != nil {
		return 0, fmt.Errorf("delete unverified accounts: %w", TranslateError(err))
	}
	return tag.RowsAffected(), nil
}

// RecordAccountRequest notes a request of the account forms from addr
// and returns how many addr made within window (this one included);
// older ones than a day are forgotten.
func (s *Store) RecordAccountRequest(ctx context.Context, addr string, window time.Duration) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `WITH d AS (DELETE FROM account_requests WHERE at < now() - interval '1 day'),
		i AS (INSERT INTO account_requests (addr) VALUES ($1))
		SELECT count(*) + 1 FROM account_requests WHERE addr = $1 AND at >= now() - make_interval(secs => $2)`,
		addr, window.Seconds()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("account request: %w", TranslateError(err))
	}
	return n, nil
}
