package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
)

// addVoters adds voting members (given names) to e's council and sets its
// statutory seats to the number of members.
func (e *liveEnv) addVoters(t *testing.T, names ...string) {
	t.Helper()
	ctx := context.Background()
	for _, name := range names {
		p, err := e.council.SavePerson(ctx, council.Person{BodyID: e.body.ID, GivenName: name, FamilyName: fmt.Sprintf("Rat%d", len(e.persons))})
		liveMust(t, "save person", err)
		_, err = e.council.SaveMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: e.org.ID, Role: "Mitglied", VotingRight: true})
		liveMust(t, "save membership", err)
		e.persons = append(e.persons, p)
	}
	e.org.StatutorySeats = len(e.persons)
	var err error
	e.org, err = e.council.SaveOrganization(ctx, e.org)
	liveMust(t, "save organization", err)
}

// publicWatch reads what the public's websocket receives, for checks that
// no message ever carried a secret choice or who voted in a secret poll.
type publicWatch struct {
	mu   sync.Mutex
	msgs []live.Message
}

func watchPublic(t *testing.T, e *liveEnv) *publicWatch {
	t.Helper()
	w := &publicWatch{}
	conn := e.dial(t, nil, "")
	go func() {
		for {
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Minute))
			var m live.Message
			if err := conn.ReadJSON(&m); err != nil {
				return
			}
			w.mu.Lock()
			w.msgs = append(w.msgs, m)
			w.mu.Unlock()
		}
	}()
	return w
}

// polls returns every poll view the public received.
func (w *publicWatch) polls(t *testing.T) []live.PollView {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []live.PollView
	for _, m := range w.msgs {
		switch {
		case m.Snapshot != nil:
			out = append(out, m.Snapshot.Polls...)
		case m.Type == live.TypeEvent && m.Kind == live.EvPoll:
			var v live.PollView
			if err := json.Unmarshal(m.Data, &v); err != nil {
				t.Fatalf("public poll event: %v", err)
			}
			out = append(out, v)
		}
	}
	return out
}

// checkSecrecy: no secret poll or election the public received says who
// voted, and none carries a choice before it closed.
func (w *publicWatch) checkSecrecy(t *testing.T) int {
	t.Helper()
	n := 0
	for _, v := range w.polls(t) {
		if v.Kind != "secret" && v.Kind != "election" {
			continue
		}
		n++
		if len(v.Voted) > 0 || len(v.Votes) > 0 {
			t.Errorf("the public received who voted in secret poll %q (%s): voted %v, votes %v", v.Question, v.State, v.Voted, v.Votes)
		}
		if v.State != "closed" && (len(v.Receipts) > 0 || v.Tally != nil || v.Election != nil) {
			t.Errorf("the public received choices of secret poll %q while %s", v.Question, v.State)
		}
	}
	return n
}

// longer gives the tabs of newMediaBrowser (3 minutes each) a longer
// deadline: a context with the tab's values (chromedp finds its target by
// value) and a deadline of d from now, cancelled with the test. The tab
// itself lives as long as its browser context, not its deadline.
func longer(t testing.TB, tabs []context.Context, d time.Duration) []context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	out := make([]context.Context, len(tabs))
	for i, tab := range tabs {
		out[i] = valuesOf{Context: ctx, values: tab}
	}
	return out
}

// valuesOf is Context with the values of another context.
type valuesOf struct {
	context.Context
	values context.Context
}

func (v valuesOf) Value(key any) any { return v.values.Value(key) }

const lastPoll = `[data-live="polls"] article:last-of-type`

// lastPollID returns the id of the last poll shown on ctx's page.
func lastPollID(t *testing.T, ctx context.Context) string {
	t.Helper()
	return evalString(t, ctx, `(document.querySelector('`+lastPoll+`') || {dataset: {}}).dataset.poll || ""`)
}

// TestLiveVoteBrowser (issue 16, "Done when"): a hybrid session in
// Chromium with fake media. A clerk runs the console; Beate, Carl and
// Dora take part remotely on their member pages; the chair (Vorsitz) and
// Emil are in the room and the clerk enters their votes. On one item:
//   - an open vote: Beate by keyboard alone (the ballot takes the focus,
//     Tab, Enter), Carl and Dora by click; the clerk enters Emil's "Nein"
//     first, then "Alle übrigen im Saal: Ja";
//   - a named vote with an abstention, the clerk entering each room member;
//   - a secret vote: remote members on their pages (each gets a receipt),
//     the room members ticked off "voted on paper" and their two paper
//     ballots entered from the urn; Beate finds her receipt in the
//     published list with the search box;
//   - an election without a majority in round 1, "Stichwahl öffnen", and
//     round 2 elects.
//
// Results are checked on the console, a member page and the public page;
// the public page and the public websocket never carry a secret choice
// before close nor who voted in a secret poll. axe on the voting states.
func TestLiveVoteBrowser(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, withMedia(t))
	e.addVoters(t, "Dora", "Emil")
	axe := axeSource(t)
	base, mid := e.ts.URL, e.meeting.ID.String()
	chair, emil := e.persons[0], e.persons[4]
	clerk, _ := e.login(t, council.RoleClerk) // with its second factor
	members := []council.User{e.newMember(t, e.persons[1]), e.newMember(t, e.persons[2]), e.newMember(t, e.persons[3])}
	tabs := longer(t, newMediaBrowser(t, 5), 10*time.Minute)
	con, pub, b, c, d := tabs[0], tabs[1], tabs[2], tabs[3], tabs[4]
	remote := []context.Context{b, c, d}
	watch := watchPublic(t, e)

	setBrowserCookie(t, con, base, e.sessionCookie(clerk))
	navigate(t, con, base+"/admin/meetings/"+mid+"/live")
	waitText(t, con, `[data-live="conn"]`, "Verbunden")
	// Hybrid on the basis of the statute: the console's defaults.
	if got := evalString(t, con, `document.querySelector('[data-live="start-mode"]').value + "/" + document.querySelector('[data-live="start-basis"]').value`); got != "hybrid/statute" {
		t.Errorf("start options: %s, want hybrid/statute", got)
	}
	click(t, con, `button[data-cmd="start"]`)
	waitText(t, con, `[data-live="item"]`, "Haushalt 2027")
	waitText(t, con, `[data-live="session-mode"]`, "Hybride Sitzung · Rechtsgrundlage: Hauptsatzung")
	for _, p := range []council.Person{chair, emil} {
		click(t, con, fmt.Sprintf(`[data-live="roster"] tr:nth-child(%d) button`, rosterRow(t, con, p.Name())))
		waitJS(t, con, fmt.Sprintf(`[...document.querySelectorAll('[data-live="roster"] tr')].some(r => r.textContent.includes(%q) && r.textContent.includes("im Saal"))`, p.Name()), p.Name()+" in the room")
	}
	for i, ctx := range remote {
		browserLogin(t, ctx, base, members[i])
		navigate(t, ctx, base+"/meetings/"+mid+"/live/member")
		waitText(t, ctx, `[data-live="item"]`, "Haushalt 2027")
		waitJS(t, ctx, `!document.querySelector('[data-media="join"]').disabled`, "join enabled")
		click(t, ctx, `[data-media="join"]`)
	}
	for _, p := range e.persons[1:4] {
		waitJS(t, con, fmt.Sprintf(`[...document.querySelectorAll('[data-live="roster"] tr')].some(r => r.textContent.includes(%q) && r.textContent.includes("digital"))`, p.Name()), p.Name()+" remote")
	}
	navigate(t, pub, base+"/meetings/"+mid+"/live")
	waitText(t, pub, `[data-live="session-mode"]`, "Hybride Sitzung")
	waitText(t, b, `[data-live="session-mode"]`, "Rechtsgrundlage: Hauptsatzung")

	open := func(kind, question, extra string) string {
		t.Helper()
		click(t, con, fmt.Sprintf(`input[name="poll-kind"][value=%q]`, kind))
		if err := chromedp.Do(con, chromedp.SetValue(chromedp.CSS(`[data-live="poll-question"]`), question)); err != nil {
			t.Fatal(err)
		}
		if extra != "" {
			if err := chromedp.Do(con, chromedp.SetValue(chromedp.CSS(`[data-live="poll-candidates"]`), extra)); err != nil {
				t.Fatal(err)
			}
		}
		click(t, con, `[data-live="poll-form"] button[type="submit"]`)
		waitText(t, con, lastPoll+" h3", question)
		id := lastPollID(t, con)
		for _, ctx := range append([]context.Context{pub}, remote...) {
			waitText(t, ctx, lastPoll+" h3", question)
		}
		// The ballot takes the focus on every remote member's page.
		for _, ctx := range remote {
			waitJS(t, ctx, `document.activeElement && document.activeElement.dataset.live === "ballot"`, "ballot focused: "+question)
		}
		return id
	}
	vote := func(ctx context.Context, choice string) {
		t.Helper()
		click(t, ctx, fmt.Sprintf(`[data-live="ballot"] button[data-choice=%q]`, choice))
		waitText(t, ctx, lastPoll+` [data-live="counted"]`, "gezählt")
	}
	enter := func(id string, p council.Person, choice string) {
		t.Helper()
		click(t, con, fmt.Sprintf(`%s tr[data-person=%q] button[data-choice=%q]`, lastPoll, p.ID, choice))
		waitJS(t, con, fmt.Sprintf(`!document.querySelector('%s tr[data-person="%s"] button')`, lastPoll, p.ID), p.Name()+" entered")
	}
	closePoll := func(id, want string) {
		t.Helper()
		waitText(t, con, lastPoll+` [data-live="poll-count"]`, "5 von 5")
		click(t, con, fmt.Sprintf(`[data-key="close-%s"]`, id))
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(text(t, con, lastPoll+` [data-live="poll-result"]`), want) {
			if time.Now().After(deadline) {
				t.Fatalf("console: no result %q within 20 s; error %q; poll %q", want, text(t, con, `[data-live="error"]`), text(t, con, lastPoll))
			}
			time.Sleep(100 * time.Millisecond)
		}
		for _, ctx := range []context.Context{con, pub, b} {
			waitText(t, ctx, lastPoll+` [data-live="poll-result"]`, want)
		}
	}

	// 1. Open vote. Beate votes by keyboard alone: Tab from the focused
	// ballot to "Ja", Enter.
	id := open("open", "Haushaltssatzung 2027 beschließen", "")
	waitText(t, pub, lastPoll+` [data-live="poll-count"]`, "0 von 5 Stimmen abgegeben")
	pressKeys(t, b, kb.Tab)
	if got := evalString(t, b, `document.activeElement.dataset.choice || ""`); got != "yes" {
		t.Fatalf("Tab from the ballot focuses %q, want the Ja button", got)
	}
	pressKeys(t, b, "\r")
	waitText(t, b, lastPoll+` [data-live="counted"]`, "Ihre Stimme wurde gezählt: Ja")
	waitJS(t, b, `document.activeElement && document.activeElement.dataset.live === "counted"`, "confirmation focused")
	vote(c, "no")
	if vs := runAxe(t, d, axe); len(vs) > 0 {
		t.Errorf("member page with an open ballot: axe violations:%s", describeViolations(vs))
	}
	vote(d, "yes")
	enter(id, emil, "no")
	click(t, con, fmt.Sprintf(`[data-key="room-%s"]`, id))
	waitText(t, con, fmt.Sprintf(`%s tr[data-person=%q]`, lastPoll, chair.ID), "Ja")
	waitText(t, pub, lastPoll+` [data-live="poll-count"]`, "5 von 5 Stimmen abgegeben")
	if vs := runAxe(t, con, axe); len(vs) > 0 {
		t.Errorf("console with a running open vote: axe violations:%s", describeViolations(vs))
	}
	closePoll(id, "Angenommen – Ja: 3, Nein: 2, Enthaltungen: 0")
	for _, ctx := range []context.Context{pub, b, con} {
		waitJS(t, ctx, `[...document.querySelectorAll('`+lastPoll+` [data-live="votes"] tr')].some(r => r.textContent.includes("Carl Rat2") && r.textContent.includes("Nein"))`, "per-member choices")
	}
	waitText(t, con, lastPoll+` [data-live="poll-result"]`, "einfache Mehrheit")
	waitText(t, con, lastPoll+` [data-live="poll-result"]`, "Stimmberechtigt5")

	// 2. Named vote with an abstention.
	id = open("named", "Namentlich: Radverkehrskonzept", "")
	vote(b, "yes")
	vote(c, "yes")
	vote(d, "abstain")
	enter(id, chair, "yes")
	enter(id, emil, "no")
	closePoll(id, "Angenommen – Ja: 3, Nein: 1, Enthaltungen: 1")
	waitJS(t, pub, `[...document.querySelectorAll('`+lastPoll+` [data-live="votes"] tr')].some(r => r.textContent.includes("Dora Rat3") && r.textContent.includes("Enthaltung"))`, "public: Dora abstained")

	// 3. Secret vote: remote members on their pages, the room on paper.
	id = open("secret", "Geheim: Vergabe Ehrenbürgerschaft", "")
	vote(b, "yes")
	receipt := text(t, b, lastPoll+` [data-live="own-receipt"]`)
	if len(receipt) != 9 || receipt[4] != '-' {
		t.Fatalf("Beate's receipt %q", receipt)
	}
	vote(c, "no")
	vote(d, "yes")
	for _, p := range []council.Person{chair, emil} {
		click(t, con, fmt.Sprintf(`%s tr[data-person=%q] button`, lastPoll, p.ID))
		waitJS(t, con, fmt.Sprintf(`!document.querySelector('%s tr[data-person="%s"] button')`, lastPoll, p.ID), p.Name()+" ticked off")
	}
	waitText(t, con, lastPoll+` [data-live="urn-count"]`, "0 von 2 Stimmzetteln erfasst")
	click(t, con, `[data-live="urn"] button[data-choice="yes"]`)
	waitText(t, con, lastPoll+` [data-live="urn-count"]`, "1 von 2 Stimmzetteln erfasst")
	click(t, con, `[data-live="urn"] button[data-choice="no"]`)
	waitText(t, con, lastPoll+` [data-live="urn-count"]`, "2 von 2 Stimmzetteln erfasst")
	waitText(t, pub, lastPoll+` [data-live="poll-count"]`, "5 von 5 Stimmen abgegeben")
	if vs := runAxe(t, con, axe); len(vs) > 0 {
		t.Errorf("console with a running secret vote: axe violations:%s", describeViolations(vs))
	}
	// The public page shows no choice and nobody's vote while it runs.
	card := text(t, pub, lastPoll)
	for _, bad := range []string{"Ja", "Nein", "Enthaltung", "Beate", "Carl", "Dora", "Emil", "Vorsitz", "abgestimmt", "Papier"} {
		if strings.Contains(card, bad) {
			t.Errorf("public page, running secret vote, shows %q: %q", bad, card)
		}
	}
	closePoll(id, "Angenommen – Ja: 3, Nein: 2, Enthaltungen: 0")
	waitJS(t, pub, `document.querySelectorAll('`+lastPoll+` [data-live="receipts"] tbody tr').length === 5`, "public: 5 receipts")
	// Beate finds her receipt with the search box (typed by keyboard).
	if err := chromedp.Do(b, chromedp.SendKeys(chromedp.CSS(lastPoll+` [data-live="receipt-search"]`), receipt)); err != nil {
		t.Fatal(err)
	}
	waitText(t, b, lastPoll+` [data-live="receipt-found"]`, "Beleg "+receipt+" gefunden: Ja")
	if n := evalString(t, b, `String([...document.querySelectorAll('`+lastPoll+` [data-live="receipts"] tbody tr')].filter(r => !r.hidden).length)`); n != "1" {
		t.Errorf("receipt search shows %s rows, want 1", n)
	}
	if vs := runAxe(t, b, axe); len(vs) > 0 {
		t.Errorf("member page with the published receipts: axe violations:%s", describeViolations(vs))
	}

	// 4. Election with a run-off: round 1 Anna 2, Bernd 2, Clara 1 (no
	// majority), round 2 between Anna and Bernd elects Anna 3 : 2.
	elect := func(id string, picks []string, paper []string) {
		t.Helper()
		for i, ctx := range remote {
			click(t, ctx, fmt.Sprintf(`#cand-m-%s-%s`, id, picks[i]))
			click(t, ctx, fmt.Sprintf(`[data-key="m-%s-cast"]`, id))
			waitText(t, ctx, lastPoll+` [data-live="counted"]`, "gezählt")
		}
		for _, p := range []council.Person{chair, emil} {
			click(t, con, fmt.Sprintf(`%s tr[data-person=%q] button`, lastPoll, p.ID))
			waitJS(t, con, fmt.Sprintf(`!document.querySelector('%s tr[data-person="%s"] button')`, lastPoll, p.ID), p.Name()+" ticked off")
		}
		for i, cand := range paper {
			click(t, con, fmt.Sprintf(`#cand-urn-%s-%s`, id, cand))
			click(t, con, fmt.Sprintf(`[data-key="urn-%s-cast"]`, id))
			waitText(t, con, lastPoll+` [data-live="urn-count"]`, fmt.Sprintf("%d von 2", i+1))
		}
	}
	id = open("election", "Wahl der stellvertretenden Vorsitzenden", "Anna Alt\nBernd Berg\nClara Clau")
	elect(id, []string{"c1", "c2", "c3"}, []string{"c1", "c2"})
	if vs := runAxe(t, pub, axe); len(vs) > 0 {
		t.Errorf("public page with a running election: axe violations:%s", describeViolations(vs))
	}
	closePoll(id, "Stichwahl zwischen Anna Alt, Bernd Berg")
	click(t, con, fmt.Sprintf(`[data-key="runoff-%s"]`, id))
	waitJS(t, con, fmt.Sprintf(`document.querySelector('%s').dataset.poll !== %q`, lastPoll, id), "round 2 opened")
	id2 := lastPollID(t, con)
	waitText(t, con, lastPoll+` [data-live="poll-info"]`, "2. Wahlgang")
	for _, ctx := range remote {
		waitJS(t, ctx, `document.activeElement && document.activeElement.dataset.live === "ballot"`, "round 2 ballot focused")
	}
	if evalBool(t, b, `!!document.querySelector('#cand-m-`+id2+`-c3')`) {
		t.Error("round 2 offers Clara, who is not in the run-off")
	}
	elect(id2, []string{"c1", "c1", "c2"}, []string{"c1", "c2"})
	closePoll(id2, "Gewählt: Anna Alt")
	waitText(t, d, lastPoll+` [data-live="poll-result"]`, "Gewählt: Anna Alt")
	if vs := runAxe(t, pub, axe); len(vs) > 0 {
		t.Errorf("public page with results: axe violations:%s", describeViolations(vs))
	}

	// Nothing on the public side ever said who voted in a secret poll or
	// what a secret ballot said before its close.
	if n := watch.checkSecrecy(t); n == 0 {
		t.Error("the public websocket received no secret poll at all")
	}
	if got := text(t, pub, `[data-live="polls"]`); strings.Contains(got, "abgestimmt") || strings.Contains(got, "Papier") {
		t.Errorf("public page shows who voted: %q", got)
	}
}

// rosterRow returns the 1-based row of name in the roster on ctx's page.
func rosterRow(t *testing.T, ctx context.Context, name string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`[...document.querySelectorAll('[data-live="roster"] tr')].findIndex(r => r.textContent.includes(%q)) + 1`, name)))
	if err != nil || n == 0 {
		t.Fatalf("roster row of %s: %d, %v", name, n, err)
	}
	return n
}
