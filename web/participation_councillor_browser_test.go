package web

import (
	"context"
	"net/http"
	"testing"

	"github.com/plenar/plenar/council"
)

// TestCouncillorMotionBrowser: in Chromium, Anna, a member of the
// council, chooses to file as a councillor on the new-motion form (axe,
// German), drafts an inquiry for the council's coming meeting with its
// deadline, Bernd, a fellow councillor, co-signs it (axe on his page), and
// Anna submits it and sees its receipt; the same form in English passes
// axe too.
func TestCouncillorMotionBrowser(t *testing.T) {
	t.Parallel()
	e := newParticipationEnv(t)
	axe := axeSource(t)
	anna, _ := e.groupMember(t, e.council, "Anna", council.RoleMember)
	bernd, _ := e.groupMember(t, e.council, "Bernd", council.RoleMember)
	tabs := newMediaBrowser(t, 2)
	base := e.ts.URL
	for i, c := range []*http.Client{anna, bernd} {
		setBrowserCookie(t, tabs[i], base, e.sessionCookie(c))
	}
	at, bt := tabs[0], tabs[1]
	checkAxe := func(ctx context.Context, what string) { t.Helper(); axeClean(t, ctx, axe, what) }

	navigate(t, at, base+"/beteiligung/antraege/neu")
	waitText(t, at, "#f-group", "Ratsmitglied (eigener Antrag oder eigene Anfrage) – Stadtrat")
	setValue(t, at, "#f-group", e.council.ID.String())
	setValue(t, at, "#f-paper_type", "inquiry")
	setValue(t, at, "#f-meeting", e.meeting.ID.String())
	setValue(t, at, "#f-title", "Radwege im Stadtteil Nord")
	setValue(t, at, "#f-text", "Wie viele Kilometer Radweg plant die Verwaltung im Stadtteil Nord bis 2028?")
	checkAxe(at, "motion form of a councillor, German")
	submitAndWait(t, at, "#f-text")
	waitText(t, at, "main", "Entwurf gespeichert")
	waitText(t, at, "main", "Antrag oder Anfrage eines Ratsmitglieds – Stadtrat")
	waitText(t, at, "main", "Antragsfrist bis")
	checkAxe(at, "a councillor's draft, German")
	motion := evalString(t, at, `location.pathname`)

	navigate(t, bt, base+motion)
	waitText(t, bt, "#cosign-h", "Mitzeichnung durch Ratsmitglieder")
	checkAxe(bt, "a councillor's draft for a fellow councillor")
	submitAndWait(t, bt, `form[action$="/unterschreiben"] button`)
	waitText(t, bt, "#sign-count", "1 Mitzeichnende")

	navigate(t, at, base+motion)
	submitAndWait(t, at, `form[action*="/einreichen"] button`)
	waitText(t, at, "#receipt", "Eingangsnummer")

	navigate(t, at, base+"/beteiligung/antraege/neu?lang=en")
	setValue(t, at, "#f-group", e.council.ID.String())
	waitText(t, at, "#f-group", "Councillor (own motion or question) – Stadtrat")
	checkAxe(at, "motion form of a councillor, English")
}
