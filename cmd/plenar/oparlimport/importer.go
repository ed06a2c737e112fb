package oparlimport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
)

// ErrNotOParl is returned when the URL does not serve an OParl System.
var ErrNotOParl = errors.New("not an OParl endpoint")

// ErrIncomplete is returned when a list could not be read to its end; the
// next run continues where this one stopped.
var ErrIncomplete = errors.New("import incomplete: some lists failed (see problems); run again to continue")

// Options configure an import.
type Options struct {
	DB      *pgxpool.Pool
	Client  *http.Client  // nil: a client with a 60 s timeout
	Log     *slog.Logger  // nil: discard
	Retries int           // attempts per request; 0: 5
	Backoff time.Duration // first retry delay, doubling; 0: 500 ms
	Limit   int           // page size asked of lists; 0: the server's default
	Full    bool          // ignore earlier runs: read every list without modified_since
	// Docs receives the downloaded file blobs; nil: file metadata only
	// (it waits in import_files for a run with Docs).
	Docs *documents.Store
	// Files says when blobs are downloaded; "": FilesNow.
	Files FilesMode
	// Deadline bounds the whole run; what is left resumes with the next
	// run (objects) or stays pending (files). 0: none.
	Deadline    time.Duration
	FileWorkers int // concurrent downloads; 0: 8
	PerHost     int // concurrent downloads per host; 0: 4
	BreakAfter  int // consecutive failures after which a host is given up for the run; 0: 5
	FileRetries int // attempts per file URL; 0: 2 (a host that fails is given up anyway)
	// ReconcileLimit is the share of a kind's imported objects a full run
	// may mark deleted because the source's lists no longer contain them;
	// above it (and above 5 objects) nothing is deleted and the run says so.
	// 0: 0.1.
	ReconcileLimit float64
}

// Summary counts what a run did.
type Summary struct {
	Since     time.Time           // the modified_since of the run; zero for a full run
	Resumed   bool                // an interrupted run was continued
	Imported  map[string]int      // created or updated, per entity
	Unchanged map[string]int      // skipped as unchanged, per entity
	Deleted   map[string]int      // marked deleted, per entity
	Failed    map[string]int      // refused by the import stores (validation), per entity
	Problems  map[string]int      // per kind
	Examples  map[string][]string // up to three URLs per problem kind
	Files     FileCounts          // the file phase
	// Reconciled are the objects a full run marked deleted because the
	// source's complete lists no longer contain them, per entity.
	Reconciled map[string]int
	// Complete: every list was read to its end (the run is finished).
	Complete bool
}

// String renders the summary for people.
func (s *Summary) String() string {
	var b strings.Builder
	if s.Resumed {
		b.WriteString("resumed an interrupted run\n")
	}
	if !s.Since.IsZero() {
		fmt.Fprintf(&b, "incremental: modified since %s\n", s.Since.Format(time.RFC3339))
	}
	b.WriteString("objects:\n")
	for _, part := range []struct {
		name string
		m    map[string]int
	}{{"imported", s.Imported}, {"unchanged", s.Unchanged}, {"failed", s.Failed}, {"deleted", s.Deleted}} {
		fmt.Fprintf(&b, "  %-10s %s\n", part.name+":", counts(part.m))
	}
	fmt.Fprintf(&b, "reconcile:  deleted %s\n", counts(s.Reconciled))
	f := s.Files
	fmt.Fprintf(&b, "files:      downloaded %d, deleted %d, deferred %d, skipped %d, failed %d\n",
		f.Downloaded, f.Deleted, f.Deferred, f.Skipped, f.Failed)
	if len(f.GivenUp) > 0 {
		fmt.Fprintf(&b, "  hosts given up: %s\n", counts(f.GivenUp))
	}
	fmt.Fprintf(&b, "problems:   %s\n", counts(s.Problems))
	keys := make([]string, 0, len(s.Examples))
	for k := range s.Examples {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s, e.g. %s\n", k, strings.Join(s.Examples[k], ", "))
	}
	switch {
	case !s.Complete:
		b.WriteString("result:     incomplete; run again to continue\n")
	case s.filesPending():
		b.WriteString("result:     objects complete; files pending\n")
	default:
		b.WriteString("result:     complete\n")
	}
	return b.String()
}

func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// importer is one run.
type importer struct {
	opt Options
	log *slog.Logger
	mu  sync.Mutex // guards sum while files download concurrently
	// met are the URLs of every object met in this run (lists, embedded,
	// linked; also refused or deleted ones), for the reconciliation.
	met map[string]bool
	// listed are the entities whose Body list this run read.
	listed   map[string]bool
	council  *council.ImportStore
	meetings *meetings.ImportStore
	// done are the local ids of the objects handled in this run.
	done   map[string]string
	sum    *Summary
	runID  int64
	since  time.Time
	body   string // local id of the body being imported
	active map[string]bool
	// byLink are objects fetched because something linked them; seen are
	// those found in lists. byLink minus seen were absent from the lists.
	byLink, seen map[string]bool
	// orderBase is the first AgendaItem.order per meeting URL (0 or 1).
	orderBase map[string]int
	// incomplete is set when a list failed: the run stays unfinished and
	// the next invocation continues it.
	incomplete bool
}

// loggedPerKind is how many problems of one kind are logged one by one;
// the rest are counted and summarised at the end of the run with examples.
const loggedPerKind = 3

func (im *importer) problem(u, kind, detail string) {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.sum.Problems[kind]++
	if n := im.sum.Problems[kind]; n <= loggedPerKind {
		im.sum.Examples[kind] = append(im.sum.Examples[kind], u)
		im.log.Warn("oparl import problem", "url", u, "kind", kind, "detail", detail)
	}
}

// flushProblems logs one line per problem kind that occurred more often
// than it was logged.
func (im *importer) flushProblems() {
	im.mu.Lock()
	defer im.mu.Unlock()
	for kind, n := range im.sum.Problems {
		if n > loggedPerKind {
			im.log.Warn("oparl import problems (summarised)", "kind", kind, "count", n, "examples", im.sum.Examples[kind])
		}
	}
}

func newImporter(opt Options) *importer {
	if opt.Client == nil {
		opt.Client = &http.Client{Timeout: 60 * time.Second}
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Retries <= 0 {
		opt.Retries = 5
	}
	if opt.Backoff <= 0 {
		opt.Backoff = 500 * time.Millisecond
	}
	if opt.Files == "" {
		opt.Files = FilesNow
	}
	if opt.FileWorkers <= 0 {
		opt.FileWorkers = 8
	}
	if opt.PerHost <= 0 {
		opt.PerHost = 4
	}
	if opt.BreakAfter <= 0 {
		opt.BreakAfter = 5
	}
	if opt.FileRetries <= 0 {
		opt.FileRetries = 2
	}
	if opt.ReconcileLimit <= 0 {
		opt.ReconcileLimit = 0.1
	}
	return &importer{opt: opt, log: opt.Log,
		sum: &Summary{Imported: map[string]int{}, Unchanged: map[string]int{}, Deleted: map[string]int{}, Failed: map[string]int{}, Problems: map[string]int{},
			Examples: map[string][]string{}, Reconciled: map[string]int{}, Files: FileCounts{GivenUp: map[string]int{}}},
		met: map[string]bool{}, listed: map[string]bool{},
		council: council.NewImportStore(opt.DB), meetings: meetings.NewImportStore(opt.DB), done: map[string]string{},
		active: map[string]bool{}, byLink: map[string]bool{}, seen: map[string]bool{}, orderBase: map[string]int{}}
}

// system fetches and checks the System object and its body list.
func (im *importer) system(ctx context.Context, systemURL string) ([]obj, error) {
	if !validURL(systemURL) {
		return nil, fmt.Errorf("%w: %q is not an http(s) URL", ErrNotOParl, systemURL)
	}
	v, err := im.get(ctx, systemURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %s does not answer with JSON: %w", ErrNotOParl, systemURL, err)
	}
	m, _ := v.(map[string]any)
	if m == nil || typeName(m["type"]) != "System" || !strings.Contains(fmt.Sprint(m["type"]), "oparl") {
		return nil, fmt.Errorf("%w: %s is no OParl System object (type %v)", ErrNotOParl, systemURL, m["type"])
	}
	sys := obj{im: im, url: systemURL, m: m}
	bodyList := sys.link("body")
	if bodyList == "" {
		return nil, fmt.Errorf("%w: the System at %s has no body list", ErrNotOParl, systemURL)
	}
	var bodies []obj
	err = im.pages(ctx, bodyList, time.Time{}, "", func(items []obj, _ string) error {
		bodies = append(bodies, items...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: body list %s: %w", ErrNotOParl, bodyList, err)
	}
	return bodies, nil
}

// Check fetches the System at systemURL and its body list without
// touching a database; an error wraps ErrNotOParl when it is no OParl.
func Check(ctx context.Context, opt Options, systemURL string) error {
	_, err := newImporter(opt).system(ctx, systemURL)
	return err
}

// Run imports the OParl system at systemURL: the objects of every list
// (resumably), then, on a full run, the reconciliation, then the files
// (Options.Files). It returns the summary also with an error: ErrIncomplete
// (also on Ctrl-C or the deadline) when a list was not read to its end —
// the run stays unfinished and the next one resumes —, ErrFilesPending
// when the objects are complete but files are not.
func Run(ctx context.Context, opt Options, systemURL string) (*Summary, error) {
	im := newImporter(opt)
	defer im.flushProblems()
	if opt.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opt.Deadline)
		defer cancel()
	}
	bodies, err := im.system(ctx, systemURL)
	if err != nil {
		return im.sum, err
	}
	if err := im.startRun(ctx, systemURL); err != nil {
		return im.sum, err
	}
	for _, b := range bodies {
		if err := im.importBody(ctx, b); err != nil {
			if ctx.Err() != nil {
				return im.sum, fmt.Errorf("%w: %w", ErrIncomplete, context.Cause(ctx))
			}
			return im.sum, err
		}
	}
	for u := range im.byLink {
		if !im.seen[u] {
			im.problem(u, "absent-from-list", "linked but not in any list; fetched by its URL")
		}
	}
	if im.incomplete {
		return im.sum, ErrIncomplete
	}
	if im.since.IsZero() && !im.sum.Resumed {
		if err := im.reconcile(ctx, systemURL); err != nil {
			return im.sum, err
		}
	}
	if err := im.finishRun(ctx); err != nil {
		return im.sum, err
	}
	im.sum.Complete = true
	if im.opt.Docs != nil {
		if err := im.withFileLock(ctx, im.downloadFiles); err != nil {
			return im.sum, err
		}
	}
	if im.sum.Files.Deferred+im.sum.Files.Failed > 0 && im.opt.Files == FilesNow {
		return im.sum, ErrFilesPending
	}
	return im.sum, nil
}

// reconcile marks deleted what a full run's complete lists no longer
// contain: every object imported from this system before that was not met
// in this run. A kind where that would be more than Options.ReconcileLimit
// of its objects (and more than 5) is left alone and logged, so that a
// truncated list from a broken server does not wipe a city.
func (im *importer) reconcile(ctx context.Context, systemURL string) error {
	prefix := systemURL
	if u, err := url.Parse(systemURL); err == nil {
		prefix = u.Scheme + "://" + u.Host + "/"
	}
	// What embeds its children visits them even when it is unchanged, so
	// they are met whenever their parents' list was read; objects that are
	// only linked (locations of meetings) are met only through their own list.
	parents := map[string]string{"consultation": "paper", "agenda_item": "meeting", "membership": "person",
		"legislative_term": "body"}
	im.listed["body"] = true
	for _, entity := range []string{"consultation", "agenda_item", "membership", "paper", "meeting", "person",
		"organization", "legislative_term", "location"} {
		if !im.listed[entity] && !im.listed[parents[entity]] {
			continue
		}
		var live []string
		var err error
		if entity == "meeting" || entity == "agenda_item" {
			live, err = im.meetings.Imported(ctx, entity, prefix)
		} else {
			live, err = im.council.Imported(ctx, entity, prefix)
		}
		if err != nil {
			return dbError{err}
		}
		var gone []string
		for _, u := range live {
			if !im.met[u] {
				gone = append(gone, u)
			}
		}
		if len(gone) == 0 {
			continue
		}
		if len(gone) > 5 && float64(len(gone)) > im.opt.ReconcileLimit*float64(len(live)) {
			im.problem(gone[0], "reconcile-limit", fmt.Sprintf("%d of %d %s objects are no longer listed; more than %.0f%%, so none is deleted",
				len(gone), len(live), entity, im.opt.ReconcileLimit*100))
			continue
		}
		for _, u := range gone {
			before := im.sum.Deleted[entity]
			if err := im.deleteSource(ctx, council.ImportSource{URL: u}, entity); err != nil {
				return err
			}
			if im.sum.Deleted[entity] > before {
				im.sum.Reconciled[entity]++
			}
		}
		im.log.Info("oparl import: vanished objects marked deleted", "entity", entity, "count", im.sum.Reconciled[entity],
			"examples", gone[:min(3, len(gone))])
	}
	return nil
}

// withFilters adds modified_since and limit to u where they are missing;
// reports whether modified_since had to be added.
func (im *importer) withFilters(u string, since time.Time) (string, bool) {
	p, err := url.Parse(u)
	if err != nil {
		return u, false
	}
	q := p.Query()
	added := false
	if !since.IsZero() && q.Get("modified_since") == "" {
		q.Set("modified_since", since.UTC().Format(time.RFC3339))
		added = true
	}
	if im.opt.Limit > 0 && q.Get("limit") == "" {
		q.Set("limit", fmt.Sprint(im.opt.Limit))
	}
	p.RawQuery = q.Encode()
	return p.String(), added
}

// pages walks the list at listURL page by page, calling fn with the items
// of each page and the next page's URL ("" after the last). With a
// progress key, the walk starts where the last one stopped. Untyped
// entries get typ.
func (im *importer) pages(ctx context.Context, listURL string, since time.Time, typ string,
	fn func(items []obj, next string) error) error {
	u, _ := im.withFilters(listURL, since)
	visited := map[string]bool{}
	for u != "" {
		if visited[u] {
			im.problem(u, "next-loop", "the next link points at a page already read")
			return nil
		}
		visited[u] = true
		v, err := im.get(ctx, u)
		if errors.Is(err, errNotFound) {
			im.problem(u, "empty-list-404", "list answered 404; taken as empty")
			return fn(nil, "")
		}
		if err != nil {
			return err
		}
		var data []any
		next := ""
		switch x := v.(type) {
		case []any:
			im.problem(u, "bare-array", fmt.Sprintf("list answered a bare array of %d entries", len(x)))
			data = x
		case map[string]any:
			d, ok := x["data"].([]any)
			if !ok && x["data"] != nil {
				return fmt.Errorf("%s: data is %T, not a list", u, x["data"])
			}
			if !ok && typeName(x["type"]) != "" {
				return fmt.Errorf("%s: an object of type %v, not a list", u, x["type"])
			}
			data = d
			if l, _ := x["links"].(map[string]any); l != nil {
				next = (obj{im: im, url: u, m: l}).link("next")
			}
		default:
			return fmt.Errorf("%s: neither a list nor an object", u)
		}
		if next != "" {
			var added bool
			next, added = im.withFilters(next, since)
			if added {
				im.problem(u, "next-drops-filter", "the next link lost modified_since; added again")
			}
		}
		items := make([]obj, 0, len(data))
		for i, d := range data {
			m, _ := d.(map[string]any)
			if m == nil {
				im.problem(u, "bad-entry", fmt.Sprintf("entry %d is %T, not an object", i, d))
				continue
			}
			id, _ := m["id"].(string)
			if id == "" {
				id = fmt.Sprintf("%s#%d", u, i)
			}
			items = append(items, obj{im: im, url: id, m: m})
			if typ != "" && typeName(m["type"]) == "" {
				if del, _ := m["deleted"].(bool); del {
					im.problem(id, "deleted-untyped", "deleted entry without type in the list")
				} else {
					im.problem(id, "untyped", "entry without type in the list; taken as "+typ)
				}
				m["type"] = typ
			}
		}
		if err := fn(items, next); err != nil {
			return err
		}
		u = next
	}
	return nil
}

// list imports every object of a Body list, resumably.
func (im *importer) list(ctx context.Context, listURL, typ string) error {
	next, done, err := im.progress(ctx, listURL)
	if err != nil {
		return err
	}
	if done {
		return nil
	}
	start := listURL
	if next != "" {
		start = next
	}
	err = im.pages(ctx, start, im.since, typ, func(items []obj, next string) error {
		for _, o := range items {
			im.seen[o.url] = true
			if _, err := im.object(ctx, o, nil); err != nil {
				return err
			}
		}
		return im.saveProgress(ctx, listURL, next)
	})
	if err != nil && ctx.Err() == nil {
		// A list that keeps failing is reported; the run stays unfinished
		// only when the database or the context failed.
		if isDBError(err) {
			return err
		}
		im.problem(listURL, "list-failed", err.Error())
		im.incomplete = true
		return nil
	}
	return err
}

// dbError marks errors of our own database, which abort the run.
type dbError struct{ err error }

func (e dbError) Error() string { return e.err.Error() }
func (e dbError) Unwrap() error { return e.err }

func isDBError(err error) bool {
	var d dbError
	return errors.As(err, &d)
}
