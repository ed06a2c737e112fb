package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// ErrGaveUp is returned by Supervise when PostgreSQL died and could not be
// restarted.
var ErrGaveUp = errors.New("PostgreSQL stopped and could not be restarted")

// Supervision configures Supervise; zero fields take the defaults.
type Supervision struct {
	// Every is how often the postmaster is checked; default 2 s.
	Every time.Duration
	// Attempts is how many restarts are tried before giving up; default 5.
	Attempts int
	// Backoff is the wait before the second attempt (the first is at
	// once), doubled before each further one up to a minute; default 2 s.
	Backoff time.Duration
}

const maxBackoff = time.Minute

func (s Supervision) withDefaults() Supervision {
	if s.Every <= 0 {
		s.Every = 2 * time.Second
	}
	if s.Attempts <= 0 {
		s.Attempts = 5
	}
	if s.Backoff <= 0 {
		s.Backoff = 2 * time.Second
	}
	return s
}

// Supervise watches the started cluster until ctx ends and restarts
// PostgreSQL when its postmaster is gone (killed, crashed, stopped behind
// our back), with opt.Attempts attempts and exponential back-off between
// them. Clients reconnect on their own (pgxpool drops broken connections).
//
// It returns ctx's error when ctx ends — a normal shutdown, which never
// restarts anything — or, when every attempt failed, an error wrapping
// ErrGaveUp after logging what the operator should do. No other method of
// c may be called while it runs: stop the cluster after it returned.
func (c *Cluster) Supervise(ctx context.Context, opt Supervision) error {
	opt = opt.withDefaults()
	t := time.NewTicker(opt.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if c.postmasterAlive() || ctx.Err() != nil {
			continue
		}
		c.log.Error("PostgreSQL stopped unexpectedly (its postmaster process is gone); restarting it",
			"cluster_dir", c.dir, "log", c.logFile())
		if err := c.restart(ctx, opt); err != nil {
			return err
		}
	}
}

// restart starts the cluster again, trying opt.Attempts times.
func (c *Cluster) restart(ctx context.Context, opt Supervision) error {
	var err error
	delay := opt.Backoff
	for attempt := 1; attempt <= opt.Attempts; attempt++ {
		if attempt > 1 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(delay):
			}
			delay = min(2*delay, maxBackoff)
		}
		if err = c.Start(ctx); err == nil {
			c.log.Warn("PostgreSQL restarted", "attempt", attempt, "cluster_dir", c.dir)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.log.Error("restarting PostgreSQL failed", "attempt", attempt, "attempts", opt.Attempts, "err", err)
	}
	c.log.Error("PostgreSQL could not be restarted; Plenar stops. Look for the cause at the end of the PostgreSQL log "+
		"(and check the free disk space and the permissions of the cluster folder), fix it, then run plenar serve again",
		"attempts", opt.Attempts, "log", c.logFile(), "cluster_dir", c.dir)
	return fmt.Errorf("%w (%d attempts; see %s): %w", ErrGaveUp, opt.Attempts, c.logFile(), err)
}

// postmasterAlive reports whether the postmaster in postmaster.pid runs
// in our cluster.
func (c *Cluster) postmasterAlive() bool {
	pid, ok := lockPID(filepath.Join(c.dir, "postmaster.pid"))
	return ok && alive(pid) && c.ours(pid)
}

// logFile is PostgreSQL's log (pg_ctl -l).
func (c *Cluster) logFile() string { return filepath.Join(c.dir, "server.log") }
