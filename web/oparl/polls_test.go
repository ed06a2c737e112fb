package oparl_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
	"github.com/plenar/plenar/migrations/pgtest"
)

// markerPoll sits in the question and candidates of a poll on a
// non-public agenda item: no response may contain it.
const markerPoll = "WAHLGEHEIM-OPARL-4P7"

// TestPollsPublished holds real polls through live.Hub commands — on a
// public item an amendment (open, a tie), the main motion (named, a
// member conflicted), a secret poll, a cancelled poll and an election with
// a run-off; on a non-public item a secret election whose question and
// candidates carry a marker — and checks plenar:poll of the public item,
// alone, embedded in its meeting and in the list, and that nothing of the
// non-public item's poll appears.
func TestPollsPublished(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	cs, ms := council.NewStore(pool), meetings.NewStore(pool)
	body, err := cs.CreateBody(ctx, council.Body{Name: "Stadt Musterstadt"})
	must(t, "body", err)
	org, err := cs.SaveOrganization(ctx, council.Organization{BodyID: body.ID, Name: "Stadtrat", Kind: council.KindCouncil, StatutorySeats: 5})
	must(t, "organization", err)
	var persons []council.Person
	for i := range 5 {
		p, err := cs.SavePerson(ctx, council.Person{BodyID: body.ID, GivenName: "Rat", FamilyName: fmt.Sprintf("Mitglied%d", i)})
		must(t, "person", err)
		role := "Mitglied"
		if i == 0 {
			role = "Vorsitzende"
		}
		_, err = cs.SaveMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: org.ID, Role: role, VotingRight: true})
		must(t, "membership", err)
		persons = append(persons, p)
	}
	cu, err := cs.CreateUser(ctx, council.User{Email: "clerk@example.org", Role: council.RoleClerk, PasswordHash: "x"})
	must(t, "clerk", err)
	clerk := live.Actor{Viewer: council.Viewer{UserID: cu.ID, Role: council.RoleClerk}}
	m, err := ms.SaveMeeting(ctx, meetings.Meeting{BodyID: body.ID, Name: "Ratssitzung",
		Start: time.Now().Add(-2 * time.Hour).Truncate(time.Minute), Organizations: []council.ID{org.ID}})
	must(t, "meeting", err)
	pub, err := ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Radverkehrskonzept", Public: true})
	must(t, "public item", err)
	hidden, err := ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Personalangelegenheit", Public: false})
	must(t, "non-public item", err)
	_, err = ms.Invite(ctx, m.ID, time.Now().Add(-14*24*time.Hour))
	must(t, "invite", err)

	hub := live.NewHub(pool, live.Options{})
	do := func(c live.Command) {
		t.Helper()
		if _, err := hub.Do(ctx, m.ID, clerk, c); err != nil {
			t.Fatalf("%s: %v", c.Name(), err)
		}
	}
	running := func() council.ID {
		t.Helper()
		p, ok, err := ms.RunningPoll(ctx, m.ID)
		if err != nil || !ok {
			t.Fatalf("no running poll: %v", err)
		}
		return p.ID
	}
	// Everyone in the room; the clerk enters the choices.
	vote := func(poll council.ID, choices ...string) {
		t.Helper()
		for i, c := range choices {
			if c != "" {
				do(live.CastBallot{Person: persons[i].ID, Poll: poll, Choice: []string{c}})
			}
		}
	}
	// Secret: the clerk ticks the members off and enters the urn.
	paper := func(poll council.ID, choices ...[]string) {
		t.Helper()
		for i := range choices {
			do(live.CastBallot{Person: persons[i].ID, Poll: poll})
		}
		for _, c := range choices {
			do(live.PaperBallot{Poll: poll, Choice: c})
		}
	}
	do(live.Start{Mode: voting.Presence})
	for _, p := range persons {
		do(live.CheckIn{Person: p.ID})
	}
	do(live.OpenPoll{Kind: voting.Open, Question: "Änderungsantrag der Fraktion Grün", Rule: "simple"})
	amendment := running()
	vote(amendment, "yes", "yes", "no", "no", "abstain")
	do(live.ClosePoll{Poll: amendment})
	do(live.DeclareConflict{Person: persons[4].ID})
	do(live.OpenPoll{Kind: voting.Named, Question: "Beschlussvorschlag der Verwaltung", Rule: "simple"})
	named := running()
	vote(named, "yes", "yes", "yes", "no")
	do(live.ClosePoll{Poll: named})
	do(live.OpenPoll{Kind: voting.Secret, Question: "Abberufung", Rule: "two_thirds_cast"})
	cancelled := running()
	do(live.CancelPoll{Poll: cancelled, Reason: "Stimmzettel fehlerhaft"})
	do(live.OpenPoll{Kind: voting.Secret, Question: "Abberufung", Rule: "two_thirds_cast"})
	secret := running()
	paper(secret, []string{"yes"}, []string{"yes"}, []string{"yes"}, []string{"no"})
	do(live.ClosePoll{Poll: secret})
	do(live.OpenPoll{Kind: voting.Election, Question: "Wahl des Ortsbeauftragten", Candidates: []string{"Anna Becker", "Jonas Wolf", "Petra Lang"}})
	round1 := running()
	paper(round1, []string{"c1"}, []string{"c1"}, []string{"c2"}, []string{"no"})
	do(live.ClosePoll{Poll: round1})
	do(live.OpenPoll{Kind: voting.Election, Previous: round1})
	round2 := running()
	paper(round2, []string{"c2"}, []string{"c1"}, []string{"c1"}, []string{"c2"})
	do(live.ClosePoll{Poll: round2})
	do(live.NextItem{})
	do(live.OpenPoll{Kind: voting.Election, Question: "Wahl " + markerPoll, Candidates: []string{"Kandidat " + markerPoll, "Zweiter"}})
	hiddenPoll := running()
	paper(hiddenPoll, []string{"c1"}, []string{"c1"}, []string{"c1"}, []string{"c2"}, []string{"c1"})
	do(live.ClosePoll{Poll: hiddenPoll})
	// An unfinished poll on the public item: live only.
	do(live.PreviousItem{})
	do(live.OpenPoll{Kind: voting.Open, Question: "Noch offen", Rule: "simple"})

	base := serveOParl(t, cs, ms)
	fetch := func(u string) map[string]any {
		t.Helper()
		_, o := fetchClean(t, u, "the non-public item's poll", markerPoll, "Zweiter", hiddenPoll.String())
		return o
	}

	item := fetch(base + "/agendaItem/" + pub.ID.String())
	polls, _ := item["plenar:poll"].([]any)
	if len(polls) != 6 {
		t.Fatalf("plenar:poll has %d polls, want 6 (closed and cancelled, not the running one): %v", len(polls), item["plenar:poll"])
	}
	get := func(i int) map[string]any { return polls[i].(map[string]any) }
	num := func(o map[string]any, k string) int { f, _ := o[k].(float64); return int(f) }
	for i, p := range polls {
		o := p.(map[string]any)
		for _, k := range []string{"kind", "question", "rule", "eligible", "present", "conflicted", "statutory", "yes", "no",
			"abstain", "outcome", "round", "state", "ballots"} {
			cancelled := o["state"] == "cancelled" && slices.Contains([]string{"yes", "no", "abstain", "outcome", "ballots"}, k)
			if _, ok := o[k]; !ok && !(k == "rule" && o["kind"] == "election") && !cancelled {
				t.Errorf("poll %d has no %q: %v", i, k, o)
			}
		}
		if num(o, "position") != i+1 {
			t.Errorf("poll %d at position %d, want in order of position", i, num(o, "position"))
		}
	}

	a := get(0)
	if a["kind"] != "open" || a["outcome"] != "rejected" || a["tie"] != true || num(a, "yes") != 2 || num(a, "no") != 2 ||
		num(a, "abstain") != 1 || num(a, "eligible") != 5 || num(a, "statutory") != 5 {
		t.Errorf("amendment %v, want open, rejected on a 2:2 tie of 5 eligible", a)
	}
	bs, _ := a["ballots"].([]any)
	if len(bs) != 5 || bs[0].(map[string]any)["person"] != base+"/person/"+persons[0].ID.String() || bs[0].(map[string]any)["choice"] != "yes" ||
		bs[4].(map[string]any)["choice"] != "abstain" {
		t.Errorf("amendment ballots %v, want each member's person URL and choice in roster order", bs)
	}
	n := get(1)
	if n["kind"] != "named" || n["outcome"] != "accepted" || num(n, "conflicted") != 1 || num(n, "eligible") != 4 ||
		num(n, "present") != 5 || len(n["ballots"].([]any)) != 4 {
		t.Errorf("named poll %v, want accepted with one member conflicted and 4 ballots", n)
	}
	c := get(2)
	if c["state"] != "cancelled" || c["reason"] != "Stimmzettel fehlerhaft" || c["ballots"] != nil || c["outcome"] != nil || c["yes"] != nil {
		t.Errorf("cancelled poll %v, want its reason and no ballots", c)
	}
	s := get(3)
	sb, _ := s["ballots"].([]any)
	if s["kind"] != "secret" || s["outcome"] != "accepted" || s["rule"] != "two_thirds_cast" || num(s, "yes") != 3 || len(sb) != 4 {
		t.Fatalf("secret poll %v, want accepted 3:1 with 4 receipts", s)
	}
	var receipts []string
	for _, b := range sb {
		o := b.(map[string]any)
		if o["person"] != nil || !meetings.ValidReceipt(str(o["receipt"])) {
			t.Errorf("secret ballot %v, want a receipt and no person", o)
		}
		receipts = append(receipts, str(o["receipt"]))
	}
	if !slices.IsSorted(receipts) {
		t.Errorf("receipts %v, want sorted by receipt", receipts)
	}
	e1, e2 := get(4), get(5)
	if e1["kind"] != "election" || e1["outcome"] != "runoff" || num(e1, "round") != 1 || fmt.Sprint(e1["runoff"]) != "[c1 c2]" ||
		e1["seed"] == "" || len(e1["candidates"].([]any)) != 3 {
		t.Errorf("election round 1 %v, want a run-off between c1 and c2 with the seed", e1)
	}
	if cand := e1["candidates"].([]any)[0].(map[string]any); cand["name"] != "Anna Becker" || num(cand, "votes") != 2 {
		t.Errorf("candidate %v, want Anna Becker with 2 votes", cand)
	}
	if eb := e1["ballots"].([]any); len(eb) != 4 || fmt.Sprint(eb[0].(map[string]any)["choice"]) == "" {
		t.Errorf("election ballots %v", eb)
	}
	if e2["outcome"] != "elected" || num(e2, "round") != 2 || e2["lots"] == nil || len(fmt.Sprint(e2["elected"])) < 3 {
		t.Errorf("election round 2 %v, want elected by lot on a 2:2 tie", e2)
	}

	// The same polls embedded in the meeting and in the list.
	mt := fetch(base + "/meeting/" + m.ID.String())
	for _, x := range mt["agendaItem"].([]any) {
		o := x.(map[string]any)
		if o["id"] == item["id"] {
			if got, want := mustJSON(t, o["plenar:poll"]), mustJSON(t, item["plenar:poll"]); got != want {
				t.Errorf("meeting embeds polls\n%s\nwant\n%s", got, want)
			}
		}
	}
	list := fetch(base + "/body/" + body.ID.String() + "/agendaItem")
	found := false
	for _, x := range list["data"].([]any) {
		o := x.(map[string]any)
		if o["id"] == item["id"] {
			found = mustJSON(t, o["plenar:poll"]) == mustJSON(t, item["plenar:poll"])
		}
	}
	if !found {
		t.Error("the agenda item list does not carry the same polls")
	}
	fetch(base + "/body/" + body.ID.String() + "/meeting")
	if omit := fetch(base + "/body/" + body.ID.String() + "/agendaItem?omit_internal=true"); strings.Contains(mustJSON(t, omit), "plenar:poll") {
		t.Error("omit_internal keeps plenar:poll")
	}
	res, err := http.Get(base + "/agendaItem/" + hidden.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("non-public item: status %d, want 404", res.StatusCode)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
