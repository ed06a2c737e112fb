package searchbench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/search/searchbench/corpus"
)

// query is one query of the mix.
type query struct {
	kind  string
	text  string
	year  string
	org   string
	pgFun string // tsquery constructor
	pgArg string
}

// key names q in the hits per query.
func (q query) key() string { return q.kind + " " + q.text }

// kinds are the kinds of queries of the mix, in report order; "all"
// collects every query.
var kinds = [...]string{"one-word", "two-word", "phrase", "typo", "prefix", "filtered", "all"}

// mix is the query mix: each kind with a handful of queries.
func mix(c *corpus.Corpus) []query {
	var qs []query
	add := func(kind, text, fun, arg string) {
		qs = append(qs, query{kind: kind, text: text, pgFun: fun, pgArg: arg})
	}
	for _, w := range []string{"Haltestelle", "Radweg", "Sanierung", "Haushaltssatzung", "Spielplatz", "Feuerwehr",
		c.VocabWord(50), c.VocabWord(2000)} {
		add("one-word", w, "plainto_tsquery", w)
	}
	for _, w := range []string{"Radweg Sanierung", "Haltestelle Innenstadt", "Klimaschutz Photovoltaikanlage",
		"Bebauungsplan Gewerbegebiet", "Kindergarten " + c.VocabWord(300), c.VocabWord(20) + " " + c.VocabWord(700)} {
		add("two-word", w, "plainto_tsquery", w)
	}
	for _, p := range corpus.Phrases() {
		add("phrase", `"`+p+`"`, "phraseto_tsquery", p)
	}
	for _, w := range []string{"Haltestele", "Radwegsanirung", "Feuerwer", "Bebaungsplan", "Klimaschuts", "Spielplaz"} {
		add("typo", w, "plainto_tsquery", w)
	}
	for _, w := range []string{"Halte", "Sanier", "Klima", "Spielpl", "Bebauung", "Radv"} {
		add("prefix", w+"*", "to_tsquery", w+":*")
	}
	for i, w := range []string{"Haltestelle", "Radweg", "Sanierung", "Haushalt", "Feuerwehr", "Schwimmbad"} {
		q := query{kind: "filtered", text: w, pgFun: "plainto_tsquery", pgArg: w, year: strconv.Itoa(2010 + i*2)}
		if i%2 == 1 {
			q.org = c.Org(i)
		}
		qs = append(qs, q)
	}
	return qs
}

// request is the search request of q.
func (q query) request() search.Request {
	req := search.Request{Query: q.text, Year: q.year}
	if q.org != "" {
		id, _ := council.ParseID(q.org)
		req.Orgs = []council.ID{id}
	}
	return req
}

// timed is one timed bleve query: wall and thread CPU time, and its
// phases (index search, text read, snippets).
type timed struct {
	q      query
	d, cpu time.Duration
	ph     [3]time.Duration
}

// roundsResult is what the rounds over the mix measured: latencies per
// kind (and "all"), hits per query.
type roundsResult struct {
	wall, cpu map[string][]time.Duration
	phases    [3][]time.Duration // bleve: index search, text read, snippets
	slowest   []timed            // bleve
	hits      map[string]int
}

// bleveRounds times cfg.Rounds passes over qs after one pass to warm up,
// with a CPU profile of them when cfg.QueryProfile is set.
func (b *bench) bleveRounds(ctx context.Context, conn *pgx.Conn, qs []query) (*roundsResult, error) {
	r := &roundsResult{wall: map[string][]time.Duration{}, cpu: map[string][]time.Duration{}}
	if err := b.bleveRound(ctx, conn, qs, r, false); err != nil { // warm up
		return nil, err
	}
	if b.cfg.QueryProfile != "" {
		f, err := os.Create(b.cfg.QueryProfile)
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	for range max(b.cfg.Rounds, 1) {
		if err := b.bleveRound(ctx, conn, qs, r, true); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// bleveRound runs every query of qs once on bleve, recording its times
// in r when record is set, and its hits.
func (b *bench) bleveRound(ctx context.Context, conn *pgx.Conn, qs []query, r *roundsResult, record bool) error {
	runtime.LockOSThread() // so that the thread's CPU time is the query's
	defer runtime.UnlockOSThread()
	r.hits = map[string]int{}
	for _, q := range qs {
		t0, c0 := time.Now(), threadCPU()
		n, ph, err := b.search(ctx, conn, q.request())
		if err != nil {
			return fmt.Errorf("bench: %q: %w", q.text, err)
		}
		d, cd := time.Since(t0), threadCPU()-c0
		if record {
			for _, k := range []string{q.kind, "all"} {
				r.wall[k] = append(r.wall[k], d)
				r.cpu[k] = append(r.cpu[k], cd)
			}
			for i := range r.phases {
				r.phases[i] = append(r.phases[i], ph[i])
			}
			r.slowest = append(r.slowest, timed{q, d, cd, ph})
		}
		r.hits[q.key()] = n
	}
	return nil
}

// search is what the benchmark times for bleve: Index.Find for the
// public with the request's filters, facets and page, the texts of the
// page's hits from PostgreSQL, and their snippets. It returns the total
// and the time of each of the three.
func (b *bench) search(ctx context.Context, conn *pgx.Conn, req search.Request) (int, [3]time.Duration, error) {
	var ph [3]time.Duration
	t0 := time.Now()
	pg, err := b.ix.Find(ctx, council.Public, req)
	if err != nil {
		return 0, ph, err
	}
	t1 := time.Now()
	ph[0] = t1.Sub(t0)
	ids := make([]string, 0, len(pg.Hits))
	for _, h := range pg.Hits {
		ids = append(ids, search.DocID(h.Type, h.ID))
	}
	rows, err := conn.Query(ctx, `SELECT id, substr(text, 1, $2) FROM bench_docs WHERE id = ANY($1)`, ids, search.RecheckText)
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
	for i, h := range pg.Hits {
		pg.Hits[i].Snippet = pg.Snippet(texts[search.DocID(h.Type, h.ID)])
	}
	ph[2] = time.Since(t2)
	return pg.Total, ph, nil
}

// worstQuery is a query at the parser's limits, timed apart from the mix.
type worstQuery struct {
	what, text string
	page       int
}

func worstQueries(c *corpus.Corpus) []worstQuery {
	var common, typos []string
	for i := range search.MaxTerms {
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
		// The page that starts at the deepest hit a page may start at.
		{what: "deepest page, common word", text: c.VocabWord(0), page: search.MaxOffset/search.DefaultPerPage + 1},
		{what: "every document (empty query)", text: ""},
	}
}

// worstCases times what the parser lets through at its limits, outside
// the mix (issue 5, "Bad input": cap the work a query may cause).
func (b *bench) worstCases(ctx context.Context, conn *pgx.Conn) error {
	fmt.Fprintln(b.out, "worst-case queries, bleve only, outside the mix (ms: slowest of 3 runs, thread CPU; hits):")
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, w := range worstQueries(b.c) {
		var worst, worstCPU time.Duration
		n := 0
		for range 3 {
			t0, c0 := time.Now(), threadCPU()
			var err error
			if n, _, err = b.search(ctx, conn, search.Request{Query: w.text, Page: w.page}); err != nil {
				return fmt.Errorf("bench: %q: %w", w.text, err)
			}
			worst, worstCPU = max(worst, time.Since(t0)), max(worstCPU, threadCPU()-c0)
		}
		fmt.Fprintf(b.out, "  %-28s %-60.60q %7.2f %7.2f %7d\n", w.what, w.text, ms(worst), ms(worstCPU), n)
	}
	return nil
}

// edits saves n papers through the stores and times each until a public
// search finds it, with an Indexer following the outbox.
func edits(ctx context.Context, pool *pgxpool.Pool, ix *search.Index, n int) ([]time.Duration, error) {
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
	in := search.NewIndexer(pool, ix, nil)
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
		if err := searchable(ctx, ix, word); err != nil {
			return nil, fmt.Errorf("bench: edit %d: %w", i, err)
		}
		out = append(out, time.Since(t0))
		time.Sleep(200 * time.Millisecond)
	}
	return out, nil
}

// searchable waits until a public search for word finds a document, at
// most 30 s.
func searchable(ctx context.Context, ix *search.Index, word string) error {
	t0 := time.Now()
	for {
		pg, err := ix.Find(ctx, council.Public, search.Request{Query: word, PerPage: 1})
		if err != nil {
			return err
		}
		if pg.Total > 0 {
			return nil
		}
		if time.Since(t0) > 30*time.Second {
			return fmt.Errorf("not searchable within 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
