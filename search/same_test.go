package search_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/search"
)

// TestSameTitleOneResult: public papers with one title (a motion filed
// again each winter) are one result, the best of them, listing the
// others newest first; the list of all of them (Request.Same) has every
// public one and no other. A non-public paper of that title is neither
// listed nor folded by its title: its public agenda item stays a result
// of its own. A paper renamed leaves the group, with its agenda item,
// once the indexer has read the change; an index of an earlier layout
// is rebuilt by the indexer.
func TestSameTitleOneResult(t *testing.T) {
	e := newEnv(t)
	ms := meetings.NewStore(e.pool)
	soz := e.org(t, "Sozialausschuss")
	const title = "Kältebus im Winter 2024/25"
	day := func(m, d int) time.Time { return time.Date(2024, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	var same []council.Paper
	for i, d := range []time.Time{day(9, 2), day(10, 7), day(11, 4), day(11, 28)} {
		p := e.paper(t, council.Paper{Name: title, Public: true, Date: d,
			Text: "Der Kältebus fährt in den Wintermonaten nachts die bekannten Schlafplätze an."}, soz)
		// References come with Submit; set here to be listed.
		p.Reference = "A010" + string(rune('0'+i)) + "/24"
		if _, err := e.pool.Exec(e.ctx, `UPDATE papers SET reference = $2, ref_prefix = 'A', ref_year = 2024, ref_seq = $3 WHERE id = $1`, p.ID, p.Reference, 100+i); err != nil {
			t.Fatal(err)
		}
		same = append(same, p)
	}
	secret := e.paper(t, council.Paper{Name: title, Public: false, Date: day(12, 1),
		Text: "Kältebus Geheimwort vertraulich"}, soz)
	stops := e.paper(t, council.Paper{Name: "Barrierefreie Bushaltestellen am Markt", Public: true, Date: day(6, 3),
		Text: "Die Bushaltestellen am Markt erhalten Hochborde."}, soz)
	m, err := ms.SaveMeeting(e.ctx, meetings.Meeting{BodyID: e.body.ID, Name: "5. Sitzung des Sozialausschusses",
		Start: time.Date(2024, 12, 3, 17, 0, 0, 0, time.UTC), Organizations: []council.ID{soz.ID}})
	if err != nil {
		t.Fatal(err)
	}
	item, err := ms.AddPaper(e.ctx, m.ID, same[0].ID, soz.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	ofSecret, err := ms.AddPaper(e.ctx, m.ID, secret.ID, soz.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	// The item is public while its paper is not (AddPaper would not
	// make one; an import can).
	if _, err := e.pool.Exec(e.ctx, `UPDATE agenda_items SET public = true WHERE id = $1`, ofSecret.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ms.Invite(e.ctx, m.ID, m.Start.AddDate(0, 0, -14)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(e.ctx, `UPDATE papers SET text = text || ' Das Nachtcafé öffnet zusätzlich.' WHERE id = $1`, same[1].ID); err != nil {
		t.Fatal(err)
	}
	e.build(t)

	// A word only one of them has: that paper, listing none (the others
	// did not match).
	if _, res := e.ids(t, council.Public, search.Request{Query: "Nachtcafé"}); len(res.Hits) != 1 || res.Hits[0].ID != same[1].ID ||
		len(res.Hits[0].Same) != 0 || res.Hits[0].SameTotal != 0 {
		t.Errorf("Nachtcafé: want the one paper listing none; got %+v", res.Hits)
	}

	// "Bus": one result for the four, then the stops (and the public
	// item of the non-public paper, a result of its own).
	_, res := e.ids(t, council.Public, search.Request{Query: "Bus"})
	var folded *search.Hit
	seen := map[council.ID]bool{}
	for i, h := range res.Hits {
		if h.Title == title && h.Type == search.TypePaper {
			if folded != nil {
				t.Fatalf("Bus: two results titled %q: %+v", title, res.Hits)
			}
			folded = &res.Hits[i]
		}
		seen[h.ID] = true
	}
	if folded == nil || !seen[stops.ID] || !seen[ofSecret.ID] || seen[secret.ID] {
		t.Fatalf("Bus: want one result for %q, the stops and the public item of the non-public paper; got %+v", title, res.Hits)
	}
	if res.Total != len(res.Hits) || res.Total != 3 {
		t.Errorf("Bus: total %d for %d results, want 3 (identically titled papers count once)", res.Total, len(res.Hits))
	}
	var listed []council.ID
	for _, s := range folded.Same {
		listed = append(listed, s.ID)
		if s.Reference == "" || s.Date.IsZero() {
			t.Errorf("Bus: listed paper without reference or date: %+v", s)
		}
	}
	var want []council.ID
	for i := len(same) - 1; i >= 0; i-- { // newest first
		if same[i].ID != folded.ID {
			want = append(want, same[i].ID)
		}
	}
	if !slices.Equal(listed, want) || folded.SameTotal != 3 {
		t.Errorf("Bus: the result lists %v (total %d), want the other three newest first %v, never the non-public one %s",
			listed, folded.SameTotal, want, secret.ID)
	}

	// The list of all of them: the four public ones, newest first.
	_, all := e.ids(t, council.Public, search.Request{Same: same[2].ID})
	var got []council.ID
	for _, h := range all.Hits {
		got = append(got, h.ID)
		if len(h.Same) != 0 {
			t.Errorf("same: a listed paper lists others: %+v", h)
		}
	}
	want = nil
	for i := len(same) - 1; i >= 0; i-- {
		want = append(want, same[i].ID)
	}
	if !slices.Equal(got, want) || all.Total != 4 {
		t.Errorf("same: got %v (total %d), want %v", got, all.Total, want)
	}
	// With a query, those that match it.
	if ids, _ := e.ids(t, council.Public, search.Request{Same: same[0].ID, Query: "Geheimwort"}); len(ids) != 0 {
		t.Errorf("same with a non-public word: %v", ids)
	}
	// No such list for a paper the public may not see.
	if _, err := e.search.Search(e.ctx, council.Public, search.Request{Same: secret.ID}); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("same of a non-public paper: err %v, want ErrNotFound", err)
	}

	// Renamed: the paper leaves the group once indexed, with its item.
	in := search.NewIndexer(e.pool, e.ix, nil)
	if _, err := in.CatchUp(e.ctx); err != nil {
		t.Fatal(err)
	}
	renamed := same[0]
	renamed.Name = "Kältebus im Winter 2024/25 – Ausweitung auf die Wochenenden"
	if _, err := e.s.SavePaper(e.ctx, renamed); err != nil {
		t.Fatal(err)
	}
	if _, err := in.CatchUp(e.ctx); err != nil {
		t.Fatal(err)
	}
	_, res = e.ids(t, council.Public, search.Request{Query: "Kältebus", Types: []search.Type{search.TypePaper}})
	titles := map[string]int{}
	for _, h := range res.Hits {
		titles[h.Title]++
		if h.ID == renamed.ID && len(h.Same) != 0 {
			t.Errorf("renamed: lists %+v", h.Same)
		}
		if h.Title == title && h.SameTotal != 2 {
			t.Errorf("after the rename: %q lists %d others, want 2", title, h.SameTotal)
		}
	}
	if titles[title] != 1 || titles[renamed.Name] != 1 {
		t.Errorf("after the rename: results %v, want one of each title", titles)
	}
	// The renamed paper's agenda item follows it; the public item of the
	// non-public paper is grouped by its matter, not by the title.
	for _, c := range []struct {
		id   council.ID
		want string
	}{{item.ID, "t:kältebus im winter 2024/25 – ausweitung auf die wochenenden"}, {ofSecret.ID, "m:paper/" + secret.ID.String()}} {
		if g, err := search.GroupOf(e.ix, search.TypeAgendaItem, c.id); err != nil || g != c.want {
			t.Errorf("agenda item %s: group %q (%v), want %q", c.id, g, err, c.want)
		}
	}

	// An index of an earlier layout is rebuilt by the indexer.
	gen := e.ix.Generation()
	if err := search.SetLayout(e.ix, "1"); err != nil {
		t.Fatal(err)
	}
	if old, err := e.ix.Outdated(); err != nil || !old {
		t.Fatalf("Outdated = %v, %v after setting layout 1", old, err)
	}
	if _, err := in.CatchUp(e.ctx); err != nil {
		t.Fatal(err)
	}
	if e.ix.Generation() == gen {
		t.Errorf("the generation of layout 1 still serves")
	}
	if old, err := e.ix.Outdated(); err != nil || old {
		t.Errorf("after the rebuild: Outdated = %v, %v", old, err)
	}
	if _, res := e.ids(t, council.Public, search.Request{Query: "Kältebus"}); res.Total != 3 {
		t.Errorf("after the rebuild: %d results for Kältebus, want 3 (two titles, the public item of the non-public paper)", res.Total)
	}
}
