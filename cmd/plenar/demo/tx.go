package demo

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// flatTx is the seeding transaction as the stores see it. Stores open a
// nested transaction (a savepoint) for every call; seeding is all or
// nothing anyway, so flatTx runs them flat in the outer transaction:
// Begin returns the same transaction, Commit and Rollback do nothing, and
// any error aborts the whole seed. That saves two round trips and one
// subtransaction per store call. It also counts statements for the log.
type flatTx struct {
	pgx.Tx
	statements int
}

func (t *flatTx) Begin(context.Context) (pgx.Tx, error) { return t, nil }
func (t *flatTx) Commit(context.Context) error          { return nil }
func (t *flatTx) Rollback(context.Context) error        { return nil }

func (t *flatTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	t.statements++
	return t.Tx.Exec(ctx, sql, args...)
}

func (t *flatTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	t.statements++
	return t.Tx.Query(ctx, sql, args...)
}

func (t *flatTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	t.statements++
	return t.Tx.QueryRow(ctx, sql, args...)
}
