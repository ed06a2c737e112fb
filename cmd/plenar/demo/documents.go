package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os/exec"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plenar/plenar/migrations"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
)

// The demo city's documents: every paper gets its text as a generated
// PDF (its main file), some get attachments (a cost breakdown, a site
// plan, a few scanned letters as PNG or JPEG for OCR), every meeting whose
// invitation went out has its invitation PDF and every meeting that took
// place its minutes. They are rendered from the database by the same
// renderers and stored through the same documents.Store.Upload as the
// clerks' uploads and publishing, so text extraction and the search index
// pick them up as usual.
//
// SeedDocuments runs after Seed, outside its transaction (storing some
// 4,100 files takes about two minutes on two cores, so serve --demo runs
// it in the background while it serves; newest first, so the pages a
// visitor sees first have their files within seconds). It only adds what is missing, so
// an interrupted run resumes where it stopped; it touches only the demo
// city's body (demoWebsite) and only papers and meetings written by Seed
// (created in its transaction, at the body's creation time), never
// anything a user added later.

// demoWebsite identifies the demo city's body.
const demoWebsite = "https://www.musterstadt.example"

// DocOptions tune SeedDocuments.
type DocOptions struct {
	Workers int       // documents rendered at once; 0: GOMAXPROCS
	Scans   int       // scanned letters (images for OCR); 0: 6; negative: none
	Now     time.Time // minutes are dated at most Now; zero: time.Now()
}

// DocCounts are the files SeedDocuments stored.
type DocCounts struct {
	Papers, Tables, Plans, Scans, Invitations, Minutes int
}

// Files is the number of files stored.
func (c DocCounts) Files() int {
	return c.Papers + c.Tables + c.Plans + c.Scans + c.Invitations + c.Minutes
}

// ErrNoPDFTools means poppler's pdfinfo is missing, which checks every
// PDF that is stored (Store.Upload).
var ErrNoPDFTools = errors.New("pdfinfo is not installed (Debian package poppler-utils); " +
	"every stored PDF is checked with it, so the demo city gets no documents")

// docKind is what a documents job makes.
type docKind int

const (
	docPaper docKind = iota
	docInvitation
	docMinutes
)

// docJob is one paper's or meeting's missing documents.
type docJob struct {
	kind docKind
	id   council.ID
	at   time.Time // the paper's date, the meeting's start: newest first
}

// docSeeder holds what the workers share.
type docSeeder struct {
	db    *pgxpool.Pool
	cs    *council.Store
	ms    *meetings.Store
	fs    *documents.Store
	r     *documents.Renderer
	fonts *fonts
	now   time.Time
	scans map[council.ID]int // paper → number of its scan (0, 1, …)

	mu     sync.Mutex
	counts DocCounts
}

// SeedDocuments stores the demo city's missing documents in fs (see the
// comment at the top of this file) and reports what it stored. It does
// nothing when the database holds no demo city. It stops at the first
// failure, keeping what it stored. Errors: ErrNoPDFTools, missing fonts,
// database and store errors.
func SeedDocuments(ctx context.Context, pool *pgxpool.Pool, fs *documents.Store, log *slog.Logger, opts DocOptions) (DocCounts, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Scans == 0 {
		opts.Scans = 6
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	cs := council.NewStore(pool)
	body, err := cs.MainBody(ctx)
	if errors.Is(err, council.ErrNotFound) {
		return DocCounts{}, nil
	}
	if err != nil {
		return DocCounts{}, fmt.Errorf("demo documents: %w", err)
	}
	if body.Website != demoWebsite {
		log.Info("demo documents: the database holds no demo city; nothing to do")
		return DocCounts{}, nil
	}
	s := &docSeeder{db: pool, cs: cs, ms: meetings.NewStore(pool), fs: fs, now: opts.Now}
	if s.scans, err = scanPapers(ctx, pool, body, opts.Scans); err != nil {
		return DocCounts{}, fmt.Errorf("demo documents: %w", err)
	}
	jobs, err := s.jobs(ctx, pool, body)
	if err != nil {
		return DocCounts{}, fmt.Errorf("demo documents: %w", err)
	}
	if len(jobs) == 0 {
		return DocCounts{}, nil
	}
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		return DocCounts{}, fmt.Errorf("demo documents: %w", ErrNoPDFTools)
	}
	if s.r, err = documents.NewRenderer(""); err != nil {
		return DocCounts{}, fmt.Errorf("demo documents: %w", err)
	}
	if s.fonts, err = loadFonts(""); err != nil {
		return DocCounts{}, fmt.Errorf("demo documents: %w", err)
	}
	log.Info("demo documents: rendering", "papers_and_meetings", len(jobs), "workers", opts.Workers)
	start := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan docJob)
	var wg sync.WaitGroup
	var done atomic.Int64
	for range opts.Workers {
		wg.Go(func() {
			for j := range work {
				if err := s.do(ctx, j); err != nil {
					cancel(err)
					return
				}
				if n := done.Add(1); n%500 == 0 {
					log.Info("demo documents: progress", "done", n, "of", len(jobs),
						"duration", time.Since(start).Round(time.Millisecond))
				}
			}
		})
	}
feed:
	for _, j := range jobs {
		select {
		case work <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	s.mu.Lock()
	counts := s.counts
	s.mu.Unlock()
	if err := context.Cause(ctx); err != nil {
		return counts, fmt.Errorf("demo documents: %w", err)
	}
	log.Info("demo documents: stored", "files", counts.Files(), "duration", time.Since(start).Round(time.Millisecond),
		"papers", counts.Papers, "tables", counts.Tables, "plans", counts.Plans, "scans", counts.Scans,
		"invitations", counts.Invitations, "minutes", counts.Minutes)
	if err := migrations.Analyze(ctx, pool, log); err != nil { // thousands of new file rows
		return counts, fmt.Errorf("demo documents: %w", err)
	}
	return counts, nil
}

// jobs lists the papers and meetings of the demo seed that lack a
// document, newest first. A document counts as there when a file is
// linked in its role (for attachments: under its file name), deleted or
// not: what a user deleted stays deleted.
func (s *docSeeder) jobs(ctx context.Context, pool *pgxpool.Pool, body council.Body) ([]docJob, error) {
	rows, err := pool.Query(ctx, `
		SELECT p.id, coalesce(p.date::timestamptz, p.created), p.paper_type, coalesce(p.reference, ''), p.name, p.text,
			EXISTS (SELECT 1 FROM paper_files l WHERE l.paper_id = p.id AND l.role = 'main'),
			coalesce((SELECT array_agg(f.file_name) FROM paper_files l JOIN files f ON f.id = l.file_id
				WHERE l.paper_id = p.id AND l.role <> 'main'), '{}')
		FROM papers p WHERE p.body_id = $1 AND p.created = $2 AND NOT p.deleted`, body.ID, body.Created)
	if err != nil {
		return nil, fmt.Errorf("list missing documents: %w", council.TranslateError(err))
	}
	var jobs []docJob
	for rows.Next() {
		var p council.Paper
		var at time.Time
		var hasMain bool
		var names []string
		if err := rows.Scan(&p.ID, &at, &p.Type, &p.Reference, &p.Name, &p.Text, &hasMain, &names); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list missing documents: %w", err)
		}
		if !hasMain || len(s.missing(p, names)) > 0 {
			jobs = append(jobs, docJob{kind: docPaper, id: p.ID, at: at})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list missing documents: %w", err)
	}
	rows, err = pool.Query(ctx, `
		SELECT 1, m.id, m.start_at FROM meetings m
		WHERE m.body_id = $1 AND m.created = $2 AND agenda_public(m)
		  AND NOT EXISTS (SELECT 1 FROM meeting_files l WHERE l.meeting_id = m.id AND l.role = 'invitation')
		UNION ALL
		SELECT 2, m.id, m.start_at FROM meetings m
		WHERE m.body_id = $1 AND m.created = $2 AND NOT m.deleted AND m.state = 'closed' AND NOT m.cancelled
		  AND NOT EXISTS (SELECT 1 FROM meeting_files l WHERE l.meeting_id = m.id AND l.role = 'results_protocol')`,
		body.ID, body.Created)
	if err != nil {
		return nil, fmt.Errorf("list missing documents: %w", council.TranslateError(err))
	}
	more, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (docJob, error) {
		var j docJob
		return j, r.Scan(&j.kind, &j.id, &j.at)
	})
	if err != nil {
		return nil, fmt.Errorf("list missing documents: %w", err)
	}
	jobs = append(jobs, more...)
	sort.SliceStable(jobs, func(a, b int) bool {
		if !jobs[a].at.Equal(jobs[b].at) {
			return jobs[a].at.After(jobs[b].at)
		}
		return jobs[a].kind < jobs[b].kind
	})
	return jobs, nil
}

// missing returns the attachments of p whose file names are not in have.
func (s *docSeeder) missing(p council.Paper, have []string) []attachment {
	var out []attachment
	for _, a := range s.attachments(p) {
		if !slices.Contains(have, a.fileName) {
			out = append(out, a)
		}
	}
	return out
}

// scanPapers picks the papers that get a scanned letter: the n newest
// public, submitted citizens' motions, then motions. The choice depends
// only on the seed, so a resumed run picks the same papers.
func scanPapers(ctx context.Context, pool *pgxpool.Pool, body council.Body, n int) (map[council.ID]int, error) {
	out := map[council.ID]int{}
	if n <= 0 {
		return out, nil
	}
	rows, err := pool.Query(ctx, `SELECT id FROM papers p
		WHERE body_id = $1 AND created = $2 AND paper_public(p)
		  AND paper_type IN ('citizens_motion', 'motion')
		ORDER BY paper_type = 'citizens_motion' DESC, date DESC, reference LIMIT $3`, body.ID, body.Created, n)
	if err != nil {
		return nil, fmt.Errorf("pick papers for scans: %w", council.TranslateError(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[council.ID])
	if err != nil {
		return nil, fmt.Errorf("pick papers for scans: %w", err)
	}
	for i, id := range ids {
		out[id] = i
	}
	return out, nil
}

func (s *docSeeder) do(ctx context.Context, j docJob) error {
	switch j.kind {
	case docPaper:
		return s.paper(ctx, j.id)
	case docInvitation:
		return s.invitation(ctx, j.id)
	default:
		return s.minutes(ctx, j.id)
	}
}

func (s *docSeeder) count(f func(c *DocCounts)) {
	s.mu.Lock()
	f(&s.counts)
	s.mu.Unlock()
}

// paper stores the paper's main file and then its attachments, those
// that are missing.
func (s *docSeeder) paper(ctx context.Context, id council.ID) error {
	p, err := s.cs.Paper(ctx, id)
	if err != nil {
		return err
	}
	var hasMain bool
	var have []string
	err = s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM paper_files l WHERE l.paper_id = $1 AND l.role = 'main'),
		coalesce((SELECT array_agg(f.file_name) FROM paper_files l JOIN files f ON f.id = l.file_id
			WHERE l.paper_id = $1 AND l.role <> 'main'), '{}')`, id).Scan(&hasMain, &have)
	if err != nil {
		return fmt.Errorf("files of paper %s: %w", id, council.TranslateError(err))
	}
	if !hasMain {
		at := p.Date
		if at.IsZero() {
			at = p.Created
		}
		if _, err := documents.PublishPaper(ctx, s.cs, s.ms, s.fs, id, at); err != nil {
			return err
		}
		s.count(func(c *DocCounts) { c.Papers++ })
	}
	missing := s.missing(p, have)
	if len(missing) == 0 {
		return nil
	}
	var lead string
	if p.LeadOrgID != council.NilID {
		org, err := s.cs.Organization(ctx, p.LeadOrgID)
		if err != nil {
			return err
		}
		lead = org.Name
	}
	for _, a := range missing {
		b, err := a.make(lead)
		if err != nil {
			return fmt.Errorf("paper %s: %s: %w", p.Reference, a.fileName, err)
		}
		f := documents.File{Name: a.name, FileName: a.fileName, Date: p.Date, Public: p.Public}
		if _, err := s.fs.Upload(ctx, bytes.NewReader(b), f, []documents.Link{{Kind: documents.LinkPaper, ID: id,
			Role: documents.RoleAuxiliary}}); err != nil {
			return fmt.Errorf("paper %s: %s: %w", p.Reference, a.fileName, err)
		}
		s.count(a.count)
	}
	return nil
}

func (s *docSeeder) invitation(ctx context.Context, id council.ID) error {
	m, err := s.ms.Meeting(ctx, id)
	if err != nil {
		return err
	}
	at := m.InvitedAt
	if at.IsZero() {
		at = m.Start.AddDate(0, 0, -inviteLead)
	}
	if _, err := documents.PublishInvitation(ctx, s.cs, s.ms, s.fs, id, at); err != nil {
		return err
	}
	s.count(func(c *DocCounts) { c.Invitations++ })
	return nil
}

// minutes publishes a past meeting's minutes as its results protocol.
// Minutes approved in Plenar (the sessions held live, polls.go) are
// published from their frozen public version; a draft is not published;
// the other past meetings, from before the city used Plenar's live
// sessions, get minutes as the old system kept them: the agenda with its
// results and the attendance of the members of the meeting's bodies on
// its day (about one in ten excused).
func (s *docSeeder) minutes(ctx context.Context, id council.ID) error {
	m, err := s.ms.Meeting(ctx, id)
	if err != nil {
		return err
	}
	st, err := s.ms.MinutesStatus(ctx, id)
	if err != nil {
		return err
	}
	var rec meetings.MinutesRecord
	switch {
	case st.State == meetings.MinutesApproved:
		if rec, err = s.ms.PublicMinutes(ctx, id); err != nil {
			return err
		}
	case s.heldLive(ctx, id):
		return nil // a draft is not published
	default:
		if rec, err = s.legacyMinutes(ctx, m); err != nil {
			return err
		}
	}
	at := m.Start.AddDate(0, 0, 7)
	if !st.ApprovedAt.IsZero() {
		at = st.ApprovedAt
	}
	if at.After(s.now) {
		at = s.now
	}
	r, err := documents.NewRenderer("")
	if err != nil {
		return err
	}
	if _, err := documents.PublishMinutes(ctx, s.fs, r, rec, at); err != nil {
		return err
	}
	s.count(func(c *DocCounts) { c.Minutes++ })
	return nil
}

// heldLive reports whether meeting id ran as a live session.
func (s *docSeeder) heldLive(ctx context.Context, id council.ID) bool {
	var n int
	_ = s.db.QueryRow(ctx, `SELECT count(*) FROM live_sessions WHERE meeting_id = $1`, id).Scan(&n)
	return n > 0
}

// legacyMinutes composes the public minutes of a past meeting that did not
// run live: its agenda with results, and who of its bodies' members
// attended.
func (s *docSeeder) legacyMinutes(ctx context.Context, m meetings.Meeting) (meetings.MinutesRecord, error) {
	rec := meetings.MinutesRecord{MeetingID: m.ID, Meeting: m.Name, Start: m.Start, End: m.End, State: meetings.MinutesApproved, ForMembers: true}
	var orgs []string
	for _, org := range m.Organizations {
		o, err := s.cs.Organization(ctx, org)
		if err != nil {
			return rec, err
		}
		orgs = append(orgs, o.Name)
		seats, err := s.cs.Members(ctx, org, m.Start)
		if err != nil {
			return rec, err
		}
		for _, st := range seats {
			if !st.Substitute && hashOf(m.Name+st.Person.Name())%10 != 0 {
				rec.Present = append(rec.Present, st.Person.Name())
			}
		}
	}
	rec.Body = strings.Join(orgs, ", ")
	if b, err := s.cs.Body(ctx, m.BodyID); err == nil {
		rec.City = b.Name
	}
	items, err := s.ms.AgendaItems(ctx, m.ID)
	if err != nil {
		return rec, err
	}
	for _, it := range items {
		rec.Items = append(rec.Items, meetings.MinutesRecItem{ItemID: it.ID, Number: it.Number, Title: it.Name, Public: it.Public,
			PaperReference: it.PaperReference, PaperPublic: it.PaperPublic, Result: it.Result, ResolutionText: it.ResolutionText})
	}
	return rec.Public(), nil
}

// paperHash seeds a paper's attachments: the same paper always gets the
// same ones.
func paperHash(p council.Paper) uint64 { return hashOf(p.Reference + "\x00" + p.Name) }

func hashOf(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func containsFold(s, sub string) bool { return strings.Contains(strings.ToLower(s), sub) }

func pickString(h uint64, xs []string) string { return xs[h%uint64(len(xs))] }
