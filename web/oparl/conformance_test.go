package oparl_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
	"github.com/plenar/plenar/meetings"
)

// Markers seeded into non-public data; no response may contain them.
const (
	markerItem  = "GEHEIM-OPARL-7Q4"
	markerPaper = "VERTRAULICH-OPARL-9Z2"
	markerDraft = "ENTWURF-OPARL-3K8"
	markerFile  = "DATEI-OPARL-5X1"
)

var dateTimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$`)

// backRefs are the back-references an object must carry when fetched
// on its own (it is embedded elsewhere).
var backRefs = map[string]string{"AgendaItem": "meeting", "Consultation": "paper", "Membership": "person",
	"LegislativeTerm": "body"}

var dateTimeFields = []string{"created", "modified", "start", "end", "licenseValidSince", "oparlSince"}

// fixtures are the objects the rule checks look for.
type fixtures struct {
	deletedPaper   council.ID
	deletedAt      time.Time // just before the deletion
	hiddenItem     council.ID
	hiddenPaper    council.ID
	draftPaper     council.ID
	invitedMeeting meetings.Meeting
	// Files: public ones on a published paper (main) and on the invited
	// meeting (invitation, derived from the paper's); a file not marked
	// public on that paper, and one marked public on the hidden paper.
	filePaper                    council.ID
	publicFile, meetingFile      council.ID
	hiddenFile, hiddenLinkedFile council.ID
}

// seedFiles uploads the file fixtures.
func seedFiles(t *testing.T, e *demoEnv, f *fixtures) {
	t.Helper()
	ctx := context.Background()
	up := func(name, text string, public bool, master council.ID, links ...documents.Link) council.ID {
		t.Helper()
		d, err := e.docs.Upload(ctx, bytes.NewReader(doctest.TextPDF(text)), documents.File{FileName: name, Name: strings.TrimSuffix(name, ".pdf"),
			Public: public, MasterID: master, License: "CC-BY-4.0", Date: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}, links)
		if err != nil {
			t.Fatalf("upload %s: %v", name, err)
		}
		return d.ID
	}
	paperLink := func(id council.ID, role string) documents.Link {
		return documents.Link{Kind: documents.LinkPaper, ID: id, Role: role}
	}
	f.publicFile = up("vorlage.pdf", "Vorlage", true, council.NilID, paperLink(f.filePaper, documents.RoleMain))
	f.meetingFile = up("einladung.pdf", "Einladung", true, f.publicFile,
		documents.Link{Kind: documents.LinkMeeting, ID: f.invitedMeeting.ID, Role: documents.RoleInvitation})
	f.hiddenFile = up("intern-"+markerFile+".pdf", "Intern", false, council.NilID, paperLink(f.filePaper, documents.RoleAuxiliary))
	f.hiddenLinkedFile = up("vergabe-"+markerFile+".pdf", "Vergabe", true, council.NilID, paperLink(f.hiddenPaper, documents.RoleMain))
	// Extracted text, as the extraction worker leaves it.
	if _, err := e.pool.Exec(ctx, `UPDATE files SET text = 'Vorlage' WHERE id = $1`, f.publicFile); err != nil {
		t.Fatal(err)
	}
}

func seedFixtures(t *testing.T, e *demoEnv) fixtures {
	t.Helper()
	ctx := context.Background()
	var f fixtures
	var ms []meetings.Meeting
	ms, _, err := e.ms.OParlMeetings(ctx, council.ListQuery{Body: e.body})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.State == meetings.Invited {
			f.invitedMeeting = m
			break
		}
	}
	if f.invitedMeeting.ID == council.NilID {
		t.Fatal("demo has no invited meeting")
	}
	it, err := e.ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: f.invitedMeeting.ID, Name: "Grundstück " + markerItem,
		Public: false, Result: "Ergebnis " + markerItem, ResolutionText: "Beschluss " + markerItem})
	if err != nil {
		t.Fatalf("hidden item: %v", err)
	}
	f.hiddenItem = it.ID
	orgs, _, err := e.cs.OParlOrganizations(ctx, council.ListQuery{Body: e.body, Limit: 1})
	if err != nil || len(orgs) == 0 {
		t.Fatalf("organizations: %v", err)
	}
	p, err := e.cs.SavePaper(ctx, council.Paper{BodyID: e.body, Name: "Vergabe " + markerPaper, Type: council.PaperResolution,
		Text: "Text " + markerPaper, Public: false})
	if err != nil {
		t.Fatalf("hidden paper: %v", err)
	}
	if _, err := e.cs.Submit(ctx, p.ID, time.Now()); err != nil {
		t.Fatalf("submit hidden paper: %v", err)
	}
	if _, err := e.cs.SaveConsultation(ctx, council.Consultation{PaperID: p.ID, OrganizationID: orgs[0].ID, Role: "Entscheidung " + markerPaper}); err != nil {
		t.Fatalf("hidden consultation: %v", err)
	}
	f.hiddenPaper = p.ID
	d, err := e.cs.SavePaper(ctx, council.Paper{BodyID: e.body, Name: "Entwurf " + markerDraft, Type: council.PaperMotion, Public: true})
	if err != nil {
		t.Fatalf("draft paper: %v", err)
	}
	f.draftPaper = d.ID
	ps, _, err := e.cs.OParlPapers(ctx, council.ListQuery{Body: e.body, Limit: 1})
	if err != nil || len(ps) == 0 {
		t.Fatalf("papers: %v", err)
	}
	ps, _, err = e.cs.OParlPapers(ctx, council.ListQuery{Body: e.body, Limit: 2})
	if err != nil || len(ps) < 2 {
		t.Fatalf("papers: %v", err)
	}
	f.filePaper = ps[1].ID
	seedFiles(t, e, &f)
	f.deletedAt = time.Now().Add(-time.Second)
	if err := e.cs.DeletePaper(ctx, ps[0].ID); err != nil {
		t.Fatalf("delete paper: %v", err)
	}
	f.deletedPaper = ps[0].ID
	return f
}

// crawler fetches everything reachable from the System object.
type crawler struct {
	t    *testing.T
	c    *http.Client
	sch  *schemas
	api  string // base URL of API ids
	mu   sync.Mutex
	seen map[string]bool
	// alone and inList are objects' canonical JSON, fetched at their id
	// and seen in a list; lists are each list's pages in order.
	alone, inList map[string]string
	lists         map[string][]map[string]any
	objectsByType map[string]int
	errs          []string
	requests      int
}

func (c *crawler) fail(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.errs) < 200 {
		c.errs = append(c.errs, errorf(format, args...).Error())
	}
}

func (c *crawler) enqueue(next *[]string, u string) {
	if !strings.HasPrefix(u, c.api) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.seen[u] {
		c.seen[u] = true
		*next = append(*next, u)
	}
}

// run crawls breadth-first with workers goroutines.
func (c *crawler) run(start string, workers int) {
	frontier := []string{start}
	c.seen[start] = true
	for len(frontier) > 0 {
		var next []string
		var nmu sync.Mutex
		work := make(chan string)
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var local []string
				for u := range work {
					c.fetch(u, &local)
				}
				nmu.Lock()
				next = append(next, local...)
				nmu.Unlock()
			}()
		}
		for _, u := range frontier {
			work <- u
		}
		close(work)
		wg.Wait()
		frontier = next
	}
}

func (c *crawler) fetch(u string, next *[]string) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	res, err := c.c.Do(req)
	if err != nil {
		c.fail("GET %s: %v", u, err)
		return
	}
	var buf bytes.Buffer
	_, err = buf.ReadFrom(res.Body)
	res.Body.Close()
	if err != nil {
		c.fail("GET %s: %v", u, err)
		return
	}
	c.mu.Lock()
	c.requests++
	c.mu.Unlock()
	b := buf.Bytes()
	if res.StatusCode != http.StatusOK {
		c.fail("GET %s: status %d: %s", u, res.StatusCode, b)
		return
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		c.fail("GET %s: Content-Type %q", u, ct)
	}
	if res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("ETag") == "" {
		c.fail("GET %s: CORS or ETag header missing: %v", u, res.Header)
	}
	for _, m := range []string{markerItem, markerPaper, markerDraft, markerFile} {
		if bytes.Contains(b, []byte(m)) {
			c.fail("GET %s: non-public marker %s in response", u, m)
		}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	m, ok := doc.(map[string]any)
	if err != nil || !ok {
		c.fail("GET %s: not a JSON object: %v", u, err)
		return
	}
	if data, isList := m["data"]; isList {
		c.list(u, m, data, next)
		return
	}
	c.object(u, m, true, next)
	if str(m["id"]) != u {
		c.fail("GET %s: id is %s, not the URL it was fetched at", u, m["id"])
	}
	j, _ := json.Marshal(m)
	c.mu.Lock()
	c.alone[str(m["id"])] = string(j)
	c.mu.Unlock()
}

func (c *crawler) list(u string, m map[string]any, data any, next *[]string) {
	items, ok := data.([]any)
	if !ok {
		c.fail("%s: data is not an array", u)
		return
	}
	pg, _ := m["pagination"].(map[string]any)
	ln, _ := m["links"].(map[string]any)
	if pg == nil || ln == nil || ln["first"] == nil {
		c.fail("%s: pagination or links.first missing", u)
		return
	}
	for _, it := range items {
		o, ok := it.(map[string]any)
		if !ok {
			c.fail("%s: list item is not an object", u)
			continue
		}
		c.object(u, o, true, next)
		j, _ := json.Marshal(o)
		id := str(o["id"])
		c.mu.Lock()
		c.inList[id] = string(j)
		c.mu.Unlock()
		c.enqueue(next, id)
	}
	path := u
	if i := strings.IndexByte(u, '?'); i >= 0 {
		path = u[:i]
	}
	c.mu.Lock()
	c.lists[path] = append(c.lists[path], m)
	c.mu.Unlock()
	if n := str(ln["next"]); n != "" {
		c.enqueue(next, n)
	}
}

// object checks one object (top: fetched alone or a list item) and its
// embedded objects, and queues the URLs it references.
func (c *crawler) object(u string, o map[string]any, top bool, next *[]string) {
	typ := typeName(o)
	id := str(o["id"])
	sch := c.sch.byType[typ]
	if sch == nil {
		c.fail("%s: object %s has unknown type %q", u, id, o["type"])
		return
	}
	c.mu.Lock()
	if top {
		c.objectsByType[typ]++
	}
	c.mu.Unlock()
	if top {
		if err := sch.Validate(o); err != nil {
			c.fail("%s: %s %s: schema: %v", u, typ, id, err)
		}
	}
	if o["deleted"] == true {
		if !top {
			c.fail("%s: deleted %s %s is embedded", u, typ, id)
		}
		if len(o) != 5 || o["created"] == nil || o["modified"] == nil {
			c.fail("%s: deleted %s %s is not a tombstone: %v", u, typ, id, o)
		}
		return
	}
	if typ != "System" && (o["created"] == nil || o["modified"] == nil) {
		c.fail("%s: %s %s lacks created/modified", u, typ, id)
	}
	for _, f := range dateTimeFields {
		if v, ok := o[f]; ok && !dateTimeRE.MatchString(str(v)) {
			c.fail("%s: %s %s: %s %q is not yyyy-mm-ddThh:mm:ss±hh:mm", u, typ, id, f, v)
		}
	}
	if ref := backRefs[typ]; top && ref != "" && o[ref] == nil {
		c.fail("%s: %s %s fetched alone lacks its back-reference %q", u, typ, id, ref)
	}
	for k, v := range o {
		if !c.sch.props[typ][k] && !strings.HasPrefix(k, "plenar:") {
			c.fail("%s: %s %s: key %q is neither OParl nor plenar:-prefixed", u, typ, id, k)
		}
		if bad := emptyValue(v); bad != "" && !(typ == "Body" && k == "legislativeTerm") {
			c.fail("%s: %s %s: %s is %s", u, typ, id, k, bad)
		}
		if k == "geojson" {
			checkGeoJSON(c, u, id, v)
			continue
		}
		c.walk(u, v, next)
	}
}

// walk queues API URLs and checks embedded objects below v.
func (c *crawler) walk(u string, v any, next *[]string) {
	switch x := v.(type) {
	case string:
		c.enqueue(next, x)
	case []any:
		for _, e := range x {
			c.walk(u, e, next)
		}
	case map[string]any:
		if strings.HasPrefix(str(x["type"]), schemaBase) {
			c.object(u, x, false, next)
			c.enqueue(next, str(x["id"]))
		}
	}
}

// emptyValue names a null, "", [] or {} value ("" when v is fine).
func emptyValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if x == "" {
			return `""`
		}
	case []any:
		if len(x) == 0 {
			return "[]"
		}
		for _, e := range x {
			if s := emptyValue(e); s != "" {
				return "an array with " + s
			}
		}
	}
	return ""
}

func checkGeoJSON(c *crawler, u, id string, v any) {
	g, _ := v.(map[string]any)
	geom, _ := g["geometry"].(map[string]any)
	coords, _ := geom["coordinates"].([]any)
	if str(g["type"]) != "Feature" || str(geom["type"]) != "Point" || len(coords) != 2 {
		c.fail("%s: %s: geojson is not a Point Feature: %v", u, id, v)
		return
	}
	lon, err1 := coords[0].(json.Number).Float64()
	lat, err2 := coords[1].(json.Number).Float64()
	// Germany: lon 5..16, lat 47..56, so the order is visible.
	if err1 != nil || err2 != nil || lon < 5 || lon > 16 || lat < 47 || lat > 56 {
		c.fail("%s: %s: coordinates %v are not [lon, lat] numbers in Germany", u, id, coords)
	}
}

// checkLists checks every crawled list: totals, next links, order,
// duplicates.
func (c *crawler) checkLists(t *testing.T) {
	for path, pages := range c.lists {
		var all []string
		var last time.Time
		total := -1
		for i, p := range pages {
			pg := p["pagination"].(map[string]any)
			n, _ := pg["totalElements"].(json.Number).Int64()
			cur, _ := pg["currentPage"].(json.Number).Int64()
			tp, _ := pg["totalPages"].(json.Number).Int64()
			if total < 0 {
				total = int(n)
			}
			if cur != int64(i+1) {
				t.Errorf("%s: page %d says currentPage %d", path, i+1, cur)
			}
			hasNext := p["links"].(map[string]any)["next"] != nil
			if isLast := i == len(pages)-1; hasNext == isLast || (isLast && cur != tp) {
				t.Errorf("%s: page %d of %d (totalPages %d): next link present=%v", path, i+1, len(pages), tp, hasNext)
			}
			for _, d := range p["data"].([]any) {
				o := d.(map[string]any)
				all = append(all, str(o["id"]))
				m, err := time.Parse(time.RFC3339, str(o["modified"]))
				if err != nil || m.Before(last) {
					t.Errorf("%s: not in modified order at %s (%v after %v)", path, o["id"], m, last)
				}
				last = m
			}
		}
		if len(all) != total {
			t.Errorf("%s: crawled %d objects, totalElements %d", path, len(all), total)
		}
		sorted := slices.Clone(all)
		sort.Strings(sorted)
		if len(slices.Compact(sorted)) != len(all) {
			t.Errorf("%s: duplicate objects across pages", path)
		}
	}
}

func TestConformance(t *testing.T) {
	sch := loadSchemas(t)
	e := newDemoEnv(t, testMonths)
	f := seedFixtures(t, e)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}

	start := time.Now()
	c := &crawler{t: t, c: client, sch: sch, api: e.base + "/", seen: map[string]bool{}, alone: map[string]string{},
		inList: map[string]string{}, lists: map[string][]map[string]any{}, objectsByType: map[string]int{}}
	c.run(e.base+"/system", 8)
	t.Logf("crawl: %d requests in %s; objects (alone and in lists): %v", c.requests, time.Since(start).Round(time.Millisecond), c.objectsByType)
	for _, msg := range c.errs {
		t.Error(msg)
	}
	c.checkLists(t)
	if len(c.lists) != 11 {
		t.Errorf("crawled %d lists, want 11 (Body list and 10 per Body)", len(c.lists))
	}
	for id, j := range c.alone {
		if l, ok := c.inList[id]; ok && l != j {
			t.Errorf("%s: differs alone and in its list:\n%s\n%s", id, j, l)
		}
	}
	for _, typ := range []string{"System", "Body", "Organization", "Person", "Membership", "Meeting", "AgendaItem",
		"Paper", "Consultation", "Location", "LegislativeTerm", "File"} {
		if c.objectsByType[typ] == 0 {
			t.Errorf("no %s reached", typ)
		}
	}
	for _, id := range []council.ID{f.hiddenItem, f.hiddenPaper, f.draftPaper, f.deletedPaper, f.hiddenFile, f.hiddenLinkedFile} {
		for u := range c.seen {
			if strings.Contains(u, id.String()) {
				t.Errorf("%s appears in the crawl (non-public or deleted without modified_since): %s", id, u)
			}
		}
	}
	var published int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM papers p WHERE `+council.PublishedPaper+` AND NOT deleted`).Scan(&published); err != nil {
		t.Fatal(err)
	}
	if n := len(c.ids(e.base + "/body/" + e.body.String() + "/paper")); n != published {
		t.Errorf("paper list has %d papers, the database %d published ones", n, published)
	}

	t.Run("rules", func(t *testing.T) { testRules(t, e, f, client) })
}

func (c *crawler) ids(path string) []string {
	var out []string
	for _, p := range c.lists[path] {
		out = append(out, ids(p["data"].([]any))...)
	}
	return out
}

func testRules(t *testing.T, e *demoEnv, f fixtures, c *http.Client) {
	ctx := context.Background()
	papers := e.base + "/body/" + e.body.String() + "/paper"
	meetingsURL := e.base + "/body/" + e.body.String() + "/meeting"

	t.Run("deleted", func(t *testing.T) {
		u := e.base + "/paper/" + f.deletedPaper.String()
		r := get(t, c, "GET", u, nil)
		m := decode(t, u, r.body)
		if r.status != 200 || m["deleted"] != true || len(m) != 5 {
			t.Errorf("GET %s: %d %s, want 200 and a tombstone", u, r.status, r.body)
		}
		since := url.QueryEscape(f.deletedAt.Format(time.RFC3339))
		found := false
		for next := papers + "?limit=1000&modified_since=" + since; next != ""; {
			l := decode(t, next, get(t, c, "GET", next, nil).body)
			for _, d := range l["data"].([]any) {
				o := d.(map[string]any)
				if str(o["id"]) == u {
					found = o["deleted"] == true
				}
			}
			next = str(l["links"].(map[string]any)["next"])
		}
		if !found {
			t.Errorf("deleted paper not listed as deleted with modified_since=%s", since)
		}
	})

	t.Run("non-public absent", func(t *testing.T) {
		for _, u := range []string{e.base + "/agendaItem/" + f.hiddenItem.String(), e.base + "/paper/" + f.hiddenPaper.String(),
			e.base + "/paper/" + f.draftPaper.String()} {
			if r := get(t, c, "GET", u, nil); r.status != 404 {
				t.Errorf("GET %s: %d, want 404", u, r.status)
			}
		}
	})

	t.Run("filters kept in links", func(t *testing.T) {
		// The same instant in the spellings clients use.
		spellings := []string{"2020-01-01T00:00:00+01:00", "2020-01-01T00:00:00%2B01:00", "2020-01-01T00:00:00%2001:00",
			"2019-12-31T23:00:00Z", "2019-12-31T23:00:00.000Z", "2020-01-01T00:00:00.000000%2B0100", "2020-01-01%2000:00:00%2B01:00"}
		var want int64 = -1
		for _, s := range spellings {
			q := "limit=25&created_since=" + s + "&modified_until=2099-01-01T00:00:00Z&omit_internal=true"
			pages, n := 0, 0
			var total int64
			for next := meetingsURL + "?" + q; next != ""; pages++ {
				r := get(t, c, "GET", next, nil)
				if r.status != 200 {
					t.Fatalf("GET %s: %d %s", next, r.status, r.body)
				}
				l := decode(t, next, r.body)
				total = int64(l["pagination"].(map[string]any)["totalElements"].(float64))
				n += len(l["data"].([]any))
				for _, d := range l["data"].([]any) {
					if _, ok := d.(map[string]any)["agendaItem"]; ok {
						t.Errorf("omit_internal: %s embeds agenda items", next)
						break
					}
				}
				for name, link := range l["links"].(map[string]any) {
					lu, _ := url.Parse(str(link))
					lq := lu.Query()
					if lq.Get("limit") != "25" || lq.Get("created_since") == "" || lq.Get("modified_until") == "" || lq.Get("omit_internal") == "" {
						t.Errorf("%s: links.%s %s drops a filter", next, name, link)
					}
				}
				next = str(l["links"].(map[string]any)["next"])
			}
			if int64(n) != total {
				t.Errorf("%s: crawled %d, totalElements %d", s, n, total)
			}
			if want >= 0 && total != want {
				t.Errorf("%s: %d meetings, other spellings %d", s, total, want)
			}
			want = total
		}
		if want <= 0 {
			t.Errorf("filtered meeting list is empty")
		}
	})

	t.Run("limit", func(t *testing.T) {
		l := decode(t, papers, get(t, c, "GET", papers+"?limit=5000", nil).body)
		if n := len(l["data"].([]any)); n != 1000 {
			t.Errorf("limit=5000 gave %d objects, want 1000", n)
		}
		l = decode(t, papers, get(t, c, "GET", papers, nil).body)
		if n := len(l["data"].([]any)); n != 100 {
			t.Errorf("default page has %d objects, want 100", n)
		}
	})

	t.Run("etag head cors", func(t *testing.T) {
		u := e.base + "/system"
		r := get(t, c, "GET", u, nil)
		etag := r.header.Get("ETag")
		if r2 := get(t, c, "GET", u, map[string]string{"If-None-Match": etag}); r2.status != 304 || len(r2.body) != 0 {
			t.Errorf("If-None-Match %s: %d, want 304 without body", etag, r2.status)
		}
		if r2 := get(t, c, "GET", u, map[string]string{"If-None-Match": `"other"`}); r2.status != 200 {
			t.Errorf("If-None-Match other: %d, want 200", r2.status)
		}
		h := get(t, c, "HEAD", papers, nil)
		if h.status != 200 || len(h.body) != 0 || h.header.Get("Content-Type") != "application/json; charset=utf-8" || h.header.Get("ETag") == "" {
			t.Errorf("HEAD %s: %d %v body %d bytes", papers, h.status, h.header, len(h.body))
		}
		o := get(t, c, "OPTIONS", papers, map[string]string{"Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
		if o.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("OPTIONS: no CORS: %v", o.header)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			path   string
			status int
		}{
			{"/body/" + e.body.String() + "/paper?limit=abc", 400},
			{"/body/" + e.body.String() + "/paper?limit=0", 400},
			{"/body/" + e.body.String() + "/paper?limit=-5", 400},
			{"/body/" + e.body.String() + "/paper?page=0", 400},
			{"/body/" + e.body.String() + "/paper?page=x", 400},
			{"/body/" + e.body.String() + "/paper?after=garbage", 400},
			{"/body/" + e.body.String() + "/paper?created_since=yesterday", 400},
			{"/body/" + e.body.String() + "/paper?modified_since=2024-13-45T99:00:00Z", 400},
			{"/body/" + e.body.String() + "/paper?modified_until=%zz", 400},
			{"/paper/not-a-uuid", 400},
			{"/body/not-a-uuid/paper", 400},
			{"/paper/" + council.NewID().String(), 404},
			{"/body/" + council.NewID().String() + "/meeting", 404},
			{"/meeting/" + f.deletedPaper.String(), 404},
			{"/nothing", 404},
			{"/body/" + e.body.String() + "/paper?page=999", 200},
		} {
			r := get(t, c, "GET", e.base+tc.path, nil)
			if r.status != tc.status || r.header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("GET %s: %d %s, want %d JSON", tc.path, r.status, r.header.Get("Content-Type"), tc.status)
				continue
			}
			if m := decode(t, tc.path, r.body); tc.status != 200 && (str(m["type"]) != schemaBase+"Error" || str(m["message"]) == "") {
				t.Errorf("GET %s: not an OParl error object: %s", tc.path, r.body)
			}
		}
	})

	t.Run("files", func(t *testing.T) {
		fu := e.base + "/file/" + f.publicFile.String()
		mfu := e.base + "/file/" + f.meetingFile.String()
		r := get(t, c, "GET", fu, nil)
		o := decode(t, fu, r.body)
		want := map[string]any{"id": fu, "type": schemaBase + "File", "name": "vorlage", "fileName": "vorlage.pdf",
			"mimeType": "application/pdf", "date": "2024-05-01", "text": "Vorlage", "license": "CC-BY-4.0",
			"accessUrl":   e.srv.URL + "/files/" + f.publicFile.String(),
			"downloadUrl": e.srv.URL + "/files/" + f.publicFile.String() + "/download"}
		for k, v := range want {
			if o[k] != v {
				t.Errorf("%s: %s = %v, want %v", fu, k, o[k], v)
			}
		}
		if sum, _ := o["sha512Checksum"].(string); len(sum) != 128 {
			t.Errorf("%s: sha512Checksum %q", fu, sum)
		}
		if size, _ := o["size"].(float64); size != float64(len(doctest.TextPDF("Vorlage"))) {
			t.Errorf("%s: size %v", fu, o["size"])
		}
		if p, _ := o["paper"].([]any); len(p) != 1 || p[0] != e.base+"/paper/"+f.filePaper.String() {
			t.Errorf("%s: paper back-reference %v", fu, o["paper"])
		}
		if d, _ := o["derivativeFile"].([]any); len(d) != 1 || d[0] != mfu {
			t.Errorf("%s: derivativeFile %v, want [%s]", fu, o["derivativeFile"], mfu)
		}
		// modified has whole seconds: move the paper's and the meeting's
		// back, so that the changes below show within this second.
		backdate(t, e, "papers", "id = $1", f.filePaper)
		backdateMeeting(t, e, f.invitedMeeting.ID)
		pu := e.base + "/paper/" + f.filePaper.String()
		p := decode(t, pu, get(t, c, "GET", pu, nil).body)
		if mf, _ := p["mainFile"].(map[string]any); str(mf["id"]) != fu || mf["paper"] != nil {
			t.Errorf("%s: mainFile %v, want the embedded %s without back-reference", pu, p["mainFile"], fu)
		}
		if p["auxiliaryFile"] != nil {
			t.Errorf("%s: auxiliaryFile %v, want none (the other file is not public)", pu, p["auxiliaryFile"])
		}
		mu := e.base + "/meeting/" + f.invitedMeeting.ID.String()
		m := decode(t, mu, get(t, c, "GET", mu, nil).body)
		if inv, _ := m["invitation"].(map[string]any); str(inv["id"]) != mfu || str(inv["masterFile"]) != fu {
			t.Errorf("%s: invitation %v, want %s derived from %s", mu, m["invitation"], mfu, fu)
		}
		for _, id := range []council.ID{f.hiddenFile, f.hiddenLinkedFile} {
			u := e.base + "/file/" + id.String()
			if r := get(t, c, "GET", u, nil); r.status != 404 {
				t.Errorf("GET %s (not public): %d, want 404", u, r.status)
			}
		}
		// Deleting a file leaves a tombstone and moves its paper.
		before := str(p["modified"])
		if err := e.docs.Delete(ctx, f.meetingFile); err != nil {
			t.Fatal(err)
		}
		if r := decode(t, mfu, get(t, c, "GET", mfu, nil).body); r["deleted"] != true || len(r) != 5 {
			t.Errorf("GET %s after deletion: %v, want a tombstone", mfu, r)
		}
		m2 := decode(t, mu, get(t, c, "GET", mu, nil).body)
		if m2["invitation"] != nil || str(m2["modified"]) == str(m["modified"]) {
			t.Errorf("%s after its invitation was deleted: invitation %v, modified %s (was %s)", mu, m2["invitation"], m2["modified"], m["modified"])
		}
		if err := e.docs.SetMeta(ctx, f.publicFile, "Vorlage neu", "CC-BY-4.0", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if after := str(decode(t, pu, get(t, c, "GET", pu, nil).body)["modified"]); after == before {
			t.Errorf("paper modified stays %s after its main file changed", after)
		}
	})

	t.Run("parent modified moves", func(t *testing.T) {
		modified := func(u string) string {
			return str(decode(t, u, get(t, c, "GET", u, nil).body)["modified"])
		}
		// modified has whole seconds: each parent is moved back before it
		// is read, so that the change of its child shows within this second.
		mu := e.base + "/meeting/" + f.invitedMeeting.ID.String()
		backdateMeeting(t, e, f.invitedMeeting.ID)
		before := modified(mu)
		items, err := e.ms.PublicAgendas(ctx, []council.ID{f.invitedMeeting.ID})
		if err != nil || len(items[f.invitedMeeting.ID]) == 0 {
			t.Fatalf("agenda: %v", err)
		}
		it := items[f.invitedMeeting.ID][0].AgendaItem
		it.Name += " (geändert)"
		if _, err := e.ms.SaveAgendaItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		if after := modified(mu); after == before {
			t.Errorf("meeting modified stays %s after an agenda item changed", after)
		}
		mss, _, err := e.cs.OParlMemberships(ctx, council.ListQuery{Body: e.body, Limit: 1})
		if err != nil || len(mss) == 0 {
			t.Fatalf("memberships: %v", err)
		}
		peru := e.base + "/person/" + mss[0].PersonID.String()
		backdate(t, e, "persons", "id = $1", mss[0].PersonID)
		backdate(t, e, "memberships", "person_id = $1", mss[0].PersonID) // a person embeds them
		before = modified(peru)
		mss[0].Role += " (geändert)"
		if _, err := e.cs.SaveMembership(ctx, mss[0]); err != nil {
			t.Fatal(err)
		}
		if after := modified(peru); after == before {
			t.Errorf("person modified stays %s after a membership changed", after)
		}
		ps, _, err := e.cs.OParlPapers(ctx, council.ListQuery{Body: e.body, Limit: 1})
		if err != nil || len(ps) == 0 {
			t.Fatal(err)
		}
		pu := e.base + "/paper/" + ps[0].ID.String()
		backdate(t, e, "papers", "id = $1", ps[0].ID)
		before = modified(pu)
		cs, err := e.cs.Consultations(ctx, ps[0].ID)
		if err != nil || len(cs) == 0 {
			t.Fatalf("paper %s has no consultations (the demo gives every paper a path): %v", ps[0].ID, err)
		}
		cs[0].Role += " (geändert)"
		if _, err := e.cs.SaveConsultation(ctx, cs[0]); err != nil {
			t.Fatal(err)
		}
		if after := modified(pu); after == before {
			t.Errorf("paper modified stays %s after a consultation changed", after)
		}
	})
}

// backdate moves the modified time of the rows of table that match where
// (with $1 = id) an hour back. OParl's modified has whole seconds, so a
// test that wants to see a change move it backdates the object first
// instead of waiting for the next second.
func backdate(t testing.TB, e *demoEnv, table, where string, id council.ID) {
	t.Helper()
	tag, err := e.pool.Exec(context.Background(), `UPDATE `+table+` SET modified = modified - interval '1 hour' WHERE `+where, id)
	if err != nil || tag.RowsAffected() == 0 {
		t.Fatalf("backdate %s where %s (%s): %v, %d rows", table, where, id, err, tag.RowsAffected())
	}
}

// backdateMeeting backdates a meeting and the location it embeds (its
// OParl modified is the later of both).
func backdateMeeting(t testing.TB, e *demoEnv, id council.ID) {
	t.Helper()
	backdate(t, e, "meetings", "id = $1", id)
	if _, err := e.pool.Exec(context.Background(), `UPDATE locations SET modified = modified - interval '1 hour'
		WHERE id = (SELECT location_id FROM meetings WHERE id = $1)`, id); err != nil {
		t.Fatalf("backdate the location of meeting %s: %v", id, err)
	}
}
