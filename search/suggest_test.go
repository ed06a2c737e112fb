package search_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search"
)

// TestSuggestPublicOnly: autocomplete and "did you mean" draw from public
// documents only. Words that occur only in a non-public paper, a draft or
// a paper that became non-public are never suggested, to anyone.
func TestSuggestPublicOnly(t *testing.T) {
	e := newEnv(t)
	bau := e.org(t, "Bauausschuss")
	e.paper(t, council.Paper{Name: "Radwegsanierung Uferweg", Public: true, Text: "Der Radweg am Ufer wird saniert."}, bau)
	e.paper(t, council.Paper{Name: "Grundstücksankauf Geheimgarten", Public: false, Text: "Kaufpreis Geheimsumme"}, bau)
	e.paper(t, council.Paper{Name: "Entwurf Geheimentwurf", Public: true, Status: council.StatusDraft}, bau)
	later := e.paper(t, council.Paper{Name: "Geheimtunnel Bahnhof", Public: true}, bau)
	e.build(t)

	sugg := func(q string) []string {
		t.Helper()
		out, err := e.ix.Suggest(e.ctx, q, 10)
		if err != nil {
			t.Fatalf("Suggest(%q): %v", q, err)
		}
		return out
	}
	if got := sugg("radw"); !slices.Contains(got, "radwegsanierung") {
		t.Errorf("Suggest(radw) = %v, want radwegsanierung", got)
	}
	if got := sugg("neuer rad"); !slices.Contains(got, "neuer radweg") {
		t.Errorf("Suggest(neuer rad) = %v, want the completed query", got)
	}
	if got := sugg("geheimt"); !slices.Contains(got, "geheimtunnel") {
		t.Errorf("Suggest(geheimt) = %v, want geheimtunnel while it is public", got)
	}

	// The paper becomes non-public: its words leave the suggestions as
	// soon as the indexer applies the change, although the old segment
	// may still list them in its dictionary.
	later.Public = false
	if _, err := e.s.SavePaper(e.ctx, later); err != nil {
		t.Fatal(err)
	}
	in := search.NewIndexer(e.pool, e.ix, nil)
	if _, err := in.CatchUp(e.ctx); err != nil {
		t.Fatal(err)
	}

	secret := []string{"geheimgarten", "geheimsumme", "geheimentwurf", "geheimtunnel", "kaufpreis", "grundstücksankauf"}
	leaks := func(what string, got []string) {
		t.Helper()
		for _, g := range got {
			for _, s := range secret {
				if strings.Contains(g, s) {
					t.Errorf("%s suggests %q from a non-public document", what, g)
				}
			}
		}
	}
	for _, q := range []string{"geh", "geheim", "Geheim", "GEHEIMG", "kauf", "grund", "x geheims", "geheimtunnel", "geheimentw",
		"\x00geheim", strings.Repeat("geheim ", 40)} {
		leaks("Suggest("+q+")", sugg(q))
	}
	for _, v := range []council.Viewer{council.Public, member(bau), staff} {
		for _, q := range []string{"Geheimgartn", "Geheimsume", "Geheimentwurff", "Geheimtunel", "Kaufpreiss", "Grundstucksankauf"} {
			_, res := e.ids(t, v, search.Request{Query: q + " Zzzqx"})
			leaks("DidYouMean("+q+")", []string{strings.ToLower(res.DidYouMean)})
		}
	}
	_, res := e.ids(t, council.Public, search.Request{Query: "Radwegsanirung Uferwg"})
	if res.Total == 0 && res.DidYouMean == "" {
		t.Errorf("no did-you-mean for a typo of public words: %+v", res)
	}
	_, res = e.ids(t, council.Public, search.Request{Query: "Uferwek Zzzqx"})
	if !strings.Contains(res.DidYouMean, "uferweg") {
		t.Errorf("DidYouMean(Uferwek Zzzqx) = %q, want uferweg", res.DidYouMean)
	}
	ctx, cancel := context.WithTimeout(e.ctx, time.Second)
	defer cancel()
	if _, err := e.ix.Suggest(ctx, strings.Repeat("a", 2000), 10); err != nil {
		t.Errorf("Suggest(long): %v", err)
	}
}
