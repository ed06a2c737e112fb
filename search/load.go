package search

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
)

// loaded is the current state of some entities: documents to (re)index
// and ids of documents to delete (gone or deleted in PostgreSQL).
type loaded struct {
	docs    []Doc
	deletes []string
}

// docID is the index id of entity id of type t.
func docID(t Type, id council.ID) string { return string(t) + "/" + id.String() }

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
// nil. Ids that no longer exist become deletes.
func load(ctx context.Context, db council.DBTX, t Type, ids []council.ID) (loaded, error) {
	var q string
	switch t {
	case TypePaper:
		q = `SELECT p.id, p.name, p.text, coalesce(p.reference, ''), p.status, p.public, p.deleted,
			coalesce(p.date::timestamptz, p.created),
			coalesce(ARRAY(SELECT DISTINCT c.organization_id::text FROM consultations c WHERE c.paper_id = p.id AND NOT c.deleted), '{}'),
			coalesce(ARRAY(SELECT o.person_id::text FROM paper_originators o WHERE o.paper_id = p.id AND o.person_id IS NOT NULL), '{}'),
			''
			FROM papers p`
	case TypeAgendaItem:
		q = `SELECT i.id, i.name, concat_ws(E'\n', nullif(i.result, ''), nullif(i.resolution_text, '')), '', m.state, i.public,
			i.deleted OR m.deleted, m.start_at,
			coalesce(ARRAY(SELECT mo.organization_id::text FROM meeting_organizations mo WHERE mo.meeting_id = m.id), '{}'),
			'{}'::text[], m.id::text
			FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id`
	case TypeMeeting:
		q = `SELECT m.id, m.name, '', '', m.state, true, m.deleted, m.start_at,
			coalesce(ARRAY(SELECT mo.organization_id::text FROM meeting_organizations mo WHERE mo.meeting_id = m.id), '{}'),
			'{}'::text[], ''
			FROM meetings m`
	case TypePerson:
		q = `SELECT p.id, concat_ws(' ', nullif(p.title, ''), nullif(p.given_name, ''), p.family_name, nullif(p.affix, '')),
			'', '', '', true, p.deleted, NULL::timestamptz,
			coalesce(ARRAY(SELECT DISTINCT ms.organization_id::text FROM memberships ms WHERE ms.person_id = p.id AND NOT ms.deleted), '{}'),
			'{}'::text[], ''
			FROM persons p`
	case TypeOrganization:
		q = `SELECT o.id, o.name || CASE WHEN o.short_name <> '' THEN ' (' || o.short_name || ')' ELSE '' END,
			'', '', o.kind, true, o.deleted, NULL::timestamptz, ARRAY[o.id::text], '{}'::text[], ''
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
			public, gone             bool
			at                       *time.Time
			orgs, persons            []string
			extra                    string
		)
		if err := rows.Scan(&id, &title, &text, &ref, &status, &public, &gone, &at, &orgs, &persons, &extra); err != nil {
			return loaded{}, fmt.Errorf("load %s: %w", t, err)
		}
		seen[id] = true
		d := Doc{ID: docID(t, id), Type: t, Title: clean(title), Text: clean(text), Reference: ref,
			Status: status, Orgs: orgs, Persons: persons, Vis: visPublic}
		if at != nil {
			d.Date = at.UTC()
			d.Year = strconv.Itoa(at.In(berlin()).Year())
		}
		switch {
		case t == TypeAgendaItem:
			d.Parent, d.Status = extra, ""
			if status == "planned" { // the agenda is not published yet
				d.Vis = visStaff
			}
		case t == TypePaper && status == string(council.StatusDraft):
			d.Vis = visStaff
		case t == TypeMeeting || t == TypeOrganization:
			d.Status = ""
		}
		if !public && d.Vis == visPublic {
			d.Vis = visMembers
		}
		if gone {
			out.deletes = append(out.deletes, d.ID)
			continue
		}
		out.docs = append(out.docs, d)
	}
	if err := rows.Err(); err != nil {
		return loaded{}, fmt.Errorf("load %s: %w", t, council.TranslateError(err))
	}
	for _, id := range ids {
		if !seen[id] {
			out.deletes = append(out.deletes, docID(t, id))
		}
	}
	return out, nil
}

// clean replaces control characters (which the highlighter uses as
// markers) and invalid UTF-8 with spaces.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\uFFFD' || (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
}

// berlin is the zone of the civil dates facets count by.
func berlin() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.UTC
	}
	return loc
}
