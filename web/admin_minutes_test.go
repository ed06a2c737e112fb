package web

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
)

// TestAdminMinutes: the back office shows a meeting's draft minutes from
// its live session — the speech, the named poll with each member's vote,
// the part switch, the non-public item marked — to the staff only.
func TestAdminMinutes(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	clerkActor := e.clerkActor(t)
	mid := e.meeting.ID.String()
	path := "/admin/meetings/" + mid + "/minutes"
	clerk, _ := e.login(t, council.RoleClerk)

	st, body := e.get(t, clerk, path)
	if st != http.StatusOK || !strings.Contains(body, "nicht live geführt") && !strings.Contains(body, "lief nicht live") {
		t.Fatalf("before the session: status %d, want the page saying there is no log", st)
	}
	e.do(t, clerkActor, live.Start{})
	for _, p := range e.persons {
		e.do(t, clerkActor, live.CheckIn{Person: p.ID})
	}
	chairActor := live.Actor{Viewer: council.Viewer{UserID: e.newMember(t, e.persons[0]).ID, Role: council.RoleMember}, PersonID: e.persons[0].ID}
	e.do(t, chairActor, live.FindQuorum{})
	e.do(t, clerkActor, live.RaiseHand{Person: e.persons[1].ID})
	e.do(t, clerkActor, live.GrantFloor{})
	e.do(t, clerkActor, live.EndFloor{})
	e.do(t, clerkActor, live.OpenPoll{Kind: voting.Named, Question: "Haushaltssatzung 2027"})
	snap, err := e.hub.Snapshot(t.Context(), e.meeting.ID, clerkActor)
	liveMust(t, "snapshot", err)
	poll := snap.Polls[0].ID
	for _, p := range e.persons {
		e.do(t, clerkActor, live.CastBallot{Poll: poll, Person: p.ID, Choice: []string{"yes"}})
	}
	e.do(t, clerkActor, live.ClosePoll{Poll: poll})
	e.do(t, clerkActor, live.NextItem{}) // N 1
	e.do(t, clerkActor, live.SetPart{Part: live.PartNonPublic})

	st, body = e.get(t, clerk, path)
	if st != http.StatusOK {
		t.Fatalf("minutes: status %d", st)
	}
	for _, want := range []string{"Entwurf – noch nicht genehmigt", "Haushalt 2027", "Beate Rat1 (Erstmeldung)", "Haushaltssatzung 2027",
		"Ja 3, Nein 0, Enthaltung 0", "angenommen", "Stimmen der Mitglieder", liveSecretTitle, "nichtöffentlicher Teil", "im Saal 3", "Feststellung der Beschlussfähigkeit", "anwesend 3 von 3"} {
		if !strings.Contains(body, want) {
			t.Errorf("minutes page lacks %q", want)
		}
	}
	// Not for members or the public.
	member, _ := e.login(t, council.RoleMember)
	if st, _ := e.get(t, member, path); st != http.StatusForbidden && st != http.StatusNotFound && st != http.StatusSeeOther {
		t.Errorf("a member gets the draft minutes: status %d", st)
	}
	if st, body := e.get(t, e.anon(), path); st == http.StatusOK || strings.Contains(body, "Haushaltssatzung 2027") {
		t.Errorf("the public gets the draft minutes: status %d", st)
	}
	e.do(t, clerkActor, live.Close{})
	testMinutesLifecycle(t, e, clerk)
}

// testMinutesLifecycle continues TestAdminMinutes after the session
// closed: the clerk edits the draft (edits kept with history, a bad
// correction refused and nothing lost), members see the draft and the
// public does not, a later meeting puts the approval on its agenda and
// approves the minutes by its poll, which freezes them (hash) and
// publishes the public version (HTML, PDF, OParl results protocol, the
// items' result); afterwards only an addendum is taken.
func testMinutesLifecycle(t *testing.T, e *liveEnv, clerk *http.Client) {
	ctx := t.Context()
	mid := e.meeting.ID.String()
	edit := "/admin/meetings/" + mid + "/minutes"
	post := func(path string, form url.Values, want int) string {
		t.Helper()
		resp := e.postForm(t, clerk, path, form)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("POST %s: status %d, want %d: %s", path, resp.StatusCode, want, b)
		}
		return string(b)
	}
	const resolution = "Der Rat beschließt die Haushaltssatzung 2027 in der Fassung der Vorlage."
	const secretNote = "VERTRAULICH-NOTIZ-Kaufpreis 1,2 Mio"
	post(edit+"/items/"+e.items[0].ID.String(), url.Values{"resolution_text": {resolution}, "result": {"einstimmig beschlossen"},
		"notes": {"Die Kämmerin erläuterte die Eckdaten.\r\n"}}, http.StatusSeeOther)
	post(edit+"/items/"+e.items[1].ID.String(), url.Values{"notes": {secretNote}}, http.StatusSeeOther)
	body := post(edit+"/items/"+e.items[0].ID.String()+"/corrections", url.Values{"value": {"Beginn 18:05 Uhr"}}, http.StatusBadRequest)
	if !strings.Contains(body, "Grund") && !strings.Contains(body, "reason") && !strings.Contains(body, "erforderlich") {
		t.Errorf("a correction without a reason: the error page does not say what is missing: %s", body)
	}
	post(edit+"/items/"+e.items[0].ID.String()+"/corrections", url.Values{"value": {"Beginn 18:05 Uhr"}, "reason": {"Uhrzeit laut Anwesenheitsliste"}}, http.StatusSeeOther)
	st, page := e.get(t, clerk, edit)
	if st != http.StatusOK {
		t.Fatalf("editor: status %d", st)
	}
	for _, want := range []string{resolution, "einstimmig beschlossen", "Die Kämmerin erläuterte die Eckdaten.", secretNote,
		"Laut Sitzungsprotokoll", "Änderungen (4)", "Beginn 18:05 Uhr", "Uhrzeit laut Anwesenheitsliste"} {
		if !strings.Contains(page, html.EscapeString(want)) {
			t.Errorf("editor lacks %q", want)
		}
	}
	edits, err := e.meetings.MinutesEdits(ctx, e.meeting.ID)
	if err != nil || len(edits) != 5 {
		t.Fatalf("edits = %d, %v; want 5 (3 fields, a note, a correction; the refused one not kept)", len(edits), err)
	}

	// The members of the council read the draft; the public does not.
	member := e.loginMember(t, e.persons[1])
	if st, page := e.get(t, member, "/meetings/"+mid+"/minutes"); st != http.StatusOK || !strings.Contains(page, html.EscapeString(secretNote)) ||
		!strings.Contains(page, "Entwurf") {
		t.Errorf("member: draft minutes status %d, want 200 with the non-public item's note", st)
	}
	for _, p := range []string{"/meetings/" + mid + "/minutes", "/meetings/" + mid + "/minutes.pdf"} {
		if st, body := e.get(t, e.anon(), p); st != http.StatusNotFound || strings.Contains(body, "Haushaltssatzung") {
			t.Errorf("public GET %s before approval: status %d, want 404", p, st)
		}
	}

	// A later meeting approves them.
	later, approve := voteApproval(t, e, clerk)
	post(approve, nil, http.StatusSeeOther)
	post(approve, nil, http.StatusConflict) // approved already

	status, err := e.meetings.MinutesStatus(ctx, e.meeting.ID)
	if err != nil || status.State != meetings.MinutesApproved || !strings.Contains(approve, status.ApprovedByItem.String()) || status.PublicHash == "" {
		t.Fatalf("status = %+v, %v; want approved by the item", status, err)
	}
	if st, page := e.get(t, e.anon(), "/meetings/"+mid+"/minutes"); st != http.StatusOK || !strings.Contains(page, later.Name) {
		t.Errorf("public minutes: status %d, want them naming the approving meeting %q", st, later.Name)
	}
	frozen, err := e.meetings.FrozenMinutes(ctx, e.meeting.ID)
	liveMust(t, "frozen minutes", err)
	if h, _, err := frozen.Digest(); err != nil || h != status.Hash {
		t.Errorf("the frozen minutes' digest %s (%v) differs from the stored hash %s", h, err, status.Hash)
	}
	// Frozen: edits are refused, an addendum needs a reason, one with a reason is kept.
	post(edit+"/items/"+e.items[0].ID.String(), url.Values{"resolution_text": {"geändert"}}, http.StatusConflict)
	post(edit+"/addenda", url.Values{"value": {"Nachtrag ohne Grund"}}, http.StatusBadRequest)
	post(edit+"/addenda", url.Values{"value": {"Die Sitzung endete um 19:40 Uhr."}, "reason": {"Uhrzeit fehlte"}}, http.StatusSeeOther)
	post(edit+"/addenda", url.Values{"item": {e.items[1].ID.String()}, "value": {"NACHTRAG-NOEFF zum Kaufvertrag"}, "reason": {"Notar"}}, http.StatusSeeOther)

	// The public version: HTML, PDF, OParl.
	st, page = e.get(t, e.anon(), "/meetings/"+mid+"/minutes")
	if st != http.StatusOK {
		t.Fatalf("public minutes: status %d", st)
	}
	for _, want := range []string{"Genehmigt in der Sitzung", status.PublicHash, html.EscapeString(resolution), "Die Sitzung endete um 19:40 Uhr.", "Öffentliche Fassung"} {
		if !strings.Contains(page, want) {
			t.Errorf("public minutes lack %q", want)
		}
	}
	for _, secret := range []string{liveSecretTitle, secretNote, "NACHTRAG-NOEFF", status.Hash} {
		if strings.Contains(page, html.EscapeString(secret)) {
			t.Errorf("public minutes show %q", secret)
		}
	}
	if st, page := e.get(t, e.anon(), "/meetings/"+mid); st != http.StatusOK || !strings.Contains(page, "/meetings/"+mid+"/minutes") {
		t.Errorf("the meeting page does not link the approved minutes (status %d)", st)
	}
	st, pdf := e.get(t, e.anon(), "/meetings/"+mid+"/minutes.pdf")
	text := pdfText(t, []byte(pdf))
	if st != http.StatusOK || !strings.Contains(text, "Haushaltssatzung 2027") || strings.Contains(text, "Geheimweg") || strings.Contains(text, "VERTRAULICH") {
		t.Errorf("public minutes PDF: status %d, text %q", st, text)
	}
	st, doc := e.get(t, e.anon(), "/oparl/v1.1/meeting/"+mid)
	if st != http.StatusOK || !strings.Contains(doc, `"resultsProtocol"`) || !strings.Contains(doc, "einstimmig beschlossen") || strings.Contains(doc, "Geheimweg") {
		t.Errorf("OParl meeting: status %d, want its results protocol and the approved result: %s", st, doc)
	}
	// Members keep the full version, with the non-public item.
	if st, page := e.get(t, member, "/meetings/"+mid+"/minutes"); st != http.StatusOK || !strings.Contains(page, html.EscapeString(secretNote)) ||
		!strings.Contains(page, status.Hash) {
		t.Errorf("member: approved minutes status %d, want the members' version with its hash", st)
	}
}
