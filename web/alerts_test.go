package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/alerts"
	"github.com/plenar/plenar/council/mail/mailtest"
	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/web/site"
)

// catchUpIndex applies the outbox to the server's search index, as the
// indexer of plenar serve does.
func (e *testEnv) catchUpIndex(t *testing.T) {
	t.Helper()
	if _, err := search.NewIndexer(e.srv.pool, e.srv.opt.SearchIndex, nil).CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
}

var unsubscribeLink = regexp.MustCompile(`<(http://plenar\.test/unsubscribe\?t=[A-Za-z0-9_-]+)>`)

// TestAlertsSearchDailyDigest is the done-when of issue 20, point 3: a
// citizen following a search gets exactly one daily digest with the new
// matching paper and nothing non-public (read back from a real SMTP
// server), even when the job runs twice that day; the digest's one-click
// unsubscribe (RFC 8058, no cookie, no login) works and ends the follow.
func TestAlertsSearchDailyDigest(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ctx := context.Background()
	smtpd := mailtest.Start(t, mailtest.Options{})
	cs := e.council
	paper := func(name string, public, submit bool) council.Paper {
		t.Helper()
		p := must(cs.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: name, Type: council.PaperMotion, Public: public}))(t)
		if submit {
			p = must(cs.Submit(ctx, p.ID, time.Now()))(t)
		}
		return p
	}
	paper("Radweg am Bahnhof (schon bekannt)", true, true)
	e.buildIndex(t)
	c, u := e.login(t, council.RoleCitizen)

	// The results page offers the button; it saves the search.
	status, body := e.get(t, c, "/search?q=Radweg&type=paper")
	wantStatus(t, "search page", status, http.StatusOK)
	mustContain(t, "search page", body, `name="s_q" value="Radweg"`, `name="kind" value="search"`)
	status, loc, _ := e.submit(t, c, "/account/alerts", url.Values{"kind": {"search"}, "frequency": {"daily"},
		"s_q": {"Radweg"}, "s_type": {"paper"}})
	wantStatus(t, "follow search", status, http.StatusSeeOther)
	if loc != "/account/alerts?notice=followed" {
		t.Errorf("follow search: Location %q", loc)
	}

	paper("Radweg an der Lindenallee", true, true)
	paper("Radweg ENTWURF-A1Q", true, false)          // a draft
	paper("Radweg NICHTOEFFENTLICH-B2R", false, true) // not public
	paper("Spielplatz am Markt", true, true)          // does not match
	e.catchUpIndex(t)

	d := e.srv.AlertDigester()
	morning := time.Date(2026, 12, 8, 7, 0, 0, 0, site.Berlin)
	if n, err := d.RunAll(ctx, morning); err != nil || n != 1 {
		t.Fatalf("first run: %d digests, %v; want 1", n, err)
	}
	if n, err := d.RunAll(ctx, morning.Add(5*time.Hour)); err != nil || n != 0 {
		t.Fatalf("second run the same day: %d digests, %v; want none", n, err)
	}
	got := e.deliver(t, smtpd)
	if len(got) != 1 || got[0].To != u.Email {
		t.Fatalf("got %d messages, want one to %s: %+v", len(got), u.Email, got)
	}
	m := got[0]
	all := m.Subject + m.Text + m.HTML
	mustContain(t, "digest", all, "Tagesübersicht: Radweg", "Radweg an der Lindenallee", "http://plenar.test/papers/",
		"http://plenar.test/account/alerts")
	mustNotContain(t, "digest", all, "ENTWURF-A1Q", "NICHTOEFFENTLICH-B2R", "Spielplatz", "schon bekannt")
	if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", m.Header.Get("List-Unsubscribe-Post"))
	}
	link := unsubscribeLink.FindStringSubmatch(m.Header.Get("List-Unsubscribe"))
	if link == nil || !strings.Contains(m.Text, link[1]) {
		t.Fatalf("List-Unsubscribe %q not in the text", m.Header.Get("List-Unsubscribe"))
	}

	// One click, as a mail client does it: a POST without cookies.
	status, _, _ = e.post(t, e.anon(), strings.TrimPrefix(link[1], "http://plenar.test"),
		url.Values{"List-Unsubscribe": {"One-Click"}}, nil)
	wantStatus(t, "one-click unsubscribe", status, http.StatusOK)
	if fs := must(e.srv.alerts.Follows(ctx, u.ID))(t); len(fs) != 0 {
		t.Errorf("follows after unsubscribing: %+v", fs)
	}
	paper("Radweg zur Schule", true, true)
	e.catchUpIndex(t)
	if n, err := d.RunAll(ctx, morning.AddDate(0, 0, 1)); err != nil || n != 0 {
		t.Errorf("next day after unsubscribing: %d digests, %v", n, err)
	}
}

// TestAlertsNonPublicNeverInDigestOrFeed: a user follows everything the
// hostile fixture's public side offers (bodies, the public paper, the
// person, a search for every marker) with the whole fixture as news;
// no digest read back from the SMTP server, no private or public alert
// feed shows any marker of a non-public thing, and the non-public paper
// cannot be followed at all.
func TestAlertsNonPublicNeverInDigestOrFeed(t *testing.T) {
	e := newFilesEnv(t, 1<<20)
	f := newHostileFixture(t, e)
	ctx := context.Background()
	smtpd := mailtest.Start(t, mailtest.Options{})
	e.buildIndex(t)
	u := e.newTestUser(t, council.RoleMember, false)
	st := e.srv.alerts
	for _, x := range []struct {
		kind alerts.Kind
		id   council.ID
	}{{alerts.Organization, f.council.ID}, {alerts.Organization, f.committee.ID}, {alerts.Organization, f.group.ID},
		{alerts.Paper, f.publicPaper.ID}, {alerts.Person, f.person.ID}} {
		must(st.Follow(ctx, u.ID, x.kind, x.id, "", "", alerts.Instant))(t)
	}
	if _, err := st.Follow(ctx, u.ID, alerts.Paper, f.hiddenPaper.ID, "", "", alerts.Daily); err == nil {
		t.Error("the non-public paper could be followed")
	}
	queries := []string{"q=Radweg", "q=Sitzung"}
	for m := range f.markers {
		queries = append(queries, url.Values{"q": {m}}.Encode())
	}
	for _, q := range queries {
		v, _ := url.ParseQuery(q)
		query, label, err := alerts.NormalizeQuery(v)
		if err != nil {
			t.Fatal(err)
		}
		must(st.Follow(ctx, u.ID, alerts.Search, council.NilID, query, label, alerts.Instant))(t)
	}
	// Everything the fixture did is news to these follows.
	if _, err := e.srv.pool.Exec(ctx, `UPDATE alert_follows SET last_seq = 0`); err != nil {
		t.Fatal(err)
	}
	n, err := e.srv.AlertDigester().RunAll(ctx, time.Now())
	if err != nil || n == 0 {
		t.Fatalf("digests: %d, %v; want some", n, err)
	}
	// The fixture's citizens got their verification mail too; the
	// fixture's councillor Rita follows public things herself.
	var got []mailtest.Received
	for _, m := range e.deliver(t, smtpd) {
		if m.To == u.Email || m.To == "rita@rat.example" {
			got = append(got, m)
		}
	}
	if len(got) != n {
		t.Errorf("delivered %d of %d digests", len(got), n)
	}
	check := func(what, text string) {
		t.Helper()
		for m, thing := range f.markers {
			if strings.Contains(text, m) {
				t.Errorf("%s shows %q, the marker of a %s", what, m, thing)
			}
		}
	}
	publicShown := false
	for _, m := range got {
		check("digest "+m.Subject, m.Subject+m.Text+m.HTML)
		publicShown = publicShown || strings.Contains(m.Text, f.publicPaper.Name)
	}
	if !publicShown {
		t.Errorf("no digest shows the public paper %q", f.publicPaper.Name)
	}
	token := must(st.NewFeedToken(ctx, u.ID))(t)
	for _, path := range []string{"/feeds/u/" + token + ".atom", "/papers/" + f.publicPaper.ID.String() + "/feed.atom",
		"/persons/" + f.person.ID.String() + "/feed.atom", "/bodies/" + f.council.ID.String() + "/feed.atom"} {
		status, body := e.get(t, e.anon(), path)
		wantStatus(t, path, status, http.StatusOK)
		check(path, body)
	}
	if status, _ := e.get(t, e.anon(), "/papers/"+f.hiddenPaper.ID.String()+"/feed.atom"); status != http.StatusNotFound {
		t.Errorf("feed of the non-public paper: status %d", status)
	}
	if status, _ := e.get(t, e.anon(), "/feeds/u/not-a-token.atom"); status != http.StatusNotFound {
		t.Errorf("private feed with an unknown token: status %d", status)
	}
}

// TestAlertsAccountPage: following from the paper page's form, the list,
// frequency changes and unfollowing on /account/alerts, in German and
// English; bad input is refused with a message and nothing stored; the
// private feed's address is shown once and a new one revokes the old.
func TestAlertsAccountPage(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ctx := context.Background()
	p := must(e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: "Sanierung der Stadthalle", Type: council.PaperMotion, Public: true}))(t)
	p = must(e.council.Submit(ctx, p.ID, time.Now()))(t)
	draft := must(e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: "Entwurf", Type: council.PaperMotion, Public: true}))(t)
	c, u := e.login(t, council.RoleCitizen)

	_, body := e.get(t, e.anon(), "/papers/"+p.ID.String())
	mustContain(t, "paper page, anonymous", body, "/login?next=%2Fpapers%2F"+p.ID.String())
	_, body = e.get(t, c, "/papers/"+p.ID.String())
	mustContain(t, "paper page", body, `action="/account/alerts"`, `name="id" value="`+p.ID.String()+`"`)

	for _, bad := range []url.Values{
		{"kind": {"meeting"}, "id": {p.ID.String()}, "frequency": {"daily"}},
		{"kind": {"paper"}, "id": {p.ID.String()}, "frequency": {"hourly"}},
		{"kind": {"paper"}, "id": {"nope"}, "frequency": {"daily"}},
		{"kind": {"paper"}, "id": {draft.ID.String()}, "frequency": {"daily"}},
		{"kind": {"search"}, "frequency": {"daily"}},
	} {
		status, _, body := e.submit(t, c, "/account/alerts", bad)
		wantStatus(t, "bad follow "+bad.Encode(), status, http.StatusUnprocessableEntity)
		mustContain(t, "bad follow", body, `role="alert"`)
	}
	if fs := must(e.srv.alerts.Follows(ctx, u.ID))(t); len(fs) != 0 {
		t.Fatalf("refused follows stored: %+v", fs)
	}
	status, _, _ := e.submit(t, c, "/account/alerts", url.Values{"kind": {"paper"}, "id": {p.ID.String()}, "frequency": {"weekly"}})
	wantStatus(t, "follow", status, http.StatusSeeOther)
	fs := must(e.srv.alerts.Follows(ctx, u.ID))(t)
	if len(fs) != 1 || fs[0].Frequency != alerts.Weekly || fs[0].Label != p.Reference+": Sanierung der Stadthalle" {
		t.Fatalf("follows: %+v", fs)
	}
	for lang, want := range map[string]string{"de": "wöchentlich", "en": "weekly"} {
		status, body := e.get(t, c, "/account/alerts?lang="+lang)
		wantStatus(t, "alerts page "+lang, status, http.StatusOK)
		mustContain(t, "alerts page "+lang, body, "Sanierung der Stadthalle", want)
	}
	status, _, _ = e.submit(t, c, "/account/alerts/"+fs[0].ID.String()+"/frequency", url.Values{"frequency": {"instant"}})
	wantStatus(t, "frequency", status, http.StatusSeeOther)
	if got := must(e.srv.alerts.Follows(ctx, u.ID))(t)[0].Frequency; got != alerts.Instant {
		t.Errorf("frequency %s", got)
	}
	status, _, body = e.submit(t, c, "/account/alerts/feed", nil)
	wantStatus(t, "feed token", status, http.StatusOK)
	first := regexp.MustCompile(`/feeds/u/[A-Za-z0-9_-]+\.atom`).FindString(body)
	if first == "" {
		t.Fatal("no feed address shown")
	}
	wantStatus(t, "private feed", must2(e.get(t, e.anon(), first)), http.StatusOK)
	e.submit(t, c, "/account/alerts/feed", nil)
	wantStatus(t, "revoked feed", must2(e.get(t, e.anon(), first)), http.StatusNotFound)
	status, _, _ = e.submit(t, c, "/account/alerts/"+fs[0].ID.String()+"/delete", nil)
	wantStatus(t, "unfollow", status, http.StatusSeeOther)
	if fs := must(e.srv.alerts.Follows(ctx, u.ID))(t); len(fs) != 0 {
		t.Errorf("follows after unfollowing: %+v", fs)
	}
	// Another user's follow cannot be touched.
	other, _ := e.login(t, council.RoleCitizen)
	f := must(e.srv.alerts.Follow(ctx, u.ID, alerts.Paper, p.ID, "", "", alerts.Daily))(t)
	status, _, _ = e.submit(t, other, "/account/alerts/"+f.ID.String()+"/delete", nil)
	wantStatus(t, "someone else's follow", status, http.StatusNotFound)
}

// must2 returns the status of a get.
func must2(status int, _ string) int { return status }
