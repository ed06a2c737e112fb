package alerts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail"
)

// MaxFollows is how many follows one user may have.
const MaxFollows = 200

// Store reads and writes follows and feed tokens, and finds their news.
type Store struct {
	db council.DBTX
}

// NewStore returns a Store on db.
func NewStore(db council.DBTX) *Store { return &Store{db: db} }

const followCols = `id, user_id, kind, coalesce(target_id, '00000000-0000-0000-0000-000000000000'), query, label, frequency, created`

func scanFollow(row pgx.Row) (Follow, error) {
	var f Follow
	err := row.Scan(&f.ID, &f.UserID, &f.Kind, &f.TargetID, &f.Query, &f.Label, &f.Frequency, &f.Created)
	return f, err
}

// targetLabel names a followable target the public may see, through the
// visibility rules (migrations/sql/00011_visibility.sql, 00016); NULL for
// anything else.
const targetLabel = `SELECT CASE $1::text
	WHEN 'paper' THEN (SELECT coalesce(p.reference || ': ', '') || p.name FROM papers p WHERE p.id = $2 AND paper_public(p))
	WHEN 'implementation' THEN (SELECT coalesce(p.reference || ': ', '') || p.name FROM implementations i
		JOIN papers p ON p.id = i.paper_id WHERE i.id = $2 AND implementation_public(i, p))
	WHEN 'organization' THEN (SELECT name FROM organizations WHERE id = $2 AND NOT deleted)
	WHEN 'person' THEN (SELECT btrim(concat_ws(' ', nullif(title, ''), nullif(given_name, ''), family_name))
		FROM public_persons WHERE id = $2 AND NOT deleted)
	END`

// Label names a followable target (not a saved search) that the public
// may see. Errors: ErrNotFound for a target that does not exist or is not
// public.
func (s *Store) Label(ctx context.Context, kind Kind, target council.ID) (string, error) {
	var l *string
	if err := s.db.QueryRow(ctx, targetLabel, string(kind), target).Scan(&l); err != nil {
		return "", fmt.Errorf("label: %w", council.TranslateError(err))
	}
	if l == nil {
		return "", fmt.Errorf("%w: %s %s", council.ErrNotFound, kind, target)
	}
	return *l, nil
}

// Follow makes user follow target (kind other than Search) or the saved
// search query (Search, normalised by NormalizeQuery; label its words)
// with frequency freq. Only public targets can be followed. Following
// the same thing again returns the existing follow with the new
// frequency. News starts now. Errors: ErrInvalid, ErrNotFound (the target
// does not exist or is not public).
func (s *Store) Follow(ctx context.Context, user council.ID, kind Kind, target council.ID, query, label string, freq Frequency) (Follow, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return Follow{}, err
	}
	if _, err := ParseFrequency(string(freq)); err != nil {
		return Follow{}, err
	}
	var targetArg *council.ID
	if kind == Search {
		if query == "" {
			return Follow{}, fmt.Errorf("%w: a saved search needs a query", council.ErrInvalid)
		}
		if label == "" {
			label = query
		}
		label = shorten(label, 300)
	} else {
		query = ""
		l, err := s.Label(ctx, kind, target)
		if err != nil {
			return Follow{}, fmt.Errorf("follow: %w", err)
		}
		label, targetArg = shorten(l, 300), &target
	}
	var f Follow
	err := council.Tx(ctx, s.db, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM alert_follows WHERE user_id = $1`, user).Scan(&n); err != nil {
			return council.TranslateError(err)
		}
		var err error
		f, err = scanFollow(tx.QueryRow(ctx, `UPDATE alert_follows SET frequency = $4, label = $5
			WHERE user_id = $1 AND kind = $2 AND target_id IS NOT DISTINCT FROM $3 AND query = $6
			RETURNING `+followCols, user, string(kind), targetArg, string(freq), label, query))
		if !errors.Is(err, pgx.ErrNoRows) {
			return council.TranslateError(err)
		}
		if n >= MaxFollows {
			return fmt.Errorf("%w: at most %d follows", council.ErrInvalid, MaxFollows)
		}
		f, err = scanFollow(tx.QueryRow(ctx, `INSERT INTO alert_follows (user_id, kind, target_id, query, label, frequency, last_seq)
			VALUES ($1, $2, $3, $4, $5, $6, (SELECT coalesce(max(id), 0) FROM outbox)) RETURNING `+followCols,
			user, string(kind), targetArg, query, label, string(freq)))
		return council.TranslateError(err)
	})
	if err != nil {
		return Follow{}, fmt.Errorf("follow: %w", err)
	}
	return f, nil
}

// Follows returns user's follows, newest first.
func (s *Store) Follows(ctx context.Context, user council.ID) ([]Follow, error) {
	rows, err := s.db.Query(ctx, `SELECT `+followCols+` FROM alert_follows WHERE user_id = $1 ORDER BY created DESC, id`, user)
	if err != nil {
		return nil, fmt.Errorf("follows: %w", council.TranslateError(err))
	}
	fs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Follow, error) { return scanFollow(r) })
	if err != nil {
		return nil, fmt.Errorf("follows: %w", council.TranslateError(err))
	}
	return fs, nil
}

// FollowOf returns user's follow of kind and target (NilID and query for a
// saved search). Errors: ErrNotFound.
func (s *Store) FollowOf(ctx context.Context, user council.ID, kind Kind, target council.ID, query string) (Follow, error) {
	var t *council.ID
	if target != council.NilID {
		t = &target
	}
	f, err := scanFollow(s.db.QueryRow(ctx, `SELECT `+followCols+` FROM alert_follows
		WHERE user_id = $1 AND kind = $2 AND target_id IS NOT DISTINCT FROM $3 AND query = $4`, user, string(kind), t, query))
	if err != nil {
		return Follow{}, fmt.Errorf("follow: %w", council.TranslateError(err))
	}
	return f, nil
}

// SetFrequency changes the frequency of user's follow id. Errors:
// ErrInvalid, ErrNotFound (not the user's).
func (s *Store) SetFrequency(ctx context.Context, user, id council.ID, freq Frequency) error {
	if _, err := ParseFrequency(string(freq)); err != nil {
		return err
	}
	tag, err := s.db.Exec(ctx, `UPDATE alert_follows SET frequency = $3 WHERE id = $1 AND user_id = $2`, id, user, string(freq))
	if err != nil {
		return fmt.Errorf("alert frequency: %w", council.TranslateError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("alert frequency: %w: follow %s", council.ErrNotFound, id)
	}
	return nil
}

// Unfollow deletes user's follow id. Errors: ErrNotFound.
func (s *Store) Unfollow(ctx context.Context, user, id council.ID) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM alert_follows WHERE id = $1 AND user_id = $2`, id, user)
	if err != nil {
		return fmt.Errorf("unfollow: %w", council.TranslateError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("unfollow: %w: follow %s", council.ErrNotFound, id)
	}
	return nil
}

// Unsubscribed ends the follow whose digest list was unsubscribed from
// (mail.Store.Unsubscribe, one click without login); a list of no follow
// is ignored.
func (s *Store) Unsubscribed(ctx context.Context, list string) error {
	id, err := council.ParseID(list[min(len(list), len(ListPrefix)):])
	if err != nil || list[:min(len(list), len(ListPrefix))] != ListPrefix {
		return nil
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM alert_follows WHERE id = $1`, id); err != nil {
		return fmt.Errorf("unsubscribed follow: %w", council.TranslateError(err))
	}
	return nil
}

// NewFeedToken gives user a new private feed token, revoking the old one,
// and returns it (only its SHA-256 is stored).
func (s *Store) NewFeedToken(ctx context.Context, user council.ID) (string, error) {
	token, hash := mail.NewToken()
	if _, err := s.db.Exec(ctx, `INSERT INTO alert_feed_tokens (user_id, token_hash) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created = now()`, user, hash); err != nil {
		return "", fmt.Errorf("feed token: %w", council.TranslateError(err))
	}
	return token, nil
}

// HasFeedToken reports whether user has a private feed token.
func (s *Store) HasFeedToken(ctx context.Context, user council.ID) (bool, error) {
	var ok bool
	if err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM alert_feed_tokens WHERE user_id = $1)`, user).Scan(&ok); err != nil {
		return false, fmt.Errorf("feed token: %w", council.TranslateError(err))
	}
	return ok, nil
}

// FeedOwner returns the active user whose private feed token is token.
// Errors: ErrNotFound (unknown or revoked token, or the account is gone).
func (s *Store) FeedOwner(ctx context.Context, token string) (council.ID, error) {
	if token == "" || len(token) > 100 {
		return council.NilID, fmt.Errorf("feed token: %w", council.ErrNotFound)
	}
	var id council.ID
	err := s.db.QueryRow(ctx, `SELECT t.user_id FROM alert_feed_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND NOT u.disabled AND NOT u.deleted`, mail.HashToken(token)).Scan(&id)
	if err != nil {
		return council.NilID, fmt.Errorf("feed token: %w", council.TranslateError(err))
	}
	return id, nil
}

// window returns the changes since since: the last change before it and
// the newest.
func (s *Store) window(ctx context.Context, since time.Time) (lo, hi int64, err error) {
	if lo, err = seqSince(ctx, s.db, since); err != nil {
		return 0, 0, err
	}
	if hi, err = maxSeq(ctx, s.db); err != nil {
		return 0, 0, err
	}
	return lo, hi, nil
}

// maxSeq is the newest change (outbox id).
func maxSeq(ctx context.Context, db council.DBTX) (int64, error) {
	var hi int64
	if err := db.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM outbox`).Scan(&hi); err != nil {
		return 0, fmt.Errorf("newest change: %w", council.TranslateError(err))
	}
	return hi, nil
}

// seqSince is the last change before since (the window of the feeds).
func seqSince(ctx context.Context, db council.DBTX, since time.Time) (int64, error) {
	var lo int64
	if err := db.QueryRow(ctx, `SELECT coalesce((SELECT id FROM outbox WHERE at >= $1 ORDER BY id LIMIT 1) - 1,
		(SELECT coalesce(max(id), 0) FROM outbox))`, since).Scan(&lo); err != nil {
		return 0, fmt.Errorf("changes since: %w", council.TranslateError(err))
	}
	return lo, nil
}

// newsOf joins the follows of the CTE "due" (id, kind, target_id, query,
// last_seq) with the public news of the changes $1 < id <= $2
// (alert_news) and the saved searches' hits ($3 queries, $4 kinds, $5
// ids): one set-based query for every follow at once.
const newsOf = `, n AS MATERIALIZED (SELECT * FROM alert_news($1, $2)),
	hits AS (SELECT * FROM unnest($3::text[], $4::text[], $5::uuid[]) AS h(query, kind, id))
	SELECT d.id, n.entity, n.entity_id, n.title, n.path, n.at FROM due d
		JOIN n ON n.seq > d.last_seq AND n.target_kind = d.kind AND n.target_id = d.target_id
	UNION
	SELECT d.id, n.entity, n.entity_id, n.title, n.path, n.at FROM due d
		JOIN hits h ON d.kind = 'search' AND h.query = d.query
		JOIN n ON n.seq > d.last_seq AND ((n.target_kind = h.kind AND n.target_id = h.id) OR (n.entity = h.kind AND n.entity_id = h.id))
	ORDER BY 1, 6 DESC, 3`

// hitArgs flattens the saved searches' hits into the arrays of newsOf.
func hitArgs(hits map[string][]Target) (queries, kinds []string, ids []council.ID) {
	for q, ts := range hits {
		for _, t := range ts {
			queries, kinds, ids = append(queries, q), append(kinds, t.Kind), append(ids, t.ID)
		}
	}
	return queries, kinds, ids
}

// collectItems reads newsOf's rows, one item per follow and changed
// object.
func collectItems(rows pgx.Rows) ([]Item, error) {
	type key struct{ f, e council.ID }
	seen := map[key]bool{}
	var out []Item
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.FollowID, &it.Entity, &it.EntityID, &it.Title, &it.Path, &it.At); err != nil {
			rows.Close()
			return nil, err
		}
		if k := (key{it.FollowID, it.EntityID}); !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	return out, rows.Err()
}

// UserNews returns the public news of user's follows since since, newest
// first, at most limit items (the private feed). hits are the saved
// searches' matches.
func (s *Store) UserNews(ctx context.Context, user council.ID, since time.Time, hits map[string][]Target, limit int) ([]Item, error) {
	lo, hi, err := s.window(ctx, since)
	if err != nil {
		return nil, err
	}
	qs, ks, ids := hitArgs(hits)
	rows, err := s.db.Query(ctx, `WITH due AS (SELECT id, kind, target_id, query, 0::bigint AS last_seq FROM alert_follows
		WHERE user_id = $6)`+newsOf, lo, hi, qs, ks, ids, user)
	if err != nil {
		return nil, fmt.Errorf("user news: %w", council.TranslateError(err))
	}
	items, err := collectItems(rows)
	if err != nil {
		return nil, fmt.Errorf("user news: %w", council.TranslateError(err))
	}
	return newestFirst(items, limit), nil
}

// TargetNews returns the public news of one target (a body, paper, person
// or implementation record) since since, newest first, at most limit
// items (the public feeds of papers and persons).
func (s *Store) TargetNews(ctx context.Context, kind Kind, target council.ID, since time.Time, limit int) ([]Item, error) {
	lo, hi, err := s.window(ctx, since)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT entity, entity_id, title, path, at FROM alert_news($1, $2)
		WHERE target_kind = $3 AND target_id = $4 ORDER BY at DESC, entity_id LIMIT $5`, lo, hi, string(kind), target, limit)
	if err != nil {
		return nil, fmt.Errorf("news of %s: %w", kind, council.TranslateError(err))
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Item, error) {
		var it Item
		return it, r.Scan(&it.Entity, &it.EntityID, &it.Title, &it.Path, &it.At)
	})
	if err != nil {
		return nil, fmt.Errorf("news of %s: %w", kind, council.TranslateError(err))
	}
	return items, nil
}

// dueFollows is the CTE of the follows of frequency $6 whose digest of
// period $7 is not prepared yet, whose holder can receive mail and did not
// unsubscribe from it; $8: whether saved searches take part.
const dueFollows = `WITH due AS (SELECT f.id, f.kind, f.target_id, f.query, f.last_seq FROM alert_follows f
	JOIN users u ON u.id = f.user_id
	WHERE f.frequency = $6 AND f.last_period <> $7 AND ($8 OR f.kind <> 'search')
		AND u.email_verified IS NOT NULL AND NOT u.disabled AND NOT u.deleted
		AND NOT EXISTS (SELECT 1 FROM mail_optouts o WHERE o.address = lower(u.email) AND o.list = '` + ListPrefix + `' || f.id))`

// dueWindow returns the oldest delivered change of the due follows and
// the distinct saved searches among them; ok is false when none is due.
func (s *Store) dueWindow(ctx context.Context, freq Frequency, period string, searches bool) (lo int64, queries []string, ok bool, err error) {
	var min *int64
	if err := s.db.QueryRow(ctx, `SELECT min(last_seq) FROM alert_follows WHERE frequency = $1 AND last_period <> $2 AND ($3 OR kind <> 'search')`,
		string(freq), period, searches).Scan(&min); err != nil {
		return 0, nil, false, fmt.Errorf("due follows: %w", council.TranslateError(err))
	}
	if min == nil {
		return 0, nil, false, nil
	}
	if searches {
		rows, err := s.db.Query(ctx, `SELECT DISTINCT query FROM alert_follows WHERE frequency = $1 AND last_period <> $2 AND kind = 'search'`,
			string(freq), period)
		if err != nil {
			return 0, nil, false, fmt.Errorf("due searches: %w", council.TranslateError(err))
		}
		if queries, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return 0, nil, false, fmt.Errorf("due searches: %w", council.TranslateError(err))
		}
	}
	return *min, queries, true, nil
}

// dueNews returns the news of every due follow in one query.
func (s *Store) dueNews(ctx context.Context, freq Frequency, period string, lo, hi int64, hits map[string][]Target, searches bool) ([]Item, error) {
	qs, ks, ids := hitArgs(hits)
	rows, err := s.db.Query(ctx, dueFollows+newsOf, lo, hi, qs, ks, ids, string(freq), period, searches)
	if err != nil {
		return nil, fmt.Errorf("due news: %w", council.TranslateError(err))
	}
	items, err := collectItems(rows)
	if err != nil {
		return nil, fmt.Errorf("due news: %w", council.TranslateError(err))
	}
	return items, nil
}

// recipient is a follow whose digest is being prepared, with its holder.
type recipient struct {
	Follow
	Email, Lang string
}

// commitDigests marks the period prepared for the follows ids that still
// lack it (another process may have been faster: those are left out), and
// queues the messages that build returns for them, in one transaction;
// the due follows without news move their window to hi. It returns how
// many messages were queued.
func (s *Store) commitDigests(ctx context.Context, ms *mail.Store, freq Frequency, period string, hi int64, ids []council.ID,
	searches bool, build func([]recipient) ([]mail.Message, error)) (int, error) {
	queued := 0
	err := council.Tx(ctx, s.db, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE alert_follows f SET last_period = $2, last_seq = $3 FROM users u
			WHERE f.id = ANY($1) AND f.last_period <> $2 AND u.id = f.user_id
			RETURNING f.id, f.user_id, f.kind, coalesce(f.target_id, '00000000-0000-0000-0000-000000000000'), f.query, f.label,
				f.frequency, f.created, u.email, u.lang`, ids, period, hi)
		if err != nil {
			return council.TranslateError(err)
		}
		rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (recipient, error) {
			var x recipient
			f := &x.Follow
			return x, r.Scan(&f.ID, &f.UserID, &f.Kind, &f.TargetID, &f.Query, &f.Label, &f.Frequency, &f.Created, &x.Email, &x.Lang)
		})
		if err != nil {
			return council.TranslateError(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE alert_follows SET last_seq = $3 WHERE frequency = $1 AND last_period <> $2
			AND last_seq < $3 AND ($4 OR kind <> 'search') AND NOT (id = ANY($5))`, string(freq), period, hi, searches, ids); err != nil {
			return council.TranslateError(err)
		}
		msgs, err := build(rs)
		if err != nil {
			return err
		}
		qids, err := ms.EnqueueBatch(ctx, tx, msgs)
		for _, id := range qids {
			if id != council.NilID {
				queued++
			}
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("queue digests: %w", err)
	}
	return queued, nil
}
