package council

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// DBTX is what stores need: a pool, a connection or a transaction.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// DBTXTx is a transaction as stores see it.
type DBTXTx = pgx.Tx

type pgDate = pgtype.Date

// Store reads and writes the council domain in PostgreSQL.
type Store struct {
	db DBTX
}

// NewStore returns a Store on db.
func NewStore(db DBTX) *Store { return &Store{db: db} }

// Tx runs fn in a transaction on db (a savepoint when db is already a
// transaction) and commits when fn returns nil.
func Tx(ctx context.Context, db DBTX, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db, fn)
}

// Op is the kind of a change.
type Op string

// Change operations, as in the outbox.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Record writes one outbox row and one audit row for a change of entity
// id, in the caller's transaction. changes is stored as JSON and should
// name the fields that changed; the actor comes from ctx (WithActor).
// After commit it notifies listeners on OutboxChannel.
func Record(ctx context.Context, tx DBTX, entity string, id ID, op Op, changes any) error {
	if changes == nil {
		changes = map[string]any{}
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("record %s %s: %w", entity, id, err)
	}
	var actor *ID
	if a := ActorFrom(ctx); a != NilID {
		actor = &a
	}
	_, err = tx.Exec(ctx, `
		WITH o AS (INSERT INTO outbox (entity, entity_id, op, payload) VALUES ($1, $2, $3, $4) RETURNING id)
		INSERT INTO audit (actor_id, entity, entity_id, op, changes) VALUES ($5, $1, $2, $3, $4)`,
		entity, id, string(op), b, actor)
	if err != nil {
		return fmt.Errorf("record %s %s: %w", entity, id, TranslateError(err))
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, OutboxChannel, entity); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// TranslateError maps driver errors to the package's error kinds: no rows
// to ErrNotFound, unique violations to ErrConflict, check, foreign key and
// not-null violations and bad input to ErrInvalid, connection failures to
// ErrUnavailable. Other errors are returned unchanged.
//
// The database's refusals (unique, check, foreign key, not-null, bad
// input) come back as a *UserError that says what went wrong in the user's
// words; the constraint's name and the SQLSTATE stay in its Cause, for the
// log.
func TranslateError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		refused := func(kind error, key, text string) error {
			return &UserError{Kind: kind, Key: key, Text: text, Cause: err}
		}
		switch pgErr.Code {
		case "23505": // unique_violation
			return refused(ErrConflict, MsgExists, "this entry already exists")
		case "23514", // check_violation
			"22P02", "22007", "22008": // invalid_text_representation, invalid_datetime_format, datetime_field_overflow
			return refused(ErrInvalid, MsgValueInvalid, "a value is not valid")
		case "23503": // foreign_key_violation: a missing target, or a row still referred to
			return refused(ErrInvalid, MsgReference, "a linked entry is missing or still in use")
		case "23502": // not_null_violation
			return refused(ErrInvalid, MsgMissing, "a required value is missing")
		case "22001": // string_data_right_truncation
			return refused(ErrInvalid, MsgTooLong, "a text is too long")
		case "22021", "22P05":
			// Bytes text cannot hold: a NUL or invalid UTF-8 (22021), or a
			// character the encoding lacks (22P05). The web layer rejects
			// them first; this keeps them 400, not 500, wherever they come from.
			return refused(ErrInvalid, MsgBadChars, "the input contains invalid characters")
		}
		if strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P03" {
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return err
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) || pgconn.SafeToRetry(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// Null helpers for the store files: the domain uses zero values for
// absence, the database uses NULL.

func nullID(id ID) *ID {
	if id == NilID {
		return nil
	}
	return &id
}

func idOf(p *ID) ID {
	if p == nil {
		return NilID
	}
	return *p
}

func nullDate(t time.Time) pgtype.Date {
	if t.IsZero() {
		return pgtype.Date{}
	}
	return pgtype.Date{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), Valid: true}
}

func dateOf(d pgtype.Date) time.Time {
	if !d.Valid {
		return time.Time{}
	}
	return d.Time
}

func nullInt(n int) *int32 {
	if n == 0 {
		return nil
	}
	v := int32(n)
	return &v
}

func intOf(p *int32) int {
	if p == nil {
		return 0
	}
	return int(*p)
}

// NullID, IDOf, NullDate and DateOf are exported for other packages' stores.
func NullID(id ID) *ID                 { return nullID(id) }
func IDOf(p *ID) ID                    { return idOf(p) }
func NullDate(t time.Time) pgtype.Date { return nullDate(t) }
func DateOf(d pgtype.Date) time.Time   { return dateOf(d) }
