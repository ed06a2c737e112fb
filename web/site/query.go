package site

import (
	"net/url"
	"strconv"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search"
)

// MaxPage is the highest ?page= of any list.
const MaxPage = 10000

// QueryPage parses ?page= (1 when absent). Errors: ErrInvalid.
func QueryPage(q url.Values) (int, error) {
	v := q.Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxPage {
		return 0, council.Invalidf("page must be a whole number from 1 to %d, not %q", MaxPage, v)
	}
	return n, nil
}

// SearchRequest reads the parameters. Errors: ErrInvalid.
func SearchRequest(q url.Values) (search.Request, error) {
	req := search.Request{Query: q.Get("q"), Status: q.Get("status"), Year: q.Get("year"), Sort: search.Sort(q.Get("sort"))}
	for _, t := range q["type"] {
		req.Types = append(req.Types, search.Type(t))
	}
	for _, o := range q["org"] {
		id, err := council.ParseID(o)
		if err != nil {
			return search.Request{}, council.Invalidf("org must be an organization id")
		}
		req.Orgs = append(req.Orgs, id)
	}
	if len(req.Orgs) > 20 || len(req.Types) > len(search.Types) {
		return search.Request{}, council.Invalidf("too many filters")
	}
	if p := q.Get("person"); p != "" {
		id, err := council.ParseID(p)
		if err != nil {
			return search.Request{}, council.Invalidf("person must be a person id")
		}
		req.Person = id
	}
	if p := q.Get("same"); p != "" {
		id, err := council.ParseID(p)
		if err != nil {
			return search.Request{}, council.Invalidf("same must be a paper id")
		}
		req.Same = id
	}
	if y := req.Year; y != "" {
		if n, err := strconv.Atoi(y); err != nil || n < 1900 || n > 2200 {
			return search.Request{}, council.Invalidf("year must be a year like 2026")
		}
	}
	for _, d := range []struct {
		key string
		to  *time.Time
	}{{"from", &req.From}, {"to", &req.To}} {
		if v := q.Get(d.key); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return search.Request{}, council.Invalidf("%s must be a date YYYY-MM-DD", d.key)
			}
			*d.to = t
		}
	}
	page, err := QueryPage(q)
	if err != nil {
		return search.Request{}, err
	}
	req.Page = page
	if pp := q.Get("per_page"); pp != "" {
		n, err := strconv.Atoi(pp)
		if err != nil || n < 1 || n > search.MaxPerPage {
			return search.Request{}, council.Invalidf("per_page must be between 1 and %d", search.MaxPerPage)
		}
		req.PerPage = n
	}
	return req, nil
}
