package searchbench

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/search/searchbench/corpus"
)

// pgLoad loads the corpus into bench_docs and, when fts, builds the
// tsvector column and its GIN index.
func pgLoad(ctx context.Context, pool *pgxpool.Pool, c *corpus.Corpus, fts bool, out io.Writer) error {
	// A tsvector holds at most 1 MB; the few longest files are cut to
	// their first 500 KB for PostgreSQL.
	tsv := `, tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('german', title), 'A') ||
				setweight(to_tsvector('german', left(text, 500000)), 'B')) STORED`
	if !fts {
		tsv = ""
	}
	if _, err := pool.Exec(ctx, `DROP TABLE IF EXISTS bench_docs;
		CREATE TABLE bench_docs (id text PRIMARY KEY, type text NOT NULL, title text NOT NULL, text text NOT NULL,
			vis text NOT NULL, orgs text[] NOT NULL, year text NOT NULL, date timestamptz NOT NULL`+tsv+`)`); err != nil {
		return fmt.Errorf("bench: create bench_docs: %w", err)
	}
	t0 := time.Now()
	for i := 0; i < c.Len(); i += 2000 {
		var rows [][]any
		for n := i; n < min(i+2000, c.Len()); n++ {
			d := indexDoc(c.Doc(n))
			rows = append(rows, []any{d.ID, string(d.Type), d.Title, d.Text, d.Vis, d.Orgs, d.Year, d.Date})
		}
		if _, err := pool.CopyFrom(ctx, pgx.Identifier{"bench_docs"},
			[]string{"id", "type", "title", "text", "vis", "orgs", "year", "date"}, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("bench: copy: %w", err)
		}
	}
	loaded := time.Since(t0)
	if !fts {
		fmt.Fprintf(out, "PostgreSQL load (texts for snippets only): COPY %.1f s\n", loaded.Seconds())
		return nil
	}
	t1 := time.Now()
	if _, err := pool.Exec(ctx, `CREATE INDEX bench_docs_tsv ON bench_docs USING gin (tsv); ANALYZE bench_docs`); err != nil {
		return fmt.Errorf("bench: GIN index: %w", err)
	}
	gin := time.Since(t1)
	var size, ginSize int64
	if err := pool.QueryRow(ctx, `SELECT pg_total_relation_size('bench_docs'), pg_relation_size('bench_docs_tsv')`).Scan(&size, &ginSize); err != nil {
		return fmt.Errorf("bench: size: %w", err)
	}
	fmt.Fprintf(out, "PostgreSQL load: COPY with tsvector %.1f s (%.0f docs/s), GIN index %.1f s; table+toast+indexes %.1f MB (GIN %.1f MB)\n",
		loaded.Seconds(), float64(c.Len())/loaded.Seconds(), gin.Seconds(), float64(size)/1e6, float64(ginSize)/1e6)
	return nil
}

// pgRounds times rounds passes over qs the PostgreSQL way after one pass
// to warm up.
func pgRounds(ctx context.Context, conn *pgx.Conn, qs []query, rounds int) (*roundsResult, error) {
	r := &roundsResult{wall: map[string][]time.Duration{}, hits: map[string]int{}}
	run := func(record bool) error {
		for _, q := range qs {
			t0 := time.Now()
			n, err := pgQuery(ctx, conn, q)
			if err != nil {
				return fmt.Errorf("bench: PostgreSQL %q: %w", q.text, err)
			}
			d := time.Since(t0)
			if record {
				r.wall[q.kind] = append(r.wall[q.kind], d)
				r.wall["all"] = append(r.wall["all"], d)
			}
			r.hits[q.key()] = n
		}
		return nil
	}
	if err := run(false); err != nil {
		return nil, err
	}
	for range max(rounds, 1) {
		if err := run(true); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// pgQuery runs q the PostgreSQL way: matches visible to the public with
// the filters, total, GROUP BY facets, the 20 best by ts_rank with
// ts_headline snippets. It returns the total.
func pgQuery(ctx context.Context, conn *pgx.Conn, q query) (int, error) {
	sql := `WITH q AS (SELECT ` + q.pgFun + `('german', $1) AS q),
	m AS MATERIALIZED (SELECT d.id, d.type, d.year, d.orgs, ts_rank(d.tsv, q.q) AS r FROM bench_docs d, q
		WHERE d.tsv @@ q.q AND d.vis = 'public' AND ($2::text = '' OR d.year = $2::text) AND ($3::text = '' OR d.orgs @> ARRAY[$3::text]))
	SELECT 'total', '', count(*) FROM m
	UNION ALL SELECT 'type', type, count(*) FROM m GROUP BY type
	UNION ALL SELECT 'year', year, count(*) FROM m GROUP BY year
	UNION ALL (SELECT 'org', o, count(*) FROM m, unnest(m.orgs) o GROUP BY o ORDER BY 3 DESC LIMIT 15)
	UNION ALL (SELECT 'hit', ts_headline('german', d.title || ' ' || d.text, q.q, 'MaxFragments=1, MaxWords=35, MinWords=15'), 0
		FROM (SELECT id, r FROM m ORDER BY r DESC LIMIT 20) t JOIN bench_docs d USING (id), q)`
	rows, err := conn.Query(ctx, sql, q.pgArg, q.year, q.org)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var kind, v string
		var n int64
		if err := rows.Scan(&kind, &v, &n); err != nil {
			return 0, err
		}
		if kind == "total" {
			total = int(n)
		}
	}
	return total, rows.Err()
}
