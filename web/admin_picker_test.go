package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// pickerFixture is a council with a meeting and papers for the agenda
// builder's paper picker: two "Kita" resolutions, a non-public motion, a
// draft and a done paper.
type pickerFixture struct {
	org                    council.Organization
	meeting                meetings.Meeting
	kita1, kita2, rad      council.Paper
	draft, done            council.Paper
	kitaOther              council.Paper // another body's
	bodyOther              council.Body
	submitted              func(name string, typ council.PaperType, public bool, day int) council.Paper
	ctx                    context.Context
	clerk                  *http.Client
	meetingURL, suggestURL string
}

func newPickerFixture(t *testing.T, e *testEnv) *pickerFixture {
	t.Helper()
	ctx := context.Background()
	f := &pickerFixture{ctx: ctx, suggestURL: "/admin/papers/suggest"}
	f.org = must(e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Stadtrat", Kind: council.KindCouncil}))(t)
	f.meeting = must(e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Stadtrat – 4. Sitzung",
		Start: time.Date(2026, 6, 1, 16, 0, 0, 0, time.UTC), Organizations: []council.ID{f.org.ID}}))(t)
	f.meetingURL = "/admin/meetings/" + f.meeting.ID.String()
	f.submitted = func(name string, typ council.PaperType, public bool, day int) council.Paper {
		t.Helper()
		p := must(e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: name, Type: typ, Public: public}))(t)
		return must(e.council.Submit(ctx, p.ID, time.Date(2026, 3, day, 9, 0, 0, 0, time.UTC)))(t)
	}
	f.kita1 = f.submitted("Neubau Kita Lindenweg", council.PaperResolution, true, 2)         // V0001/26
	f.kita2 = f.submitted("Sanierung der Kita Nord", council.PaperResolution, true, 5)       // V0002/26
	f.rad = f.submitted("Radwege am Stadtpark (vertraulich)", council.PaperMotion, false, 4) // A0001/26
	f.draft = must(e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: "Kita Entwurf", Type: council.PaperMotion, Public: true}))(t)
	f.done = f.submitted("Erledigte Anfrage Kita", council.PaperInquiry, true, 1)
	if err := e.council.SetStatus(ctx, f.done.ID, council.StatusDone, "", time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	f.bodyOther = must(e.council.CreateBody(ctx, council.Body{Name: "Nachbarstadt"}))(t)
	p := must(e.council.SavePaper(ctx, council.Paper{BodyID: f.bodyOther.ID, Name: "Kita der Nachbarn", Type: council.PaperInformation, Public: true}))(t)
	f.kitaOther = must(e.council.Submit(ctx, p.ID, time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)))(t)
	if f.kita1.Reference != "V0001/26" || f.kita2.Reference != "V0002/26" || f.rad.Reference != "A0001/26" {
		t.Fatalf("references %s %s %s", f.kita1.Reference, f.kita2.Reference, f.rad.Reference)
	}
	f.clerk, _ = e.login(t, council.RoleClerk)
	return f
}

type suggestAnswer struct {
	Papers []struct {
		ID        council.ID `json:"id"`
		Reference string     `json:"reference"`
		Title     string     `json:"title"`
		Date      string     `json:"date"`
		Public    bool       `json:"public"`
	} `json:"papers"`
}

func (e *testEnv) suggest(t *testing.T, c *http.Client, q string) (int, http.Header, suggestAnswer) {
	t.Helper()
	resp, err := c.Get(e.ts.URL + "/admin/papers/suggest?q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var a suggestAnswer
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatalf("suggest %q: %v\n%s", q, err, b)
		}
	}
	return resp.StatusCode, resp.Header, a
}

// TestPaperSuggest: GET /admin/papers/suggest answers staff only, with at
// most 20 papers that can go on an agenda, most recent first, matching the
// start of the reference or words of the title.
func TestPaperSuggest(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := newPickerFixture(t, e)

	// Visibility: the public is sent to the login, members and citizens are
	// refused; clerks and admins get JSON, never cached.
	status, hdr, _ := e.suggest(t, e.anon(), "kita")
	if status != http.StatusSeeOther {
		t.Errorf("anonymous suggest: status %d, want 303 to the login", status)
	}
	for _, role := range []council.Role{council.RoleCitizen, council.RoleMember} {
		c, _ := e.login(t, role)
		if status, _, a := e.suggest(t, c, "kita"); status != http.StatusForbidden || len(a.Papers) > 0 {
			t.Errorf("%s suggest: status %d with %d papers, want 403", role, status, len(a.Papers))
		}
	}
	admin, _ := e.login(t, council.RoleAdmin)
	if status, _, a := e.suggest(t, admin, "kita"); status != http.StatusOK || len(a.Papers) != 2 {
		t.Errorf("admin suggest: status %d with %d papers, want 200 with 2", status, len(a.Papers))
	}
	status, hdr, a := e.suggest(t, f.clerk, "kita")
	if status != http.StatusOK || hdr.Get("Content-Type") != "application/json; charset=utf-8" || hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("clerk suggest: %d %q %q, want 200 JSON no-store", status, hdr.Get("Content-Type"), hdr.Get("Cache-Control"))
	}
	if len(a.Papers) != 2 || a.Papers[0].ID != f.kita2.ID || a.Papers[0].Title != f.kita2.Name ||
		a.Papers[0].Date != "2026-03-05" || !a.Papers[0].Public {
		t.Errorf("clerk suggest kita: %+v, want Kita Nord first with its title, date and public", a.Papers)
	}

	refs := func(a suggestAnswer) []string {
		out := []string{}
		for _, p := range a.Papers {
			out = append(out, p.Reference)
		}
		return out
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"", []string{"V0002/26", "A0001/26", "V0001/26"}}, // recent first; no draft, done or other body's paper
		{"KITA", []string{"V0002/26", "V0001/26"}},
		{"kita nord", []string{"V0002/26"}},
		{"v0", []string{"V0002/26", "V0001/26"}},
		{"v0001/2", []string{"V0001/26"}},
		{"a0001/26", []string{"A0001/26"}}, // non-public: the back office sees it
		{"vertraulich", []string{"A0001/26"}},
		{"0001", []string{}},
		{"Nachbarn", []string{}},
		{"Erledigte", []string{}},
	} {
		status, _, a := e.suggest(t, f.clerk, tc.q)
		if status != http.StatusOK {
			t.Errorf("suggest %q: status %d", tc.q, status)
			continue
		}
		if diff := cmp.Diff(tc.want, refs(a)); diff != "" {
			t.Errorf("suggest %q (-want +got):\n%s", tc.q, diff)
		}
	}
	_, _, a = e.suggest(t, f.clerk, "a0001")
	if len(a.Papers) != 1 || a.Papers[0].Public {
		t.Errorf("suggest a0001: %+v, want the non-public motion marked public=false", a.Papers)
	}

	// The limit: 20 of 28, most recent first.
	for i := range 25 {
		f.submitted(fmt.Sprintf("Anfrage Nr. %d", i), council.PaperInquiry, true, 6+i%20)
	}
	_, _, a = e.suggest(t, f.clerk, "")
	if len(a.Papers) != 20 {
		t.Errorf("suggest all: %d papers, want 20", len(a.Papers))
	}
	for i := 1; i < len(a.Papers); i++ {
		if a.Papers[i].Date > a.Papers[i-1].Date {
			t.Errorf("suggest all: %s (%s) after %s (%s), want most recent first", a.Papers[i].Reference, a.Papers[i].Date,
				a.Papers[i-1].Reference, a.Papers[i-1].Date)
		}
	}
	if status, _, _ := e.suggest(t, f.clerk, strings.Repeat("a", 600)); status != http.StatusBadRequest {
		t.Errorf("suggest with a 600-byte q: status %d, want 400", status)
	}
}

// TestPaperPickerForm: without JavaScript the picker is a text field for
// the reference number (or title words that match one paper); the form
// names what is wrong and keeps what was typed.
func TestPaperPickerForm(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := newPickerFixture(t, e)
	status, body := e.get(t, f.clerk, f.meetingURL+"/items/paper")
	wantStatus(t, "GET picker form", status, http.StatusOK)
	mustContain(t, "picker form", body, `data-combobox="/admin/papers/suggest"`,
		`<input type="text" id="f-paper" name="paper" value="" autocomplete="off"`, `src="`+e.srv.static.URL("combobox.js")+`"`)
	mustNotContain(t, "picker form", body, `<select id="f-paper"`, f.kita1.Name) // no drop-down of every paper

	org := f.org.ID.String()
	post := func(form url.Values) (int, string, string) {
		t.Helper()
		form.Set("organization", org)
		form.Set("visibility", "paper")
		return e.adminPost(t, f.clerk, f.meetingURL+"/items/paper", form)
	}
	for _, tc := range []struct {
		form url.Values
		want string // the error; "" for success
	}{
		{url.Values{"paper": {""}}, "Bitte"},
		{url.Values{"paper": {"Kita"}}, "Mehrere Vorlagen passen"},
		{url.Values{"paper": {"X9999/99"}}, "Keine Vorlage mit diesem Aktenzeichen"},
		{url.Values{"paper": {f.done.Reference}}, "kann nicht auf die Tagesordnung"},
		{url.Values{"paper": {f.kitaOther.Reference}}, "Keine Vorlage mit diesem Aktenzeichen"},
		{url.Values{"paper": {f.draft.ID.String()}}, "kann nicht auf die Tagesordnung"},
		{url.Values{"paper": {"x"}, "paper_id": {f.kitaOther.ID.String()}}, "Keine Vorlage mit diesem Aktenzeichen"},
		{url.Values{"paper": {" v0001/26 "}}, ""},                                  // the reference, any case
		{url.Values{"paper": {"Radwege Stadtpark"}}, ""},                           // words of one title
		{url.Values{"paper": {"V0002/26"}, "paper_id": {f.kita2.ID.String()}}, ""}, // as combobox.js sends it
		{url.Values{"paper": {f.kita1.ID.String()}}, ""},                           // an id, as the old drop-down sent it
	} {
		status, loc, body := post(tc.form)
		if tc.want == "" {
			if status != http.StatusSeeOther || loc != f.meetingURL+"?notice=item_saved" {
				t.Errorf("POST %v: %d %q, want 303 to the meeting\n%s", tc.form, status, loc, excerpt(body))
			}
			continue
		}
		if status != http.StatusBadRequest {
			t.Errorf("POST %v: status %d, want 400", tc.form, status)
		}
		mustContain(t, fmt.Sprintf("POST %v", tc.form), body, tc.want, `aria-invalid="true"`,
			`value="`+tc.form.Get("paper")+`"`)
	}
	items, err := e.meetings.AgendaItems(f.ctx, f.meeting.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.PaperReference)
	}
	if diff := cmp.Diff([]string{"V0001/26", "A0001/26", "V0002/26", "V0001/26"}, got); diff != "" {
		t.Errorf("agenda references (-want +got):\n%s", diff)
	}
}

// TestInvitationPreviewLinked: the back office's meeting page and the
// confirmation before publishing link the invitation PDF in both versions
// once the agenda has items.
func TestInvitationPreviewLinked(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := newPickerFixture(t, e)
	pdf := f.meetingURL + "/invitation.pdf"
	_, body := e.get(t, f.clerk, f.meetingURL)
	mustNotContain(t, "empty agenda", body, pdf)
	must(e.meetings.SaveAgendaItem(f.ctx, meetings.AgendaItem{MeetingID: f.meeting.ID, Name: "Eröffnung", Public: true}))(t)
	for _, path := range []string{f.meetingURL, f.meetingURL + "/invite"} {
		status, body := e.get(t, f.clerk, path)
		wantStatus(t, "GET "+path, status, http.StatusOK)
		mustContain(t, path, body, `href="`+pdf+`" type="application/pdf">öffentliche Fassung</a>`,
			`href="`+pdf+`?version=members" type="application/pdf">Fassung für Mitglieder</a>`)
	}
	for _, u := range []string{pdf, pdf + "?version=members"} {
		resp, err := f.clerk.Get(e.ts.URL + u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("GET %s: %d %s, want the PDF", u, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}
