package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
)

// Channel is the notification channel the outbox announces changes on.
const Channel = council.OutboxChannel

// Indexer defaults.
const (
	defaultBatch    = 1000
	defaultInterval = 10 * time.Second
	pendingTTL      = 5 * time.Minute // how long an outbox gap is watched for a late commit
	maxPending      = 10000
)

// Indexer keeps an Index up to date with PostgreSQL by following the
// outbox: on each notification and every Interval it reads the rows after
// its position in batches, re-reads the changed entities and writes them
// to the index in one bleve batch per outbox batch, then records the new
// position in search_positions. When the index has no generation yet it
// builds one (Rebuild) first.
//
// Outbox ids are assigned before commit, so a row can appear after rows
// with higher ids; the Indexer watches such gaps for pendingTTL and
// applies the late rows when they show up.
type Indexer struct {
	pool     *pgxpool.Pool
	ix       *Index
	log      *slog.Logger
	Interval time.Duration // catch-up period without notifications
	Batch    int           // outbox rows per batch
	Words    func() (Words, error)

	pos     int64
	posGen  string
	pending map[int64]time.Time
}

// NewIndexer returns an Indexer for ix on pool.
func NewIndexer(pool *pgxpool.Pool, ix *Index, log *slog.Logger) *Indexer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Indexer{pool: pool, ix: ix, log: log, Interval: defaultInterval, Batch: defaultBatch,
		Words:   func() (Words, error) { ws, _, err := DefaultWords(SystemWordList); return ws, err },
		pending: map[int64]time.Time{}}
}

// Run follows the outbox until ctx ends; it returns ctx's error. Failures
// (a database restart) are logged and retried.
func (in *Indexer) Run(ctx context.Context) error {
	for {
		err := in.listen(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		in.log.Warn("search indexer", "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// listen holds one connection with LISTEN and catches up after every
// notification and every Interval.
func (in *Indexer) listen(ctx context.Context) error {
	pc, err := in.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire: %w", err)
	}
	// A connection of its own for as long as the indexer runs: held in the
	// pool it would take one of the pool's connections from the pages
	// for good (and its LISTEN state must not go back to the pool).
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	for {
		if _, err := in.CatchUp(ctx); err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, in.Interval)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("wait for notification: %w", err)
		}
		// Let a burst of notifications settle into one batch.
		time.Sleep(20 * time.Millisecond)
	}
}

// CatchUp applies every outbox row after the position and reports how
// many it read. It builds the first generation when there is none and
// follows a generation swapped in by plenar reindex.
func (in *Indexer) CatchUp(ctx context.Context) (int, error) {
	outdated, err := in.ix.Outdated()
	if err != nil {
		return 0, err
	}
	if outdated {
		in.log.Info("search index of an earlier layout: rebuilding", "generation", in.ix.Generation(), "layout", Layout)
	}
	if in.ix.Generation() == "" || outdated {
		words, err := in.Words()
		if err != nil {
			return 0, err
		}
		if _, _, err := Rebuild(ctx, in.pool, in.ix.dir, words, in.log); err != nil {
			return 0, err
		}
	}
	if _, err := in.ix.Reload(); err != nil {
		return 0, err
	}
	if gen := in.ix.Generation(); gen != in.posGen {
		pos, err := position(ctx, in.pool, gen)
		if err != nil {
			return 0, err
		}
		if in.posGen != "" {
			if _, err := in.pool.Exec(ctx, `DELETE FROM search_positions WHERE generation = $1`, in.posGen); err != nil {
				return 0, fmt.Errorf("forget old generation: %w", err)
			}
		}
		in.pos, in.posGen = pos, gen
	}
	total := 0
	for {
		n, err := in.step(ctx)
		total += n
		if err != nil || n < in.Batch {
			return total, err
		}
	}
}

// change is one outbox row.
type change struct {
	id     int64
	entity string
	eid    council.ID
}

// step reads and applies one batch.
func (in *Indexer) step(ctx context.Context) (int, error) {
	late := make([]int64, 0, len(in.pending))
	now := time.Now()
	for id, since := range in.pending {
		if now.Sub(since) > pendingTTL {
			delete(in.pending, id)
		} else {
			late = append(late, id)
		}
	}
	rows, err := in.pool.Query(ctx, `(SELECT id, entity, entity_id FROM outbox WHERE id > $1 ORDER BY id LIMIT $2)
		UNION SELECT id, entity, entity_id FROM outbox WHERE id = ANY($3) ORDER BY 1`, in.pos, in.Batch, late)
	if err != nil {
		return 0, fmt.Errorf("read outbox: %w", council.TranslateError(err))
	}
	changes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (change, error) {
		var c change
		return c, r.Scan(&c.id, &c.entity, &c.eid)
	})
	if err != nil {
		return 0, fmt.Errorf("read outbox: %w", council.TranslateError(err))
	}
	if len(changes) == 0 {
		return 0, nil
	}
	next, fresh := in.pos, 0
	for _, c := range changes {
		if c.id <= in.pos {
			delete(in.pending, c.id)
			continue
		}
		fresh++
		for gap := next + 1; gap < c.id && len(in.pending) < maxPending; gap++ {
			in.pending[gap] = now
		}
		next = c.id
	}
	if err := in.apply(ctx, changes); err != nil {
		return 0, err
	}
	if err := savePosition(ctx, in.pool, in.posGen, next); err != nil {
		return 0, err
	}
	in.pos = next
	return fresh, nil
}

// apply re-reads the entities behind changes and writes them in one batch.
func (in *Indexer) apply(ctx context.Context, changes []change) error {
	ids := map[Type][]council.ID{}
	var meetings, consultations []council.ID
	for _, c := range changes {
		switch c.entity {
		case "paper":
			ids[TypePaper] = append(ids[TypePaper], c.eid)
		case "agenda_item":
			ids[TypeAgendaItem] = append(ids[TypeAgendaItem], c.eid)
		case "meeting":
			ids[TypeMeeting] = append(ids[TypeMeeting], c.eid)
			meetings = append(meetings, c.eid)
		case "person":
			ids[TypePerson] = append(ids[TypePerson], c.eid)
		case "organization":
			ids[TypeOrganization] = append(ids[TypeOrganization], c.eid)
		case "file":
			ids[TypeFile] = append(ids[TypeFile], c.eid)
		case "consultation":
			consultations = append(consultations, c.eid)
		case "membership":
			// A person's organizations (facet) changed.
			var p council.ID
			err := in.pool.QueryRow(ctx, `SELECT person_id FROM memberships WHERE id = $1`, c.eid).Scan(&p)
			if err == nil {
				ids[TypePerson] = append(ids[TypePerson], p)
			}
		}
	}
	// A meeting's state and organizations decide its items' visibility; a
	// consultation decides its paper's organizations; a file's parents
	// decide its visibility and organizations; a new (or deleted) version
	// of a file hides (or shows again) the file it replaces.
	// Each step reads the ids the steps before it added.
	for _, r := range []struct {
		q    string
		from func() []council.ID
		t    Type
	}{
		{`SELECT id FROM agenda_items WHERE meeting_id = ANY($1)`, func() []council.ID { return meetings }, TypeAgendaItem},
		{`SELECT paper_id FROM consultations WHERE id = ANY($1)`, func() []council.ID { return consultations }, TypePaper},
		// A consultation also decides the matter of its agenda item (matter.go).
		{`SELECT agenda_item_id FROM consultations WHERE id = ANY($1) AND agenda_item_id IS NOT NULL`, func() []council.ID { return consultations }, TypeAgendaItem},
		// A paper's title and audience decide its items' group (matter.go).
		{`SELECT agenda_item_id FROM consultations WHERE paper_id = ANY($1) AND agenda_item_id IS NOT NULL`, func() []council.ID { return ids[TypePaper] }, TypeAgendaItem},
		{`SELECT file_id FROM paper_files WHERE paper_id = ANY($1)`, func() []council.ID { return ids[TypePaper] }, TypeFile},
		{`SELECT file_id FROM meeting_files WHERE meeting_id = ANY($1)`, func() []council.ID { return meetings }, TypeFile},
		{`SELECT file_id FROM agenda_item_files WHERE agenda_item_id = ANY($1)`, func() []council.ID { return ids[TypeAgendaItem] }, TypeFile},
		{`SELECT master_id FROM files WHERE id = ANY($1) AND master_id IS NOT NULL`, func() []council.ID { return ids[TypeFile] }, TypeFile},
	} {
		if err := in.related(ctx, r.q, r.from(), ids, r.t); err != nil {
			return err
		}
	}
	return in.ix.with(func(bi bleve.Index, _ string) error {
		b := bi.NewBatch()
		var all []loaded
		for t, list := range ids {
			l, err := loadForIndex(ctx, in.pool, in.ix.zone, t, dedupe(list))
			if err != nil {
				return err
			}
			logCut(in.log, t, l.cut)
			l.docs = in.mapped(b, l.docs)
			for _, id := range l.deletes {
				b.Delete(id)
			}
			all = append(all, l)
		}
		err := bi.Batch(b)
		if err == nil {
			return nil
		}
		// A document the index cannot take must not stop the outbox, but an
		// index that takes nothing (a full disk) must not lose the changes:
		// only when a probe write succeeds are the documents written one by
		// one and those that still fail skipped.
		if perr := bi.SetInternal([]byte("plenar_write_probe"), []byte{1}); perr != nil {
			return fmt.Errorf("index batch: %w", err)
		}
		in.log.Warn("search: index batch failed, indexing its documents one by one", "err", err)
		return in.oneByOne(bi, all)
	})
}

// mapped adds docs to b and returns those it took; a document that
// cannot be mapped is skipped with a warning, so it cannot hold up the
// outbox.
func (in *Indexer) mapped(b *bleve.Batch, docs []Doc) []Doc {
	out := docs[:0]
	for _, d := range docs {
		if err := b.Index(d.ID, d.withPub()); err != nil {
			in.log.Warn("search: document skipped", docKey(d), entityID(d), "reason", "cannot be indexed", "err", err)
			continue
		}
		out = append(out, d)
	}
	return out
}

// oneByOne writes each document of all in a batch of its own after their
// common batch failed: one that still fails is skipped with a warning, so
// a single bad document never stops the outbox. Deletes go last, in one
// batch.
func (in *Indexer) oneByOne(bi bleve.Index, all []loaded) error {
	del := bi.NewBatch()
	for _, l := range all {
		for _, d := range l.docs {
			b := bi.NewBatch()
			err := b.Index(d.ID, d.withPub())
			if err == nil {
				err = bi.Batch(b)
			}
			if err != nil {
				in.log.Warn("search: document skipped", docKey(d), entityID(d), "reason", "cannot be indexed", "err", err)
			}
		}
		for _, id := range l.deletes {
			del.Delete(id)
		}
	}
	if err := bi.Batch(del); err != nil {
		return fmt.Errorf("index deletes: %w", err)
	}
	return nil
}

// entityID is the entity id part of d's index id.
func entityID(d Doc) string {
	_, id, _ := strings.Cut(d.ID, "/")
	return id
}

// docKey is the log key of d's entity id: "file_id", "paper_id", ….
func docKey(d Doc) string { return string(d.Type) + "_id" }

// logCut warns about each document of type t whose text reached
// IndexTextLimit: what lies beyond it is not indexed.
func logCut(log *slog.Logger, t Type, ids []council.ID) {
	for _, id := range ids {
		log.Warn("search: document text cut for the index", string(t)+"_id", id,
			"reason", fmt.Sprintf("text longer than %d characters; the rest is not searchable", IndexTextLimit))
	}
}

func (in *Indexer) related(ctx context.Context, q string, from []council.ID, ids map[Type][]council.ID, t Type) error {
	if len(from) == 0 {
		return nil
	}
	rows, err := in.pool.Query(ctx, q, from)
	if err != nil {
		return fmt.Errorf("related entities: %w", council.TranslateError(err))
	}
	more, err := pgx.CollectRows(rows, pgx.RowTo[council.ID])
	if err != nil {
		return fmt.Errorf("related entities: %w", council.TranslateError(err))
	}
	ids[t] = append(ids[t], more...)
	return nil
}

func dedupe(ids []council.ID) []council.ID {
	seen := map[council.ID]bool{}
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// position returns the recorded position of gen, 0 when none.
func position(ctx context.Context, db council.DBTX, gen string) (int64, error) {
	var pos int64
	err := db.QueryRow(ctx, `SELECT position FROM search_positions WHERE generation = $1`, gen).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read search position: %w", council.TranslateError(err))
	}
	return pos, nil
}

func savePosition(ctx context.Context, db council.DBTX, gen string, pos int64) error {
	_, err := db.Exec(ctx, `INSERT INTO search_positions (generation, position) VALUES ($1, $2)
		ON CONFLICT (generation) DO UPDATE SET position = EXCLUDED.position, updated = now()`, gen, pos)
	if err != nil {
		return fmt.Errorf("save search position: %w", council.TranslateError(err))
	}
	return nil
}
