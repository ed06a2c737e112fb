package council_test

import (
	"context"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
)

// TestChanges: the newest change is known after Run starts, and a change
// committed through a store reaches a running Changes by notification
// (Next closes, Latest moves on); a second Changes (another process of
// the deployment) sees the same.
func TestChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	a, b := council.NewChanges(e.pool, nil), council.NewChanges(e.pool, nil)
	for _, c := range []*council.Changes{a, b} {
		go c.Run(ctx) //nolint:errcheck // ends with ctx
	}
	waitFor := func(what string, c *council.Changes, ok func(council.Change) bool) council.Change {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			next := c.Next()
			if ch := c.Latest(); ok(ch) {
				return ch
			}
			select {
			case <-next:
			case <-deadline:
				t.Fatalf("%s: latest change %+v", what, c.Latest())
			}
		}
	}
	first := waitFor("first read", a, func(ch council.Change) bool { return ch.Seq > 0 })
	if first.At.IsZero() || time.Since(first.At) > time.Hour {
		t.Errorf("first change %+v: want the body's creation time", first)
	}
	e.org(t, "Umweltausschuss", council.KindCommittee)
	for name, c := range map[string]*council.Changes{"a": a, "b": b} {
		got := waitFor("change "+name, c, func(ch council.Change) bool { return ch.Seq > first.Seq })
		if got.At.Before(first.At) {
			t.Errorf("%s: change %+v older than the first %+v", name, got, first)
		}
	}
}
