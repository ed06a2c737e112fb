package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
)

// voteApproval makes a later meeting of e's council whose agenda (built
// through the back office by clerk) approves e.meeting's minutes, and
// holds its session: everyone checked in, the approval accepted by an open
// poll. It returns the later meeting and the back office's approve URL.
func voteApproval(t *testing.T, e *liveEnv, clerk *http.Client) (meetings.Meeting, string) {
	t.Helper()
	ctx := t.Context()
	mid := e.meeting.ID.String()
	later, err := e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Ratssitzung (Folgesitzung)",
		Start: e.meeting.Start.Add(30 * time.Minute), Organizations: []council.ID{e.org.ID}})
	liveMust(t, "save later meeting", err)
	lid := later.ID.String()
	if st, page := e.get(t, clerk, "/admin/meetings/"+lid); st != http.StatusOK || !strings.Contains(page, `value="`+mid+`"`) {
		t.Fatalf("the later meeting's page does not offer the earlier minutes for approval (status %d)", st)
	}
	for _, want := range []int{http.StatusSeeOther, http.StatusConflict} { // the second time: on the agenda already
		resp := e.postForm(t, clerk, "/admin/meetings/"+lid+"/minutes-approval", url.Values{"of": {mid}})
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("POST minutes-approval: status %d, want %d", resp.StatusCode, want)
		}
	}
	items, err := e.meetings.AgendaItems(ctx, later.ID)
	if err != nil || len(items) != 1 || items[0].ApprovesMinutesOf != e.meeting.ID || !strings.HasPrefix(items[0].Name, "Genehmigung der Niederschrift") {
		t.Fatalf("later agenda = %+v, %v; want the approval item", items, err)
	}
	approve := "/admin/meetings/" + lid + "/items/" + items[0].ID.String() + "/approve-minutes"
	_, err = e.meetings.Invite(ctx, later.ID, time.Now())
	liveMust(t, "invite later", err)
	clerkActor := e.clerkActor(t)
	do := func(c live.Command) {
		t.Helper()
		_, err := e.hub.Do(ctx, later.ID, clerkActor, c)
		liveMust(t, string(c.Name()), err)
	}
	do(live.Start{})
	for _, p := range e.persons {
		do(live.CheckIn{Person: p.ID})
	}
	resp := e.postForm(t, clerk, approve, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("approve before the vote: status %d, want 409", resp.StatusCode)
	}
	do(live.OpenPoll{Kind: voting.Open, Question: items[0].Name, Rule: "simple"})
	poll, ok, err := e.meetings.RunningPoll(ctx, later.ID)
	if err != nil || !ok {
		t.Fatalf("running poll: %v", err)
	}
	for _, p := range e.persons {
		do(live.CastBallot{Poll: poll.ID, Person: p.ID, Choice: []string{"yes"}})
	}
	do(live.ClosePoll{Poll: poll.ID})
	do(live.Close{})
	return later, approve
}

// TestMinutesBrowser is issue 18's "done when" for the minutes, in
// Chromium: a session runs (Beate joins remotely, asks to speak and is
// heard, raises a Rüge that the chair resolves, votes in a named poll; a
// part switch), closes, and the draft minutes show each event at its
// item; Beate (a member) reads the draft; the clerk edits the resolution
// in the editor; a later meeting approves the minutes and the clerk
// records it; the public page and PDF show the public part only with the
// hash. Every state passes axe and the layout check at desktop and phone
// width (screenshots 50–54 with make screenshots).
func TestMinutesBrowser(t *testing.T) {
	e := newLiveEnv(t)
	base, mid := e.ts.URL, e.meeting.ID.String()
	ctx := t.Context()
	beate := e.newMember(t, e.persons[1])
	axe := axeSource(t)
	clerkActor := e.clerkActor(t)
	e.do(t, clerkActor, live.Start{})
	e.do(t, clerkActor, live.CheckIn{Person: e.persons[0].ID})
	e.do(t, clerkActor, live.CheckIn{Person: e.persons[2].ID})
	e.do(t, live.SystemActor(), live.JoinRemote{Person: e.persons[1].ID})

	b := newBrowser(t)
	browserLogin(t, b, base, beate)
	navigate(t, b, base+"/meetings/"+mid+"/live/member")
	waitText(t, b, `[data-live="item"]`, "Haushalt 2027")
	click(t, b, `button[data-cmd="raise_hand"]:not([data-point-of-order])`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		snap, err := e.hub.Snapshot(ctx, e.meeting.ID, clerkActor)
		liveMust(t, "snapshot", err)
		if snap.Speakers != nil && len(snap.Speakers.Queue) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Beate's request to speak did not reach the list")
		}
		time.Sleep(100 * time.Millisecond)
	}
	e.do(t, clerkActor, live.GrantFloor{})
	e.do(t, clerkActor, live.EndFloor{})
	if err := chromedp.Do(b, chromedp.SetValue(chromedp.CSS(`[data-live="complaint-text"]`), "Ton fällt aus")); err != nil {
		t.Fatal(err)
	}
	click(t, b, `[data-live="complaint-form"] button[type="submit"]`)
	waitText(t, b, `[data-live="own-complaints"]`, "übermittelt: Ton fällt aus")
	snap, err := e.hub.Snapshot(ctx, e.meeting.ID, clerkActor)
	liveMust(t, "snapshot", err)
	if len(snap.Complaints) != 1 {
		t.Fatalf("complaints = %+v, want Beate's", snap.Complaints)
	}
	e.do(t, clerkActor, live.ResolveComplaint{Complaint: snap.Complaints[0].ID, Resolution: live.ResolutionContinue, Note: "Ton wieder da"})
	e.do(t, clerkActor, live.OpenPoll{Kind: voting.Named, Question: "Haushaltssatzung 2027", Rule: "simple"})
	waitJS(t, b, `!!document.querySelector('[data-live="ballot"] button[data-choice="yes"]:not([disabled])')`, "Beate's ballot")
	click(t, b, `[data-live="ballot"] button[data-choice="yes"]`)
	waitText(t, b, `[data-live="polls"] article:last-of-type [data-live="counted"]`, "gezählt")
	poll, _, err := e.meetings.RunningPoll(ctx, e.meeting.ID)
	liveMust(t, "running poll", err)
	for _, p := range []council.Person{e.persons[0], e.persons[2]} {
		e.do(t, clerkActor, live.CastBallot{Poll: poll.ID, Person: p.ID, Choice: []string{"no"}})
	}
	e.do(t, clerkActor, live.ClosePoll{Poll: poll.ID})
	e.do(t, clerkActor, live.NextItem{}) // N 1
	e.do(t, clerkActor, live.SetPart{Part: live.PartNonPublic})
	e.do(t, clerkActor, live.NextItem{}) // Ö 2
	e.do(t, clerkActor, live.SetPart{Part: live.PartPublic})
	e.do(t, clerkActor, live.Close{})

	// The clerk's editor: each event at its item.
	clerk, _ := e.login(t, council.RoleClerk)
	cb := newBrowser(t)
	setBrowserCookie(t, cb, base, e.sessionCookie(clerk))
	navigate(t, cb, base+"/admin/meetings/"+mid+"/minutes")
	item := func(ctx context.Context, i int) string {
		return text(t, ctx, fmt.Sprintf(`section[aria-labelledby="minutes-%s"]`, e.items[i].ID))
	}
	first := item(cb, 0)
	for _, want := range []string{"Beate Rat1 (Erstmeldung)", "Ton fällt aus", "Ton wieder da", "Haushaltssatzung 2027", "namentlich",
		"Ja 1, Nein 2, Enthaltung 0", "abgelehnt", "Beate Rat1: digital"} {
		if !strings.Contains(first, want) {
			t.Errorf("draft minutes, Ö 1 lacks %q: %s", want, first)
		}
	}
	if second := item(cb, 1); !strings.Contains(second, liveSecretTitle) || strings.Contains(second, "Ton fällt aus") {
		t.Errorf("draft minutes, N 1: %q", second)
	}
	if parts := text(t, cb, "main"); !strings.Contains(parts, "nichtöffentlicher Teil") {
		t.Error("draft minutes lack the part switch")
	}
	liveStates(t, cb, "50-minutes-editor-draft", axe)

	// Beate reads the draft on the portal.
	navigate(t, b, base+"/meetings/"+mid)
	click(t, b, `.minutes-link a`)
	waitText(t, b, "h1", "Niederschrift")
	if s := text(t, b, "main"); !strings.Contains(s, "Entwurf") || !strings.Contains(s, liveSecretTitle) {
		t.Errorf("Beate's draft minutes: %q", s)
	}
	liveStates(t, b, "51-minutes-member-draft", axe)

	// The clerk edits the resolution of Ö 1.
	const resolution = "Der Rat lehnt die Haushaltssatzung 2027 ab und beauftragt die Verwaltung mit einem neuen Entwurf."
	sel := fmt.Sprintf(`#edit-%s`, e.items[0].ID)
	if _, err := chromedp.Run(cb, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).open = true`, sel))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(cb, chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`#res-%s`, e.items[0].ID)), resolution),
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`#result-%s`, e.items[0].ID)), "abgelehnt")); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, cb, sel+` form button[type="submit"]`)
	waitText(t, cb, ".admin-notice", "gespeichert")
	if s := item(cb, 0); !strings.Contains(s, resolution) || !strings.Contains(s, "Änderungen (2)") {
		t.Errorf("after the edit, Ö 1: %q", s)
	}

	// A later meeting approves them; the clerk records it in the browser.
	later, _ := voteApproval(t, e, clerk)
	navigate(t, cb, base+"/admin/meetings/"+later.ID.String())
	submitAndWait(t, cb, `form[action$="/approve-minutes"] button`)
	waitText(t, cb, ".admin-notice", "genehmigt")
	status, err := e.meetings.MinutesStatus(ctx, e.meeting.ID)
	if err != nil || status.State != meetings.MinutesApproved {
		t.Fatalf("status = %+v, %v", status, err)
	}
	if s := text(t, cb, "main"); !strings.Contains(s, status.Hash) || !strings.Contains(s, "Nachtrag hinzufügen") {
		t.Errorf("approved editor lacks the hash or the addendum form")
	}
	liveStates(t, cb, "52-minutes-editor-approved", axe)

	// The public: page and PDF, public part only.
	pb := newBrowser(t)
	navigate(t, pb, base+"/meetings/"+mid)
	click(t, pb, `.minutes-link a`)
	waitText(t, pb, "#minutes-status", "Genehmigt in der Sitzung")
	pub := text(t, pb, "main")
	for _, want := range []string{status.PublicHash, resolution, "Ton fällt aus", "Beate Rat1", "Haushaltssatzung 2027"} {
		if !strings.Contains(pub, want) {
			t.Errorf("public minutes lack %q", want)
		}
	}
	if strings.Contains(pub, liveSecretTitle) {
		t.Error("public minutes show the non-public item's title")
	}
	liveStates(t, pb, "53-minutes-public", axe)
	st, pdf := e.get(t, e.anon(), "/meetings/"+mid+"/minutes.pdf")
	txt := pdfText(t, []byte(pdf))
	if st != http.StatusOK || !strings.Contains(txt, "Ton fällt aus") || !strings.Contains(txt, "Sitzung wird fortgesetzt") ||
		!strings.Contains(strings.Join(strings.Fields(txt), ""), status.PublicHash) || strings.Contains(txt, "Geheimweg") {
		t.Errorf("public PDF: status %d, text %q", st, txt)
	}
}
