package search

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
)

// BenchConfig sizes a search benchmark.
type BenchConfig struct {
	Papers   int    // 20,000 for a 20-year city
	Seed     uint64 // corpus seed
	Dir      string // index directory (created, left for the caller to remove)
	WordList string // compound parts and corpus vocabulary (SystemWordList)
	Rounds   int    // passes over the query mix for bleve
	PGRounds int    // passes over the query mix for PostgreSQL
	Edits    int    // single edits timed through the Indexer
	SkipPG   bool   // bleve only
	// Realistic generates the corpus with a real city's rates of the
	// query words (Corpus.Realistic).
	Realistic bool
	// QueryProfile, when not "", receives a CPU profile of the bleve
	// query rounds.
	QueryProfile string
}

// benchQuery is one query of the mix.
type benchQuery struct {
	kind  string
	text  string
	year  string
	org   string
	pgFun string // tsquery constructor
	pgArg string
}

// Bench generates a corpus, indexes it into bleve and (unless SkipPG)
// into a PostgreSQL table with a GIN index over a `german` tsvector, and
// times the same query mix on both: every query with the public
// visibility filter, facets (type, organization, year) and highlighted
// snippets of the first 20 hits. pool is a scratch database with Plenar's
// schema: the benchmark creates the table bench_docs and, for the
// edit-to-searchable time, a body, an organization and papers through
// the stores, followed by an Indexer. It writes a report to out.
func Bench(ctx context.Context, pool *pgxpool.Pool, cfg BenchConfig, out io.Writer) error {
	started := time.Now()
	words, sys, err := DefaultWords(cfg.WordList)
	if err != nil {
		return err
	}
	c, err := NewCorpus(cfg.Papers, cfg.Seed, cfg.WordList)
	if err != nil {
		return err
	}
	c.Realistic = cfg.Realistic
	corpus := "dense (query words at the rates of the 2026-11-27 figures)"
	if c.Realistic {
		corpus = "realistic (query words at a real city's rates)"
	}
	fmt.Fprintf(out, "plenar bench search: %d papers, %d files, %d documents, corpus %s; GOMAXPROCS=%d, %d CPUs; word list %d words (system list read: %v)\n",
		c.Papers, c.Files(), c.Len(), corpus, runtime.GOMAXPROCS(0), runtime.NumCPU(), words.Len(), sys)

	// The words that pair for phrases, from every tenth document (Rebuild
	// takes them from the papers and agenda items in PostgreSQL).
	t0 := time.Now()
	df := newDocFreq()
	for n := 0; n < c.Len(); n += 10 {
		d := c.Doc(n)
		df.add(d.Title + " " + d.Text)
	}
	words.SetPairs(df.pairWords())
	fmt.Fprintf(out, "pair words: %d terms in ≥ %.0f %% of %d sampled documents (%.1f s)\n",
		len(words.Pairs()), pairShare*100, df.docs, time.Since(t0).Seconds())

	// bleve: bulk indexing in batches.
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	gen, bi, err := newGeneration(cfg.Dir, words)
	if err != nil {
		return err
	}
	var textBytes int64
	var inBatch time.Duration
	sizes := make([]int, 0, c.Len())
	// CPU time of the process while indexing, less the generation of the
	// corpus (timed on this goroutine's locked thread): a throughput figure
	// that the neighbours' load does not change.
	runtime.LockOSThread()
	cpu0 := processCPU()
	var genCPU time.Duration
	var bb bulkBatch
	for n := range c.Len() {
		if err := ctx.Err(); err != nil {
			runtime.UnlockOSThread()
			bb.wait() //nolint:errcheck // ctx's error is returned
			bi.Close()
			return err
		}
		g0 := threadCPU()
		d := c.Doc(n)
		genCPU += threadCPU() - g0
		textBytes += int64(len(d.Text) + len(d.Title))
		if n >= c.Papers {
			sizes = append(sizes, len(d.Text))
		}
		t0 := time.Now()
		if err := bb.add(bi, d); err != nil {
			runtime.UnlockOSThread()
			bb.wait() //nolint:errcheck // the first error is returned
			bi.Close()
			return fmt.Errorf("bench: %w", err)
		}
		inBatch += time.Since(t0)
	}
	runtime.UnlockOSThread()
	t0 = time.Now()
	if err := bb.flush(bi); err != nil {
		bi.Close()
		return fmt.Errorf("bench: %w", err)
	}
	inBatch += time.Since(t0)
	indexWall := time.Since(started)
	t0 = time.Now()
	if err := compact(ctx, bi, filepath.Join(cfg.Dir, gen)); err != nil {
		bi.Close()
		return fmt.Errorf("bench: %w", err)
	}
	compacted := time.Since(t0)
	if err := bi.Close(); err != nil {
		return fmt.Errorf("bench: close: %w", err)
	}
	closed := time.Since(started)
	indexCPU := processCPU() - cpu0 - genCPU
	slices.Sort(sizes)
	fmt.Fprintf(out, "corpus: %.1f MB text; file text median %.1f KB, p99 %.1f KB, max %.1f KB\n",
		float64(textBytes)/1e6, float64(pct(sizes, 50))/1e3, float64(pct(sizes, 99))/1e3, float64(pct(sizes, 100))/1e3)
	fmt.Fprintf(out, "bleve indexing: %.0f docs/s in bleve.Batch calls (%.1f s), %.0f docs/s including generation and close (%.1f s); %.1f MB/s\n",
		float64(c.Len())/inBatch.Seconds(), inBatch.Seconds(), float64(c.Len())/closed.Seconds(), closed.Seconds(),
		float64(textBytes)/1e6/inBatch.Seconds())
	fmt.Fprintf(out, "bleve compaction into one segment (in the close time above): %.1f s\n", compacted.Seconds())
	fmt.Fprintf(out, "bleve indexing CPU: %.0f CPU-s for batches, merges and close (corpus generation, %.0f CPU-s, left out): %.0f docs per CPU-second\n",
		indexCPU.Seconds(), genCPU.Seconds(), float64(c.Len())/indexCPU.Seconds())
	_ = indexWall
	var maxOutbox int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM outbox`).Scan(&maxOutbox); err != nil {
		return fmt.Errorf("bench: outbox: %w", err)
	}
	if err := savePosition(ctx, pool, gen, maxOutbox); err != nil {
		return err
	}
	if err := publish(cfg.Dir, gen); err != nil {
		return err
	}
	t0 = time.Now()
	ix, err := Open(cfg.Dir, nil)
	if err != nil {
		return err
	}
	defer ix.Close()
	fmt.Fprintf(out, "bleve index: %.1f MB on disk, opened in %.0f ms; RSS peak so far (VmHWM) %s\n",
		float64(dirSize(cfg.Dir))/1e6, ms(time.Since(t0)), vmHWM())

	// The texts of the hits, for snippets, live in PostgreSQL as in
	// production (Search reads them with its re-check): bench_docs, with
	// the tsvector and GIN index of the baseline unless SkipPG.
	if err := benchPGLoad(ctx, pool, c, !cfg.SkipPG, out); err != nil {
		return err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer conn.Release()

	// The query mix.
	qs := benchQueries(c)
	bleveLat := map[string][]time.Duration{}
	cpuLat := map[string][]time.Duration{}
	var phases [3][]time.Duration // index search, text read, snippets
	type timed struct {
		q      benchQuery
		d, cpu time.Duration
		ph     [3]time.Duration
	}
	var slowest []timed
	var hits map[string]int
	run := func(record bool) error {
		hits = map[string]int{}
		return ix.with(func(bi bleve.Index, _ string) error {
			runtime.LockOSThread() // so that the thread's CPU time is the query's
			defer runtime.UnlockOSThread()
			for _, q := range qs {
				req := Request{Query: q.text, Year: q.year}
				if q.org != "" {
					id, _ := council.ParseID(q.org)
					req.Orgs = []council.ID{id}
				}
				t0, c0 := time.Now(), threadCPU()
				n, ph, err := benchSearch(ctx, bi, ix.segs, conn.Conn(), req)
				if err != nil {
					return fmt.Errorf("bench: %q: %w", q.text, err)
				}
				d, cd := time.Since(t0), threadCPU()-c0
				if record {
					for _, k := range []string{q.kind, "all"} {
						bleveLat[k] = append(bleveLat[k], d)
						cpuLat[k] = append(cpuLat[k], cd)
					}
					for i := range phases {
						phases[i] = append(phases[i], ph[i])
					}
					slowest = append(slowest, timed{q, d, cd, ph})
				}
				hits[q.kind+" "+q.text] = n
			}
			return nil
		})
	}
	segsBefore := segmentCount(ix)
	if err := run(false); err != nil { // warm up
		return err
	}
	if cfg.QueryProfile != "" {
		f, err := os.Create(cfg.QueryProfile)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	for range max(cfg.Rounds, 1) {
		if err := run(true); err != nil {
			return err
		}
	}
	if cfg.QueryProfile != "" {
		pprof.StopCPUProfile()
	}
	// Worst cases, outside the mix: what the parser lets through at its
	// limits (issue 5, "Bad input": cap the work a query may cause).
	fmt.Fprintln(out, "worst-case queries, bleve only, outside the mix (ms: slowest of 3 runs, thread CPU; hits):")
	err = ix.with(func(bi bleve.Index, _ string) error {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for _, w := range worstQueries(c) {
			var worst, worstCPU time.Duration
			n := 0
			for range 3 {
				t0, c0 := time.Now(), threadCPU()
				var err error
				if n, _, err = benchSearchFrom(ctx, bi, ix.segs, conn.Conn(), Request{Query: w.text}, w.from); err != nil {
					return fmt.Errorf("bench: %q: %w", w.text, err)
				}
				worst, worstCPU = max(worst, time.Since(t0)), max(worstCPU, threadCPU()-c0)
			}
			fmt.Fprintf(out, "  %-28s %-60.60q %7.2f %7.2f %7d\n", w.what, w.text, ms(worst), ms(worstCPU), n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "RSS peak after bleve queries (VmHWM): %s; index segments before / after the queries: %d / %d\n",
		vmHWM(), segsBefore, segmentCount(ix))

	// A single edit, through the outbox and the Indexer, until searchable.
	editLat, err := benchEdits(ctx, pool, ix, max(cfg.Edits, 1))
	if err != nil {
		return err
	}

	pgLat := map[string][]time.Duration{}
	pgHits := map[string]int{}
	if !cfg.SkipPG {
		runPG := func(record bool) error {
			for _, q := range qs {
				t0 := time.Now()
				n, err := pgQuery(ctx, conn.Conn(), q)
				if err != nil {
					return fmt.Errorf("bench: PostgreSQL %q: %w", q.text, err)
				}
				d := time.Since(t0)
				if record {
					pgLat[q.kind] = append(pgLat[q.kind], d)
					pgLat["all"] = append(pgLat["all"], d)
				}
				pgHits[q.kind+" "+q.text] = n
			}
			return nil
		}
		if err := runPG(false); err != nil {
			return err
		}
		for range max(cfg.PGRounds, 1) {
			if err := runPG(true); err != nil {
				return err
			}
		}
	}

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tqueries\tbleve p50 ms\tp95 ms\tp99 ms\tCPU p50 ms\tp95 ms\tPG p50 ms\tp95 ms\tp99 ms\tPG/bleve p95\t")
	for _, k := range []string{"one-word", "two-word", "phrase", "typo", "prefix", "filtered", "all"} {
		b, p, cp := bleveLat[k], pgLat[k], cpuLat[k]
		slices.Sort(b)
		slices.Sort(p)
		slices.Sort(cp)
		ratio := "-"
		if len(p) > 0 && pct(b, 95) > 0 {
			ratio = fmt.Sprintf("%.1f×", float64(pct(p, 95))/float64(pct(b, 95)))
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%.1f\t%.1f\t%s\t\n", k, len(b),
			ms(pct(b, 50)), ms(pct(b, 95)), ms(pct(b, 99)), ms(pct(cp, 50)), ms(pct(cp, 95)),
			ms(pct(p, 50)), ms(pct(p, 95)), ms(pct(p, 99)), ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i, name := range []string{"index search (bleve, facets)", "hits' texts from PostgreSQL", "snippets"} {
		slices.Sort(phases[i])
		fmt.Fprintf(out, "bleve queries, phase %-30s p50 %.2f ms, p95 %.2f ms, max %.2f ms\n", name+":",
			ms(pct(phases[i], 50)), ms(pct(phases[i], 95)), ms(pct(phases[i], 100)))
	}
	slices.SortFunc(slowest, func(a, b timed) int { return cmp.Compare(b.d, a.d) })
	fmt.Fprintln(out, "slowest bleve queries (ms: wall, thread CPU; index, texts, snippets):")
	for _, t := range slowest[:min(len(slowest), 8)] {
		fmt.Fprintf(out, "  %-9s %-40q year=%-4s %6.2f %6.2f; %6.2f %6.2f %6.2f\n", t.q.kind, t.q.text, t.q.year,
			ms(t.d), ms(t.cpu), ms(t.ph[0]), ms(t.ph[1]), ms(t.ph[2]))
	}
	fmt.Fprintln(out, "hits per query (public viewer), bleve / PostgreSQL:")
	for _, q := range qs {
		k := q.kind + " " + q.text
		fmt.Fprintf(out, "  %-9s %-40q year=%-4s org=%-5v %7d / %d\n", q.kind, q.text, q.year, q.org != "", hits[k], pgHits[k])
	}
	slices.Sort(editLat)
	fmt.Fprintf(out, "single edit → searchable through outbox + Indexer (%d edits): median %.0f ms, max %.0f ms\n",
		len(editLat), ms(pct(editLat, 50)), ms(pct(editLat, 100)))
	fmt.Fprintf(out, "RSS peak of this process (VmHWM): %s; total %.0f s\n", vmHWM(), time.Since(started).Seconds())
	return nil
}

// benchQueries is the query mix: each kind with a handful of queries.
func benchQueries(c *Corpus) []benchQuery {
	var qs []benchQuery
	add := func(kind, text, fun, arg string) {
		qs = append(qs, benchQuery{kind: kind, text: text, pgFun: fun, pgArg: arg})
	}
	for _, w := range []string{"Haltestelle", "Radweg", "Sanierung", "Haushaltssatzung", "Spielplatz", "Feuerwehr",
		c.VocabWord(50), c.VocabWord(2000)} {
		add("one-word", w, "plainto_tsquery", w)
	}
	for _, w := range []string{"Radweg Sanierung", "Haltestelle Innenstadt", "Klimaschutz Photovoltaikanlage",
		"Bebauungsplan Gewerbegebiet", "Kindergarten " + c.VocabWord(300), c.VocabWord(20) + " " + c.VocabWord(700)} {
		add("two-word", w, "plainto_tsquery", w)
	}
	for _, p := range corpusPhrases {
		add("phrase", `"`+p+`"`, "phraseto_tsquery", p)
	}
	for _, w := range []string{"Haltestele", "Radwegsanirung", "Feuerwer", "Bebaungsplan", "Klimaschuts", "Spielplaz"} {
		add("typo", w, "plainto_tsquery", w)
	}
	for _, w := range []string{"Halte", "Sanier", "Klima", "Spielpl", "Bebauung", "Radv"} {
		add("prefix", w+"*", "to_tsquery", w+":*")
	}
	for i, w := range []string{"Haltestelle", "Radweg", "Sanierung", "Haushalt", "Feuerwehr", "Schwimmbad"} {
		q := benchQuery{kind: "filtered", text: w, pgFun: "plainto_tsquery", pgArg: w, year: strconv.Itoa(2010 + i*2)}
		if i%2 == 1 {
			q.org = c.Org(i)
		}
		qs = append(qs, q)
	}
	return qs
}

// worstQuery is a query at the parser's limits, timed apart from the mix.
type worstQuery struct {
	what, text string
	from       int
}

func worstQueries(c *Corpus) []worstQuery {
	var common, typos []string
	for i := range MaxTerms {
		common = append(common, c.VocabWord(i))
	}
	for _, w := range []string{"Haltestele", "Radwegsanirung", "Feuerwer", "Bebaungsplan", "Klimaschuts", "Spielplaz",
		"Verwaltng", "Sanirung", "Haushaltssatzng", "Schwimbad", "Kindergartn", "Ausschus"} {
		typos = append(typos, w)
	}
	return []worstQuery{
		{what: "shortest prefix", text: "Ver*"},
		{what: "12 shortest prefixes", text: "Ver* Sta* Ein* Aus* Ent* Ges* Bes* Vor* Ant* Ber* Sch* Bau*"},
		{what: "12 common words, OR", text: strings.Join(common, " OR ")},
		{what: "12 common words, phrase", text: `"` + strings.Join(common, " ") + `"`},
		{what: "12 typos", text: strings.Join(typos, " ")},
		{what: "12 typos, OR", text: strings.Join(typos, " OR ")},
		{what: "deepest page, common word", text: c.VocabWord(0), from: MaxOffset},
		{what: "every document (empty query)", text: ""},
	}
}

// benchEdits saves n papers through the stores and times each until a
// public search finds it, with an Indexer following the outbox.
func benchEdits(ctx context.Context, pool *pgxpool.Pool, ix *Index, n int) ([]time.Duration, error) {
	s := council.NewStore(pool)
	body, err := s.CreateBody(ctx, council.Body{Name: "Benchstadt", ShortName: "Bench"})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	org, err := s.SaveOrganization(ctx, council.Organization{BodyID: body.ID, Name: "Benchausschuss", Kind: council.OrgKind("committee")})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	ictx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := NewIndexer(pool, ix, nil)
	done := make(chan error, 1)
	go func() { done <- in.Run(ictx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(500 * time.Millisecond) // the Indexer listens
	var out []time.Duration
	for i := range n {
		word := "Benchmarkwort" + strconv.Itoa(i) + "zq"
		t0 := time.Now()
		p, err := s.SavePaper(ctx, council.Paper{BodyID: body.ID, Name: "Antrag " + word, Type: council.PaperMotion,
			Status: council.StatusSubmitted, Public: true, Date: time.Now()})
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		if _, err := s.SaveConsultation(ctx, council.Consultation{PaperID: p.ID, OrganizationID: org.ID}); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		for {
			found := false
			err := ix.with(func(bi bleve.Index, _ string) error {
				sr, _, err := bleveSearch(ctx, bi, ix.segs, council.Public, Request{}, Parse(word), 1, 0)
				found = err == nil && sr.Total > 0
				return err
			})
			if err != nil {
				return nil, err
			}
			if found {
				break
			}
			if time.Since(t0) > 30*time.Second {
				return nil, fmt.Errorf("bench: edit %d not searchable within 30 s", i)
			}
			time.Sleep(5 * time.Millisecond)
		}
		out = append(out, time.Since(t0))
		time.Sleep(200 * time.Millisecond)
	}
	return out, nil
}

// benchPGLoad loads the corpus into bench_docs and, when fts, builds the
// tsvector column and its GIN index.
func benchPGLoad(ctx context.Context, pool *pgxpool.Pool, c *Corpus, fts bool, out io.Writer) error {
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
			d := c.Doc(n)
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

// benchSearch is what the benchmark times for bleve: bleveSearch for the
// public with the request's filters, facets and the first page, the texts
// of the page's hits from PostgreSQL, and their snippets. It returns the
// total.
func benchSearch(ctx context.Context, bi bleve.Index, segs *segCache, conn *pgx.Conn, req Request) (int, [3]time.Duration, error) {
	return benchSearchFrom(ctx, bi, segs, conn, req, 0)
}

// benchSearchFrom is benchSearch for the page of hits from from on.
func benchSearchFrom(ctx context.Context, bi bleve.Index, segs *segCache, conn *pgx.Conn, req Request, from int) (int, [3]time.Duration, error) {
	var ph [3]time.Duration
	t0 := time.Now()
	p := Parse(req.Query)
	sr, typos, err := bleveSearch(ctx, bi, segs, council.Public, req, p, DefaultPerPage, from)
	if err != nil {
		return 0, ph, err
	}
	t1 := time.Now()
	ph[0] = t1.Sub(t0)
	ids := make([]string, 0, len(sr.Hits))
	for _, dm := range sr.Hits {
		ids = append(ids, dm.ID)
	}
	rows, err := conn.Query(ctx, `SELECT id, substr(text, 1, $2) FROM bench_docs WHERE id = ANY($1)`, ids, recheckText)
	if err != nil {
		return 0, ph, err
	}
	texts := map[string]string{}
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			return 0, ph, err
		}
		texts[id] = text
	}
	if err := rows.Err(); err != nil {
		return 0, ph, err
	}
	t2 := time.Now()
	ph[1] = t2.Sub(t1)
	mk := newMarker(bi, p, typos)
	for _, dm := range sr.Hits {
		h, _ := hitOf(dm.ID, dm.Fields)
		h.Snippet = mk.snippet(texts[dm.ID])
	}
	ph[2] = time.Since(t2)
	return sr.Total, ph, nil
}

// segmentCount is the number of segments of ix's current snapshot, -1
// when it cannot be read.
func segmentCount(ix *Index) int {
	n := -1
	_ = ix.with(func(bi bleve.Index, _ string) error {
		is, err := snapshot(bi)
		if err != nil {
			return err
		}
		defer is.Close()
		n = len(is.Segments())
		return nil
	})
	return n
}

// threadCPU is the CPU time of the calling OS thread (the goroutine must
// be locked to it): a latency figure that the neighbours' load on a
// shared machine does not inflate.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil { // RUSAGE_THREAD
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU is the CPU time of this process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pgQuery runs q the PostgreSQL way: matches visible to the public with
// the filters, total, GROUP BY facets, the 20 best by ts_rank with
// ts_headline snippets. It returns the total.
func pgQuery(ctx context.Context, conn *pgx.Conn, q benchQuery) (int, error) {
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

func pct[T int | time.Duration](s []T, p int) T {
	if len(s) == 0 {
		return 0
	}
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// vmHWM is the peak resident set of this process, from /proc/self/status.
func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
