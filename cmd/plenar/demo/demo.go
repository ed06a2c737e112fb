// Package demo fills an empty database with the demo city "Musterstadt":
// a body with two legislative terms, a council, committees, district
// councils, a youth council, party groups, about three years of meetings
// and some 2,500 papers, and a handful of demo accounts.
//
// Everything is written through the council and meetings stores (so the
// outbox and audit rows exist as for real data) in one transaction: a
// crash leaves the database empty. The content is deterministic for a
// given reference time: a fixed random seed, dates relative to Options.Now.
//
// Demo accounts (public on purpose; never run the demo on a reachable
// server). Staff accounts need a TOTP code from the listed secret:
//
//	role     e-mail                               password              TOTP secret
//	admin    admin@musterstadt.example            demo-admin-2024       OBWGK3TBOIWWIZLNN4WWCZDNNFXC2MBR
//	clerk    sitzungsdienst@musterstadt.example   demo-sitzungsdienst   OBWGK3TBOIWWIZLNN4WWG3DFOJVS2MBR
//	member   stadtrat@musterstadt.example         demo-stadtrat-2024    (councillor, Grüne)
//	member   ausschuss@musterstadt.example        demo-ausschuss-2024   (chair of the Finanzausschuss)
//	member   jugendrat@musterstadt.example        demo-jugendrat-2024   (Kinder- und Jugendrat)
//	citizen  buergerin@musterstadt.example        demo-buergerin-2024
//
// SeedDocuments adds the city's documents afterwards (documents.go).
//
// It imports council, meetings and documents; nothing imports it except
// cmd/plenar.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/plenar/plenar/migrations"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// Login is a demo account printed for the user.
type Login struct {
	Role, Email, Password, TOTPSecret string
}

// Result says what Seed did.
type Result struct {
	Seeded bool // false: the database already had data; nothing was changed
	Logins []Login
	Counts Counts // what was written; zero when Seeded is false
	// Live is the meeting whose session runs live once StartLive ran
	// (a council special session that began shortly before the seed);
	// NilID when Seeded is false.
	Live council.ID
}

// Counts are the numbers of objects Seed wrote.
type Counts struct {
	Persons, Organizations, Memberships, Meetings, AgendaItems, Papers int
	Statements                                                         int // SQL statements sent
}

// Options tune SeedWith.
type Options struct {
	Now  time.Time // reference time; zero: time.Now()
	Seed uint64    // random seed; zero: the fixed default
	// Months is how many months before Now have meetings and papers;
	// zero: 34 (the full city). Tests use fewer for a smaller city.
	Months int
}

// The demo accounts. The passwords and TOTP secrets are public on
// purpose (README): never use the demo on a reachable server.
var demoLogins = []Login{
	{Role: string(council.RoleAdmin), Email: "admin@musterstadt.example", Password: "demo-admin-2024",
		TOTPSecret: "OBWGK3TBOIWWIZLNN4WWCZDNNFXC2MBR"},
	{Role: string(council.RoleClerk), Email: clerkEmail, Password: "demo-sitzungsdienst",
		TOTPSecret: "OBWGK3TBOIWWIZLNN4WWG3DFOJVS2MBR"},
	{Role: string(council.RoleMember), Email: "stadtrat@musterstadt.example", Password: "demo-stadtrat-2024"},
	{Role: string(council.RoleMember), Email: "ausschuss@musterstadt.example", Password: "demo-ausschuss-2024"},
	{Role: string(council.RoleMember), Email: "jugendrat@musterstadt.example", Password: "demo-jugendrat-2024"},
	{Role: string(council.RoleCitizen), Email: "buergerin@musterstadt.example", Password: "demo-buergerin-2024"},
}

// clerkEmail is the demo clerk's login; StartLive acts as the clerk.
const clerkEmail = "sitzungsdienst@musterstadt.example"

// Logins returns the demo accounts (a copy).
func Logins() []Login { return append([]Login(nil), demoLogins...) }

// Seed fills an empty database with the demo city, relative to the
// current time. It is idempotent: when the database already has a body it
// changes nothing and returns Seeded false.
func Seed(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) (Result, error) {
	return SeedWith(ctx, pool, log, Options{})
}

// advisoryLock serialises concurrent seeders on one database.
const advisoryLock = 0x706c656e6172 // "plenar"

// SeedWith is Seed with options.
func SeedWith(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger, opts Options) (Result, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Seed == 0 {
		opts.Seed = 20240701
	}
	res := Result{Logins: Logins()}
	// Hash the passwords before the transaction: argon2id is slow on purpose.
	hashes := make([]string, len(demoLogins))
	for i, l := range demoLogins {
		h, err := council.HashPassword(l.Password)
		if err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		hashes[i] = h
	}
	started := time.Now()
	var held []heldPolls
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(advisoryLock)); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		_, err := council.NewStore(tx).MainBody(ctx)
		if err == nil {
			log.Info("demo: the database already has a body; nothing to do")
			return nil
		}
		if !errors.Is(err, council.ErrNotFound) {
			return err
		}
		s := newSeeder(tx, log, opts)
		if err := s.run(ctx, hashes); err != nil {
			return err
		}
		res.Seeded, res.Counts, held = true, s.counts, s.held
		if s.live != nil {
			res.Live = s.live.m.ID
		}
		res.Counts.Statements = s.tx.statements
		return nil
	})
	if err != nil {
		return Result{Logins: Logins()}, fmt.Errorf("demo: %w", err)
	}
	if res.Seeded {
		if err := migrations.Analyze(ctx, pool, log); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		t := time.Now()
		if err := holdPolls(ctx, pool, log, held); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		log.Info("demo: step done", "step", "polls", "duration", time.Since(t).Round(time.Millisecond))
		if err := StartLive(ctx, pool, log, res.Live); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		log.Info("demo: seeded Musterstadt", "duration", time.Since(started).Round(time.Millisecond),
			"papers", res.Counts.Papers, "meetings", res.Counts.Meetings, "agenda_items", res.Counts.AgendaItems,
			"persons", res.Counts.Persons, "memberships", res.Counts.Memberships, "statements", res.Counts.Statements)
	}
	return res, nil
}

// seeder holds the state of one seeding run.
type seeder struct {
	r      *rand.Rand
	now    time.Time
	log    *slog.Logger
	cs     *council.Store
	ms     *meetings.Store
	tx     *flatTx
	counts Counts
	months int
	held   []heldPolls // meetings whose session holdPolls runs after the commit
	city
}

func newSeeder(tx pgx.Tx, log *slog.Logger, opts Options) *seeder {
	flat := &flatTx{Tx: tx}
	return &seeder{
		r:      rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		now:    opts.Now,
		months: opts.Months,
		log:    log,
		tx:     flat,
		cs:     council.NewStore(flat),
		ms:     meetings.NewStore(flat),
	}
}

func (s *seeder) run(ctx context.Context, hashes []string) error {
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"structure", s.seedStructure},
		{"people", s.seedPeople},
		{"accounts", func(ctx context.Context) error { return s.seedAccounts(ctx, hashes) }},
		{"meetings", s.seedMeetings},
		{"papers", s.seedPapers},
		{"agendas", s.seedAgendas},
		{"timelines", s.seedTimelines},
		{"trail", s.seedTrail},             // trail.go: the Beschlusskontrolle
		{"initiatives", s.seedInitiatives}, // initiatives.go: citizens' and groups' motions
		{"questions", s.seedQuestions},     // questions.go: the Einwohnerfragestunde
		{"alerts", s.seedAlerts},           // alerts.go: the demo citizen's follows and digests
	}
	for _, st := range steps {
		t, n := time.Now(), s.tx.statements
		if err := st.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		s.log.Info("demo: step done", "step", st.name, "duration", time.Since(t).Round(time.Millisecond),
			"statements", s.tx.statements-n)
	}
	return nil
}

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// day returns midnight (UTC) of t's civil date plus d days.
func day(t time.Time, d int) time.Time {
	y, m, dd := t.Date()
	return time.Date(y, m, dd+d, 0, 0, 0, 0, time.UTC)
}
