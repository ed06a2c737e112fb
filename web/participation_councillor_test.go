package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail/mailtest"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestCouncillorMotionForm: a councillor's own inquiry through the HTTP
// forms. The new-motion form offers Anna, a member of the council, to file
// as a councillor (with the meetings and their deadlines), not a citizen;
// a citizen forging the council as "group" is refused and nothing is
// stored. Anna's draft is hidden from the public and the citizen; Bernd, a
// fellow councillor, co-signs it once; Anna submits it and gets the
// receipt naming the council she files in; the clerk sees the kind and
// admits it as an "Anfrage von Ratsmitgliedern" paper on the meeting.
func TestCouncillorMotionForm(t *testing.T) {
	t.Parallel()
	e := newParticipationEnv(t)
	ctx := t.Context()
	cs := e.testEnv.council
	smtpd := mailtest.Start(t, mailtest.Options{})
	anna, annaU := e.groupMember(t, e.council, "Anna", council.RoleMember)
	bernd, _ := e.groupMember(t, e.council, "Bernd", council.RoleMember)
	carl, _ := e.resident(t, 1970)
	clerk, _ := e.login(t, council.RoleClerk)

	st, body := e.get(t, anna, "/beteiligung/antraege/neu")
	if st != http.StatusOK {
		t.Fatalf("form: %d", st)
	}
	mustContain(t, "councillor's form", body, "Ratsmitglied (eigener Antrag oder eigene Anfrage) – Stadtrat", `id="f-meeting"`,
		e.meeting.Name, "Anträge und Anfragen von Fraktionen und Ratsmitgliedern müssen 10 Tage")
	_, body = e.get(t, carl, "/beteiligung/antraege/neu")
	mustNotContain(t, "citizen's form", body, "Ratsmitglied (eigener", `id="f-meeting"`)

	form := url.Values{"group": {e.council.ID.String()}, "paper_type": {"inquiry"}, "meeting": {e.meeting.ID.String()},
		"title": {"Radwege im Stadtteil Nord"}, "text": {"Wie viele Kilometer Radweg plant die Verwaltung?"}}
	st, _, body = e.adminPost(t, carl, "/beteiligung/antraege", form)
	if st != http.StatusUnprocessableEntity {
		t.Errorf("a citizen forging the council: %d", st)
	}
	mustContain(t, "forged council", body, "Für diese Gruppe können Sie keinen Antrag stellen")
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM initiatives`); n != 0 {
		t.Fatalf("a forged councillor's motion was stored (%d)", n)
	}

	id := e.mustRedirect(t, anna, "/beteiligung/antraege", form, "/beteiligung/antraege/")
	page := "/beteiligung/antraege/" + id
	in := must(cs.Initiative(ctx, must(council.ParseID(id))(t)))(t)
	if in.Kind != council.InitiativeCouncillor || in.PaperType != council.PaperInquiry || in.MeetingID != e.meeting.ID {
		t.Fatalf("stored %+v", in)
	}
	st, body = e.get(t, anna, page)
	if st != http.StatusOK {
		t.Fatalf("the author's page: %d\n%s", st, excerpt(body))
	}
	mustContain(t, "the author's page", body, "Antrag oder Anfrage eines Ratsmitglieds – Stadtrat", "Anfrage", "Antragsfrist bis",
		`/einreichen"`)
	for what, c := range map[string]*http.Client{"the public": e.anon(), "a citizen": carl} {
		if st, _ := e.get(t, c, page); st != http.StatusNotFound {
			t.Errorf("%s reads a councillor's draft: %d", what, st)
		}
	}
	if st, _, _ := e.adminPost(t, carl, page+"/unterschreiben", nil); st != http.StatusNotFound {
		t.Errorf("a citizen co-signs: %d", st)
	}
	_, body = e.get(t, bernd, page)
	mustContain(t, "a fellow councillor's page", body, `/unterschreiben"`, "Mitzeichnung durch Ratsmitglieder")
	e.mustRedirect(t, bernd, page+"/unterschreiben", nil, page)
	st, _, body = e.adminPost(t, bernd, page+"/unterschreiben", nil)
	if st != http.StatusConflict {
		t.Errorf("signing twice: %d", st)
	}
	mustContain(t, "signing twice", body, `id="sign-count"`)

	e.mustRedirect(t, anna, page+"/einreichen", nil, page)
	msgs := e.deliver(t, smtpd)
	if len(msgs) != 1 || msgs[0].To != annaU.Email {
		t.Fatalf("%d messages, want the receipt to %s", len(msgs), annaU.Email)
	}
	mustContain(t, "receipt", msgs[0].Text, "Antrag: Radwege im Stadtteil Nord", "Eingereicht als Mitglied von: Stadtrat", "Eingangsnummer: "+id[:8])
	mustNotContain(t, "receipt", msgs[0].Text, "Eingereicht für")
	if st, _ := e.get(t, e.anon(), page); st != http.StatusNotFound {
		t.Errorf("the public reads a councillor's submitted inquiry: %d", st)
	}

	_, body = e.get(t, clerk, "/admin/initiatives")
	mustContain(t, "back office list", body, "Antrag oder Anfrage eines Ratsmitglieds – Stadtrat", "Radwege im Stadtteil Nord")
	_, body = e.get(t, clerk, "/admin/initiatives/"+id)
	mustContain(t, "back office page", body, "1 Mitzeichnende", `/return"`)
	e.mustRedirect(t, clerk, "/admin/initiatives/"+id+"/admit", url.Values{"org": {e.council.ID.String()}, "meeting": {e.meeting.ID.String()}},
		"/admin/initiatives/"+id)
	in = must(cs.Initiative(ctx, in.ID))(t)
	if in.State != council.InitiativeAdmitted {
		t.Fatalf("not admitted: %+v", in)
	}
	st, body = e.get(t, e.anon(), "/papers/"+in.PaperID.String())
	if st != http.StatusOK {
		t.Fatalf("public paper: %d", st)
	}
	mustContain(t, "public paper", body, "Anfrage von Ratsmitgliedern", "Radwege im Stadtteil Nord")
	if st, _ := e.get(t, e.anon(), page); st != http.StatusNotFound {
		t.Errorf("the public reads the admitted councillor's inquiry as an initiative (its Paper is the record): %d", st)
	}
	if strings.Contains(body, annaU.Email) {
		t.Error("the paper shows the author's e-mail address")
	}
	// Last: ?lang=en stays with the session.
	_, body = e.get(t, anna, "/beteiligung/antraege/neu?lang=en")
	mustContain(t, "councillor's form, English", body, "Councillor (own motion or question) – Stadtrat",
		"Motions and questions of party groups and councillors must arrive 10 days")
}
