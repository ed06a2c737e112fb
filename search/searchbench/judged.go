package searchbench

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search"
)

// The judged query set (issue 15): queries over the demo city
// (cmd/plenar/demo, seeded at JudgedNow) as a citizen, a councillor and a
// clerk type them, each with graded relevance judgements, and the
// evaluation behind `plenar bench search --judged`: nDCG@10, MRR and the
// zero-result rate of the public search, one result per matter.
//
// Judgements name documents by what stays the same when the demo is
// seeded again at the same reference time, never by id: a paper by its
// title or reference, a meeting by its name (and date), a person or an
// organization by name. The file format is described in judged_demo.tsv.

// JudgedDemo is the judged query set over the demo city.
//
//go:embed judged_demo.tsv
var JudgedDemo []byte

// JudgedNow is the reference time the demo city is seeded at for the
// judged set: the demo's dates, years and reference numbers follow it.
var JudgedNow = time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC)

// NoAnswer is the kind of a query the demo city has no good answer for
// (a citizen asks for something the city never decided on): its rules,
// if any, grade related documents only (1). It is not scored; the
// report lists what the search returned for it.
const NoAnswer = "none"

// Groups are the askers a query is written for, one of them per query.
var Groups = []string{"citizen", "councillor", "clerk"}

// Judged is one query with its judgements.
type Judged struct {
	Line  int
	Kinds []string // who asks and what kind of query: citizen, compound, multiword, …
	Query string
	Rules []Rule
}

// Has reports whether q is of kind k.
func (q Judged) Has(k string) bool { return slices.Contains(q.Kinds, k) }

// Rule grades the documents it matches.
type Rule struct {
	Grade int
	Field string // title, ref, meeting, person, org, item
	exact string // lower case; "" when re is set
	re    *regexp.Regexp
	date  string // meeting rules: "2006-01-02" or ""
}

// judgedFields are the fields a rule may test and the document kinds
// they apply to.
var judgedFields = map[string]string{"title": "paper", "ref": "paper", "meeting": "meeting",
	"person": "person", "org": "org", "item": "item"}

// ParseJudged reads a judged query set: one query a line, tab-separated
// columns kinds (comma-separated), query, then one column per rule,
// "<grade> <field>=<value>" (equal, ignoring case) or
// "<grade> <field>~<regexp>" (Go syntax, ignoring case). A meeting value
// may end in "@YYYY-MM-DD", the meeting's date. Lines starting with # and
// empty lines are skipped.
func ParseJudged(r io.Reader) ([]Judged, error) {
	var out []Judged
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 2 {
			return nil, fmt.Errorf("judged set line %d: want kinds, query and judgements", n)
		}
		q := Judged{Line: n, Query: cols[1]}
		for k := range strings.SplitSeq(cols[0], ",") {
			q.Kinds = append(q.Kinds, strings.TrimSpace(k))
		}
		if len(cols) < 3 && !q.Has(NoAnswer) {
			return nil, fmt.Errorf("judged set line %d: want at least one judgement (or kind %s)", n, NoAnswer)
		}
		for _, c := range cols[2:] {
			if strings.TrimSpace(c) == "" {
				continue
			}
			rule, err := parseRule(strings.TrimSpace(c))
			if err != nil {
				return nil, fmt.Errorf("judged set line %d: %q: %w", n, c, err)
			}
			if rule.Grade > 1 && q.Has(NoAnswer) {
				return nil, fmt.Errorf("judged set line %d: %q: a query of kind %s grades related documents only (1)", n, c, NoAnswer)
			}
			q.Rules = append(q.Rules, rule)
		}
		out = append(out, q)
	}
	return out, sc.Err()
}

func parseRule(s string) (Rule, error) {
	g, rest, ok := strings.Cut(s, " ")
	grade, err := strconv.Atoi(g)
	if !ok || err != nil || grade < 1 || grade > 3 {
		return Rule{}, fmt.Errorf("want a grade 1..3, a space and field=value or field~regexp")
	}
	i := strings.IndexAny(rest, "=~")
	if i < 0 {
		return Rule{}, fmt.Errorf("no = or ~")
	}
	r := Rule{Grade: grade, Field: rest[:i]}
	if _, ok := judgedFields[r.Field]; !ok {
		return Rule{}, fmt.Errorf("unknown field %q", r.Field)
	}
	val := rest[i+1:]
	if r.Field == "meeting" {
		if v, d, ok := strings.Cut(val, "@"); ok {
			val, r.date = v, d
		}
	}
	if rest[i] == '=' {
		r.exact = strings.ToLower(val)
		return r, nil
	}
	if r.re, err = regexp.Compile("(?i)" + val); err != nil {
		return Rule{}, err
	}
	return r, nil
}

// JudgedDoc is a document as the judgements see it.
type JudgedDoc struct {
	Kind  string // paper, meeting, person, org, item
	Title string // a paper's title, a meeting's, person's, organization's or agenda item's name
	Ref   string // papers
	Date  string // meetings: "2006-01-02" (Europe/Berlin)
}

func (d JudgedDoc) String() string {
	switch {
	case d.Ref != "":
		return d.Ref + " " + d.Title
	case d.Date != "":
		return d.Title + " (" + d.Date + ")"
	}
	return d.Title
}

func (r Rule) matches(d JudgedDoc) bool {
	if judgedFields[r.Field] != d.Kind {
		return false
	}
	v := d.Title
	if r.Field == "ref" {
		v = d.Ref
	}
	if r.date != "" && r.date != d.Date {
		return false
	}
	if r.re != nil {
		return r.re.MatchString(v)
	}
	return strings.ToLower(v) == r.exact
}

// grade is the best grade q's rules give d, 0 for none.
func (q Judged) grade(d JudgedDoc) int {
	g := 0
	for _, r := range q.Rules {
		if r.Grade > g && r.matches(d) {
			g = r.Grade
		}
	}
	return g
}

// Universe is every document the public may find, by id, and what a hit
// on an agenda item or a file stands for.
type Universe struct {
	docs map[council.ID]JudgedDoc
}

// LoadUniverse reads the documents the public sees from db.
func LoadUniverse(ctx context.Context, db council.DBTX) (*Universe, error) {
	u := &Universe{docs: map[council.ID]JudgedDoc{}}
	queries := []struct {
		kind, sql string
	}{
		{"paper", `SELECT p.id, p.name, coalesce(p.reference, ''), '' FROM papers p
			WHERE NOT p.deleted AND paper_audience(p) = 'public'`},
		{"meeting", `SELECT id, name, '', to_char(start_at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD') FROM meetings WHERE NOT deleted`},
		{"person", `SELECT id, concat_ws(' ', nullif(title, ''), nullif(given_name, ''), family_name), '', '' FROM persons WHERE NOT deleted`},
		{"org", `SELECT id, name, '', '' FROM organizations WHERE NOT deleted`},
		// Free agenda items stand for themselves; a paper's items for the paper.
		{"item", `SELECT i.id, i.name, '', coalesce(c.paper_id::text, '') FROM agenda_items i
			JOIN meetings m ON m.id = i.meeting_id
			LEFT JOIN consultations c ON c.agenda_item_id = i.id AND NOT c.deleted
			WHERE NOT i.deleted AND agenda_item_audience(i, m) = 'public'`},
	}
	items := map[council.ID]council.ID{}
	for _, q := range queries {
		rows, err := db.Query(ctx, q.sql)
		if err != nil {
			return nil, fmt.Errorf("judged universe (%s): %w", q.kind, err)
		}
		for rows.Next() {
			var id council.ID
			var d JudgedDoc
			var extra string
			if err := rows.Scan(&id, &d.Title, &d.Ref, &extra); err != nil {
				rows.Close()
				return nil, err
			}
			d.Kind = q.kind
			switch q.kind {
			case "meeting":
				d.Date = extra
			case "item":
				if extra != "" {
					p, err := council.ParseID(extra)
					if err != nil {
						rows.Close()
						return nil, err
					}
					items[id] = p
					continue
				}
			}
			u.docs[id] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for item, paper := range items {
		if d, ok := u.docs[paper]; ok {
			u.docs[item] = d
		}
	}
	return u, nil
}

// Of returns the document hit h stands for: a file's for what it is
// attached to; false for one outside the universe.
func (u *Universe) Of(h search.Hit) (JudgedDoc, bool) {
	id := h.ID
	if h.Type == search.TypeFile && h.ParentID != council.NilID {
		id = h.ParentID
	}
	d, ok := u.docs[id]
	return d, ok
}

// JudgedQueryResult is one query's outcome.
type JudgedQueryResult struct {
	Judged
	NDCG float64
	// Novel is nDCG@10 counting what is new to the reader: a paper
	// whose title an earlier result of the list already had gains
	// nothing, and the ideal list has each title once (novelty).
	Novel   float64
	RR      float64 // reciprocal rank of the first hit of grade ≥ 2
	Total   int
	Some    bool // the search fell back to some of the words
	Top     []JudgedDoc
	Grades  []int // of Top
	Best    int   // the best grade any document of the universe has
	BestHit bool  // a document of grade Best is in the top 10
	Graded  int   // documents of the universe with a grade
}

// JudgedReport sums up a judged run.
type JudgedReport struct {
	Queries        []JudgedQueryResult
	NDCG, MRR      float64
	Novel          float64 // mean of JudgedQueryResult.Novel
	ZeroRate       float64
	Groups         map[string]JudgedFigures // by asker (Groups)
	Unjudgeable    []Judged                 // no document of the universe has grade ≥ 2
	NoAnswer       []JudgedQueryResult      // queries of kind NoAnswer, not scored
	TargetFailures []JudgedQueryResult
	Targeted       int // compound and multi-word queries
	Duration       time.Duration
	// Took is how long each search took (run: for Searcher, the whole
	// public search with its re-check against PostgreSQL).
	Took []time.Duration
}

// JudgedFigures are the means over some of the scored queries.
type JudgedFigures struct {
	Queries                    int
	NDCG, Novel, MRR, ZeroRate float64
}

// figures returns the means over qs.
func figures(qs []JudgedQueryResult) JudgedFigures {
	f := JudgedFigures{Queries: len(qs)}
	for _, q := range qs {
		f.NDCG += q.NDCG
		f.Novel += q.Novel
		f.MRR += q.RR
		if q.Total == 0 {
			f.ZeroRate++
		}
	}
	if n := float64(len(qs)); n > 0 {
		f.NDCG, f.Novel, f.MRR, f.ZeroRate = f.NDCG/n, f.Novel/n, f.MRR/n, f.ZeroRate/n
	}
	return f
}

// Targets of issue 15.
const (
	TargetZeroRate = 0.03
	TargetNDCG     = 0.85
)

// SearchFunc runs one query as the public and returns the first page of
// ten results.
type SearchFunc func(ctx context.Context, query string) (search.Result, error)

// Searcher returns the SearchFunc of s: the public viewer, grouped by
// matter, ten results.
func Searcher(s *search.Searcher) SearchFunc {
	return func(ctx context.Context, q string) (search.Result, error) {
		return s.Search(ctx, council.Public, search.Request{Query: q, PerPage: 10})
	}
}

// EvaluateJudged runs qs through run and scores them against u.
func EvaluateJudged(ctx context.Context, qs []Judged, u *Universe, run SearchFunc) (JudgedReport, error) {
	start := time.Now()
	var rep JudgedReport
	for _, q := range qs {
		// A paper is in docs under its id and its items' ids: count it once.
		ideal := u.dedupeIdeal(q)
		best := 0
		for _, g := range ideal {
			best = max(best, g)
		}
		if best < 2 && !q.Has(NoAnswer) {
			rep.Unjudgeable = append(rep.Unjudgeable, q)
			continue
		}
		t0 := time.Now()
		res, err := run(ctx, q.Query)
		if err != nil {
			return rep, fmt.Errorf("query %q: %w", q.Query, err)
		}
		rep.Took = append(rep.Took, time.Since(t0))
		r := JudgedQueryResult{Judged: q, Total: res.Total, Some: res.Some, Best: best, Graded: len(ideal)}
		seen := map[JudgedDoc]bool{}
		for _, h := range res.Hits {
			d, ok := u.Of(h)
			if !ok {
				d = JudgedDoc{Kind: string(h.Type), Title: h.Title}
			}
			if seen[d] {
				continue // a meeting and its file: one document
			}
			seen[d] = true
			if len(r.Top) == 10 {
				break
			}
			g := q.grade(d)
			r.Top, r.Grades = append(r.Top, d), append(r.Grades, g)
			if g >= 2 && r.RR == 0 {
				r.RR = 1 / float64(len(r.Top))
			}
			r.BestHit = r.BestHit || g == best
		}
		if q.Has(NoAnswer) {
			rep.NoAnswer = append(rep.NoAnswer, r)
			continue
		}
		r.NDCG = ndcg(r.Grades, ideal, 10)
		r.Novel = ndcg(novelGrades(r.Top, r.Grades), u.novelIdeal(q), 10)
		rep.Queries = append(rep.Queries, r)
		if q.Has("compound") || q.Has("multiword") {
			rep.Targeted++
			if !r.BestHit {
				rep.TargetFailures = append(rep.TargetFailures, r)
			}
		}
	}
	all := figures(rep.Queries)
	rep.NDCG, rep.Novel, rep.MRR, rep.ZeroRate = all.NDCG, all.Novel, all.MRR, all.ZeroRate
	rep.Groups = map[string]JudgedFigures{}
	for _, g := range Groups {
		var in []JudgedQueryResult
		for _, q := range rep.Queries {
			if q.Has(g) {
				in = append(in, q)
			}
		}
		rep.Groups[g] = figures(in)
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// dedupeIdeal returns the grades of the distinct documents q grades.
func (u *Universe) dedupeIdeal(q Judged) []int {
	seen := map[JudgedDoc]bool{}
	var out []int
	for _, d := range u.docs {
		if seen[d] {
			continue
		}
		seen[d] = true
		if g := q.grade(d); g > 0 {
			out = append(out, g)
		}
	}
	return out
}

// sameKey is what makes two documents the same to a reader of a result
// list: a paper's title (lower case), any other document itself.
func (d JudgedDoc) sameKey() JudgedDoc {
	if d.Kind == "paper" {
		return JudgedDoc{Kind: d.Kind, Title: strings.ToLower(strings.Join(strings.Fields(d.Title), " "))}
	}
	return d
}

// novelGrades is grades with a paper whose title an earlier one of top
// had set to 0: it tells the reader nothing new.
func novelGrades(top []JudgedDoc, grades []int) []int {
	seen := map[JudgedDoc]bool{}
	out := make([]int, len(grades))
	for i, d := range top {
		k := d.sameKey()
		if !seen[k] {
			out[i] = grades[i]
		}
		seen[k] = true
	}
	return out
}

// novelIdeal returns the best grade q gives each distinct title (and
// each other document) of the universe.
func (u *Universe) novelIdeal(q Judged) []int {
	best := map[JudgedDoc]int{}
	for _, d := range u.docs {
		if g := q.grade(d); g > best[d.sameKey()] {
			best[d.sameKey()] = g
		}
	}
	out := make([]int, 0, len(best))
	for _, g := range best {
		out = append(out, g)
	}
	return out
}

// ndcg is nDCG@k of grades against the ideal grades, with gain 2^g−1.
func ndcg(grades, ideal []int, k int) float64 {
	dcg := func(gs []int) float64 {
		s := 0.0
		for i, g := range gs[:min(k, len(gs))] {
			s += (math.Exp2(float64(g)) - 1) / math.Log2(float64(i+2))
		}
		return s
	}
	ideal = slices.Clone(ideal)
	slices.SortFunc(ideal, func(a, b int) int { return b - a })
	if id := dcg(ideal); id > 0 {
		return dcg(grades) / id
	}
	return 0
}

// Pass reports the three targets of issue 15.
func (r JudgedReport) Pass() (zero, ndcg, targeted bool) {
	return r.ZeroRate <= TargetZeroRate, r.Novel >= TargetNDCG, len(r.TargetFailures) == 0
}

// Write prints the report: the figures, pass or fail per target and the
// worst queries with their top results.
func (r JudgedReport) Write(w io.Writer, worst int) {
	var b bytes.Buffer
	passFail := func(ok bool) string {
		if ok {
			return "pass"
		}
		return "FAIL"
	}
	z, n, t := r.Pass()
	fmt.Fprintf(&b, "judged queries: %d evaluated in %s", len(r.Queries), r.Duration.Round(time.Millisecond))
	if len(r.Took) > 0 {
		took := slices.Clone(r.Took)
		slices.Sort(took)
		at := func(p int) time.Duration { return took[min(len(took)-1, len(took)*p/100)].Round(10 * time.Microsecond) }
		fmt.Fprintf(&b, " (searches: p50 %s, p95 %s, max %s)", at(50), at(95), took[len(took)-1].Round(10*time.Microsecond))
	}
	if len(r.Unjudgeable) > 0 {
		fmt.Fprintf(&b, ", %d skipped (no document of grade ≥ 2 in this corpus)", len(r.Unjudgeable))
	}
	fmt.Fprintf(&b, "\n  nDCG@10           %.3f   target ≥ %.2f   %s   (a title already listed gains nothing; docs/BENCHMARKS.md)\n", r.Novel, TargetNDCG, passFail(n))
	fmt.Fprintf(&b, "  nDCG@10 per doc   %.3f   (every document counts, repeated titles too)\n", r.NDCG)
	fmt.Fprintf(&b, "  MRR (grade ≥ 2)   %.3f\n", r.MRR)
	fmt.Fprintf(&b, "  zero results      %.1f %%   target ≤ %.0f %%   %s\n", 100*r.ZeroRate, 100*TargetZeroRate, passFail(z))
	fmt.Fprintf(&b, "  compound and multi-word queries with a best-graded document in the top 10: %d of %d   %s\n",
		r.Targeted-len(r.TargetFailures), r.Targeted, passFail(t))
	for _, f := range r.TargetFailures {
		fmt.Fprintf(&b, "    missed: %q (line %d)\n", f.Query, f.Line)
	}
	fmt.Fprintf(&b, "  by asker           queries  nDCG@10  per doc    MRR  zero results\n")
	for _, g := range Groups {
		f := r.Groups[g]
		fmt.Fprintf(&b, "    %-16s %7d    %.3f    %.3f  %.3f  %5.1f %%\n", g, f.Queries, f.Novel, f.NDCG, f.MRR, 100*f.ZeroRate)
	}
	byKind := map[string][2]float64{}
	for _, q := range r.Queries {
		for _, k := range q.Kinds {
			v := byKind[k]
			byKind[k] = [2]float64{v[0] + q.Novel, v[1] + 1}
		}
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	fmt.Fprintf(&b, "  nDCG@10 by kind:")
	for _, k := range kinds {
		fmt.Fprintf(&b, " %s %.2f (%d)", k, byKind[k][0]/byKind[k][1], int(byKind[k][1]))
	}
	fmt.Fprintln(&b)
	qs := slices.Clone(r.Queries)
	slices.SortStableFunc(qs, func(a, b JudgedQueryResult) int {
		if a.Novel != b.Novel {
			if a.Novel < b.Novel {
				return -1
			}
			return 1
		}
		return a.Line - b.Line
	})
	if worst > 0 {
		fmt.Fprintf(&b, "worst queries (lowest nDCG@10):\n")
	}
	for _, q := range qs[:min(worst, len(qs))] {
		some := ""
		if q.Some {
			some = ", some of the words"
		}
		fmt.Fprintf(&b, "  %.2f  %q  [%s] line %d: %d results%s, %d judged documents, best grade %d\n",
			q.Novel, q.Query, strings.Join(q.Kinds, ","), q.Line, q.Total, some, q.Graded, q.Best)
		for i, d := range q.Top[:min(3, len(q.Top))] {
			fmt.Fprintf(&b, "        %d. [%d] %s\n", i+1, q.Grades[i], d)
		}
	}
	if len(r.NoAnswer) > 0 {
		zero, some := 0, 0
		for _, q := range r.NoAnswer {
			switch {
			case q.Total == 0:
				zero++
			case q.Some:
				some++
			}
		}
		fmt.Fprintf(&b, "expected to have no good answer (kind %s, not scored): %d queries, %d without results, %d with some of the words, %d with all of them\n",
			NoAnswer, len(r.NoAnswer), zero, some, len(r.NoAnswer)-zero-some)
		for _, q := range r.NoAnswer {
			first := ""
			if len(q.Top) > 0 {
				first = fmt.Sprintf(", first [%d] %s", q.Grades[0], q.Top[0])
			}
			some := ""
			if q.Some {
				some = ", some of the words"
			}
			fmt.Fprintf(&b, "  %q line %d: %d results%s%s\n", q.Query, q.Line, q.Total, some, first)
		}
	}
	for _, q := range r.Unjudgeable {
		fmt.Fprintf(&b, "  skipped: %q (line %d)\n", q.Query, q.Line)
	}
	_, _ = w.Write(b.Bytes())
}
