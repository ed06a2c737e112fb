package search_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/search"
)

// TestMeetingByDate: a meeting is found by its body and its day as people
// type it, numeric or spelt out, the day in Germany's zone (a meeting at
// 23:30 UTC on 3 March is on 4 March); the other meetings of the body
// follow. The day is no snippet and no suggestion.
func TestMeetingByDate(t *testing.T) {
	e := newEnv(t)
	ms := meetings.NewStore(e.pool)
	soz := e.org(t, "Sozialausschuss")
	var all []meetings.Meeting
	for i, at := range []time.Time{
		time.Date(2025, 3, 3, 23, 30, 0, 0, time.UTC), // 4 March in Berlin
		time.Date(2025, 4, 8, 15, 0, 0, 0, time.UTC),
		time.Date(2025, 12, 2, 16, 0, 0, 0, time.UTC),
	} {
		m, err := ms.SaveMeeting(e.ctx, meetings.Meeting{BodyID: e.body.ID, Name: []string{"12.", "13.", "14."}[i] + " Sitzung des Sozialausschusses",
			Start: at, Organizations: []council.ID{soz.ID}})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, m)
	}
	e.build(t)
	for _, c := range []struct {
		q    string
		want council.ID
	}{
		{"Sozialausschuss 04.03.2025", all[0].ID},
		{"sozialausschuss 4. März 2025", all[0].ID},
		{"Sozialausschuss Dezember 2025", all[2].ID},
		{"Sitzung 08.04.2025", all[1].ID},
	} {
		_, res := e.ids(t, council.Public, search.Request{Query: c.q})
		if len(res.Hits) == 0 || res.Hits[0].ID != c.want {
			t.Errorf("%q: first %+v, want meeting %s", c.q, res.Hits, c.want)
			continue
		}
		if len(res.Hits[0].Snippet) != 0 {
			t.Errorf("%q: the meeting has a snippet %q", c.q, res.Hits[0].SnippetText())
		}
	}
	if _, res := e.ids(t, council.Public, search.Request{Query: "Sozialausschuss 03.03.2025"}); len(res.Hits) > 0 && res.Hits[0].ID == all[0].ID && !res.Some {
		t.Errorf("03.03.2025 (the day in UTC) finds the meeting of 4 March with all its words")
	}
	got, err := e.ix.Suggest(e.ctx, "mär", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got {
		if strings.HasPrefix(s, "märz") {
			t.Errorf("Suggest(mär) = %v: a meeting's day is suggested", got)
		}
	}
}

// TestCommitteeSpokenName: "Bauausschuss" finds the Ausschuss für Bau
// und Stadtentwicklung first, before a paper that names the
// Bauausschuss in its text, and with a date the meeting of that day.
func TestCommitteeSpokenName(t *testing.T) {
	e := newEnv(t)
	ms := meetings.NewStore(e.pool)
	bau := e.org(t, "Ausschuss für Bau und Stadtentwicklung")
	p := e.paper(t, council.Paper{Name: "Sanierung der Grundschule Lindenau", Public: true,
		Text: "Der Bauausschuss hat die Planung in seiner Sitzung beraten; der Bauausschuss empfiehlt die Variante B."}, bau)
	var ms2 []meetings.Meeting
	for _, at := range []time.Time{time.Date(2025, 3, 12, 16, 0, 0, 0, time.UTC), time.Date(2025, 5, 7, 16, 0, 0, 0, time.UTC)} {
		m, err := ms.SaveMeeting(e.ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Sitzung des Ausschusses für Bau und Stadtentwicklung",
			Start: at, Organizations: []council.ID{bau.ID}})
		if err != nil {
			t.Fatal(err)
		}
		ms2 = append(ms2, m)
	}
	e.build(t)
	_, res := e.ids(t, council.Public, search.Request{Query: "Bauausschuss"})
	if len(res.Hits) == 0 || res.Hits[0].ID != bau.ID {
		t.Errorf("Bauausschuss: first %+v, want the committee %s", res.Hits, bau.ID)
	}
	found := map[council.ID]bool{}
	for _, h := range res.Hits {
		found[h.ID] = true
	}
	if !found[p.ID] || !found[ms2[0].ID] || !found[ms2[1].ID] {
		t.Errorf("Bauausschuss: want the paper naming it and both meetings too; got %+v", res.Hits)
	}
	if _, res := e.ids(t, council.Public, search.Request{Query: "Bauausschuss 07.05.2025"}); len(res.Hits) == 0 || res.Hits[0].ID != ms2[1].ID {
		t.Errorf("Bauausschuss 07.05.2025: first %+v, want the meeting of that day", res.Hits)
	}
	if _, res := e.ids(t, council.Public, search.Request{Query: "Verkehrsausschuss"}); res.Total != 0 {
		t.Errorf("Verkehrsausschuss: %d results, want none (no such committee)", res.Total)
	}
}

// TestPersonNamesNotSplit: a person's name is no word to stem or split —
// "Müll" (and its synonym "Abfall") finds the Abfallgebührensatzung, not
// Ana Müller; "Bau" not Jonas Bauer — while the names themselves, whole
// or in part, are found first.
func TestPersonNamesNotSplit(t *testing.T) {
	e := newEnv(t)
	var persons []council.Person
	for _, n := range [][2]string{{"Ana", "Müller"}, {"Jonas", "Bauer"}, {"Eva", "Müller-Lüdenscheidt"}} {
		p, err := e.s.SavePerson(e.ctx, council.Person{BodyID: e.body.ID, GivenName: n[0], FamilyName: n[1]})
		if err != nil {
			t.Fatal(err)
		}
		persons = append(persons, p)
	}
	paper := e.paper(t, council.Paper{Name: "Abfallgebührensatzung – Neufassung", Public: true,
		Text: "Die Gebühren für die Müllabfuhr steigen; berichtet hat Frau Müller."})
	bau := e.paper(t, council.Paper{Name: "Bau der Sporthalle Nord", Public: true})
	e.build(t)
	for _, c := range []struct {
		q    string
		want council.ID
		not  []council.ID
	}{
		{"Müll", paper.ID, []council.ID{persons[0].ID, persons[2].ID}},
		{"Abfall", paper.ID, []council.ID{persons[0].ID}},
		{"Bau", bau.ID, []council.ID{persons[1].ID}},
		{"Müller", persons[0].ID, nil},
		{"mueller", persons[0].ID, nil},
		{"Jonas Bauer", persons[1].ID, nil},
		{"Bauer", persons[1].ID, nil},
		{"Müller-Lüdenscheidt", persons[2].ID, nil},
	} {
		ids, _ := e.ids(t, council.Public, search.Request{Query: c.q})
		if len(ids) == 0 || ids[0] != c.want {
			t.Errorf("%q: %v, want %s first", c.q, ids, c.want)
		}
		for _, not := range c.not {
			if slices.Contains(ids, not) {
				t.Errorf("%q: finds %s", c.q, not)
			}
		}
	}
}
