package search

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
)

// loaded is the current state of some entities: documents to (re)index
// and ids of documents to delete (gone or deleted in PostgreSQL).
type loaded struct {
	docs    []Doc
	deletes []string
	cut     []council.ID // documents whose text reached the load's textLimit
}

// IndexTextLimit is how many characters of a document's text the index
// reads and analyses: 1 Mi characters, about 400 pages of council prose
// and the largest file text of the benchmark corpus (docs/BENCHMARKS.md,
// "Full-text search": file text max 1.0 MB), so real documents are indexed
// whole. German analysis runs at about 1.2 MB/s here, so one document
// costs the indexer about a second and a bounded amount of memory, however
// much text is stored: a file of 200 M characters stalled the outbox for
// minutes and took 5 GB before this limit. What lies beyond it is not
// searchable; the indexer logs each document it cuts.
const IndexTextLimit = 1 << 20

// DocID is the index id of entity id of type t: "<type>/<uuid>".
func DocID(t Type, id council.ID) string { return string(t) + "/" + id.String() }

// parseDocID splits an index id. ok is false for a malformed id.
func parseDocID(s string) (Type, council.ID, bool) {
	t, rest, ok := strings.Cut(s, "/")
	if !ok || !Type(t).Valid() {
		return "", council.NilID, false
	}
	id, err := council.ParseID(rest)
	if err != nil {
		return "", council.NilID, false
	}
	return Type(t), id, true
}

// load reads entities of type t from db: those in ids, or all when ids is
// nil. Ids that no longer exist become deletes. Years are civil years in
// zone (Germany's; see berlin).
//
// textLimit > 0 cuts the text to that many characters in PostgreSQL
// (substr reads only the needed slice of a long stored value): the
// re-check of a page of hits needs the start of each text for its
// snippet, not a file's whole megabyte; indexing reads IndexTextLimit.
// 0 reads the whole text. Documents whose text reaches textLimit are
// listed in cut.
//
// Each document's vis is the database's decision
// (migrations/sql/00011_visibility.sql): paper_audience,
// agenda_item_audience, file_visibility; meetings, persons and
// organizations are public.
func load(ctx context.Context, db council.DBTX, zone *time.Location, t Type, ids []council.ID, textLimit int) (loaded, error) {
	if t == TypeFile {
		return loadFiles(ctx, db, zone, ids, textLimit)
	}
	var q string
	switch t {
	case TypePaper:
		q = `SELECT p.id, p.name, ` + limitText("p.text", textLimit) + `, coalesce(p.reference, ''), p.status, paper_audience(p), p.deleted,
			coalesce(p.date::timestamptz, p.created),
			coalesce(ARRAY(SELECT DISTINCT c.organization_id::text FROM consultations c WHERE c.paper_id = p.id AND NOT c.deleted), '{}'),
			coalesce(ARRAY(SELECT o.person_id::text FROM paper_originators o WHERE o.paper_id = p.id AND o.person_id IS NOT NULL), '{}'),
			''
			FROM papers p`
	case TypeAgendaItem:
		q = `SELECT i.id, i.name, concat_ws(E'\n', nullif(i.result, ''), nullif(i.resolution_text, '')), '', '', agenda_item_audience(i, m),
			i.deleted OR m.deleted, m.start_at,
			coalesce(ARRAY(SELECT mo.organization_id::text FROM meeting_organizations mo WHERE mo.meeting_id = m.id), '{}'),
			'{}'::text[], m.id::text
			FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id`
	case TypeMeeting:
		q = `SELECT m.id, m.name, '', '', '', 'public', m.deleted, m.start_at,
			coalesce(ARRAY(SELECT mo.organization_id::text FROM meeting_organizations mo WHERE mo.meeting_id = m.id), '{}'),
			'{}'::text[], ''
			FROM meetings m`
	case TypePerson:
		q = `SELECT p.id, concat_ws(' ', nullif(p.title, ''), nullif(p.given_name, ''), p.family_name, nullif(p.affix, '')),
			'', '', '', 'public', p.deleted, NULL::timestamptz,
			coalesce(ARRAY(SELECT DISTINCT ms.organization_id::text FROM memberships ms WHERE ms.person_id = p.id AND NOT ms.deleted), '{}'),
			'{}'::text[], ''
			FROM persons p`
	case TypeOrganization:
		q = `SELECT o.id, o.name || CASE WHEN o.short_name <> '' THEN ' (' || o.short_name || ')' ELSE '' END,
			'', '', '', 'public', o.deleted, NULL::timestamptz, ARRAY[o.id::text], '{}'::text[], ''
			FROM organizations o`
	default:
		return loaded{}, fmt.Errorf("load %s: %w", t, council.ErrInvalid)
	}
	alias := strings.Fields(q[strings.LastIndex(q, "FROM"):])[2]
	var args []any
	if ids != nil {
		q += " WHERE " + alias + ".id = ANY($1)"
		args = append(args, ids)
	}
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return loaded{}, fmt.Errorf("load %s: %w", t, council.TranslateError(err))
	}
	var out loaded
	seen := map[council.ID]bool{}
	defer rows.Close()
	for rows.Next() {
		var (
			id                       council.ID
			title, text, ref, status string
			vis                      string
			gone                     bool
			at                       *time.Time
			orgs, persons            []string
			extra                    string
		)
		if err := rows.Scan(&id, &title, &text, &ref, &status, &vis, &gone, &at, &orgs, &persons, &extra); err != nil {
			return loaded{}, fmt.Errorf("load %s: %w", t, err)
		}
		seen[id] = true
		d := Doc{ID: DocID(t, id), Type: t, Title: clean(title), Text: clean(text), Reference: ref,
			Status: status, Orgs: orgs, Persons: persons, Vis: vis}
		if at != nil {
			d.Date = at.UTC()
			d.Year = strconv.Itoa(at.In(zone).Year())
		}
		if t == TypeAgendaItem {
			d.Parent = extra
		}
		if t == TypeMeeting && at != nil {
			d.Text = meetingDate(at.In(zone))
		}
		if gone {
			out.deletes = append(out.deletes, d.ID)
			continue
		}
		out.add(d, id, text, textLimit)
	}
	if err := rows.Err(); err != nil {
		return loaded{}, fmt.Errorf("load %s: %w", t, council.TranslateError(err))
	}
	for _, id := range ids {
		if !seen[id] {
			out.deletes = append(out.deletes, DocID(t, id))
		}
	}
	return out, nil
}

// meetingDate is a meeting's text: its day as people type it when they
// look for one meeting of a body ("Sozialausschuss 04.03.2025",
// "Ortschaftsrat Wiesenhof Dezember 2025"), in the numeric and the
// spelt-out German form.
func meetingDate(at time.Time) string {
	return fmt.Sprintf("%02d.%02d.%d %d. %s %d", at.Day(), int(at.Month()), at.Year(), at.Day(), germanMonths[at.Month()-1], at.Year())
}

var germanMonths = [...]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
	"September", "Oktober", "November", "Dezember"}

// fileQuery reads files with what decides their visibility, with the
// rule documents.Store.Access uses for the portal (the view
// file_visibility, migrations/sql/00011_visibility.sql): public when
// published and nothing it is attached to is deleted; otherwise members of
// its orgs and staff see it. The parent shown is the first link (file_links: a paper,
// else an agenda item, else a meeting). A file replaced by a newer version
// (which the portal lists instead) counts as gone. The date is the
// file's, else the parent's.
func fileQuery(textLimit int) string {
	return `SELECT f.id, CASE WHEN btrim(f.name) <> '' THEN f.name ELSE f.file_name END, coalesce(` + limitText("f.text", textLimit) + `, ''),
	v.public_unless_deleted,
	f.deleted OR EXISTS (SELECT 1 FROM files d WHERE d.master_id = f.id AND NOT d.deleted),
	coalesce(f.date::timestamptz, l.at, f.created),
	v.orgs::text[],
	coalesce(l.parent, ''), coalesce(l.meeting, '')
	FROM files f JOIN file_visibility v ON v.file_id = f.id LEFT JOIN LATERAL (
		SELECT x.parent, x.meeting, x.at FROM file_links x WHERE x.file_id = f.id ORDER BY x.rank, x.parent LIMIT 1
	) l ON true`
}

// loadFiles is load for TypeFile.
func loadFiles(ctx context.Context, db council.DBTX, zone *time.Location, ids []council.ID, textLimit int) (loaded, error) {
	q, args := fileQuery(textLimit), []any{}
	if ids != nil {
		q += " WHERE f.id = ANY($1)"
		args = append(args, ids)
	}
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return loaded{}, fmt.Errorf("load files: %w", council.TranslateError(err))
	}
	defer rows.Close()
	var out loaded
	seen := map[council.ID]bool{}
	for rows.Next() {
		var (
			id                           council.ID
			title, text, parent, meeting string
			public, gone                 bool
			at                           time.Time
			orgs                         []string
		)
		if err := rows.Scan(&id, &title, &text, &public, &gone, &at, &orgs, &parent, &meeting); err != nil {
			return loaded{}, fmt.Errorf("load files: %w", err)
		}
		seen[id] = true
		d := Doc{ID: DocID(TypeFile, id), Type: TypeFile, Title: clean(title), Text: clean(text), Orgs: orgs,
			Date: at.UTC(), Year: strconv.Itoa(at.In(zone).Year()), Vis: VisPublic, Parent: parent, Meeting: meeting}
		if !public {
			d.Vis = VisMembers
		}
		if gone {
			out.deletes = append(out.deletes, d.ID)
			continue
		}
		out.add(d, id, text, textLimit)
	}
	if err := rows.Err(); err != nil {
		return loaded{}, fmt.Errorf("load files: %w", council.TranslateError(err))
	}
	for _, id := range ids {
		if !seen[id] {
			out.deletes = append(out.deletes, DocID(TypeFile, id))
		}
	}
	return out, nil
}

// add adds d, the document of entity id, noting whether its text (as
// read) reached textLimit characters.
func (l *loaded) add(d Doc, id council.ID, text string, textLimit int) {
	l.docs = append(l.docs, d)
	if textLimit > 0 && len(text) >= textLimit && utf8.RuneCountInString(text) >= textLimit {
		l.cut = append(l.cut, id)
	}
}

// clean replaces control characters and invalid UTF-8 with spaces.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\uFFFD' || (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
}

// berlin is the zone of the civil dates facets count by. It reads the
// zone database: an Index loads it once when it opens, Rebuild once per
// rebuild, never per document.
func berlin() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.UTC
	}
	return loc
}

// limitText is the SQL expression expr cut to limit characters; limit 0:
// expr itself.
func limitText(expr string, limit int) string {
	if limit <= 0 {
		return expr
	}
	return "substr(" + expr + ", 1, " + strconv.Itoa(limit) + ")"
}
