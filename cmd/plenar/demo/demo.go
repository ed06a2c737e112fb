// Package demo fills an empty database with the demo city "Musterstadt".
package demo

import (
	"context"
	"errors"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Login is a demo account printed for the user.
type Login struct {
	Role, Email, Password, TOTPSecret string
}

// Result says what Seed did.
type Result struct {
	Seeded bool // false: the database already had data; nothing was changed
	Logins []Login
}

// Seed fills an empty database with the demo city. It is idempotent.
func Seed(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) (Result, error) {
	return Result{}, errors.New("demo: not implemented yet")
}
