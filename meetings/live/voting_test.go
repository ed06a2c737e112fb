package live_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
)

// voteEnv is a running session on the first (public) item with the chair
// (members[0]) and members[3], members[4] remote, members[1] and
// members[2] in the room: all five voting members present.
func voteEnv(t testing.TB, profile string) *env {
	t.Helper()
	return voteEnvWith(t, profile, live.Options{})
}

// voteEnvWith is voteEnv with hub options. Sachsen-Anhalt allows a session
// by video only in an emergency (§ 56a KVG LSA), so its session starts on
// that basis.
func voteEnvWith(t testing.TB, profile string, opts live.Options) *env {
	t.Helper()
	e := newEnv(t, opts)
	if profile != "" {
		if _, err := e.pool.Exec(e.ctx, `UPDATE bodies SET voting_profile = $1`, profile); err != nil {
			t.Fatal(err)
		}
	}
	start := live.Start{}
	if profile == "ST" {
		start.Basis = voting.BasisEmergency
	}
	e.do(t, e.clerk, start)
	for _, i := range []int{0, 3, 4} {
		e.do(t, live.SystemActor(), live.JoinRemote{Person: e.members[i].PersonID})
	}
	for _, i := range []int{1, 2} {
		e.do(t, e.clerk, live.CheckIn{Person: e.members[i].PersonID})
	}
	return e
}

// open opens a poll and returns it as the staff see it.
func (e *env) open(t testing.TB, c live.OpenPoll) live.PollView {
	t.Helper()
	e.do(t, e.clerk, c)
	snap, err := e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range snap.Polls {
		if p.State == meetings.PollOpen {
			return p
		}
	}
	t.Fatalf("no open poll after %s: %+v", c.Name(), snap.Polls)
	return live.PollView{}
}

// cast casts a member's own ballot and returns the acknowledgement's reply.
func (e *env) cast(t testing.TB, a live.Actor, poll council.ID, ballot string, choice ...string) live.BallotReply {
	t.Helper()
	_, reply, err := e.hub.DoReply(e.ctx, e.meeting.ID, a, live.CastBallot{Poll: poll, Choice: choice, Ballot: ballot})
	if err != nil {
		t.Fatalf("cast %v: %v", choice, err)
	}
	r, ok := reply.(live.BallotReply)
	if !ok {
		t.Fatalf("reply %T, want BallotReply", reply)
	}
	return r
}

// closed closes poll id and returns it as actor a then sees it.
func (e *env) closed(t testing.TB, id council.ID, a live.Actor) live.PollView {
	t.Helper()
	e.do(t, e.clerk, live.ClosePoll{Poll: id})
	return e.pollAs(t, id, a)
}

func (e *env) pollAs(t testing.TB, id council.ID, a live.Actor) live.PollView {
	t.Helper()
	snap, err := e.hub.Snapshot(e.ctx, e.meeting.ID, a)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range snap.Polls {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("poll %s not in the snapshot of %+v", id, a)
	return live.PollView{}
}

func TestPollOpenAndNamed(t *testing.T) {
	t.Parallel()
	e := voteEnv(t, "")
	pub := e.subscribe(t, e.hub, live.Actor{}, 0)
	next(t, pub)
	p := e.open(t, live.OpenPoll{Kind: voting.Open, Question: "Änderungsantrag der Fraktion Grün", Rule: "simple"})
	if p.Inputs != (voting.Inputs{Statutory: 5, Present: 5, Eligible: 5}) || len(p.Eligible) != 5 || !p.Remote {
		t.Fatalf("opened %+v, want 5 of 5 eligible, remote members taking part", p)
	}
	if got := decode[live.PollView](t, first(t, pub, live.EvPoll)); got.ID != p.ID || got.State != meetings.PollOpen {
		t.Fatalf("public poll event %+v", got)
	}
	e.cast(t, e.members[0], p.ID, "ballot-chair-1", "yes")
	e.cast(t, e.members[3], p.ID, "ballot-m3-0001", "no")
	e.cast(t, e.members[4], p.ID, "ballot-m4-0001", "no")
	// Show of hands in the room: everyone yes, except members[2], who abstains.
	if _, err := e.hub.Do(e.ctx, e.meeting.ID, e.clerk, live.CastBallot{Person: e.members[2].PersonID, Poll: p.ID, Choice: []string{"abstain"}}); err != nil {
		t.Fatal(err)
	}
	_, reply, err := e.hub.DoReply(e.ctx, e.meeting.ID, e.clerk, live.RoomVote{Poll: p.ID, Choice: "yes", Except: []council.ID{e.members[2].PersonID}})
	if err != nil || reply.(live.BallotReply).Entered != 1 {
		t.Fatalf("room vote: %v %+v, want one entered", err, reply)
	}
	got := e.closed(t, p.ID, live.Actor{})
	if got.Outcome != voting.Rejected || *got.Tally != (voting.Tally{Yes: 2, No: 2, Abstain: 1}) || got.Result == nil || !got.Result.Tie {
		t.Fatalf("closed %+v %+v, want rejected on a 2:2 tie", got, got.Tally)
	}
	if len(got.Votes) != 5 || got.Votes[0].PersonID != e.members[0].PersonID || got.Votes[0].Choice[0] != "yes" || got.Votes[1].Via != "clerk" {
		t.Fatalf("the public sees votes %+v, want each member's choice in roster order", got.Votes)
	}
	if got.Text != "abgelehnt (2 Ja, 2 Nein, 1 Enthaltung) bei Stimmengleichheit" {
		t.Errorf("text %q", got.Text)
	}

	n := e.open(t, live.OpenPoll{Kind: voting.Named, Question: "Beschlussvorschlag der Verwaltung"})
	if n.Rule != "simple" || n.Position != 2 {
		t.Fatalf("named poll %+v, want the profile's default rule at position 2", n)
	}
	e.cast(t, e.members[3], n.ID, "named-first-3", "no")
	for i, a := range []live.Actor{e.members[0], e.members[3], e.members[4]} {
		e.cast(t, a, n.ID, fmt.Sprintf("named-ballot-%d", i), "yes")
	}
	if r := e.cast(t, e.members[3], n.ID, "named-ballot-1", "yes"); !r.Repeated {
		t.Errorf("a retry after a change %+v, want Repeated", r)
	}
	e.do(t, e.clerk, live.RoomVote{Poll: n.ID, Choice: "no"})
	got = e.closed(t, n.ID, e.members[3])
	if got.Outcome != voting.Accepted || got.Tally.Yes != 3 || got.Tally.No != 2 || got.Result.Needed != 3 {
		t.Fatalf("named %+v %+v, want accepted 3:2", got, got.Tally)
	}
	var result string
	if err := e.pool.QueryRow(e.ctx, `SELECT result FROM agenda_items WHERE id = $1`, e.items[0].ID).Scan(&result); err != nil {
		t.Fatal(err)
	}
	want := "Änderungsantrag der Fraktion Grün: abgelehnt (2 Ja, 2 Nein, 1 Enthaltung) bei Stimmengleichheit\n" +
		"Beschlussvorschlag der Verwaltung: angenommen (3 Ja, 2 Nein, 0 Enthaltungen)"
	if result != want {
		t.Errorf("agenda item result %q, want %q", result, want)
	}
}

func TestPollSecretWithReceipts(t *testing.T) {
	t.Parallel()
	e := voteEnv(t, "")
	pub := e.subscribe(t, e.hub, live.Actor{}, 0)
	next(t, pub)
	p := e.open(t, live.OpenPoll{Kind: voting.Secret, Question: "Abberufung des Beigeordneten", Rule: "two_thirds_cast"})
	receipts := map[string]string{}
	for i, x := range []struct {
		a      live.Actor
		choice string
	}{{e.members[0], "yes"}, {e.members[3], "yes"}, {e.members[4], "no"}} {
		r := e.cast(t, x.a, p.ID, fmt.Sprintf("secret-ballot-%d", i), x.choice)
		if !meetings.ValidReceipt(r.Receipt) || r.Receipt != meetings.Receipt(p.ID, fmt.Sprintf("secret-ballot-%d", i)) {
			t.Fatalf("receipt %q", r.Receipt)
		}
		receipts[r.Receipt] = x.choice
	}
	// A retry of the same ballot (the acknowledgement was lost) is answered
	// with the same receipt and counts once.
	if r := e.cast(t, e.members[3], p.ID, "secret-ballot-1", "yes"); !r.Repeated || receipts[r.Receipt] != "yes" {
		t.Fatalf("retry %+v", r)
	}
	// While it runs: counts only, no choices anywhere.
	running := e.pollAs(t, p.ID, e.clerk)
	if running.Ballots != 3 || running.Tally != nil || running.Receipts != nil || running.Votes != nil || len(running.Voted) != 3 {
		t.Fatalf("running secret poll as staff %+v", running)
	}
	if pv := e.pollAs(t, p.ID, live.Actor{}); pv.Voted != nil || pv.Ballots != 3 {
		t.Fatalf("running secret poll as the public %+v, want the count only", pv)
	}
	// In the room: the clerk ticks off members voting on paper, then
	// enters the ballots from the urn.
	for _, i := range []int{1, 2} {
		e.do(t, e.clerk, live.CastBallot{Person: e.members[i].PersonID, Poll: p.ID})
	}
	if _, err := e.hub.Do(e.ctx, e.meeting.ID, e.clerk, live.ClosePoll{Poll: p.ID}); err == nil || !strings.Contains(err.Error(), "2 paper ballot") {
		t.Fatalf("close before the urn is counted: %v", err)
	}
	e.do(t, e.clerk, live.PaperBallot{Poll: p.ID, Choice: []string{"yes"}})
	e.do(t, e.clerk, live.PaperBallot{Poll: p.ID, Choice: []string{"abstain"}})
	_, err := e.hub.Do(e.ctx, e.meeting.ID, e.clerk, live.PaperBallot{Poll: p.ID, Choice: []string{"no"}})
	wantErr(t, "a third paper ballot for two paper voters", err, council.ErrConflict)

	got := e.closed(t, p.ID, live.Actor{})
	if got.Outcome != voting.Accepted || *got.Tally != (voting.Tally{Yes: 3, No: 1, Abstain: 1}) || got.Ballots != 5 {
		t.Fatalf("closed %+v %+v, want accepted 3:1:1 (3 of 4 cast ≥ 2/3)", got, got.Tally)
	}
	if len(got.Receipts) != 5 || got.Voted != nil || got.Votes != nil {
		t.Fatalf("published %+v", got)
	}
	for r, choice := range receipts {
		i := slices.IndexFunc(got.Receipts, func(x live.ReceiptView) bool { return x.Receipt == r })
		if i < 0 || got.Receipts[i].Choice[0] != choice {
			t.Errorf("receipt %s (%s) not found in the published list %+v", r, choice, got.Receipts)
		}
	}
	if !slices.IsSortedFunc(got.Receipts, func(a, b live.ReceiptView) int { return strings.Compare(a.Receipt, b.Receipt) }) {
		t.Error("the published list is not in receipt order (random with respect to the voters)")
	}
	// The public never saw who voted in the secret poll, nor a choice
	// before it closed.
	for {
		m := next(t, pub)
		if m.Kind != live.EvPoll {
			continue
		}
		v := decode[live.PollView](t, m)
		if v.Voted != nil || (v.State != meetings.PollClosed && (v.Receipts != nil || v.Tally != nil)) {
			t.Fatalf("the public saw %+v", v)
		}
		if v.State == meetings.PollClosed {
			break
		}
	}
}

// TestSecretBallotsUnlinkable checks the threat model's promise about the
// tables: after the close, who voted and what was voted carry nothing
// that links them — no time, no serial, the same inserting transaction for
// every row, and an order unrelated to the order of casting.
func TestSecretBallotsUnlinkable(t *testing.T) {
	t.Parallel()
	e := voteEnv(t, "")
	p := e.open(t, live.OpenPoll{Kind: voting.Secret, Question: "Geheime Abstimmung", Rule: "simple"})
	for i, a := range []live.Actor{e.members[0], e.members[3], e.members[4]} {
		e.cast(t, a, p.ID, fmt.Sprintf("unlinkable-%d", i), []string{"yes", "no", "abstain"}[i])
	}
	var during int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(DISTINCT xmin::text) FROM poll_secret_ballots WHERE poll_id = $1`, p.ID).Scan(&during); err != nil {
		t.Fatal(err)
	}
	if during != 3 {
		t.Fatalf("%d inserting transactions during the poll, want 3 (one per ballot)", during)
	}
	e.do(t, e.clerk, live.CastBallot{Person: e.members[1].PersonID, Poll: p.ID})
	e.do(t, e.clerk, live.PaperBallot{Poll: p.ID, Choice: []string{"yes"}})
	e.closed(t, p.ID, e.clerk)
	var xmins []string
	rows, err := e.pool.Query(e.ctx, `SELECT xmin::text FROM poll_secret_ballots WHERE poll_id = $1
		UNION ALL SELECT xmin::text FROM poll_voters WHERE poll_id = $1`, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		xmins = append(xmins, x)
	}
	if rows.Err() != nil || len(xmins) != 8 || len(slices.Compact(slices.Sorted(slices.Values(xmins)))) != 1 {
		t.Fatalf("after close the rows carry transactions %v, want 8 rows all written by the closing transaction", xmins)
	}
	for _, table := range []string{"poll_voters", "poll_secret_ballots"} {
		var cols []string
		if err := e.pool.QueryRow(e.ctx, `SELECT array_agg(column_name::text ORDER BY column_name) FROM information_schema.columns
			WHERE table_name = $1`, table).Scan(&cols); err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			if c != "poll_id" && c != "person_id" && c != "via" && c != "receipt" && c != "choice" {
				t.Errorf("%s has column %s: a secret ballot's tables hold nothing but who and what", table, c)
			}
		}
	}
}

func TestElectionWithRunoff(t *testing.T) {
	t.Parallel()
	e := voteEnv(t, "")
	p := e.open(t, live.OpenPoll{Kind: voting.Election, Question: "Wahl der stellvertretenden Bürgermeisterin",
		Candidates: []string{"Anna Becker", "Jonas Wolf", "Petra Lang"}})
	if p.Rule != "" || len(p.Candidates) != 3 || !slices.Equal(p.Choices, []string{"c1", "c2", "c3", "no", "abstain"}) {
		t.Fatalf("election %+v", p)
	}
	for i, x := range []struct {
		a    live.Actor
		cand string
	}{{e.members[0], "c1"}, {e.members[3], "c2"}, {e.members[4], "c3"}} {
		e.cast(t, x.a, p.ID, fmt.Sprintf("election-r1-%d", i), x.cand)
	}
	for _, i := range []int{1, 2} {
		e.do(t, e.clerk, live.CastBallot{Person: e.members[i].PersonID, Poll: p.ID})
	}
	e.do(t, e.clerk, live.PaperBallot{Poll: p.ID, Choice: []string{"c1"}})
	e.do(t, e.clerk, live.PaperBallot{Poll: p.ID, Choice: []string{"c2"}})
	r1 := e.closed(t, p.ID, live.Actor{})
	if r1.Outcome != voting.Runoff || r1.Election == nil || !slices.Equal(r1.Election.Result.Runoff, []string{"c1", "c2"}) ||
		r1.Election.Votes["c1"] != 2 || r1.Election.Seed == "" {
		t.Fatalf("round 1 %+v %+v, want a run-off between c1 and c2", r1, r1.Election)
	}
	if !strings.Contains(r1.Text, "Stichwahl zwischen Anna Becker und Jonas Wolf") {
		t.Errorf("round 1 text %q", r1.Text)
	}
	r2 := e.open(t, live.OpenPoll{Kind: voting.Election, Previous: p.ID})
	if r2.Round != 2 || len(r2.Candidates) != 2 || r2.Question != p.Question {
		t.Fatalf("round 2 %+v", r2)
	}
	_, err := e.hub.Do(e.ctx, e.meeting.ID, e.members[0], live.CastBallot{Poll: r2.ID, Choice: []string{"c3"}, Ballot: "election-r2-x"})
	wantErr(t, "a vote for a candidate out of the run-off", err, council.ErrInvalid)
	for i, x := range []struct {
		a    live.Actor
		cand string
	}{{e.members[0], "c1"}, {e.members[3], "c2"}, {e.members[4], "c1"}} {
		e.cast(t, x.a, r2.ID, fmt.Sprintf("election-r2-%d", i), x.cand)
	}
	final := e.closed(t, r2.ID, e.members[4])
	if final.Outcome != voting.Elected || !slices.Equal(final.Election.Result.Elected, []string{"c1"}) {
		t.Fatalf("round 2 %+v", final.Election)
	}
	if !strings.Contains(final.Text, "2. Wahlgang: gewählt Anna Becker") {
		t.Errorf("round 2 text %q", final.Text)
	}
}

func TestBallotBadInput(t *testing.T) {
	t.Parallel()
	profiles := voting.Builtin()
	nw := profiles["NW"]
	nw.ChangeBallot = false // a profile that keeps the first ballot
	profiles["NW"] = nw
	e := voteEnvWith(t, "", live.Options{Profiles: profiles})
	e.do(t, e.members[4], live.DeclareConflict{})
	p := e.open(t, live.OpenPoll{Kind: voting.Open, Question: "Vergabe Kita-Neubau", Rule: "simple"})
	if p.Inputs.Conflicted != 1 || p.Inputs.Eligible != 4 {
		t.Fatalf("inputs %+v, want 1 conflicted, 4 eligible", p.Inputs)
	}
	e.cast(t, e.members[3], p.ID, "good-ballot-3", "yes")
	// From the first ballot on, ballots take the short way first
	// (own_ballot.go): every case below must be answered as by the long way.
	if !live.KnowsPoll(e.hub, p.ID) {
		t.Fatal("the hub does not remember the poll after its first ballot: the cases below would not test the short way")
	}
	snapBefore := e.pollAs(t, p.ID, e.clerk)
	for _, tc := range []struct {
		name string
		a    live.Actor
		c    live.Command
		kind error
	}{
		{"the conflicted member", e.members[4], live.CastBallot{Poll: p.ID, Choice: []string{"yes"}, Ballot: "conflicted-1"}, council.ErrForbidden},
		{"a member without a vote", e.members[5], live.CastBallot{Poll: p.ID, Choice: []string{"yes"}, Ballot: "novote-0001"}, council.ErrForbidden},
		{"a second ballot", e.members[3], live.CastBallot{Poll: p.ID, Choice: []string{"no"}, Ballot: "other-ballot-3"}, council.ErrConflict},
		{"the same ballot id with another choice", e.members[3], live.CastBallot{Poll: p.ID, Choice: []string{"no"}, Ballot: "good-ballot-3"}, council.ErrConflict},
		{"a choice not offered", e.members[0], live.CastBallot{Poll: p.ID, Choice: []string{"vielleicht"}, Ballot: "chair-ballot"}, council.ErrInvalid},
		{"two choices", e.members[0], live.CastBallot{Poll: p.ID, Choice: []string{"yes", "no"}, Ballot: "chair-ballot"}, council.ErrInvalid},
		{"no ballot id", e.members[0], live.CastBallot{Poll: p.ID, Choice: []string{"yes"}}, council.ErrInvalid},
		{"a forged member id", e.members[0], live.CastBallot{Person: e.members[1].PersonID, Poll: p.ID, Choice: []string{"yes"}, Ballot: "forged-0001"}, council.ErrForbidden},
		{"a citizen's account naming a member", live.Actor{Viewer: council.Viewer{UserID: council.NewID(), Role: council.RoleCitizen}, PersonID: e.members[1].PersonID},
			live.CastBallot{Poll: p.ID, Choice: []string{"yes"}, Ballot: "citizen-0001"}, council.ErrForbidden},
		{"the clerk for a remote member", e.clerk, live.CastBallot{Person: e.members[0].PersonID, Poll: p.ID, Choice: []string{"yes"}}, council.ErrForbidden},
		{"an unknown poll", e.members[0], live.CastBallot{Poll: council.NewID(), Choice: []string{"yes"}, Ballot: "chair-ballot"}, council.ErrNotFound},
		{"the public", live.Actor{}, live.CastBallot{Poll: p.ID, Choice: []string{"yes"}, Ballot: "public-ballot"}, council.ErrForbidden},
		{"paper ballot in an open poll", e.clerk, live.PaperBallot{Poll: p.ID, Choice: []string{"yes"}}, council.ErrInvalid},
		{"a second poll while one runs", e.clerk, live.OpenPoll{Kind: voting.Open, Question: "Noch eine"}, council.ErrConflict},
		{"a rule the profile lacks", e.clerk, live.OpenPoll{Kind: voting.Open, Question: "x", Rule: "nine_tenths"}, council.ErrConflict},
		{"a member opens a poll", e.members[3], live.OpenPoll{Kind: voting.Open, Question: "x"}, council.ErrForbidden},
		{"a member closes it", e.members[3], live.ClosePoll{Poll: p.ID}, council.ErrForbidden},
		{"cancel without a reason", e.clerk, live.CancelPoll{Poll: p.ID}, council.ErrInvalid},
		{"closing the session while the poll runs", e.clerk, live.Close{}, council.ErrConflict},
	} {
		_, err := e.hub.Do(e.ctx, e.meeting.ID, tc.a, tc.c)
		wantErr(t, tc.name, err, tc.kind)
	}
	if after := e.pollAs(t, p.ID, e.clerk); after.Ballots != snapBefore.Ballots || len(after.Votes) != 1 || after.Votes[0].Choice[0] != "yes" {
		t.Fatalf("bad input changed the poll: %+v", after)
	}
	// A retry of the good ballot is acknowledged again and counts once.
	if r := e.cast(t, e.members[3], p.ID, "good-ballot-3", "yes"); !r.Repeated {
		t.Errorf("retry %+v, want Repeated", r)
	}
	e.do(t, e.clerk, live.CancelPoll{Poll: p.ID, Reason: "falsche Vorlage aufgerufen"})
	_, err := e.hub.Do(e.ctx, e.meeting.ID, e.members[0], live.CastBallot{Poll: p.ID, Choice: []string{"yes"}, Ballot: "late-ballot-1"})
	wantErr(t, "a ballot for a cancelled poll", err, council.ErrConflict)
	c := e.pollAs(t, p.ID, e.clerk)
	if c.State != meetings.PollCancelled || c.Reason != "falsche Vorlage aufgerufen" || c.Ballots != 1 {
		t.Fatalf("cancelled %+v", c)
	}
	q := e.open(t, live.OpenPoll{Kind: voting.Open, Question: "Vergabe Kita-Neubau", Previous: p.ID})
	if q.Previous != p.ID || q.Ballots != 0 {
		t.Fatalf("repeat %+v", q)
	}
	e.closed(t, q.ID, e.clerk)
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.members[0], live.CastBallot{Poll: q.ID, Choice: []string{"yes"}, Ballot: "late-ballot-2"})
	wantErr(t, "a ballot for a closed poll", err, council.ErrConflict)

	// Another meeting's poll is not found from this one.
	other := voteEnv(t, "")
	op := other.open(t, live.OpenPoll{Kind: voting.Open, Question: "Fremde Abstimmung"})
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.members[0], live.CastBallot{Poll: op.ID, Choice: []string{"yes"}, Ballot: "crossed-ballot"})
	wantErr(t, "another meeting's poll", err, council.ErrNotFound)
}

func TestBallotWireInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	for _, tc := range []struct{ name, msg string }{
		{"choice not a list", `{"v":1,"type":"command","command":"cast_ballot","poll":"` + council.NewID().String() + `","choice":"yes","ballot":"abcdefgh"}`},
		{"bad poll id", `{"v":1,"type":"command","command":"cast_ballot","poll":"x","choice":["yes"],"ballot":"abcdefgh"}`},
		{"short ballot id", `{"v":1,"type":"command","command":"cast_ballot","poll":"` + council.NewID().String() + `","choice":["yes"],"ballot":"abc"}`},
		{"unknown field", `{"v":1,"type":"command","command":"cast_ballot","poll":"` + council.NewID().String() + `","choice":["yes"],"ballot":"abcdefgh","weight":2}`},
		{"unknown kind", `{"v":1,"type":"command","command":"open_poll","kind":"acclamation","text":"Frage"}`},
		{"no question", `{"v":1,"type":"command","command":"open_poll","kind":"open"}`},
	} {
		_, _, err := e.hub.DecodeClient([]byte(tc.msg))
		wantErr(t, tc.name, err, council.ErrInvalid)
	}
	id, c, err := e.hub.DecodeClient([]byte(`{"v":1,"type":"command","id":"b1","command":"cast_ballot","poll":"` +
		e.meeting.ID.String() + `","choice":["c1","c2"],"ballot":"abcdefgh-1"}`))
	if err != nil || id != "b1" || !slices.Equal(c.(live.CastBallot).Choice, []string{"c1", "c2"}) {
		t.Fatalf("decode ballot: %v %+v", err, c)
	}
}

func TestPollNeedsQuorumAndProfile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 0)
	e.do(t, e.clerk, live.CheckIn{Person: e.members[1].PersonID})
	_, err := e.hub.Do(e.ctx, e.meeting.ID, e.clerk, live.OpenPoll{Kind: voting.Open, Question: "Frage"})
	if err == nil || !strings.Contains(err.Error(), "not quorate") {
		t.Fatalf("open without quorum: %v", err)
	}

	// Bayern: no abstention; remote members take no part in elections.
	by := voteEnv(t, "BY")
	p := by.open(t, live.OpenPoll{Kind: voting.Open, Question: "Frage"})
	if slices.Contains(p.Choices, "abstain") {
		t.Fatalf("Bayern offers %v", p.Choices)
	}
	_, err = by.hub.Do(by.ctx, by.meeting.ID, by.members[0], live.CastBallot{Poll: p.ID, Choice: []string{"abstain"}, Ballot: "by-abstain-1"})
	wantErr(t, "abstaining in Bayern", err, council.ErrInvalid)
	by.do(t, by.clerk, live.CancelPoll{Poll: p.ID, Reason: "Test"})
	el := by.open(t, live.OpenPoll{Kind: voting.Election, Question: "Wahl", Candidates: []string{"A", "B"}})
	if el.Remote || el.Inputs.Eligible != 2 || el.Inputs.Present != 5 {
		t.Fatalf("Bayern election %+v, want only the 2 in the room eligible", el.Inputs)
	}
	_, err = by.hub.Do(by.ctx, by.meeting.ID, by.members[3], live.CastBallot{Poll: el.ID, Choice: []string{"c1"}, Ballot: "by-remote-1"})
	wantErr(t, "a remote member in a Bayern election", err, council.ErrForbidden)

	// Sachsen-Anhalt: no election while members take part by video.
	st := voteEnv(t, "ST")
	_, err = st.hub.Do(st.ctx, st.meeting.ID, st.clerk, live.OpenPoll{Kind: voting.Election, Question: "Wahl", Candidates: []string{"A", "B"}})
	if err == nil || !strings.Contains(err.Error(), "56a") {
		t.Fatalf("an election in a hybrid session in Sachsen-Anhalt: %v", err)
	}
}

func TestPollPausedByComplaint(t *testing.T) {
	t.Parallel()
	e := voteEnv(t, "")
	p := e.open(t, live.OpenPoll{Kind: voting.Named, Question: "Bebauungsplan Nr. 12"})
	e.cast(t, e.members[3], p.ID, "before-pause-3", "yes")
	e.do(t, e.members[4], live.Complain{Text: "Ich sehe die Abstimmung nicht"})
	if got := e.pollAs(t, p.ID, e.members[4]); got.State != meetings.PollPaused {
		t.Fatalf("after a Rüge the poll is %s, want paused", got.State)
	}
	_, err := e.hub.Do(e.ctx, e.meeting.ID, e.members[0], live.CastBallot{Poll: p.ID, Choice: []string{"yes"}, Ballot: "during-pause"})
	if err == nil || !strings.Contains(err.Error(), "paused") {
		t.Fatalf("a ballot while paused: %v", err)
	}
	snap, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	e.do(t, e.members[0], live.ResolveComplaint{Complaint: snap.Complaints[0].ID, Resolution: live.ResolutionContinue})
	if got := e.pollAs(t, p.ID, e.members[4]); got.State != meetings.PollOpen || got.Ballots != 1 {
		t.Fatalf("continued %+v, want open with its ballot", got)
	}
	e.cast(t, e.members[4], p.ID, "after-continue-4", "no")

	e.do(t, e.members[3], live.Complain{Text: "Verbindung weg"})
	snap, _ = e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	e.do(t, e.members[0], live.ResolveComplaint{Complaint: snap.Complaints[1].ID, Resolution: live.ResolutionRepeat})
	snap, _ = e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	if len(snap.Polls) != 2 || snap.Polls[0].State != meetings.PollCancelled || snap.Polls[1].State != meetings.PollOpen ||
		snap.Polls[1].Previous != p.ID || snap.Polls[1].Ballots != 0 {
		t.Fatalf("after repeat: %+v", snap.Polls)
	}
}

// TestCloseIsAtomic casts ballots while the poll closes: every ballot
// acknowledged counts, none after the close.
func TestCloseIsAtomic(t *testing.T) {
	t.Parallel()
	e := voteEnv(t, "")
	p := e.open(t, live.OpenPoll{Kind: voting.Secret, Question: "Wettlauf"})
	// A first ballot, so that the racing ones take the short way.
	e.cast(t, e.members[1], p.ID, "first-abcdef", "no")
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := 0
	for i, a := range []live.Actor{e.members[0], e.members[3], e.members[4]} {
		wg.Go(func() {
			_, err := e.hub.Do(context.Background(), e.meeting.ID, a, live.CastBallot{Poll: p.ID, Choice: []string{"yes"}, Ballot: fmt.Sprintf("race-%d-abcdef", i)})
			if err == nil {
				mu.Lock()
				acked++
				mu.Unlock()
			}
		})
	}
	e.do(t, e.clerk, live.ClosePoll{Poll: p.ID})
	wg.Wait()
	got := e.pollAs(t, p.ID, e.clerk)
	var rows int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM poll_secret_ballots WHERE poll_id = $1`, p.ID).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if got.Ballots != acked+1 || got.Tally.Yes != acked || rows != acked+1 {
		t.Fatalf("%d acknowledged, result counts %d (yes %d), urn holds %d", acked, got.Ballots, got.Tally.Yes, rows)
	}
}

// TestPollSurvivesRestart: a new hub on the same database finds the
// running poll with every acknowledged ballot, and it closes as usual.
func TestPollSurvivesRestart(t *testing.T) {
	t.Parallel()
	e := voteEnv(t, "")
	p := e.open(t, live.OpenPoll{Kind: voting.Named, Question: "Neustart"})
	e.cast(t, e.members[0], p.ID, "restart-0-abc", "yes")
	e.cast(t, e.members[3], p.ID, "restart-3-abc", "no")
	e.hub = runHub(t, openPool(t, e.url), live.Options{})
	e.cast(t, e.members[4], p.ID, "restart-4-abc", "yes")
	if r := e.cast(t, e.members[0], p.ID, "restart-0-abc", "yes"); !r.Repeated {
		t.Fatal("a retry after the restart was counted again")
	}
	got := e.closed(t, p.ID, e.clerk)
	if got.Ballots != 3 || got.Tally.Yes != 2 || got.Tally.No != 1 {
		t.Fatalf("after restart %+v %+v", got, got.Tally)
	}
}

// TestPollProgressAnnounced: ballots are announced to the session in one
// event shortly after they arrive; the public sees open choices.
func TestPollProgressAnnounced(t *testing.T) {
	t.Parallel()
	e := voteEnv(t, "")
	p := e.open(t, live.OpenPoll{Kind: voting.Open, Question: "Fortschritt"})
	pub := e.subscribe(t, e.hub, live.Actor{}, 0)
	next(t, pub)
	e.cast(t, e.members[0], p.ID, "progress-0-abc", "yes")
	e.cast(t, e.members[3], p.ID, "progress-3-abc", "no")
	for {
		v := decode[live.PollView](t, first(t, pub, live.EvPoll))
		if v.Ballots == 2 {
			if len(v.Votes) != 2 {
				t.Fatalf("progress %+v, want both open choices", v)
			}
			break
		}
	}
}

// Non-public items: nothing of their polls reaches the public.
func TestPollNonPublicItem(t *testing.T) {
	t.Parallel()
	e := voteEnv(t, "")
	pub := e.subscribe(t, e.hub, live.Actor{}, 0)
	next(t, pub)
	e.do(t, e.clerk, live.NextItem{}) // N 1, secret title
	e.do(t, e.clerk, live.SetPart{Part: live.PartNonPublic})
	p := e.open(t, live.OpenPoll{Kind: voting.Open, Question: "Verkauf Geheimweg 7 an Bieter A"})
	e.cast(t, e.members[0], p.ID, "np-ballot-0001", "yes")
	e.closed(t, p.ID, e.clerk)
	e.do(t, e.clerk, live.SetPart{Part: live.PartPublic})
	e.do(t, e.clerk, live.NextItem{})
	_, seen := until(t, pub, live.EvItemChanged)
	for _, m := range seen {
		if m.Kind == live.EvPoll || containsSecret(t, m) {
			t.Fatalf("the public saw %+v", m)
		}
	}
	if snap, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, live.Actor{}); len(snap.Polls) != 0 {
		t.Fatalf("public snapshot polls %+v", snap.Polls)
	}
}

// TestBallotKeptWhenConnectionDrops: a remote member who voted and then
// lost the connection keeps the ballot; the drop is logged as attendance.
func TestBallotKeptWhenConnectionDrops(t *testing.T) {
	t.Parallel()
	e := voteEnv(t, "")
	p := e.open(t, live.OpenPoll{Kind: voting.Named, Question: "Verbindungsabbruch"})
	e.cast(t, e.members[3], p.ID, "drop-ballot-3", "yes")
	e.do(t, live.SystemActor(), live.LeaveRemote{Person: e.members[3].PersonID})
	got := e.closed(t, p.ID, e.clerk)
	if got.Ballots != 1 || got.Tally.Yes != 1 || got.Votes[0].PersonID != e.members[3].PersonID {
		t.Fatalf("after the drop %+v", got)
	}
	var modes []string
	rows, err := e.pool.Query(e.ctx, `SELECT mode FROM live_attendance WHERE person_id = $1 ORDER BY at, id`, e.members[3].PersonID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			t.Fatal(err)
		}
		modes = append(modes, m)
	}
	if !slices.Equal(modes, []string{"remote", "absent"}) {
		t.Errorf("attendance log %v, want remote then absent", modes)
	}
}
