package council_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestCouncillorMotion: a councillor's own inquiry (Anfrage eines
// Ratsmitglieds) is filed only by a current member of a council or
// committee of the body — a citizen, a party group's member who sits in no
// council, a former councillor and a "councillor's motion" naming the
// party group are refused and store nothing; the draft is visible to the
// council's members, not to the public; fellow councillors (here a
// committee member) co-sign once, the author and citizens may not;
// submitted only for a coming meeting before the deadline; returned by
// the clerk with a reason and submitted again; never public,
// not even admitted; admitted as an "Anfrage von Ratsmitgliedern" paper
// originated by the author's and the co-signer's persons. A motion filed
// alone becomes an "Antrag eines Ratsmitglieds".
func TestCouncillorMotion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	if err := e.s.SaveParticipationRules(e.ctx, council.ParticipationRules{BodyID: e.body.ID, MinAge: 14, CollectDays: 90,
		AnswerDays: 90, MotionDeadline: 10}); err != nil {
		t.Fatal(err)
	}
	rat := e.org(t, "Stadtrat", council.KindCouncil)
	bau := e.org(t, "Bauausschuss", council.KindCommittee)
	fraktion := e.org(t, "Fraktion Grüne Mitte", council.KindPartyGroup)
	member := func(name string, org council.ID, end time.Time) council.User {
		t.Helper()
		p := e.person(t, name, "Rat")
		if _, err := e.s.SaveMembership(e.ctx, council.Membership{PersonID: p.ID, OrganizationID: org, Role: "Mitglied", End: end}); err != nil {
			t.Fatal(err)
		}
		u, err := e.s.CreateUser(e.ctx, council.User{Email: strings.ToLower(name) + "@rat.example", PasswordHash: "x", Role: council.RoleMember, PersonID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	anna, bernd := member("Anna", rat.ID, time.Time{}), member("Bernd", bau.ID, time.Time{})
	dora := member("Dora", rat.ID, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
	erik := member("Erik", fraktion.ID, time.Time{})
	carl := e.citizen(t, "Carl", true, 1970)
	var meetingID council.ID
	if err := e.pool.QueryRow(e.ctx, `INSERT INTO meetings (body_id, name, start_at, state) VALUES ($1, 'Ratssitzung', $2, 'invited') RETURNING id`,
		e.body.ID, time.Date(2026, 5, 20, 16, 0, 0, 0, time.UTC)).Scan(&meetingID); err != nil {
		t.Fatal(err)
	}
	draft := func(author council.User, org council.ID, typ council.PaperType, title string) (council.Initiative, error) {
		return e.s.SaveInitiativeDraft(e.ctx, council.Initiative{BodyID: e.body.ID, AuthorID: author.ID, Kind: council.InitiativeCouncillor,
			OrganizationID: org, PaperType: typ, Title: title, Text: "Wie viele …", MeetingID: meetingID})
	}
	for _, c := range []struct {
		what   string
		author council.User
		org    council.ID
	}{{"a citizen", carl, rat.ID}, {"a party group's member outside the council", erik, fraktion.ID},
		{"a former councillor", dora, rat.ID}, {"a committee member for the council", bernd, rat.ID}, {"for the party group", anna, fraktion.ID}} {
		_, err := draft(c.author, c.org, council.PaperInquiry, "Gefordert: "+c.what)
		wantKey(t, c.what+" files a councillor's motion", err, council.ErrForbidden, council.MsgInitiativeNoCouncillor)
	}
	if n := pgtest.Count(t, e.pool, `SELECT count(*) FROM initiatives`); n != 0 {
		t.Fatalf("refused drafts were stored (%d)", n)
	}
	in, err := draft(anna, rat.ID, council.PaperInquiry, "Radwege im Stadtteil Nord")
	if err != nil {
		t.Fatal(err)
	}
	if in.Kind != council.InitiativeCouncillor || in.PaperType != council.PaperInquiry || in.OrgName != "Stadtrat" {
		t.Errorf("draft %+v", in)
	}
	fellow := council.Viewer{UserID: bernd.ID, Role: council.RoleMember, Orgs: map[council.ID]bool{rat.ID: true}}
	if _, err := e.s.InitiativeFor(e.ctx, fellow, in.ID); err != nil {
		t.Errorf("a fellow councillor cannot read the draft: %v", err)
	}
	for _, v := range []council.Viewer{council.Public, {UserID: carl.ID, Role: council.RoleCitizen}} {
		if _, err := e.s.InitiativeFor(e.ctx, v, in.ID); !errors.Is(err, council.ErrNotFound) {
			t.Errorf("%v reads a councillor's draft: %v", v.Role, err)
		}
	}
	_, err = e.s.SignInitiative(e.ctx, in.ID, anna.ID, now)
	wantKey(t, "the author co-signs", err, council.ErrConflict, council.MsgInitiativeOwnSignature)
	for _, u := range []council.User{carl, erik, dora} {
		_, err = e.s.SignInitiative(e.ctx, in.ID, u.ID, now)
		wantKey(t, u.Email+" co-signs", err, council.ErrForbidden, council.MsgInitiativeNoCouncillor)
	}
	if in, err = e.s.SignInitiative(e.ctx, in.ID, bernd.ID, now); err != nil || in.Signatures != 1 {
		t.Fatalf("Bernd co-signs: %+v, %v", in, err)
	}
	_, err = e.s.SignInitiative(e.ctx, in.ID, bernd.ID, now)
	wantKey(t, "Bernd signs twice", err, council.ErrConflict, council.MsgInitiativeSignedAlready)
	in.MeetingID = council.NilID
	if in, err = e.s.SaveInitiativeDraft(e.ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.SubmitInitiative(e.ctx, in.ID, anna.ID, now, nil)
	wantKey(t, "submit without a meeting", err, council.ErrConflict, council.MsgInitiativeMeeting)
	in.MeetingID = meetingID
	if in, err = e.s.SaveInitiativeDraft(e.ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.SubmitInitiative(e.ctx, in.ID, anna.ID, time.Date(2026, 5, 11, 9, 0, 0, 0, time.UTC), nil) // deadline: 10 May
	wantKey(t, "submit after the deadline", err, council.ErrConflict, council.MsgInitiativeDeadline)
	_, err = e.s.SubmitInitiative(e.ctx, in.ID, bernd.ID, now, nil)
	wantKey(t, "a co-signer submits", err, council.ErrForbidden, council.MsgInitiativeNotYours)
	sub, err := e.s.SubmitInitiative(e.ctx, in.ID, anna.ID, time.Date(2026, 5, 10, 21, 0, 0, 0, time.UTC), nil)
	if err != nil || sub.State != council.InitiativeSubmitted || sub.SubmittedAt.IsZero() {
		t.Fatalf("submit on the last day: %+v, %v", sub, err)
	}
	_, err = e.s.SignInitiative(e.ctx, in.ID, member("Frida", rat.ID, time.Time{}).ID, now)
	wantKey(t, "co-sign after submission", err, council.ErrConflict, council.MsgInitiativeClosed)
	if n := pgtest.Count(t, e.pool, `SELECT count(*) FROM initiatives i WHERE initiative_public(i)`); n != 0 {
		t.Errorf("a councillor's submitted inquiry is public (%d)", n)
	}
	ret, err := e.s.ReturnInitiative(e.ctx, in.ID, "Bitte die Frage auf städtische Radwege beschränken.", now)
	if err != nil || ret.State != council.InitiativeReturned || !ret.State.Editable() {
		t.Fatalf("returned: %+v, %v", ret, err)
	}
	if _, err := e.s.SubmitInitiative(e.ctx, in.ID, anna.ID, time.Date(2026, 5, 9, 9, 0, 0, 0, time.UTC), nil); err != nil {
		t.Fatalf("submitting the returned inquiry again: %v", err)
	}
	adm, paper, err := e.s.AdmitInitiative(e.ctx, in.ID, rat.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if adm.State != council.InitiativeAdmitted || paper.Type != council.PaperInquiry || paper.TypeName != "Anfrage von Ratsmitgliedern" ||
		!adm.Due.IsZero() || !paper.Public {
		t.Errorf("admitted %+v, paper %+v", adm, paper)
	}
	annaUser, _ := e.s.User(e.ctx, anna.ID)
	berndUser, _ := e.s.User(e.ctx, bernd.ID)
	if n := pgtest.Count(t, e.pool, `SELECT count(*) FROM paper_originators WHERE paper_id = $1 AND organization_id IS NULL
		AND ((position = 0 AND person_id = $2) OR (position = 1 AND person_id = $3))`, paper.ID, annaUser.PersonID, berndUser.PersonID); n != 2 {
		t.Errorf("the councillors are not the paper's originators, in order (%d)", n)
	}
	if n := pgtest.Count(t, e.pool, `SELECT count(*) FROM paper_originators WHERE paper_id = $1`, paper.ID); n != 2 {
		t.Errorf("the paper has %d originators, want 2", n)
	}
	if n := pgtest.Count(t, e.pool, `SELECT count(*) FROM initiatives i WHERE initiative_public(i)`); n != 0 {
		t.Errorf("an admitted councillor's inquiry is public as an initiative (%d): its Paper is the record", n)
	}
	// Alone, in a committee: an "Antrag eines Ratsmitglieds".
	solo, err := draft(bernd, bau.ID, "", "Sitzbänke am Markt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.SubmitInitiative(e.ctx, solo.ID, bernd.ID, now, nil); err != nil {
		t.Fatal(err)
	}
	if _, paper, err = e.s.AdmitInitiative(e.ctx, solo.ID, bau.ID, now); err != nil {
		t.Fatal(err)
	}
	if paper.Type != council.PaperMotion || paper.TypeName != "Antrag eines Ratsmitglieds" {
		t.Errorf("solo paper %+v", paper)
	}
	if n := pgtest.Count(t, e.pool, `SELECT count(*) FROM paper_originators WHERE paper_id = $1 AND person_id = $2`, paper.ID, berndUser.PersonID); n != 1 {
		t.Errorf("Bernd is not the solo paper's originator (%d)", n)
	}
}
