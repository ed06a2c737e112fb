package web

import (
	"context"
	"net/http"
	"testing"
)

// TestChildcareBrowser: in Chromium, a member opens "Kinderbetreuungskosten"
// from their account page (axe, German), first asks more than the cap
// (field error, axe on the refused form), then claims 3,5 hours and
// 42,50 € for the meeting they attended and sees it submitted; the clerk
// finds it in the back office's queue (axe, German and English) and
// approves it; the member sees it approved in English (axe).
func TestChildcareBrowser(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	f := newChildcareFixture(t, e)
	axe := axeSource(t)
	tabs := newMediaBrowser(t, 2)
	base := e.ts.URL
	for i, c := range []*http.Client{f.member, f.clerk} {
		setBrowserCookie(t, tabs[i], base, e.sessionCookie(c))
	}
	mt, ct := tabs[0], tabs[1]
	checkAxe := func(ctx context.Context, what string) { t.Helper(); axeClean(t, ctx, axe, what) }

	navigate(t, mt, base+"/account/security")
	waitText(t, mt, "#childcare-h", "Kinderbetreuungskosten")
	submitLink(t, mt, `a[href="/my/childcare"]`)
	waitText(t, mt, "h1", "Kinderbetreuungskosten")
	waitText(t, mt, "main", "Geben Sie keine Namen")
	checkAxe(mt, "the member's childcare page, German")
	setValue(t, mt, "#f-meeting", f.attended.ID.String())
	setValue(t, mt, "#f-hours", "2")
	setValue(t, mt, "#f-amount", "45")
	submitAndWait(t, mt, "#f-amount")
	waitText(t, mt, "#f-amount-error", "übersteigt den Höchstsatz")
	liveStates(t, mt, "68-childcare-form-errors", axe) // the refused claim: axe and layout at both widths, screenshots
	setValue(t, mt, "#f-hours", "3,5")
	setValue(t, mt, "#f-amount", "42,50")
	setValue(t, mt, "#f-note", "Babysitter, Quittung folgt")
	submitAndWait(t, mt, "#f-note")
	waitText(t, mt, "main", "Ihr Antrag ist eingereicht")
	waitText(t, mt, ".childcare-claims", "42,50 €")
	waitText(t, mt, ".childcare-claims", "eingereicht")
	liveStates(t, mt, "69-childcare-submitted", axe)

	navigate(t, ct, base+"/admin/childcare")
	waitText(t, ct, "main", "Mara Kindler")
	waitText(t, ct, "main", "Offene Anträge: 1")
	liveStates(t, ct, "70-admin-childcare-queue", axe)
	navigate(t, ct, base+"/admin/childcare?lang=en")
	waitText(t, ct, "main", "Open claims: 1")
	checkAxe(ct, "the clerk's childcare queue, English")
	submitAndWait(t, ct, `form[action*="/approve"] button`)
	waitText(t, ct, "main", "The claim is approved.")
	waitText(t, ct, "main", "Open claims: 0")

	navigate(t, mt, base+"/my/childcare?lang=en")
	waitText(t, mt, ".childcare-claims", "approved")
	waitText(t, mt, ".childcare-claims", "€42.50")
	checkAxe(mt, "the member's approved claim, English")
}

// submitLink follows the link sel like a click and waits for the page.
func submitLink(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	href := evalString(t, ctx, `document.querySelector(`+"`"+sel+"`"+`).href`)
	navigate(t, ctx, href)
}
