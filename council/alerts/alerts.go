package alerts

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
)

// Kind is what a follow follows.
type Kind string

// Kinds of follow.
const (
	Organization   Kind = "organization"
	Paper          Kind = "paper"
	Person         Kind = "person"
	Implementation Kind = "implementation"
	Search         Kind = "search"
)

// Kinds lists every kind of follow.
var Kinds = []Kind{Organization, Paper, Person, Implementation, Search}

// Frequency is how often a follow's digest is prepared.
type Frequency string

// Frequencies of digests.
const (
	Instant Frequency = "instant" // every run (a few minutes)
	Daily   Frequency = "daily"
	Weekly  Frequency = "weekly"
)

// Frequencies lists every frequency, the default (Daily) second.
var Frequencies = []Frequency{Instant, Daily, Weekly}

// ParseFrequency returns f as a Frequency, or ErrInvalid.
func ParseFrequency(f string) (Frequency, error) {
	if !slices.Contains(Frequencies, Frequency(f)) {
		return "", fmt.Errorf("%w: frequency %q", council.ErrInvalid, f)
	}
	return Frequency(f), nil
}

// ParseKind returns k as a Kind, or ErrInvalid.
func ParseKind(k string) (Kind, error) {
	if !slices.Contains(Kinds, Kind(k)) {
		return "", fmt.Errorf("%w: follow kind %q", council.ErrInvalid, k)
	}
	return Kind(k), nil
}

// InstantSlot is the length of an instant period: the digest job runs at
// least this often.
const InstantSlot = 5 * time.Minute

// Period names the digest period of f that contains now, in German time:
// "2026-12-07T10:05" (instant, a five-minute slot), "2026-12-07" (daily),
// "2026-W49" (weekly, ISO week). A follow gets at most one digest per
// period.
func Period(f Frequency, now time.Time) string {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	t := now.In(loc)
	switch f {
	case Instant:
		return t.Truncate(InstantSlot).Format("2006-01-02T15:04")
	case Weekly:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	default:
		return t.Format("2006-01-02")
	}
}

// Follow is one thing a user follows.
type Follow struct {
	ID        council.ID
	UserID    council.ID
	Kind      Kind
	TargetID  council.ID // NilID for a saved search
	Query     string     // a saved search: the normalised search parameters
	Label     string     // what the account page and the digest call it
	Frequency Frequency
	Created   time.Time
}

// Path is the page of what f follows (a saved search: its results).
func (f Follow) Path() string {
	switch f.Kind {
	case Organization:
		return "/bodies/" + f.TargetID.String()
	case Paper:
		return "/papers/" + f.TargetID.String()
	case Person:
		return "/persons/" + f.TargetID.String()
	case Implementation:
		return "/beschlusskontrolle"
	default:
		return "/search?" + f.Query
	}
}

// List is the mail list of f's digests: unsubscribing from one digest
// (one click, without login) stops that follow's mail only.
func (f Follow) List() string { return ListPrefix + f.ID.String() }

// ListPrefix starts the mail list of every follow.
const ListPrefix = "alert-"

// searchParams are the parameters of the portal search a saved search
// keeps (the page, the order and the language are not part of it).
var searchParams = []string{"q", "type", "org", "person", "status", "year", "from", "to"}

// maxQuery bounds a saved search (the column allows 2,000 characters).
const maxQuery = 1000

// NormalizeQuery keeps of the search parameters q those that define the
// results, sorted, so that the same search saved twice is one follow. It
// returns the encoded query and its label (the words, or "" when the
// search has none). Errors: ErrInvalid for an empty or too long search.
func NormalizeQuery(q url.Values) (query, label string, err error) {
	keep := url.Values{}
	for _, k := range searchParams {
		for _, v := range q[k] {
			if v = strings.TrimSpace(v); v != "" {
				keep.Add(k, v)
			}
		}
		slices.Sort(keep[k])
	}
	query = keep.Encode()
	if query == "" || len(query) > maxQuery {
		return "", "", fmt.Errorf("%w: a saved search needs words or filters (at most %d characters)", council.ErrInvalid, maxQuery)
	}
	return query, keep.Get("q"), nil
}

// Target is a document a saved search finds: its search type (paper,
// meeting, agenda_item, person, organization, file) and id.
type Target struct {
	Kind string
	ID   council.ID
}

// Matcher evaluates saved searches for the public: the newest documents
// (at most limit) that query finds. Position is the outbox id up to which
// its index is current: a digest never reads news the index has not seen,
// so a new paper is matched once it is indexed, never skipped.
type Matcher interface {
	Match(ctx context.Context, query url.Values, limit int) ([]Target, error)
	Position(ctx context.Context) (int64, error)
}

// matchLimit is how many of a saved search's newest hits are matched
// against the news.
const matchLimit = 100

// Item is one piece of public news: a changed object and what of the
// follows it concerns.
type Item struct {
	FollowID council.ID
	Entity   string // paper, meeting, agenda_item, minutes, implementation, file, person, membership
	EntityID council.ID
	Title    string
	Path     string // its public page
	At       time.Time
}
