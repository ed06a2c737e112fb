package council

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// OutboxChannel is the channel Record notifies on every change.
const OutboxChannel = "plenar_outbox"

// Change names the newest change of the database: the id of its outbox
// row and when it was made. Anything derived from the public data (a
// cached page, an HTTP validator) is current while the newest change is
// the one it was derived from (docs/ARCHITECTURE.md, "HTTP caching").
type Change struct {
	Seq int64
	At  time.Time
}

// Changes follows the outbox on one LISTEN connection of its own, so that
// every process of a deployment learns of a change made by any other
// within a fraction of a second; while the connection is down it reads
// the newest change every PollEvery instead. The zero Change means
// "unknown yet": callers must not cache on it.
type Changes struct {
	pool      *pgxpool.Pool
	log       *slog.Logger
	PollEvery time.Duration

	mu      sync.Mutex
	latest  Change
	changed chan struct{} // closed and replaced at every new Change
}

// NewChanges returns a Changes on pool; Run starts following.
func NewChanges(pool *pgxpool.Pool, log *slog.Logger) *Changes {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Changes{pool: pool, log: log, PollEvery: 5 * time.Second, changed: make(chan struct{})}
}

// Latest returns the newest change known; the zero Change before Run has
// read the first.
func (c *Changes) Latest() Change {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.latest
}

// Next returns a channel that is closed when a change newer than the
// current Latest arrives.
func (c *Changes) Next() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

// Run follows the outbox until ctx ends.
func (c *Changes) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		err := Listen(ctx, c.pool, []string{OutboxChannel}, func() { c.refresh(ctx) },
			func(string, string) { c.refresh(ctx) })
		if ctx.Err() != nil {
			break
		}
		c.log.Warn("change listener lost its connection; polling", "err", err, "every", c.PollEvery)
		c.poll(ctx, 6) // then try to listen again
	}
	return nil
}

// poll refreshes n times, PollEvery apart.
func (c *Changes) poll(ctx context.Context, n int) {
	t := time.NewTicker(c.PollEvery)
	defer t.Stop()
	for range n {
		c.refresh(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// refresh reads the newest change and announces it when it is new. An
// error leaves the last known change (logged); the next notification or
// poll tries again.
func (c *Changes) refresh(ctx context.Context) {
	ch, err := latestChange(ctx, c.pool)
	if err != nil {
		if ctx.Err() == nil {
			c.log.Warn("read the newest change", "err", err)
		}
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch.Seq == c.latest.Seq && !c.latest.At.IsZero() {
		return
	}
	if ch.At.IsZero() { // an empty outbox: a valid, if old, version
		ch.At = time.Unix(0, 0).UTC()
	}
	c.latest = ch
	close(c.changed)
	c.changed = make(chan struct{})
}
