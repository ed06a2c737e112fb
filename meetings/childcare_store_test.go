package meetings_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
)

// childcareEnv is a council meeting that started two hours ago and closed
// now, with two members who attended (room, remote is the same rule) and
// one who did not, each with an account, and a clerk.
type childcareEnv struct {
	*env
	meeting                   meetings.Meeting
	future                    meetings.Meeting // a meeting tomorrow
	anna, ben, cora           council.User     // anna and ben attended, cora did not
	citizen, clerk, stranger  council.User     // stranger: a member of another body
	annaP, benP, coraP, other council.Person
}

func newChildcareEnv(t *testing.T) *childcareEnv {
	t.Helper()
	e := &childcareEnv{env: newEnv(t)}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	person := func(name string, org council.ID) council.Person {
		given, family, _ := strings.Cut(name, " ")
		p, err := e.c.SavePerson(e.ctx, council.Person{BodyID: e.body.ID, GivenName: given, FamilyName: family})
		must("person "+name, err)
		_, err = e.c.SaveMembership(e.ctx, council.Membership{PersonID: p.ID, OrganizationID: org, VotingRight: true})
		must("membership "+name, err)
		return p
	}
	user := func(email string, role council.Role, p council.ID) council.User {
		u, err := e.c.CreateUser(e.ctx, council.User{Email: email, Role: role, PasswordHash: "x", PersonID: p})
		must("user "+email, err)
		return u
	}
	e.annaP, e.benP, e.coraP = person("Anna Becker", e.rat.ID), person("Ben Yilmaz", e.rat.ID), person("Cora Lang", e.rat.ID)
	e.other = person("Dora Weiß", e.ausschuss.ID)
	e.anna, e.ben, e.cora = user("anna@example.org", council.RoleMember, e.annaP.ID), user("ben@example.org", council.RoleMember, e.benP.ID),
		user("cora@example.org", council.RoleMember, e.coraP.ID)
	e.stranger = user("dora@example.org", council.RoleMember, e.other.ID)
	e.citizen = user("citizen@example.org", council.RoleCitizen, council.NilID)
	e.clerk = user("clerk@example.org", council.RoleClerk, council.NilID)

	start := time.Now().Add(-2 * time.Hour).Truncate(time.Minute)
	m, err := e.s.SaveMeeting(e.ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Ratssitzung", Start: start,
		End: start.Add(3 * time.Hour), Organizations: []council.ID{e.rat.ID}})
	must("meeting", err)
	e.item(t, m.ID, "Haushalt", true)
	_, err = e.s.Invite(e.ctx, m.ID, start.Add(-7*24*time.Hour))
	must("invite", err)
	hub := live.NewHub(e.pool, live.Options{})
	clerk := live.Actor{Viewer: council.Viewer{UserID: e.clerk.ID, Role: council.RoleClerk}}
	for _, c := range []live.Command{live.Start{}, live.CheckIn{Person: e.annaP.ID}, live.CheckIn{Person: e.benP.ID}, live.Close{}} {
		if _, err := hub.Do(e.ctx, m.ID, clerk, c); err != nil {
			t.Fatalf("%s: %v", c.Name(), err)
		}
	}
	e.meeting = e.mustMeeting(t, m.ID)
	e.future = e.meetingAt(t, "Ratssitzung morgen", time.Now().Add(24*time.Hour))
	return e
}

func (e *childcareEnv) meetingAt(t *testing.T, name string, start time.Time) meetings.Meeting {
	t.Helper()
	m, err := e.s.SaveMeeting(e.ctx, meetings.Meeting{BodyID: e.body.ID, Name: name, Start: start, Organizations: []council.ID{e.rat.ID}})
	if err != nil {
		t.Fatalf("meeting: %v", err)
	}
	return m
}

func (e *childcareEnv) claims(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM childcare_claims`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fieldError returns the message of field in err's FieldErrors, "" if none.
func fieldError(err error, field string) string {
	var fe council.FieldErrors
	if errors.As(err, &fe) {
		return fe[field]
	}
	return ""
}

func TestChildcareClaimRefusals(t *testing.T) {
	e := newChildcareEnv(t)
	now := time.Now()
	if !e.meeting.Ended.After(e.meeting.Start) {
		t.Fatalf("the closed meeting's actual end is %v, want after its start %v", e.meeting.Ended, e.meeting.Start)
	}
	claim := func(u council.User, m meetings.Meeting, minutes, cents int, note string) meetings.Claim {
		return meetings.Claim{UserID: u.ID, MeetingID: m.ID, Minutes: minutes, AmountCents: cents, Note: note}
	}
	long := make([]rune, 1001)
	for i := range long {
		long[i] = 'x'
	}
	for _, tc := range []struct {
		name        string
		c           meetings.Claim
		field, want string // a field error
		kind        error  // else an error of this kind
	}{
		{"no hours", claim(e.anna, e.meeting, 0, 3000, ""), "hours", meetings.MsgClaimHours, nil},
		{"negative hours", claim(e.anna, e.meeting, -60, 3000, ""), "hours", meetings.MsgClaimHours, nil},
		{"no amount", claim(e.anna, e.meeting, 120, 0, ""), "amount", meetings.MsgClaimAmount, nil},
		{"negative amount", claim(e.anna, e.meeting, 120, -100, ""), "amount", meetings.MsgClaimAmount, nil},
		{"note too long", claim(e.anna, e.meeting, 120, 3000, string(long)), "note", council.MsgTooLong, nil},
		{"over the cap", claim(e.anna, e.meeting, 120, 3001, ""), "amount", meetings.MsgClaimOverCap, nil},
		{"longer than meeting and margin", claim(e.anna, e.meeting, 4*60+5, 3000, ""), "hours", meetings.MsgClaimTooLong, nil},
		{"not attended", claim(e.cora, e.meeting, 120, 3000, ""), "meeting", meetings.MsgClaimNotAttended, nil},
		{"not started", claim(e.anna, e.future, 120, 3000, ""), "meeting", meetings.MsgClaimNotStarted, nil},
		{"not a member of the body", claim(e.stranger, e.meeting, 120, 3000, ""), "", "", council.ErrForbidden},
		{"a citizen", claim(e.citizen, e.meeting, 120, 3000, ""), "", "", council.ErrForbidden},
		{"unknown meeting", meetings.Claim{UserID: e.anna.ID, MeetingID: council.NewID(), Minutes: 60, AmountCents: 100}, "", "", council.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := e.mark(t)
			_, err := e.s.SubmitClaim(e.ctx, tc.c, now)
			if err == nil {
				t.Fatal("SubmitClaim accepted it")
			}
			if tc.kind != nil {
				if !errors.Is(err, tc.kind) {
					t.Errorf("SubmitClaim: %v, want %v", err, tc.kind)
				}
			} else if got := fieldError(err, tc.field); got != tc.want {
				t.Errorf("SubmitClaim: %v; field %s: %q, want %q", err, tc.field, got, tc.want)
			}
			if n := e.claims(t); n != 0 {
				t.Errorf("%d claims stored after a refusal", n)
			}
			e.wantTrail(t, "refused claim", m)
		})
	}
}

func TestChildcareClaimDecision(t *testing.T) {
	e := newChildcareEnv(t)
	now := time.Now()
	m := e.mark(t)
	// 3.5 hours (2 h meeting + way) at the default 15 €/h: at most 52,50 €.
	a, err := e.s.SubmitClaim(e.ctx, meetings.Claim{UserID: e.anna.ID, MeetingID: e.meeting.ID, Minutes: 210, AmountCents: 5250, Note: " Tagesmutter "}, now)
	if err != nil {
		t.Fatalf("SubmitClaim: %v", err)
	}
	if a.State != meetings.ClaimSubmitted || a.PersonID != e.annaP.ID || a.Note != "Tagesmutter" || a.MeetingName != "Ratssitzung" {
		t.Errorf("claim = %+v", a)
	}
	e.wantTrail(t, "submit", m, change{"childcare_claim", a.ID, "create"})
	if _, err := e.s.SubmitClaim(e.ctx, meetings.Claim{UserID: e.anna.ID, MeetingID: e.meeting.ID, Minutes: 60, AmountCents: 100}, now); fieldError(err, "meeting") != meetings.MsgClaimDuplicate {
		t.Errorf("second claim: %v, want %s", err, meetings.MsgClaimDuplicate)
	}
	if n := e.claims(t); n != 1 {
		t.Errorf("%d claims after the duplicate, want 1", n)
	}
	b, err := e.s.SubmitClaim(e.ctx, meetings.Claim{UserID: e.ben.ID, MeetingID: e.meeting.ID, Minutes: 120, AmountCents: 2000}, now)
	if err != nil {
		t.Fatalf("SubmitClaim(ben): %v", err)
	}
	if got, err := e.s.ClaimableMeetings(e.ctx, e.anna.ID, now); err != nil || len(got) != 0 {
		t.Errorf("ClaimableMeetings(anna) after her claim = %v, %v", got, err)
	}
	if got, err := e.s.ClaimableMeetings(e.ctx, e.cora.ID, now); err != nil || len(got) != 0 {
		t.Errorf("ClaimableMeetings(cora, absent) = %v, %v", got, err)
	}

	// Only the clerk's office decides.
	for _, u := range []council.User{e.anna, e.ben, e.citizen} {
		m := e.mark(t)
		if _, err := e.s.DecideClaim(council.WithActor(e.ctx, u.ID), a.ID, true, "", now); !errors.Is(err, council.ErrForbidden) {
			t.Errorf("DecideClaim by %s: %v, want ErrForbidden", u.Email, err)
		}
		e.wantTrail(t, "refused decision", m)
	}
	if _, err := e.s.DecideClaim(e.ctx, a.ID, true, "", now); !errors.Is(err, council.ErrForbidden) {
		t.Errorf("DecideClaim without an actor: %v, want ErrForbidden", err)
	}
	clerk := council.WithActor(e.ctx, e.clerk.ID)
	if _, err := e.s.DecideClaim(clerk, b.ID, false, "  ", now); fieldError(err, "reason") != meetings.MsgClaimReason {
		t.Errorf("rejection without reason: %v", err)
	}
	m = e.mark(t)
	a, err = e.s.DecideClaim(clerk, a.ID, true, "", now)
	if err != nil || a.State != meetings.ClaimApproved || a.DecidedBy != e.clerk.ID || a.DecidedAt.IsZero() {
		t.Fatalf("approve: %+v, %v", a, err)
	}
	b, err = e.s.DecideClaim(clerk, b.ID, false, "Betreuung durch Angehörige", now)
	if err != nil || b.State != meetings.ClaimRejected || b.Reason != "Betreuung durch Angehörige" {
		t.Fatalf("reject: %+v, %v", b, err)
	}
	e.wantTrail(t, "decisions", m, change{"childcare_claim", a.ID, "update"}, change{"childcare_claim", b.ID, "update"})
	if _, err := e.s.DecideClaim(clerk, a.ID, false, "doch nicht", now); fieldError(err, "decision") != meetings.MsgClaimDecided {
		t.Errorf("deciding twice: %v", err)
	}
	// A decided claim is a voucher: it cannot be withdrawn.
	if err := e.s.WithdrawClaim(e.ctx, a.ID, e.anna.ID); fieldError(err, "claim") != meetings.MsgClaimDecided {
		t.Errorf("withdrawing a decided claim: %v", err)
	}
	mine, err := e.s.MyClaims(e.ctx, e.ben.ID)
	if err != nil || len(mine) != 1 || mine[0].ID != b.ID {
		t.Errorf("MyClaims(ben) = %+v, %v", mine, err)
	}
	queue, err := e.s.ClaimQueue(e.ctx, e.body.ID, now)
	if err != nil || len(queue) != 2 {
		t.Errorf("ClaimQueue = %+v, %v", queue, err)
	}
}

// TestChildcareClaimWithdraw: a member withdraws their own claim while it
// awaits its decision (an audit row, and they may claim again); nobody
// else's, and nothing that is not there.
func TestChildcareClaimWithdraw(t *testing.T) {
	e := newChildcareEnv(t)
	now := time.Now()
	a, err := e.s.SubmitClaim(e.ctx, meetings.Claim{UserID: e.anna.ID, MeetingID: e.meeting.ID, Minutes: 120, AmountCents: 2000}, now)
	if err != nil {
		t.Fatalf("SubmitClaim: %v", err)
	}
	m := e.mark(t)
	for _, u := range []council.User{e.ben, e.clerk} {
		if err := e.s.WithdrawClaim(e.ctx, a.ID, u.ID); !errors.Is(err, council.ErrNotFound) {
			t.Errorf("WithdrawClaim by %s: %v, want ErrNotFound", u.Email, err)
		}
	}
	if err := e.s.WithdrawClaim(e.ctx, council.NewID(), e.anna.ID); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("WithdrawClaim of no claim: %v", err)
	}
	e.wantTrail(t, "refused withdrawals", m)
	if n := e.claims(t); n != 1 {
		t.Fatalf("%d claims after refused withdrawals, want 1", n)
	}
	if err := e.s.WithdrawClaim(e.ctx, a.ID, e.anna.ID); err != nil {
		t.Fatalf("WithdrawClaim: %v", err)
	}
	e.wantTrail(t, "withdrawal", m, change{"childcare_claim", a.ID, "delete"})
	if n := e.claims(t); n != 0 {
		t.Errorf("%d claims after the withdrawal, want 0", n)
	}
	if got, err := e.s.ClaimableMeetings(e.ctx, e.anna.ID, now); err != nil || len(got) != 1 {
		t.Errorf("ClaimableMeetings after the withdrawal = %v, %v; want the meeting again", got, err)
	}
}

func TestChildcareRules(t *testing.T) {
	e := newChildcareEnv(t)
	if err := e.s.SaveChildcareRules(e.ctx, meetings.ChildcareRules{BodyID: e.body.ID, CapCentsPerHour: 0}); fieldError(err, "cap") == "" {
		t.Errorf("cap 0: %v", err)
	}
	if err := e.s.SaveChildcareRules(e.ctx, meetings.ChildcareRules{BodyID: e.body.ID, CapCentsPerHour: 2000, Margin: 0}); err != nil {
		t.Fatalf("SaveChildcareRules: %v", err)
	}
	now := time.Now()
	// 20 €/h, no margin: 2 h 5 min is longer than the meeting (2 h).
	if _, err := e.s.SubmitClaim(e.ctx, meetings.Claim{UserID: e.anna.ID, MeetingID: e.meeting.ID, Minutes: 125, AmountCents: 100}, now); fieldError(err, "hours") != meetings.MsgClaimTooLong {
		t.Errorf("over the length without margin: %v", err)
	}
	if _, err := e.s.SubmitClaim(e.ctx, meetings.Claim{UserID: e.anna.ID, MeetingID: e.meeting.ID, Minutes: 120, AmountCents: 4000}, now); err != nil {
		t.Errorf("40 € for 2 h at 20 €/h: %v", err)
	}
}

func TestParseHoursAndEuros(t *testing.T) {
	for in, want := range map[string]int{"3": 180, "3,5": 210, "2.25": 135, " 1,0 ": 60} {
		if got, ok := meetings.ParseHours(in); !ok || got != want {
			t.Errorf("ParseHours(%q) = %d, %t; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "-1", "1,234", "abc", "+2", "1e3", "1,2,3"} {
		if _, ok := meetings.ParseHours(bad); ok {
			t.Errorf("ParseHours(%q) accepted", bad)
		}
	}
	for in, want := range map[string]int{"42": 4200, "42,50 €": 4250, "0.5": 50} {
		if got, ok := meetings.ParseEuros(in); !ok || got != want {
			t.Errorf("ParseEuros(%q) = %d, %t; want %d", in, got, ok, want)
		}
	}
	if got := meetings.FormatEuros(4250, "de"); got != "42,50 €" {
		t.Errorf("FormatEuros de = %q", got)
	}
	if got := meetings.FormatEuros(4250, "en"); got != "€42.50" {
		t.Errorf("FormatEuros en = %q", got)
	}
	if got := meetings.FormatHours(210, "de"); got != "3,5" {
		t.Errorf("FormatHours = %q", got)
	}
	if got := meetings.FormatHours(135, "en"); got != "2.25" {
		t.Errorf("FormatHours = %q", got)
	}
}
