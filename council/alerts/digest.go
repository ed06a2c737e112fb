package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail"
)

// DigestItems is how many pieces of news a digest lists; it counts the
// rest.
const DigestItems = 25

// Digester prepares the digests of the follows: their public news as one
// bulk message per follow (its own list, so one click unsubscribes from
// that follow only), queued in the mail outbox.
type Digester struct {
	Store     *Store
	Mail      *mail.Store
	Templates *mail.Templates
	BaseURL   string  // the public site, for the links
	Site      string  // the site's name in the text
	Matcher   Matcher // nil: saved searches wait (nothing of theirs is read or skipped)
	Log       *slog.Logger
}

// Every is how often the digest job runs (shorter than InstantSlot).
const Every = 2 * time.Minute

// RunAll prepares the due digests of every frequency for now and reports
// how many messages it queued.
func (d *Digester) RunAll(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for _, f := range Frequencies {
		n, err := d.Run(ctx, f, now)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Run prepares the digests of frequency freq for the period of now: for
// every follow whose digest of that period is not prepared yet and that
// has public news since its last digest, one message. A follow without
// news gets nothing (its window moves on). Running again for the same
// period queues nothing more; two processes running at once queue each
// digest once. It reports how many messages it queued.
func (d *Digester) Run(ctx context.Context, freq Frequency, now time.Time) (int, error) {
	period := Period(freq, now)
	searches := d.Matcher != nil
	lo, queries, ok, err := d.Store.dueWindow(ctx, freq, period, searches)
	if err != nil || !ok {
		return 0, err
	}
	hi, err := maxSeq(ctx, d.Store.db)
	if err != nil {
		return 0, err
	}
	hits := map[string][]Target{}
	if searches {
		pos, err := d.Matcher.Position(ctx)
		if err != nil {
			return 0, fmt.Errorf("search position: %w", err)
		}
		hi = min(hi, pos)
		if hits, err = MatchAll(ctx, d.Matcher, queries); err != nil {
			return 0, err
		}
	}
	items, err := d.Store.dueNews(ctx, freq, period, lo, hi, hits, searches)
	if err != nil {
		return 0, err
	}
	byFollow := map[council.ID][]Item{}
	ids := []council.ID{}
	for _, it := range items {
		if _, seen := byFollow[it.FollowID]; !seen {
			ids = append(ids, it.FollowID)
		}
		byFollow[it.FollowID] = append(byFollow[it.FollowID], it)
	}
	return d.Store.commitDigests(ctx, d.Mail, freq, period, hi, ids, searches, func(rs []recipient) ([]mail.Message, error) {
		msgs := make([]mail.Message, 0, len(rs))
		for _, r := range rs {
			m, err := d.message(r, byFollow[r.ID])
			if err != nil {
				return nil, err
			}
			msgs = append(msgs, m)
		}
		return msgs, nil
	})
}

// message renders the digest of r's follow with its news.
func (d *Digester) message(r recipient, news []Item) (mail.Message, error) {
	base := strings.TrimRight(d.BaseURL, "/")
	data := mail.AlertDigestData{Site: d.Site, Label: shorten(r.Label, 150), Frequency: string(r.Frequency),
		Manage: base + "/account/alerts"}
	for i, it := range news {
		if i == DigestItems {
			data.More = len(news) - DigestItems
			break
		}
		data.Items = append(data.Items, mail.AlertDigestItem{Title: shorten(it.Title, 200), Link: base + it.Path})
	}
	m := mail.Message{To: r.Email, Kind: mail.Bulk, List: r.List()}
	if err := d.Templates.Render(&m, mail.TplAlertDigest, r.Lang, data); err != nil {
		return mail.Message{}, err
	}
	return m, nil
}

// MatchAll evaluates the saved searches queries with m.
func MatchAll(ctx context.Context, m Matcher, queries []string) (map[string][]Target, error) {
	hits := map[string][]Target{}
	for _, q := range slices.Compact(slices.Sorted(slices.Values(queries))) {
		v, err := url.ParseQuery(q)
		if err != nil {
			continue // not written by NormalizeQuery: matches nothing
		}
		ts, err := m.Match(ctx, v, matchLimit)
		if err != nil {
			return nil, fmt.Errorf("saved search %q: %w", q, err)
		}
		hits[q] = ts
	}
	return hits, nil
}

// shorten cuts s to n characters with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// newestFirst orders items by time, newest first, and keeps limit.
func newestFirst(items []Item, limit int) []Item {
	slices.SortStableFunc(items, func(a, b Item) int { return b.At.Compare(a.At) })
	if len(items) > limit {
		items = items[:limit]
	}
	return items
}
