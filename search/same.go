package search

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search/internal/scorch"
)

// Identically titled public papers are one result (setGroups); the
// result is the best of them and lists the others: Hit.Same, the newest
// MaxSame of them, and Hit.SameTotal, how many there are in all.
// Request.Same lists them all.

// MaxSame is how many identically titled papers a result lists.
const MaxSame = 5

// Same is a paper with the same title as the result that lists it.
type Same struct {
	ID        council.ID
	Reference string
	Date      time.Time // the paper's date, a civil date
}

// URL is the path of the paper's page.
func (s Same) URL() string { return "/papers/" + s.ID.String() }

// sameOnPage notes, for each paper of hits that stands for identically
// titled papers (group "t:…", and more than one of them matched), the
// newest MaxSame (Request.SameLimit) others v may see with
// the filters of req and how many there are (Hit.sameIDs, Hit.sameN),
// as the index has them; sameTitled re-reads them.
func (x *Index) sameOnPage(ctx context.Context, bi bleve.Index, v council.Viewer, req Request, hits []Hit) error {
	for i, h := range hits {
		if h.Type != TypePaper || !strings.HasPrefix(h.group, "t:") || h.papersAlike < 2 {
			continue // no other paper of its title matched
		}
		limit := MaxSame
		if req.SameLimit > 0 {
			limit = min(req.SameLimit, MaxPerPage)
		}
		f, err := x.sameGroup(ctx, bi, v, req, h.group, limit+1)
		if err != nil {
			return err
		}
		for _, dm := range f.Hits {
			if _, id, ok := parseDocID(dm.ID); ok && id != h.ID && len(hits[i].sameIDs) < limit {
				hits[i].sameIDs = append(hits[i].sameIDs, id)
			}
		}
		hits[i].sameN = max(f.Total-1, len(hits[i].sameIDs))
	}
	return nil
}

// sameTitled fills Same and SameTotal of hits from what sameOnPage
// noted: the papers re-read from PostgreSQL, those v may no longer see or
// whose title changed since they were indexed dropped.
func (s *Searcher) sameTitled(ctx context.Context, v council.Viewer, hits []Hit) error {
	var all []council.ID
	for _, h := range hits {
		all = append(all, h.sameIDs...)
	}
	if len(all) == 0 {
		return nil
	}
	l, err := load(ctx, s.db, s.ix.zone, TypePaper, all, 1)
	if err != nil {
		return err
	}
	current := map[council.ID]Doc{}
	for _, d := range l.docs {
		if _, id, ok := parseDocID(d.ID); ok && visible(v, d) {
			current[id] = d
		}
	}
	for i, h := range hits {
		if h.Type != TypePaper || len(h.sameIDs) == 0 {
			continue
		}
		key := sameTitle(h.Title)
		dropped := 0
		for _, id := range h.sameIDs {
			d, ok := current[id]
			if !ok || sameTitle(d.Title) != key {
				dropped++
				continue
			}
			hits[i].Same = append(hits[i].Same, Same{ID: id, Reference: d.Reference, Date: d.Date})
		}
		if len(hits[i].Same) > 0 {
			hits[i].SameTotal = h.sameN - dropped
		}
	}
	return nil
}

// sameGroup collects the papers of group key that v may see with the
// filters of req, newest first: size of them and the total.
func (x *Index) sameGroup(ctx context.Context, bi bleve.Index, v council.Viewer, req Request, key string, size int) (*scorch.Found, error) {
	filter, publicOnly, err := x.viewerFilter(v, req)
	if err != nil {
		return nil, err
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(bleve.NewConjunctionQuery(kwTerm("group", key), kwTerm("type", string(TypePaper))))
	if filter != nil {
		bq.AddFilter(filter)
	}
	ctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	f, err := scorch.Collect(ctx, bi, x.segs, bq, scorch.Page{Order: scorch.Newest, Size: size, PublicOnly: publicOnly})
	if err != nil {
		return nil, fmt.Errorf("same titles: %w", err)
	}
	return f, nil
}

// sameFilter is the filter of Request.Same: the papers with the title of
// paper id, when it is public; council.ErrNotFound otherwise (a paper
// the public may not see has no such list).
func (s *Searcher) sameFilter(ctx context.Context, id council.ID) (query.Query, error) {
	var title string
	var public bool
	err := s.db.QueryRow(ctx, `SELECT p.name, paper_audience(p) = 'public' FROM papers p WHERE p.id = $1 AND NOT p.deleted`, id).Scan(&title, &public)
	if err != nil {
		return nil, fmt.Errorf("same titles: %w", council.TranslateError(err))
	}
	if !public {
		return nil, fmt.Errorf("same titles: %w", council.ErrNotFound)
	}
	return bleve.NewConjunctionQuery(kwTerm("group", sameTitle(clean(title))), kwTerm("type", string(TypePaper))), nil
}
