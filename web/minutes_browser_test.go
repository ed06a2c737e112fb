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
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/meetings/sfu"
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

// recordingsOf is media.Recordings on a documents store, as serve wires
// it (cmd/plenar/recording.go).
type recordingsOf struct{ docs *documents.Store }

func (r recordingsOf) SaveRecording(ctx context.Context, meeting, item council.ID, seg sfu.Segment) error {
	_, err := r.docs.AddRecording(ctx, documents.NewRecording{MeetingID: meeting, ItemID: item, Started: seg.Start,
		Duration: seg.Duration, Width: seg.Width, Height: seg.Height, Path: seg.Path})
	return err
}

// TestSessionToTrailBrowser is issue 18's "done when", in Chromium, from
// the session to the decision's trail. A recorded hybrid session runs
// with live media: Beate joins with camera and microphone, is given the
// floor on Ö 1 (the programme carries her video), raises a Rüge that the
// chair resolves; the session switches to the non-public part for N 1
// and back; on Ö 2 Beate speaks again and the council decides the paper
// in a named poll. The session closes; the recorder has stored one chapter
// per public item and none of N 1. The draft minutes show each event at
// its item; Beate (a member) reads the draft; the clerk edits the
// resolution in the editor; a later meeting approves the minutes and the
// clerk records it; the public page and PDF show the public part only,
// with the hash. The clerk records the decision's implementation; the
// public opens the paper's page, whose trail goes from the paper through
// the decision, the poll, the approved minutes and the recording to the
// implementation, and follows its recording link: the meeting page plays
// the chapter of the second item. Every state passes axe and the layout
// check at desktop and phone width (screenshots 50–54 with make
// screenshots).
func TestSessionToTrailBrowser(t *testing.T) {
	filesDir := t.TempDir()
	e := newLiveEnv(t, func(o *Options) { o.FilesDir = filesDir }, withMedia(t, func(d *media.Deps) {
		d.Recordings = recordingsOf{documents.NewStore(d.Pool, filesDir, documents.Limits{})}
	}))
	docs := documents.NewStore(e.srv.pool, filesDir, documents.Limits{})
	base, mid := e.ts.URL, e.meeting.ID.String()
	ctx := t.Context()
	rec := e.meeting
	rec.Record = true
	must(e.meetings.SaveMeeting(ctx, rec))(t)
	// The paper the council decides on Ö 2.
	paper := must(e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: "Radwegekonzept 2030", Type: council.PaperResolution, Public: true}))(t)
	paper = must(e.council.Submit(ctx, paper.ID, time.Now().AddDate(0, 0, -20)))(t)
	must(e.council.SaveConsultation(ctx, council.Consultation{PaperID: paper.ID, OrganizationID: e.org.ID, AgendaItemID: e.items[2].ID,
		Role: "Entscheidung", Authoritative: true}))(t)

	beate := e.newMember(t, e.persons[1])
	axe := axeSource(t)
	clerkActor := e.clerkActor(t)
	tabs := newMediaBrowser(t, 3)
	b, cb, pb := tabs[0], tabs[1], tabs[2] // Beate, the clerk, the public

	e.do(t, clerkActor, live.Start{})
	e.do(t, clerkActor, live.CheckIn{Person: e.persons[0].ID})
	e.do(t, clerkActor, live.CheckIn{Person: e.persons[2].ID})
	navigate(t, pb, base+"/meetings/"+mid+"/live")
	waitText(t, pb, `[data-live="recording"]`, "Aufzeichnung läuft")
	browserLogin(t, b, base, beate)
	navigate(t, b, base+"/meetings/"+mid+"/live/member")
	waitText(t, b, `[data-live="item"]`, "Haushalt 2027")
	waitJS(t, b, `!document.querySelector('[data-media="join"]').disabled`, "join enabled")
	click(t, b, `[data-media="join"]`)
	waitText(t, b, `[data-media="status"]`, "Sie nehmen per Video teil")

	// speak gives Beate the floor on her request and ends it once the
	// public programme (and so the recording) carried a few seconds of her
	// video: 60 more frames decoded on the public page.
	speak := func() {
		t.Helper()
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
		waitText(t, pb, `[data-media="speaker-caption"]`, "Beate")
		first := waitStats(t, pb, "public speaker video", func(s slotStats) bool { return s["speaker-video"].Frames > 0 })
		waitStats(t, pb, "public speaker video: 60 frames", func(s slotStats) bool {
			return s["speaker-video"].Frames > first["speaker-video"].Frames+60
		})
		e.do(t, clerkActor, live.EndFloor{})
	}
	speak() // Ö 1
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
	e.do(t, clerkActor, live.NextItem{}) // N 1
	e.do(t, clerkActor, live.SetPart{Part: live.PartNonPublic})
	waitNotText(t, pb, `[data-live="recording"]`, "Aufzeichnung")
	e.do(t, clerkActor, live.NextItem{}) // Ö 2
	e.do(t, clerkActor, live.SetPart{Part: live.PartPublic})
	waitText(t, pb, `[data-live="recording"]`, "Aufzeichnung läuft")
	waitText(t, b, `[data-live="item"]`, "Radwege")
	speak() // Ö 2
	e.do(t, clerkActor, live.OpenPoll{Kind: voting.Named, Question: "Radwegekonzept 2030", Rule: "simple"})
	waitJS(t, b, `!!document.querySelector('[data-live="ballot"] button[data-choice="yes"]:not([disabled])')`, "Beate's ballot")
	click(t, b, `[data-live="ballot"] button[data-choice="yes"]`)
	waitText(t, b, `[data-live="polls"] article:last-of-type [data-live="counted"]`, "gezählt")
	poll, _, err := e.meetings.RunningPoll(ctx, e.meeting.ID)
	liveMust(t, "running poll", err)
	e.do(t, clerkActor, live.CastBallot{Poll: poll.ID, Person: e.persons[0].ID, Choice: []string{"yes"}})
	e.do(t, clerkActor, live.CastBallot{Poll: poll.ID, Person: e.persons[2].ID, Choice: []string{"no"}})
	e.do(t, clerkActor, live.ClosePoll{Poll: poll.ID})
	e.do(t, clerkActor, live.Close{})

	// The recorder stored one chapter per public item, in order, and
	// nothing of N 1.
	var recs []documents.Recording
	deadline := time.Now().Add(30 * time.Second)
	for {
		recs, err = docs.Recordings(ctx, e.meeting.ID, true)
		liveMust(t, "recordings", err)
		if len(recs) >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(recs) != 2 || recs[0].ItemID != e.items[0].ID || recs[1].ItemID != e.items[2].ID {
		t.Fatalf("recordings = %+v, want Ö 1's and Ö 2's", recs)
	}
	for _, r := range recs {
		if r.Duration < time.Second || r.Size == 0 {
			t.Errorf("chapter of %s: %s, %d bytes; want seconds of video", r.ItemTitle, r.Duration, r.Size)
		}
	}

	// The clerk's editor: each event at its item.
	clerk, _ := e.login(t, council.RoleClerk)
	setBrowserCookie(t, cb, base, e.sessionCookie(clerk))
	navigate(t, cb, base+"/admin/meetings/"+mid+"/minutes")
	item := func(ctx context.Context, i int) string {
		return text(t, ctx, fmt.Sprintf(`section[aria-labelledby="minutes-%s"]`, e.items[i].ID))
	}
	first := item(cb, 0)
	for _, want := range []string{"Beate Rat1 (Erstmeldung)", "Ton fällt aus", "Ton wieder da", "Beate Rat1: digital"} {
		if !strings.Contains(first, want) {
			t.Errorf("draft minutes, Ö 1 lacks %q: %s", want, first)
		}
	}
	if second := item(cb, 1); !strings.Contains(second, liveSecretTitle) || strings.Contains(second, "Ton fällt aus") {
		t.Errorf("draft minutes, N 1: %q", second)
	}
	third := item(cb, 2)
	for _, want := range []string{"Beate Rat1", "Radwegekonzept 2030", "namentlich", "Ja 2, Nein 1, Enthaltung 0", "angenommen"} {
		if !strings.Contains(third, want) {
			t.Errorf("draft minutes, Ö 2 lacks %q: %s", want, third)
		}
	}
	if strings.Contains(third, "Ton fällt aus") {
		t.Error("draft minutes: Ö 1's Rüge at Ö 2")
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

	// The clerk edits the resolution of Ö 2.
	const resolution = "Der Rat beschließt das Radwegekonzept 2030 und beauftragt die Verwaltung mit der Umsetzung."
	sel := fmt.Sprintf(`#edit-%s`, e.items[2].ID)
	if _, err := chromedp.Run(cb, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).open = true`, sel))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(cb, chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`#res-%s`, e.items[2].ID)), resolution),
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`#result-%s`, e.items[2].ID)), "angenommen")); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, cb, sel+` form button[type="submit"]`)
	waitText(t, cb, ".admin-notice", "gespeichert")
	if s := item(cb, 2); !strings.Contains(s, resolution) || !strings.Contains(s, "Änderungen (2)") {
		t.Errorf("after the edit, Ö 2: %q", s)
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
	navigate(t, pb, base+"/meetings/"+mid)
	click(t, pb, `.minutes-link a`)
	waitText(t, pb, "#minutes-status", "Genehmigt in der Sitzung")
	pub := text(t, pb, "main")
	for _, want := range []string{status.PublicHash, resolution, "Ton fällt aus", "Beate Rat1", "Radwegekonzept 2030"} {
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

	// The clerk records the implementation of the decision and a
	// progress note.
	navigate(t, cb, base+"/admin/papers/"+paper.ID.String()+"/implementation")
	if err := chromedp.Do(cb, chromedp.SetValue(chromedp.CSS("#f-office"), "Tiefbauamt"),
		chromedp.SetValue(chromedp.CSS("#f-due"), "2027-09-30"), chromedp.SetValue(chromedp.CSS("#f-status"), "in_progress")); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, cb, "#f-office")
	waitText(t, cb, ".admin-notice", "Umsetzung gespeichert")
	navigate(t, cb, base+"/admin/papers/"+paper.ID.String()+"/implementation/notes/new")
	if err := chromedp.Do(cb, chromedp.SetValue(chromedp.CSS("#f-text"), "Planung der ersten drei Abschnitte vergeben")); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, cb, "#f-text")
	waitText(t, cb, "main", "Planung der ersten drei Abschnitte vergeben")

	// The public follows the decision's trail on the paper's page and its
	// link to the recording: the meeting page plays Ö 2's chapter, the
	// second one.
	navigate(t, pb, base+"/papers/"+paper.ID.String())
	trail := text(t, pb, "section.trail")
	for _, want := range []string{"Radwegekonzept 2030", "Stadtrat", "angenommen", "2 Ja, 1 Nein", "Niederschrift (genehmigt)",
		"Aufzeichnung von TOP", "Radwege", "Tiefbauamt", "in Umsetzung", "30.09.2027", "Planung der ersten drei Abschnitte vergeben"} {
		if !strings.Contains(trail, want) {
			t.Errorf("the paper's trail lacks %q: %s", want, trail)
		}
	}
	if strings.Contains(trail, liveSecretTitle) {
		t.Error("the paper's trail shows the non-public item")
	}
	if href := attr(t, pb, `section.trail a.trail-minutes`, "href"); !strings.HasSuffix(href, "/meetings/"+mid+"/minutes") {
		t.Errorf("trail's minutes link: %q", href)
	}
	liveStates(t, pb, "54-paper-trail", axe)
	click(t, pb, `section.trail a.trail-recording`)
	waitChapterPlays(t, pb, fmt.Sprintf("/meetings/%s/recordings/%s.webm", mid, recs[1].ID), "1")
}

// attr returns the attribute name of the first element matching sel
// ("" when there is none).
func attr(t testing.TB, ctx context.Context, sel, name string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`((e) => e ? (e.getAttribute(%q) || "") : "")(document.querySelector(%q))`, name, sel)))
	if err != nil {
		t.Fatalf("attribute %s of %s: %v", name, sel, err)
	}
	return s
}
