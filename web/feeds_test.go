package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// fetch GETs path anonymously and returns status, Content-Type and body.
func (e *testEnv) fetch(t *testing.T, path string) (int, string, string) {
	t.Helper()
	resp, err := e.anon().Get(e.ts.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", path, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// mustFetch is fetch that requires 200 and a Content-Type starting with ct.
func (e *testEnv) mustFetch(t *testing.T, path, ct string) string {
	t.Helper()
	status, got, body := e.fetch(t, path)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200\n%s", path, status, body)
	}
	if !strings.HasPrefix(got, ct) {
		t.Errorf("GET %s: Content-Type %q, want %q…", path, got, ct)
	}
	return body
}

// feedSpecial is a meeting name with every character iCalendar escapes,
// umlauts, and enough length to be folded.
const feedSpecial = "Sondersitzung; Haushalt, Teil 1 \\ Nachtrag – Überörtliche Prüfung der Jahresabschlüsse 2024 und 2025 mit Äußerungen"

// feedFixture is the portal fixture plus a meeting with a hard name and
// papers whose names a spreadsheet would run as formulas.
type feedFixture struct {
	portalFixture
	special  meetings.Meeting
	formulas []council.Paper
}

func newFeedFixture(t *testing.T, e *testEnv) feedFixture {
	t.Helper()
	ctx := context.Background()
	f := feedFixture{portalFixture: newPortalFixture(t, e)}
	start := time.Date(2026, 7, 14, 17, 30, 0, 0, site.Berlin) // summer time: +02:00
	f.special = must(e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: feedSpecial, Start: start,
		End: start.Add(90 * time.Minute), Organizations: []council.ID{f.committee.ID}}))(t)
	for _, name := range []string{"=HYPERLINK(\"http://evil.example\",\"x\")", "+SUM(1,2)", "-2+3", "@cmd"} {
		p := must(e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: name, Type: council.PaperInquiry,
			Public: true, Text: "=1+1"}))(t)
		f.formulas = append(f.formulas, must(e.council.Submit(ctx, p.ID, time.Now()))(t))
	}
	// Implementation records: the public paper's (its non-public follow-up
	// must not show) and the non-public paper's (its office is secret).
	im := must(e.council.SaveImplementation(ctx, council.Implementation{PaperID: f.publicPaper.ID, Office: "Grünflächenamt",
		Due: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)}, time.Now()))(t)
	must(e.council.AddImplementationNote(ctx, im.ID, council.ImplementationNote{Date: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Text: "Bäume bestellt"}))(t)
	if err := e.council.LinkFollowUp(ctx, im.ID, f.hiddenPaper.ID); err != nil {
		t.Fatal(err)
	}
	must(e.council.SaveImplementation(ctx, council.Implementation{PaperID: f.hiddenPaper.ID, Office: "Amt " + secretMarker}, time.Now()))(t)
	return f
}

// secrets are strings that must never appear in a feed or dump.
func (f feedFixture) secrets() []string {
	return []string{secretMarker, secretPaper, plannedItem, memberEmail, memberPhone, f.hiddenPaper.Reference,
		f.hiddenPaper.ID.String(), "Personalsache", "Vergabe an Firma"}
}

// icsLines checks the physical form of an iCalendar text (CRLF only, no
// line over 75 octets, folds never split a UTF-8 sequence) and returns the
// unfolded content lines.
func icsLines(t *testing.T, text string) []string {
	t.Helper()
	if strings.Contains(strings.ReplaceAll(text, "\r\n", ""), "\n") {
		t.Error("ics: a bare LF outside CRLF")
	}
	if !strings.HasSuffix(text, "\r\n") {
		t.Error("ics: does not end with CRLF")
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.Index(data, []byte("\r\n")); i >= 0 {
			return i + 2, data[:i], nil
		}
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		return 0, nil, nil
	})
	for sc.Scan() {
		l := sc.Text()
		if len(l) > 75 {
			t.Errorf("ics: line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("ics: a fold split a UTF-8 sequence: %q", l)
		}
		if strings.HasPrefix(l, " ") && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// icsEvent is a VEVENT as properties: name (with parameters) → value.
type icsEvent map[string]string

// icsEvents parses the VEVENTs of a calendar and checks that every BEGIN
// has its END.
func icsEvents(t *testing.T, lines []string) []icsEvent {
	t.Helper()
	var out []icsEvent
	var stack []string
	var cur icsEvent
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Errorf("ics: content line without colon: %q", l)
			continue
		}
		switch name {
		case "BEGIN":
			stack = append(stack, value)
			if value == "VEVENT" {
				cur = icsEvent{}
			}
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Fatalf("ics: END:%s does not close %v", value, stack)
			}
			stack = stack[:len(stack)-1]
			if value == "VEVENT" {
				out = append(out, cur)
				cur = nil
			}
		default:
			if cur != nil {
				cur[name] = value
			}
		}
	}
	if len(stack) != 0 {
		t.Errorf("ics: unclosed %v", stack)
	}
	return out
}

// icsUnescape reverses TEXT escaping.
func icsUnescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\;`, `;`, `\,`, `,`, `\n`, "\n", `\N`, "\n").Replace(s)
}

func TestFeedICS(t *testing.T) {
	e := newTestEnv(t)
	f := newFeedFixture(t, e)
	body := e.mustFetch(t, "/meetings.ics", "text/calendar")
	lines := icsLines(t, body)
	if len(lines) < 3 || lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Fatalf("ics: not a VCALENDAR: %q … %q", lines[0], lines[len(lines)-1])
	}
	mustContain(t, "ics", strings.Join(lines, "\n"), "VERSION:2.0", "PRODID:", "BEGIN:VTIMEZONE", "TZID:Europe/Berlin")
	mustNotContain(t, "ics", body, f.secrets()...)

	events := icsEvents(t, lines)
	if len(events) != 5 {
		t.Fatalf("ics: %d events, want 5 (invited, planned, past, cancelled, special)", len(events))
	}
	byUID := map[string]icsEvent{}
	for _, ev := range events {
		for _, p := range []string{"UID", "DTSTAMP", "DTSTART;TZID=Europe/Berlin", "SUMMARY", "URL", "STATUS"} {
			if ev[p] == "" {
				t.Errorf("ics event %q: missing %s", ev["SUMMARY"], p)
			}
		}
		if _, err := time.Parse("20060102T150405Z", ev["DTSTAMP"]); err != nil {
			t.Errorf("ics event %q: DTSTAMP %q: %v", ev["SUMMARY"], ev["DTSTAMP"], err)
		}
		byUID[ev["UID"]] = ev
	}
	uid := func(m meetings.Meeting) icsEvent {
		t.Helper()
		ev, ok := byUID[m.ID.String()+"@plenar.test"]
		if !ok {
			t.Fatalf("ics: no event with UID %s@plenar.test", m.ID)
		}
		return ev
	}
	if got := uid(f.cancelled)["STATUS"]; got != "CANCELLED" {
		t.Errorf("cancelled meeting: STATUS %q, want CANCELLED", got)
	}
	if got := uid(f.invited)["STATUS"]; got != "CONFIRMED" {
		t.Errorf("invited meeting: STATUS %q, want CONFIRMED", got)
	}
	if got := uid(f.planned)["STATUS"]; got != "TENTATIVE" {
		t.Errorf("planned meeting: STATUS %q, want TENTATIVE", got)
	}
	sp := uid(f.special)
	if got := icsUnescape(sp["SUMMARY"]); got != feedSpecial {
		t.Errorf("special SUMMARY unescaped = %q, want %q", got, feedSpecial)
	}
	if !strings.Contains(sp["SUMMARY"], `Sondersitzung\; Haushalt\, Teil 1 \\ Nachtrag`) {
		t.Errorf("special SUMMARY not escaped: %q", sp["SUMMARY"])
	}
	if sp["DTSTART;TZID=Europe/Berlin"] != "20260714T173000" || sp["DTEND;TZID=Europe/Berlin"] != "20260714T190000" {
		t.Errorf("special times: %q – %q, want 20260714T173000 – 20260714T190000",
			sp["DTSTART;TZID=Europe/Berlin"], sp["DTEND;TZID=Europe/Berlin"])
	}
	inv := uid(f.invited)
	if got := icsUnescape(inv["LOCATION"]); got != "Rathaus, Ratssaal, Musterstadt" {
		t.Errorf("invited LOCATION = %q", got)
	}
	desc := icsUnescape(inv["DESCRIPTION"])
	mustContain(t, "invited DESCRIPTION", desc, "Ö 1 Mehr Bäume am Marktplatz", "Stadtrat Musterstadt", "http://plenar.test/meetings/"+f.invited.ID.String())
	mustNotContain(t, "invited DESCRIPTION", desc, "N 1", "Nichtöffentlich")
	if inv["URL"] != "http://plenar.test/meetings/"+f.invited.ID.String() {
		t.Errorf("invited URL = %q", inv["URL"])
	}

	// Per body: the committee has only the special meeting.
	lines = icsLines(t, e.mustFetch(t, "/bodies/"+f.committee.ID.String()+"/meetings.ics", "text/calendar"))
	if evs := icsEvents(t, lines); len(evs) != 1 || evs[0]["UID"] != f.special.ID.String()+"@plenar.test" {
		t.Errorf("committee calendar: %d events, want only the special meeting", len(evs))
	}
	if status, _, _ := e.fetch(t, "/bodies/"+council.NewID().String()+"/meetings.ics"); status != http.StatusNotFound {
		t.Errorf("unknown body calendar: status %d, want 404", status)
	}
	if status, _, _ := e.fetch(t, "/bodies/nope/meetings.ics"); status != http.StatusBadRequest {
		t.Errorf("malformed body id: status %d, want 400", status)
	}
}

// atomDoc is what the tests read of an Atom document.
type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Author  string `xml:"author>name"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Links   []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Summary string `xml:"summary"`
		Content string `xml:"content"`
	} `xml:"entry"`
}

func parseAtom(t *testing.T, what, body string) atomDoc {
	t.Helper()
	var doc atomDoc
	if err := xml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("%s: not Atom XML: %v\n%s", what, err, body)
	}
	if !strings.HasPrefix(doc.ID, "tag:plenar.test,") {
		t.Errorf("%s: feed id %q, want a tag: URI", what, doc.ID)
	}
	if _, err := time.Parse(time.RFC3339, doc.Updated); err != nil {
		t.Errorf("%s: updated %q: %v", what, doc.Updated, err)
	}
	if doc.Title == "" || doc.Author == "" {
		t.Errorf("%s: title %q, author %q: both required", what, doc.Title, doc.Author)
	}
	self := false
	for _, l := range doc.Links {
		self = self || l.Rel == "self"
	}
	if !self {
		t.Errorf("%s: no rel=self link", what)
	}
	seen := map[string]bool{}
	for _, en := range doc.Entries {
		if !strings.HasPrefix(en.ID, "urn:uuid:") || seen[en.ID] {
			t.Errorf("%s: entry id %q: want a unique urn:uuid", what, en.ID)
		}
		seen[en.ID] = true
		if _, err := time.Parse(time.RFC3339, en.Updated); err != nil {
			t.Errorf("%s: entry %q updated %q: %v", what, en.Title, en.Updated, err)
		}
		if len(en.Links) == 0 || !strings.HasPrefix(en.Links[0].Href, "http://plenar.test/") {
			t.Errorf("%s: entry %q without an absolute link", what, en.Title)
		}
	}
	return doc
}

func (d atomDoc) titles() string {
	var b strings.Builder
	for _, en := range d.Entries {
		b.WriteString(en.Title + "\n" + en.Summary + "\n" + en.Content + "\n")
	}
	return b.String()
}

func TestFeedAtom(t *testing.T) {
	e := newTestEnv(t)
	f := newFeedFixture(t, e)

	body := e.mustFetch(t, "/papers.atom", "application/atom+xml")
	mustNotContain(t, "papers.atom", body, f.secrets()...)
	doc := parseAtom(t, "papers.atom", body)
	mustContain(t, "papers.atom", doc.titles(), f.publicPaper.Reference+": Mehr Bäume am Marktplatz", "Der Rat möge beschließen.",
		`=HYPERLINK("http://evil.example","x")`)
	if len(doc.Entries) != 6 {
		t.Errorf("papers.atom: %d entries, want 6 (public, private path, 4 formulas)", len(doc.Entries))
	}
	mustContain(t, "papers.atom raw", body, "&#34;http://evil.example&#34;")

	body = e.mustFetch(t, "/decisions.atom", "application/atom+xml")
	mustNotContain(t, "decisions.atom", body, f.secrets()...)
	doc = parseAtom(t, "decisions.atom", body)
	if len(doc.Entries) != 1 {
		t.Fatalf("decisions.atom: %d entries, want 1", len(doc.Entries))
	}
	mustContain(t, "decisions.atom", doc.titles(), "Mehr Bäume am Marktplatz", "einstimmig beschlossen", "12. Sitzung des Stadtrates")

	body = e.mustFetch(t, "/bodies/"+f.council.ID.String()+"/feed.atom?lang=en", "application/atom+xml")
	mustNotContain(t, "body feed", body, f.secrets()...)
	doc = parseAtom(t, "body feed", body)
	if len(doc.Entries) != 5 {
		t.Errorf("body feed: %d entries, want 5 (4 meetings, 1 decision)", len(doc.Entries))
	}
	mustContain(t, "body feed", doc.titles(), "12. Sitzung des Stadtrates on", "Sondersitzung des Stadtrates", "cancelled",
		"Ö 1 Mehr Bäume am Marktplatz – einstimmig beschlossen", "Result: einstimmig beschlossen")
	if !strings.Contains(body, `xml:lang="en"`) {
		t.Error("body feed: no xml:lang=\"en\"")
	}
	if status, _, _ := e.fetch(t, "/bodies/"+council.NewID().String()+"/feed.atom"); status != http.StatusNotFound {
		t.Errorf("unknown body feed: status %d, want 404", status)
	}
}

// TestFeedETag shows that calendar and Atom feeds carry a strong ETag that
// answers a conditional GET with 304 and no body while nothing changed, and
// that the tag changes (and the new content is served) after an edit.
func TestFeedETag(t *testing.T) {
	e := newTestEnv(t)
	f := newFeedFixture(t, e)
	get := func(path, inm string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		resp, err := e.anon().Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	for _, path := range []string{"/meetings.ics", "/papers.atom", "/bodies/" + f.committee.ID.String() + "/feed.atom"} {
		first, body := get(path, "")
		tag := first.Header.Get("ETag")
		if first.StatusCode != http.StatusOK || !strings.HasPrefix(tag, `"`) || body == "" {
			t.Fatalf("GET %s: status %d, ETag %q, %d bytes", path, first.StatusCode, tag, len(body))
		}
		again, body2 := get(path, "")
		if again.Header.Get("ETag") != tag || body2 != body {
			t.Errorf("GET %s twice: ETag %q then %q (same content must give the same tag)", path, tag, again.Header.Get("ETag"))
		}
		cond, rest := get(path, tag)
		if cond.StatusCode != http.StatusNotModified || rest != "" {
			t.Errorf("GET %s with If-None-Match %s: status %d, %d bytes; want 304 and no body", path, tag, cond.StatusCode, len(rest))
		}
		stale, full := get(path, `"something-else"`)
		if stale.StatusCode != http.StatusOK || full != body {
			t.Errorf("GET %s with a stale tag: status %d, want 200 and the feed", path, stale.StatusCode)
		}
	}

	// An edit changes the calendar and so its tag.
	before, _ := get("/meetings.ics", "")
	m := f.special
	m.Name = "Sondersitzung zum Haushalt (verlegt)"
	if _, err := e.meetings.SaveMeeting(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	after, body := get("/meetings.ics", before.Header.Get("ETag"))
	if after.StatusCode != http.StatusOK || !strings.Contains(body, "verlegt") || after.Header.Get("ETag") == before.Header.Get("ETag") {
		t.Errorf("after an edit: status %d, new tag %q (old %q), contains new name %v",
			after.StatusCode, after.Header.Get("ETag"), before.Header.Get("ETag"), strings.Contains(body, "verlegt"))
	}
}
