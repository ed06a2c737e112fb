package council_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/migrations/pgtest"
)

// citizen creates a verified citizen account; resident confirms its
// residence, born sets its birth year (0: none).
func (e *env) citizen(t testing.TB, name string, resident bool, born int) council.User {
	t.Helper()
	u, err := e.s.CreateUser(e.ctx, council.User{Email: strings.ToLower(name) + "@buerger.example", DisplayName: name,
		PasswordHash: "x", Role: council.RoleCitizen})
	if err != nil {
		t.Fatal(err)
	}
	if resident {
		if err := e.s.ConfirmResidence(e.ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if born != 0 {
		if err := e.s.SetBirthYear(e.ctx, u.ID, born); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// wantKey fails unless err is a council.UserError (or FieldErrors) of
// kind with the translation key.
func wantKey(t *testing.T, what string, err, kind error, key string) {
	t.Helper()
	var ue *council.UserError
	var fe council.FieldErrors
	switch {
	case !errors.Is(err, kind):
		t.Errorf("%s: %v, want %v", what, err, kind)
	case errors.As(err, &ue) && ue.Key != key:
		t.Errorf("%s: key %q, want %q", what, ue.Key, key)
	case errors.As(err, &fe) && !func() bool {
		for _, v := range fe {
			if v == key {
				return true
			}
		}
		return false
	}():
		t.Errorf("%s: %v, want %q", what, fe, key)
	}
}

// TestCitizensMotion runs an Einwohnerantrag through every step with the
// city's rules (3 signatures, 14 years): a draft only its author and staff
// see; published with the rules of the day; co-signed by residents old
// enough, once each, refused for the unverified, non-residents, those
// without or under the age; submitted only at the threshold; admitted into
// a public motion Paper "Einwohnerantrag" consulted by the council. Each
// step is on the public timeline; the public count rises, no name is read.
func TestCitizensMotion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	if err := e.s.SaveParticipationRules(e.ctx, council.ParticipationRules{BodyID: e.body.ID, Inhabitants: 1000,
		Threshold: 2, ThresholdShare: 0.003, MinAge: 14, CollectDays: 30, AnswerDays: 60}); err != nil {
		t.Fatal(err)
	}
	r, err := e.s.ParticipationRules(e.ctx, e.body.ID)
	if err != nil || r.Needed() != 3 {
		t.Fatalf("rules %+v (needed %d), %v; want 3 (0.3 %% of 1,000 beats 2)", r, r.Needed(), err)
	}
	anna := e.citizen(t, "Anna", true, 1980)
	rat := e.org(t, "Stadtrat", council.KindCouncil)

	_, err = e.s.SaveInitiativeDraft(e.ctx, council.Initiative{BodyID: e.body.ID, AuthorID: anna.ID, Title: " ", Text: strings.Repeat("x", 20001)})
	wantKey(t, "empty title", err, council.ErrInvalid, council.MsgRequired)
	const script = `<script>alert("x")</script>`
	draft, err := e.s.SaveInitiativeDraft(e.ctx, council.Initiative{BodyID: e.body.ID, AuthorID: anna.ID,
		Title: "Tempo 30 vor der Grundschule Am Park", Text: "Der Rat möge beschließen … " + script})
	if err != nil {
		t.Fatal(err)
	}
	if draft.State != council.InitiativeDraft || draft.Kind != council.InitiativeCitizens || !strings.Contains(draft.Text, script) {
		t.Fatalf("draft = %+v", draft)
	}
	_, err = e.s.SaveInitiativeDraft(e.ctx, council.Initiative{BodyID: e.body.ID, AuthorID: anna.ID,
		Title: "  tempo 30 vor der  Grundschule am Park ", Text: "noch einmal"})
	wantKey(t, "the same title again", err, council.ErrInvalid, council.MsgInitiativeDuplicate)
	public := func(id council.ID) bool {
		return pgtest.Count(t, e.pool, `SELECT count(*) FROM initiatives i WHERE id = $1 AND initiative_public(i)`, id) == 1
	}
	anon := council.Viewer{}
	if public(draft.ID) {
		t.Error("a draft is public")
	}
	if _, err := e.s.InitiativeFor(e.ctx, anon, draft.ID); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("the public reads a draft: %v", err)
	}
	if _, err := e.s.InitiativeFor(e.ctx, council.Viewer{UserID: anna.ID, Role: council.RoleCitizen}, draft.ID); err != nil {
		t.Errorf("the author cannot read her draft: %v", err)
	}
	ben := e.citizen(t, "Ben", true, 1990)
	if _, err := e.s.PublishInitiative(e.ctx, draft.ID, ben.ID, now); !errors.Is(err, council.ErrForbidden) {
		t.Errorf("someone else publishes the draft: %v", err)
	}
	if _, err := e.s.SignInitiative(e.ctx, draft.ID, ben.ID, now); !errors.Is(err, council.ErrConflict) {
		t.Errorf("signing a draft: %v", err)
	}
	pub, err := e.s.PublishInitiative(e.ctx, draft.ID, anna.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if pub.State != council.InitiativeCollecting || pub.Threshold != 3 || pub.MinAge != 14 || pub.Deadline.Format(time.DateOnly) != "2026-06-03" || !public(pub.ID) {
		t.Fatalf("published = %+v", pub)
	}
	if _, err := e.s.SaveInitiativeDraft(e.ctx, council.Initiative{ID: pub.ID, BodyID: e.body.ID, AuthorID: anna.ID, Title: "Anders", Text: "x"}); !errors.Is(err, council.ErrConflict) {
		t.Errorf("editing a published motion: %v", err)
	}
	// The rules change: the published motion keeps its own.
	if err := e.s.SaveParticipationRules(e.ctx, council.ParticipationRules{BodyID: e.body.ID, Threshold: 50, MinAge: 16, CollectDays: 30, AnswerDays: 60}); err != nil {
		t.Fatal(err)
	}

	unverified := e.citizen(t, "Udo", true, 1970)
	if _, err := e.pool.Exec(e.ctx, `UPDATE users SET email_verified = NULL WHERE id = $1`, unverified.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who  council.User
		kind error
		key  string
	}{
		{unverified, council.ErrForbidden, council.MsgInitiativeUnverified},
		{e.citizen(t, "Nora", false, 1970), council.ErrForbidden, council.MsgInitiativeResidence},
		{e.citizen(t, "Otto", true, 0), council.ErrForbidden, council.MsgInitiativeBirthYear},
		{e.citizen(t, "Kim", true, 2013), council.ErrForbidden, council.MsgInitiativeAge}, // 13 in 2026
	} {
		_, err := e.s.SignInitiative(e.ctx, pub.ID, c.who.ID, now)
		wantKey(t, c.who.DisplayName+" signs", err, c.kind, c.key)
	}
	for _, u := range []council.User{anna, ben} {
		if _, err := e.s.SignInitiative(e.ctx, pub.ID, u.ID, now); err != nil {
			t.Fatalf("%s signs: %v", u.DisplayName, err)
		}
	}
	_, err = e.s.SignInitiative(e.ctx, pub.ID, ben.ID, now)
	wantKey(t, "Ben signs twice", err, council.ErrConflict, council.MsgInitiativeSignedAlready)
	_, err = e.s.SubmitInitiative(e.ctx, pub.ID, anna.ID, now, nil)
	wantKey(t, "submit with 2 of 3", err, council.ErrConflict, council.MsgInitiativeThreshold)
	lea := e.citizen(t, "Lea", true, 2012) // 14 in 2026
	if _, err := e.s.SignInitiative(e.ctx, pub.ID, lea.ID, now.AddDate(0, 0, 31)); !errors.Is(err, council.ErrConflict) {
		t.Errorf("signing after the deadline: %v", err)
	}
	got, err := e.s.SignInitiative(e.ctx, pub.ID, lea.ID, now.AddDate(0, 0, 30)) // on the deadline's day
	if err != nil || got.Signatures != 3 || !got.Reached() {
		t.Fatalf("third signature: %+v, %v", got, err)
	}
	if n := pgtest.Count(t, e.pool, `SELECT count(*) FROM audit WHERE entity = 'initiative' AND changes::text LIKE '%'||$1||'%'`, lea.ID.String()); n != 0 {
		t.Errorf("the audit trail names the signer %d times", n)
	}
	sub, err := e.s.SubmitInitiative(e.ctx, pub.ID, anna.ID, now.AddDate(0, 0, 30), nil)
	if err != nil || sub.State != council.InitiativeSubmitted {
		t.Fatalf("submit: %+v, %v", sub, err)
	}
	_, err = e.s.RejectInitiative(e.ctx, sub.ID, "  ", now)
	wantKey(t, "reject without a reason", err, council.ErrInvalid, council.MsgRequired)
	adm, paper, err := e.s.AdmitInitiative(e.ctx, sub.ID, rat.ID, now.AddDate(0, 0, 35))
	if err != nil {
		t.Fatal(err)
	}
	if adm.State != council.InitiativeAdmitted || adm.PaperID != paper.ID || adm.PaperReference != paper.Reference || !adm.Due.IsZero() {
		t.Errorf("admitted = %+v", adm)
	}
	if paper.TypeName != "Einwohnerantrag" || paper.Type != council.PaperMotion || !paper.Public || paper.Status != council.StatusSubmitted ||
		!strings.Contains(paper.Text, script) {
		t.Errorf("paper = %+v", paper)
	}
	if n := pgtest.Count(t, e.pool, `SELECT count(*) FROM consultations WHERE paper_id = $1 AND organization_id = $2`, paper.ID, rat.ID); n != 1 {
		t.Errorf("%d consultations by the council", n)
	}
	if _, err := e.s.WithdrawInitiative(e.ctx, adm.ID, anna.ID, now); !errors.Is(err, council.ErrConflict) {
		t.Errorf("withdrawing an admitted motion: %v", err)
	}
	var states []council.InitiativeState
	for _, ev := range adm.Events {
		states = append(states, ev.State)
	}
	if want := []council.InitiativeState{"draft", "collecting", "submitted", "admitted"}; strings.Join(toStrings(states), ",") != strings.Join(toStrings(want), ",") {
		t.Errorf("timeline %v, want %v", states, want)
	}
	list, err := e.s.PublicInitiatives(e.ctx, e.body.ID)
	if err != nil || len(list) != 1 || list[0].AuthorName != "" {
		t.Errorf("public list = %+v, %v; want the motion without its author's name (no consent)", list, err)
	}
}

func toStrings[S ~string](xs []S) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// TestInitiativeWithdrawAndGroups: a draft withdrawn stays private, a
// motion withdrawn while collecting stays public with its timeline; a
// rejected motion carries its reason; a group's motion needs a member of
// the group as author and gets its answer due date on admission.
func TestInitiativeWithdrawAndGroups(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	anna := e.citizen(t, "Anna", true, 1980)
	mk := func(title string) council.Initiative {
		t.Helper()
		i, err := e.s.SaveInitiativeDraft(e.ctx, council.Initiative{BodyID: e.body.ID, AuthorID: anna.ID, Title: title, Text: "Text"})
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	public := func(id council.ID) bool {
		return pgtest.Count(t, e.pool, `SELECT count(*) FROM initiatives i WHERE id = $1 AND initiative_public(i)`, id) == 1
	}
	a := mk("Entwurf zurückgezogen")
	if _, err := e.s.WithdrawInitiative(e.ctx, a.ID, anna.ID, now); err != nil || public(a.ID) {
		t.Errorf("withdrawn draft: %v, public %t", err, public(a.ID))
	}
	b := mk("Gesammelt, dann zurückgezogen")
	if _, err := e.s.PublishInitiative(e.ctx, b.ID, anna.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.WithdrawInitiative(e.ctx, b.ID, anna.ID, now); err != nil || !public(b.ID) {
		t.Errorf("withdrawn while collecting: %v, public %t", err, public(b.ID))
	}
	c := mk("Unzulässig")
	for _, step := range []func() error{
		func() error { _, err := e.s.PublishInitiative(e.ctx, c.ID, anna.ID, now); return err },
		func() error { _, err := e.s.SignInitiative(e.ctx, c.ID, anna.ID, now); return err },
		func() error { _, err := e.s.SubmitInitiative(e.ctx, c.ID, anna.ID, now, nil); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	rej, err := e.s.RejectInitiative(e.ctx, c.ID, "Keine Angelegenheit der Gemeinde", now)
	if err != nil || rej.State != council.InitiativeRejected || rej.Reason != "Keine Angelegenheit der Gemeinde" {
		t.Errorf("rejected = %+v, %v", rej, err)
	}

	youth := e.org(t, "Kinder- und Jugendrat", council.KindYouthCouncil)
	rat := e.org(t, "Stadtrat", council.KindCouncil)
	if _, err := e.s.SaveInitiativeDraft(e.ctx, council.Initiative{BodyID: e.body.ID, AuthorID: anna.ID, Kind: council.InitiativeYouth,
		OrganizationID: youth.ID, Title: "Jugendtreff", Text: "x"}); !errors.Is(err, council.ErrForbidden) {
		t.Errorf("a non-member files for the youth council: %v", err)
	}
	mia := e.person(t, "Mia", "Jung")
	if _, err := e.s.SaveMembership(e.ctx, council.Membership{PersonID: mia.ID, OrganizationID: youth.ID, Role: "Sprecherin"}); err != nil {
		t.Fatal(err)
	}
	rep, err := e.s.CreateUser(e.ctx, council.User{Email: "mia@jugendrat.example", DisplayName: "Mia", PasswordHash: "x",
		Role: council.RoleCitizen, PersonID: mia.ID})
	if err != nil {
		t.Fatal(err)
	}
	g, err := e.s.SaveInitiativeDraft(e.ctx, council.Initiative{BodyID: e.body.ID, AuthorID: rep.ID, Kind: council.InitiativeYouth,
		OrganizationID: youth.ID, Title: "Jugendtreff im Stadtteil Nord", Text: "Der Rat möge …"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PublishInitiative(e.ctx, g.ID, rep.ID, now); !errors.Is(err, council.ErrConflict) {
		t.Errorf("publishing a group's motion for signatures: %v", err)
	}
	if g, err = e.s.SubmitInitiative(e.ctx, g.ID, rep.ID, now, nil); err != nil || !public(g.ID) {
		t.Fatalf("group's motion submitted: %+v, %v", g, err)
	}
	g, paper, err := e.s.AdmitInitiative(e.ctx, g.ID, rat.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if g.Due.Format(time.DateOnly) != "2026-08-02" || paper.TypeName != "Antrag des Kinder- und Jugendrates" ||
		g.OrgName != "Kinder- und Jugendrat" {
		t.Errorf("admitted group's motion %+v, paper %+v", g, paper)
	}
	if n := pgtest.Count(t, e.pool, `SELECT count(*) FROM paper_originators WHERE paper_id = $1 AND organization_id = $2`, paper.ID, youth.ID); n != 1 {
		t.Errorf("the youth council is not the paper's originator (%d)", n)
	}
	if !g.Overdue(time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC)) || g.Overdue(time.Date(2026, 8, 2, 0, 0, 0, 0, time.UTC)) {
		t.Error("overdue from the day after the due date")
	}
	if g, err = e.s.AnswerInitiative(e.ctx, g.ID, "Die Verwaltung prüft zwei Standorte.", now); err != nil || g.AnsweredAt.IsZero() || g.Overdue(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("answered: %+v, %v", g, err)
	}
}

// TestPartyGroupMotion: a party group's question (Anfrage) is drafted by a
// member, visible to the group but not the public, co-signed by another
// member (not by its author, not by an outsider), submitted for a coming
// meeting only before the city's deadline, returned by the clerk with a
// reason, changed, submitted again with its receipt time, and admitted as
// an "Anfrage der Fraktion" paper originated by the group.
func TestPartyGroupMotion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	if err := e.s.SaveParticipationRules(e.ctx, council.ParticipationRules{BodyID: e.body.ID, MinAge: 14, CollectDays: 90,
		AnswerDays: 90, MotionDeadline: 10}); err != nil {
		t.Fatal(err)
	}
	fraktion := e.org(t, "Fraktion Grüne Mitte", council.KindPartyGroup)
	rat := e.org(t, "Stadtrat", council.KindCouncil)
	member := func(name string) council.User {
		t.Helper()
		p := e.person(t, name, "Rat")
		if _, err := e.s.SaveMembership(e.ctx, council.Membership{PersonID: p.ID, OrganizationID: fraktion.ID, Role: "Mitglied"}); err != nil {
			t.Fatal(err)
		}
		u, err := e.s.CreateUser(e.ctx, council.User{Email: strings.ToLower(name) + "@rat.example", PasswordHash: "x", Role: council.RoleMember, PersonID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	anna, bernd := member("Anna"), member("Bernd")
	carl := e.citizen(t, "Carl", true, 1970)
	var meetingID council.ID
	if err := e.pool.QueryRow(e.ctx, `INSERT INTO meetings (body_id, name, start_at, state) VALUES ($1, 'Ratssitzung', $2, 'invited') RETURNING id`,
		e.body.ID, time.Date(2026, 5, 20, 16, 0, 0, 0, time.UTC)).Scan(&meetingID); err != nil {
		t.Fatal(err)
	}
	in, err := e.s.SaveInitiativeDraft(e.ctx, council.Initiative{BodyID: e.body.ID, AuthorID: anna.ID, Kind: council.InitiativeParty,
		OrganizationID: fraktion.ID, PaperType: council.PaperInquiry, Title: "Sanierungsstau an Schulen", Text: "Wie hoch ist …"})
	if err != nil {
		t.Fatal(err)
	}
	group := council.Viewer{UserID: bernd.ID, Role: council.RoleMember, Orgs: map[council.ID]bool{fraktion.ID: true}}
	if _, err := e.s.InitiativeFor(e.ctx, group, in.ID); err != nil {
		t.Errorf("a fellow member cannot read the group's draft: %v", err)
	}
	if _, err := e.s.InitiativeFor(e.ctx, council.Viewer{UserID: carl.ID, Role: council.RoleCitizen}, in.ID); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("an outsider reads the group's draft: %v", err)
	}
	_, err = e.s.SignInitiative(e.ctx, in.ID, anna.ID, now)
	wantKey(t, "the author co-signs", err, council.ErrConflict, council.MsgInitiativeOwnSignature)
	_, err = e.s.SignInitiative(e.ctx, in.ID, carl.ID, now)
	wantKey(t, "an outsider co-signs", err, council.ErrForbidden, council.MsgInitiativeNoMember)
	if in, err = e.s.SignInitiative(e.ctx, in.ID, bernd.ID, now); err != nil || in.Signatures != 1 {
		t.Fatalf("Bernd co-signs: %+v, %v", in, err)
	}
	_, err = e.s.SubmitInitiative(e.ctx, in.ID, anna.ID, now, nil)
	wantKey(t, "submit without a meeting", err, council.ErrConflict, council.MsgInitiativeMeeting)
	in.MeetingID = meetingID
	if in, err = e.s.SaveInitiativeDraft(e.ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.SubmitInitiative(e.ctx, in.ID, anna.ID, time.Date(2026, 5, 11, 9, 0, 0, 0, time.UTC), nil) // deadline: 10 May
	wantKey(t, "submit after the deadline", err, council.ErrConflict, council.MsgInitiativeDeadline)
	sub, err := e.s.SubmitInitiative(e.ctx, in.ID, anna.ID, time.Date(2026, 5, 10, 21, 0, 0, 0, time.UTC), nil) // 23:00 in Germany, the last day
	if err != nil || sub.State != council.InitiativeSubmitted || sub.SubmittedAt.IsZero() {
		t.Fatalf("submit on the last day: %+v, %v", sub, err)
	}
	if n := pgtest.Count(t, e.pool, `SELECT count(*) FROM initiatives i WHERE initiative_public(i)`); n != 0 {
		t.Errorf("a party group's submitted motion is public (%d)", n)
	}
	ret, err := e.s.ReturnInitiative(e.ctx, sub.ID, "Bitte die Frage an die Verwaltung konkretisieren.", now)
	if err != nil || ret.State != council.InitiativeReturned || !ret.State.Editable() {
		t.Fatalf("returned: %+v, %v", ret, err)
	}
	ret.Text = "Wie hoch ist der Sanierungsbedarf je Schule?"
	if _, err := e.s.SaveInitiativeDraft(e.ctx, ret); err != nil {
		t.Fatalf("editing a returned motion: %v", err)
	}
	if _, err := e.s.SubmitInitiative(e.ctx, ret.ID, anna.ID, time.Date(2026, 5, 9, 9, 0, 0, 0, time.UTC), nil); err != nil {
		t.Fatal(err)
	}
	adm, paper, err := e.s.AdmitInitiative(e.ctx, ret.ID, rat.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if adm.State != council.InitiativeAdmitted || paper.Type != council.PaperInquiry || paper.TypeName != "Anfrage der Fraktion" || !adm.Due.IsZero() {
		t.Errorf("admitted %+v, paper %+v", adm, paper)
	}
	if n := pgtest.Count(t, e.pool, `SELECT count(*) FROM paper_originators WHERE paper_id = $1 AND organization_id = $2`, paper.ID, fraktion.ID); n != 1 {
		t.Errorf("the party group is not the paper's originator (%d)", n)
	}
}

// TestParticipationRoutes: the routes per kind and the agenda deadline
// are stored and read back, saving replaces the routes, and a route to
// another body's organization, an unknown kind or a deadline out of range
// is refused and changes nothing.
func TestParticipationRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if r, err := e.s.ParticipationRules(e.ctx, e.body.ID); err != nil || r.AgendaDays != 7 || r.RouteFor(council.InitiativeYouth) != council.NilID {
		t.Fatalf("defaults: %+v %v, want 7 days and no routes", r, err)
	}
	org := func(body council.ID, name string) council.Organization {
		o, err := e.s.SaveOrganization(e.ctx, council.Organization{BodyID: body, Name: name, Kind: council.KindCommittee})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	jha, bau := org(e.body.ID, "Jugendhilfeausschuss"), org(e.body.ID, "Bauausschuss")
	rules := council.DefaultParticipationRules(e.body.ID)
	rules.AgendaDays = 9
	rules.Routes = map[council.InitiativeKind]council.ID{council.InitiativeYouth: jha.ID, council.InitiativeCommunity: bau.ID}
	if err := e.s.SaveParticipationRules(e.ctx, rules); err != nil {
		t.Fatal(err)
	}
	r, err := e.s.ParticipationRules(e.ctx, e.body.ID)
	if err != nil || r.AgendaDays != 9 || r.RouteFor(council.InitiativeYouth) != jha.ID || r.RouteFor(council.InitiativeCommunity) != bau.ID ||
		r.RouteFor(council.InitiativeCitizens) != council.NilID {
		t.Fatalf("read back: %+v %v", r, err)
	}
	if d := r.AgendaDeadlineFor(time.Date(2026, 3, 10, 23, 30, 0, 0, time.UTC)); !d.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("AgendaDeadlineFor(11 March in Germany) = %s, want 2 March", d)
	}
	other, err := e.s.CreateBody(e.ctx, council.Body{Name: "Nachbarstadt"})
	if err != nil {
		t.Fatal(err)
	}
	foreign := org(other.ID, "Fremder Ausschuss")
	for name, bad := range map[string]func(*council.ParticipationRules){
		"another body's organization": func(r *council.ParticipationRules) { r.Routes[council.InitiativeYouth] = foreign.ID },
		"unknown kind":                func(r *council.ParticipationRules) { r.Routes["jury"] = jha.ID },
		"no organization":             func(r *council.ParticipationRules) { r.Routes[council.InitiativeCitizens] = council.NilID },
		"deadline out of range":       func(r *council.ParticipationRules) { r.AgendaDays = 400 },
	} {
		x := council.DefaultParticipationRules(e.body.ID)
		x.Routes = map[council.InitiativeKind]council.ID{council.InitiativeYouth: jha.ID}
		bad(&x)
		if err := e.s.SaveParticipationRules(e.ctx, x); !errors.Is(err, council.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if r, _ := e.s.ParticipationRules(e.ctx, e.body.ID); r.AgendaDays != 9 || len(r.Routes) != 2 {
		t.Errorf("after the refusals: %+v, want the rules saved before", r)
	}
	// Saving replaces the routes.
	rules.Routes = map[council.InitiativeKind]council.ID{council.InitiativeYouth: bau.ID}
	if err := e.s.SaveParticipationRules(e.ctx, rules); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.s.ParticipationRules(e.ctx, e.body.ID); len(r.Routes) != 1 || r.RouteFor(council.InitiativeYouth) != bau.ID {
		t.Errorf("replaced routes: %+v", r.Routes)
	}
}
