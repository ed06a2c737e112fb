package oparl

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
)

// Page sizes.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// entry is one object of a list with its position in (modified, id) order.
type entry struct {
	obj any
	cur council.Cursor
}

// view says how objects are rendered: alone (top level of a response,
// with back-references) or embedded; omit drops optional embedded objects
// (omit_internal).
type view struct {
	omit bool
}

// loader loads one page of a kind of object.
type loader func(ctx context.Context, q council.ListQuery, v view) ([]entry, int, error)

// kind is one OParl object type: its path segment, its list name under a
// Body ("" for Body itself) and its loader.
type kind struct {
	path string
	list string
	load loader
}

// listParams are the parsed query parameters of a list request.
type listParams struct {
	limit    int
	limitSet bool
	page     int
	after    council.Cursor
	since    [4]time.Time // created_since, created_until, modified_since, modified_until
	omit     bool
}

var filterNames = [4]string{"created_since", "created_until", "modified_since", "modified_until"}

// parseListParams parses a list's query string. Malformed values give
// errors wrapping council.ErrInvalid.
func parseListParams(raw string, loc *time.Location) (listParams, error) {
	lp := listParams{limit: defaultLimit, page: 1}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return lp, fmt.Errorf("%w: malformed query string: %w", council.ErrInvalid, err)
	}
	one := func(name string) (string, bool) {
		v, ok := vals[name]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[len(v)-1], true
	}
	if s, ok := one("limit"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return lp, fmt.Errorf("%w: limit must be a whole number from 1 to %d, not %q", council.ErrInvalid, maxLimit, s)
		}
		lp.limit, lp.limitSet = min(n, maxLimit), true
	}
	if s, ok := one("page"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1_000_000 {
			return lp, fmt.Errorf("%w: page must be a whole number from 1, not %q", council.ErrInvalid, s)
		}
		lp.page = n
	}
	if s, ok := one("after"); ok {
		c, err := parseCursor(s)
		if err != nil {
			return lp, err
		}
		lp.after = c
	}
	for i, name := range filterNames {
		if s, ok := one(name); ok {
			t, err := parseTime(s, loc)
			if err != nil {
				return lp, fmt.Errorf("%w: %s: %w", council.ErrInvalid, name, err)
			}
			lp.since[i] = t
		}
	}
	if s, ok := one("omit_internal"); ok {
		s = strings.ToLower(strings.TrimSpace(s))
		lp.omit = s != "false" && s != "0" && s != "no"
	}
	return lp, nil
}

// parseTime parses a date-time leniently: "T" or a space between date
// and time, "Z", "+hh:mm", "+hhmm" or "+hh" (a "+" decoded to a space
// included), fractional seconds, no seconds; without an offset the time
// is German local time, and a bare date is its midnight.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + strings.TrimLeft(s[11:], " ")
	}
	s = strings.ReplaceAll(s, " ", "+")
	for _, l := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05Z07",
		"2006-01-02T15:04Z07:00", "2006-01-02T15:04Z0700"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	for _, l := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date-time: %q (use e.g. 2024-05-01T10:00:00+02:00)", s)
}

// parseCursor reads "unixmicro_uuid".
func parseCursor(s string) (council.Cursor, error) {
	ts, id, ok := strings.Cut(strings.TrimSpace(s), "_")
	n, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil {
		return council.Cursor{}, fmt.Errorf("%w: malformed after %q", council.ErrInvalid, s)
	}
	uid, err := council.ParseID(id)
	if err != nil {
		return council.Cursor{}, fmt.Errorf("malformed after: %w", err)
	}
	return council.Cursor{Modified: time.UnixMicro(n), ID: uid}, nil
}

func formatCursor(c council.Cursor) string {
	return strconv.FormatInt(c.Modified.UnixMicro(), 10) + "_" + c.ID.String()
}

// link returns base with lp's filters, limit and omit_internal, the page
// number and, when after is set, the keyset cursor.
func (lp listParams) link(base string, page int, after *council.Cursor) string {
	v := url.Values{}
	if lp.limitSet {
		v.Set("limit", strconv.Itoa(lp.limit))
	}
	for i, name := range filterNames {
		if !lp.since[i].IsZero() {
			v.Set(name, lp.since[i].UTC().Format(time.RFC3339Nano))
		}
	}
	if lp.omit {
		v.Set("omit_internal", "true")
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if after != nil {
		v.Set("after", formatCursor(*after))
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

func (lp listParams) query() council.ListQuery {
	q := council.ListQuery{CreatedSince: lp.since[0], CreatedUntil: lp.since[1], ModifiedSince: lp.since[2],
		ModifiedUntil: lp.since[3], After: lp.after, Limit: lp.limit + 1, Count: true}
	// Deleted objects appear in lists only for incremental clients.
	q.Deleted = !lp.since[2].IsZero()
	if lp.after.IsZero() {
		q.Offset = (lp.page - 1) * lp.limit
	}
	return q
}

// list answers a list of kind k: the Body list, or a list of one Body.
func (h *Handler) list(k kind) handlerFunc {
	return func(r *http.Request) (any, error) {
		ctx := r.Context()
		lp, err := parseListParams(r.URL.RawQuery, h.berlin)
		if err != nil {
			return nil, err
		}
		q := lp.query()
		base := h.u.bodies()
		if k.list != "" {
			bodyID, err := council.ParseID(chi.URLParam(r, "body"))
			if err != nil {
				return nil, err
			}
			bodies, _, err := h.opt.Council.OParlBodies(ctx, council.ListQuery{ID: bodyID, Limit: 1})
			if err != nil {
				return nil, err
			}
			if len(bodies) == 0 {
				return nil, fmt.Errorf("%w: no body %s", council.ErrNotFound, bodyID)
			}
			q.Body, base = bodyID, h.u.list(bodyID, k.list)
		}
		entries, total, err := k.load(ctx, q, view{omit: lp.omit})
		if err != nil {
			return nil, err
		}
		more := len(entries) > lp.limit
		if more {
			entries = entries[:lp.limit]
		}
		out := list{Data: make([]any, len(entries))}
		for i, e := range entries {
			out.Data[i] = e.obj
		}
		pages := max(1, (total+lp.limit-1)/lp.limit)
		out.Pagination = pagination{TotalElements: total, ElementsPerPage: lp.limit, CurrentPage: lp.page, TotalPages: pages}
		var self *council.Cursor
		if !lp.after.IsZero() {
			self = &lp.after
		}
		out.Links = links{First: lp.link(base, 1, nil), Self: lp.link(base, lp.page, self), Last: lp.link(base, pages, nil)}
		if lp.page > 1 {
			out.Links.Prev = lp.link(base, lp.page-1, nil)
		}
		if more {
			last := entries[len(entries)-1].cur
			out.Links.Next = lp.link(base, lp.page+1, &last)
		}
		return out, nil
	}
}

// object answers the object of kind k with the id in the URL: a tombstone
// when it is deleted, 404 when it is unknown or not public.
func (h *Handler) object(k kind) handlerFunc {
	return func(r *http.Request) (any, error) {
		id, err := council.ParseID(chi.URLParam(r, "id"))
		if err != nil {
			return nil, err
		}
		// The nil UUID is no object: as an id filter it means "none", and
		// the query would answer the first object of the list (issue 14).
		if id == council.NilID {
			return nil, fmt.Errorf("%w: no %s %s", council.ErrNotFound, k.path, id)
		}
		entries, _, err := k.load(r.Context(), council.ListQuery{ID: id, Deleted: true, Limit: 1}, view{})
		if err != nil {
			return nil, err
		}
		// Only the object asked for answers: an entry with another id
		// (a loader that ignored the filter) is a 404, never someone else.
		if len(entries) == 0 || entries[0].cur.ID != id {
			return nil, fmt.Errorf("%w: no %s %s", council.ErrNotFound, k.path, id)
		}
		return entries[0].obj, nil
	}
}

func (h *Handler) tomb(typ, path string, id council.ID, m council.Meta) entry {
	return entry{obj: tombstone{ID: h.u.api(path, id.String()), Type: typ, Created: h.dateTime(m.Created),
		Modified: h.dateTime(m.Modified), Deleted: true}, cur: council.Cursor{Modified: m.Modified, ID: id}}
}
