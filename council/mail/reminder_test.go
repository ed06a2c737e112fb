package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail"
	"github.com/plenar/plenar/council/mail/mailtest"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestRemindDue: the youth council's admitted motion due in ten days, and
// one overdue, remind every active clerk and administrator once, each in
// their language, through a real SMTP server; a motion due in a month, an
// answered one and a disabled clerk get nothing; a second run queues
// nothing.
func TestRemindDue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	srv := mailtest.Start(t, mailtest.Options{})
	cs := council.NewStore(pool)
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	body, err := cs.CreateBody(ctx, council.Body{Name: "Stadt Musterstadt"})
	check("body", err)
	check("rules", cs.SaveParticipationRules(ctx, council.ParticipationRules{BodyID: body.ID, MinAge: 14, CollectDays: 90, AnswerDays: 90, MotionDeadline: 10}))
	youth, err := cs.SaveOrganization(ctx, council.Organization{BodyID: body.ID, Name: "Kinder- und Jugendrat", Kind: council.KindYouthCouncil})
	check("youth", err)
	rat, err := cs.SaveOrganization(ctx, council.Organization{BodyID: body.ID, Name: "Stadtrat", Kind: council.KindCouncil})
	check("council", err)
	p, err := cs.SavePerson(ctx, council.Person{BodyID: body.ID, GivenName: "Mia", FamilyName: "Jung"})
	check("person", err)
	_, err = cs.SaveMembership(ctx, council.Membership{PersonID: p.ID, OrganizationID: youth.ID, Role: "Sprecherin"})
	check("membership", err)
	rep, err := cs.CreateUser(ctx, council.User{Email: "mia@jugendrat.example", PasswordHash: "x", Role: council.RoleCitizen, PersonID: p.ID})
	check("rep", err)
	for _, u := range []council.User{{Email: "clerk@musterstadt.example", Role: council.RoleClerk}, {Email: "admin@musterstadt.example", Role: council.RoleAdmin},
		{Email: "old-clerk@musterstadt.example", Role: council.RoleClerk}} {
		u.PasswordHash = "x"
		saved, err := cs.CreateUser(ctx, u)
		check("staff", err)
		switch u.Email {
		case "clerk@musterstadt.example":
			_, err = pool.Exec(ctx, `UPDATE users SET lang = 'en' WHERE id = $1`, saved.ID)
		case "old-clerk@musterstadt.example":
			_, err = pool.Exec(ctx, `UPDATE users SET disabled = true WHERE id = $1`, saved.ID)
		}
		check("staff state", err)
	}
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	motion := func(title string, admittedDaysAgo int, answered bool) {
		t.Helper()
		in, err := cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: body.ID, AuthorID: rep.ID, Kind: council.InitiativeYouth,
			OrganizationID: youth.ID, Title: title, Text: "Der Rat möge …"})
		check("draft", err)
		_, err = cs.SubmitInitiative(ctx, in.ID, rep.ID, now.AddDate(0, 0, -admittedDaysAgo-5), nil)
		check("submit", err)
		_, _, err = cs.AdmitInitiative(ctx, in.ID, rat.ID, now.AddDate(0, 0, -admittedDaysAgo))
		check("admit", err)
		if answered {
			_, err = cs.AnswerInitiative(ctx, in.ID, "Antwort", now)
			check("answer", err)
		}
	}
	motion("Skatepark am Stadion", 80, false)   // due in 10 days
	motion("Jugendtreff Nord", 95, false)       // overdue by 5 days
	motion("WLAN in Bussen", 60, false)         // due in 30 days
	motion("Beleuchtung am Schulweg", 85, true) // answered
	st := mail.NewStore(pool, "https://ratsinfo.musterstadt.example")
	tpl, err := mail.ParseTemplates()
	check("templates", err)
	n, err := st.RemindDue(ctx, tpl, "Musterstadt", now)
	if err != nil || n != 4 {
		t.Fatalf("RemindDue = %d, %v; want 2 motions × 2 active staff", n, err)
	}
	if n, err := st.RemindDue(ctx, tpl, "Musterstadt", now.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("second RemindDue = %d, %v; want nothing", n, err)
	}
	if n, err := sender(t, pool, srv).RunOnce(ctx); err != nil || n != 4 {
		t.Fatalf("sent %d, %v", n, err)
	}
	got := map[string][]string{}
	for _, m := range srv.Messages() {
		got[m.To] = append(got[m.To], m.Subject+"\n"+m.Text)
	}
	if len(got["old-clerk@musterstadt.example"]) != 0 || len(got) != 2 {
		t.Errorf("recipients: %v", got)
	}
	all := strings.Join(got["clerk@musterstadt.example"], "\n") + strings.Join(got["admin@musterstadt.example"], "\n")
	for _, want := range []string{"Reminder: answer to “Skatepark am Stadion” due on 14.05.2026", "Overdue: answer to “Jugendtreff Nord”",
		"Erinnerung: Antwort auf „Skatepark am Stadion“", "Kinder- und Jugendrat", "https://ratsinfo.musterstadt.example/admin/initiatives/"} {
		if !strings.Contains(all, want) {
			t.Errorf("reminders lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "WLAN") || strings.Contains(all, "Beleuchtung") {
		t.Errorf("a reminder for a motion not due or answered:\n%s", all)
	}
}
