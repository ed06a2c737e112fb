package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
)

// A matter is a paper with what belongs to it: the agenda items it was
// consulted in and the files attached to it or to those items. A search
// shows one result per matter (Page.Collapse in scorch.Collect): the
// paper, with the meetings that consulted it and the file that matched
// (Hit.Consulted, Hit.Match). Doc.Matter holds the paper's index id.

// loadForIndex is load with the documents' matters set, the repeated
// page headers and footers of files' texts dropped (onceEach), the
// names of persons and organizations as their text, and committees'
// spoken names in the titles of the committees and their meetings
// (withSpokenNames), for the index.
func loadForIndex(ctx context.Context, db council.DBTX, zone *time.Location, t Type, ids []council.ID) (loaded, error) {
	l, err := load(ctx, db, zone, t, ids, IndexTextLimit)
	if err != nil {
		return l, err
	}
	switch t {
	case TypeFile:
		for i := range l.docs {
			l.docs[i].Text = onceEach(l.docs[i].Text)
		}
	case TypePerson, TypeOrganization:
		// A name is all such a document says; as its text too, it
		// matches a name query in both fields (docMapping).
		for i := range l.docs {
			l.docs[i].Title = withSpokenNames(l.docs[i].Title)
			l.docs[i].Text = l.docs[i].Title
			if t == TypePerson {
				l.docs[i].Name = l.docs[i].Title
			}
		}
	case TypeMeeting:
		for i := range l.docs {
			l.docs[i].Title = withSpokenNames(l.docs[i].Title)
		}
	}
	return l, setMatters(ctx, db, l.docs)
}

// onceEach returns text without the lines that repeat an earlier line,
// digits aside: the running headers and footers of extracted pages
// ("Haushalt 2025 – Stadt Musterstadt", "Seite 3 von 12"), which would
// otherwise count once per page and rank a long file above the paper
// whose title is the query. Lines shorter than minRepeatLine runes stay.
func onceEach(text string) string {
	if strings.Count(text, "\n") < 2 {
		return text
	}
	seen := map[string]bool{}
	var b strings.Builder
	b.Grow(len(text))
	for line := range strings.Lines(text) {
		key := strings.Join(strings.Fields(strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '#'
			}
			return r
		}, line)), " ")
		if utf8.RuneCountInString(key) >= minRepeatLine {
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		b.WriteString(line)
	}
	return b.String()
}

// minRepeatLine is the length from which a repeated line counts as a
// header or footer.
const minRepeatLine = 8

// setMatters fills Matter and Group of docs: a paper is its own matter;
// an agenda item belongs to the paper consulted in it; a file to the
// paper it is attached to, or to the matter of its agenda item. Meetings,
// persons, organizations and a meeting's files belong to none. Group is
// the matter's sameTitle key (see there).
func setMatters(ctx context.Context, db council.DBTX, docs []Doc) error {
	var items []string
	for i, d := range docs {
		switch d.Type {
		case TypePaper:
			docs[i].Matter = d.ID
		case TypeAgendaItem:
			items = append(items, strings.TrimPrefix(d.ID, string(TypeAgendaItem)+"/"))
		case TypeFile:
			if t, id, ok := parseDocID(d.Parent); ok && t == TypePaper {
				docs[i].Matter = d.Parent
			} else if ok && t == TypeAgendaItem {
				items = append(items, id.String())
			}
		}
	}
	if len(items) > 0 {
		paperOf, err := itemPapers(ctx, db, items)
		if err != nil {
			return err
		}
		for i, d := range docs {
			switch {
			case d.Type == TypeAgendaItem:
				docs[i].Matter = paperOf[d.ID]
			case d.Type == TypeFile && docs[i].Matter == "":
				docs[i].Matter = paperOf[d.Parent]
			}
		}
	}
	return setGroups(ctx, db, docs)
}

// A search shows identically titled papers as one result too: a motion
// filed again every winter, a report per year or per company under one
// title would otherwise fill a page with the same line ("Kältebus im
// Winter 2024/25" four times). The result is the best of them, with the
// others listed under it (Hit.Same). Doc.Group is the key the collector
// folds by: "t:" and the title of the matter's paper, lower case with
// its spaces folded, when that paper is public; "m:" and the matter
// otherwise, so that nothing folds by the title of a paper the public
// may not see; "" for a document of no matter (its own group).

// setGroups fills Group of docs from their Matter and, for matters not
// among docs, the papers read from db.
func setGroups(ctx context.Context, db council.DBTX, docs []Doc) error {
	type paper struct {
		title  string
		public bool
	}
	papers := map[string]paper{}
	var missing []string
	for _, d := range docs {
		if d.Type == TypePaper {
			papers[d.ID] = paper{d.Title, d.Vis == VisPublic}
		}
	}
	for _, d := range docs {
		if _, ok := papers[d.Matter]; d.Matter != "" && !ok {
			if _, id, ok := parseDocID(d.Matter); ok {
				missing = append(missing, id.String())
				papers[d.Matter] = paper{}
			}
		}
	}
	if len(missing) > 0 {
		rows, err := db.Query(ctx, `SELECT p.id::text, p.name, paper_audience(p) = 'public' FROM papers p WHERE p.id::text = ANY($1)`, missing)
		if err != nil {
			return fmt.Errorf("matters: %w", council.TranslateError(err))
		}
		defer rows.Close()
		for rows.Next() {
			var id, title string
			var public bool
			if err := rows.Scan(&id, &title, &public); err != nil {
				return fmt.Errorf("matters: %w", err)
			}
			papers[string(TypePaper)+"/"+id] = paper{clean(title), public}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("matters: %w", council.TranslateError(err))
		}
	}
	for i, d := range docs {
		if d.Matter == "" {
			continue
		}
		if p := papers[d.Matter]; p.public && p.title != "" {
			docs[i].Group = sameTitle(p.title)
		} else {
			docs[i].Group = "m:" + d.Matter
		}
	}
	return nil
}

// TitleGroup is the group key (Doc.Group) of a public paper titled
// title and of its agenda items and files.
func TitleGroup(title string) string { return sameTitle(title) }

// sameTitle is the group key of a public paper titled title.
func sameTitle(title string) string {
	return "t:" + strings.ToLower(strings.Join(strings.Fields(title), " "))
}

// itemPapers returns, by agenda item index id, the index id of the paper
// consulted in each of items (agenda item ids); the first consultation
// when there are several.
func itemPapers(ctx context.Context, db council.DBTX, items []string) (map[string]string, error) {
	rows, err := db.Query(ctx, `SELECT DISTINCT ON (agenda_item_id) agenda_item_id::text, paper_id::text
		FROM consultations WHERE agenda_item_id::text = ANY($1) AND NOT deleted
		ORDER BY agenda_item_id, position, id`, items)
	if err != nil {
		return nil, fmt.Errorf("matters: %w", council.TranslateError(err))
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var item, paper string
		if err := rows.Scan(&item, &paper); err != nil {
			return nil, fmt.Errorf("matters: %w", err)
		}
		out[string(TypeAgendaItem)+"/"+item] = string(TypePaper) + "/" + paper
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("matters: %w", council.TranslateError(err))
	}
	return out, nil
}

// asMatter returns the hit that stands for h's matter: the matter's paper
// with h as its Match, when h is an agenda item or a file of a matter;
// h otherwise. The paper's title is h's until recheck reads the paper.
func (h Hit) asMatter() Hit {
	t, id, ok := parseDocID(h.matter)
	if !ok || t != TypePaper || (h.Type == TypePaper && h.ID == id) {
		return h
	}
	m := h
	return Hit{Type: TypePaper, ID: id, Title: h.Title, Date: h.Date, matter: h.matter, group: h.group, papersAlike: h.papersAlike, Match: &m, SomeWords: h.SomeWords}
}

// consultations returns, by paper, the meetings that consulted papers
// whose agenda items v may see, oldest first.
func (s *Searcher) consultations(ctx context.Context, v council.Viewer, papers []council.ID) (map[council.ID][]Consulted, error) {
	if len(papers) == 0 {
		return nil, nil
	}
	rows, err := s.db.Query(ctx, `SELECT DISTINCT paper_id, agenda_item_id FROM consultations
		WHERE paper_id = ANY($1) AND agenda_item_id IS NOT NULL AND NOT deleted`, papers)
	if err != nil {
		return nil, fmt.Errorf("consultations: %w", council.TranslateError(err))
	}
	paperOf := map[council.ID]council.ID{}
	var items []council.ID
	for rows.Next() {
		var paper, item council.ID
		if err := rows.Scan(&paper, &item); err != nil {
			rows.Close()
			return nil, fmt.Errorf("consultations: %w", err)
		}
		paperOf[item] = paper
		items = append(items, item)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("consultations: %w", council.TranslateError(err))
	}
	if len(items) == 0 {
		return nil, nil
	}
	li, err := load(ctx, s.db, s.ix.zone, TypeAgendaItem, items, 1)
	if err != nil {
		return nil, err
	}
	var meetings []council.ID
	var shown []Doc
	for _, d := range li.docs {
		if m, err := council.ParseID(d.Parent); err == nil && visible(v, d) {
			meetings = append(meetings, m)
			shown = append(shown, d)
		}
	}
	lm, err := load(ctx, s.db, s.ix.zone, TypeMeeting, meetings, 1)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	for _, d := range lm.docs {
		titles[strings.TrimPrefix(d.ID, string(TypeMeeting)+"/")] = d.Title
	}
	out := map[council.ID][]Consulted{}
	for _, d := range shown {
		_, item, _ := parseDocID(d.ID)
		mid, _ := council.ParseID(d.Parent)
		title, ok := titles[d.Parent]
		if !ok {
			continue // the meeting is gone
		}
		p := paperOf[item]
		out[p] = append(out[p], Consulted{MeetingID: mid, ItemID: item, Title: title, Date: d.Date})
	}
	for _, cs := range out {
		slices.SortFunc(cs, func(a, b Consulted) int { return a.Date.Compare(b.Date) })
	}
	return out, nil
}
