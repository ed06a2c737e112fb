package council_test

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plenar/plenar/council"
)

func TestSavePaperDraft(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	lead := e.org(t, "Bauamt", council.KindAdministration)
	m := e.mark(t)
	in := council.Paper{BodyID: e.body.ID, Name: "Sanierung der Grundschule", Type: council.PaperResolution,
		Text: "Der Stadtrat beschließt …", Public: true, LeadOrgID: lead.ID}
	p, err := e.s.SavePaper(e.ctx, in)
	if err != nil {
		t.Fatalf("SavePaper: %v", err)
	}
	e.wantTrail(t, "SavePaper", m, council.NilID, change{"paper", p.ID, "create", council.NilID})
	in.ID, in.Status = p.ID, council.StatusDraft
	if diff := cmp.Diff(in, p, ignoreMeta); diff != "" {
		t.Errorf("SavePaper (-want +got):\n%s", diff)
	}
	got, err := e.s.Paper(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, got, ignoreMeta); diff != "" {
		t.Errorf("Paper (-want +got):\n%s", diff)
	}

	upd := got
	upd.Name, upd.Public = "Sanierung der Grundschule Nord", false
	upd.Status = council.StatusDecided // ignored: status moves only through Submit and SetStatus
	saved, err := e.s.SavePaper(e.ctx, upd)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Status != council.StatusDraft || saved.Name != upd.Name || saved.Public {
		t.Errorf("SavePaper(update) = status %s name %q public %t; want draft, %q, false", saved.Status, saved.Name, saved.Public, upd.Name)
	}

	for _, tc := range []struct {
		name  string
		in    council.Paper
		field string
	}{
		{"no name", council.Paper{Type: council.PaperMotion}, "name"},
		{"unknown type", council.Paper{Name: "x", Type: "petition"}, "type"},
		{"unknown status", council.Paper{Name: "x", Type: council.PaperMotion, Status: "pending"}, "status"},
	} {
		tc.in.BodyID = e.body.ID
		_, err := e.s.SavePaper(e.ctx, tc.in)
		var fe council.FieldErrors
		if !errors.As(err, &fe) || !errors.Is(err, council.ErrInvalid) || fe[tc.field] == "" {
			t.Errorf("SavePaper(%s) error = %v, want FieldErrors with %q", tc.name, err, tc.field)
		}
	}
	if _, err := e.s.SavePaper(e.ctx, council.Paper{ID: council.NewID(), BodyID: e.body.ID, Name: "x", Type: council.PaperMotion}); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("SavePaper(unknown id) error = %v, want ErrNotFound", err)
	}
}

func TestSubmitReferences(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other, err := e.s.CreateBody(e.ctx, council.Body{Name: "Nachbarstadt"})
	if err != nil {
		t.Fatal(err)
	}
	y26, y27 := date(2026, 3, 2), date(2027, 1, 4)
	for _, tc := range []struct {
		body council.ID
		typ  council.PaperType
		on   time.Time
		want string
	}{
		{e.body.ID, council.PaperMotion, y26, "A0001/26"},
		{e.body.ID, council.PaperMotion, y26, "A0002/26"},
		{e.body.ID, council.PaperResolution, y26, "V0001/26"},
		{e.body.ID, council.PaperAmendment, y26, "Ä0001/26"},
		{e.body.ID, council.PaperMotion, y27, "A0001/27"},
		{e.body.ID, council.PaperMotion, y26, "A0003/26"},
		{e.body.ID, council.PaperReport, y26, "M0001/26"},
		{other.ID, council.PaperMotion, y26, "A0001/26"},
	} {
		p, err := e.s.SavePaper(e.ctx, council.Paper{BodyID: tc.body, Name: "Antrag", Type: tc.typ, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		m := e.mark(t)
		got, err := e.s.Submit(e.ctx, p.ID, tc.on)
		if err != nil {
			t.Fatalf("Submit(%s on %s): %v", tc.typ, tc.on.Format(time.DateOnly), err)
		}
		if got.Reference != tc.want || got.Status != council.StatusSubmitted || !got.Date.Equal(tc.on) {
			t.Errorf("Submit(%s on %s) = %q %s %s, want %q submitted %s", tc.typ, tc.on.Format(time.DateOnly),
				got.Reference, got.Status, got.Date.Format(time.DateOnly), tc.want, tc.on.Format(time.DateOnly))
		}
		e.wantTrail(t, "Submit", m, council.NilID, change{"paper", p.ID, "update", council.NilID})

		m = e.mark(t)
		if _, err := e.s.Submit(e.ctx, p.ID, tc.on); !errors.Is(err, council.ErrConflict) {
			t.Errorf("second Submit(%s) error = %v, want ErrConflict", tc.want, err)
		}
		e.wantTrail(t, "second Submit", m, council.NilID)
	}
	if _, err := e.s.Submit(e.ctx, council.NewID(), y26); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("Submit(unknown) error = %v, want ErrNotFound", err)
	}

	dated, err := e.s.SavePaper(e.ctx, council.Paper{BodyID: e.body.ID, Name: "Anfrage", Type: council.PaperInquiry, Date: date(2026, 2, 20)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.s.Submit(e.ctx, dated.ID, y26)
	if err != nil || !got.Date.Equal(date(2026, 2, 20)) {
		t.Errorf("Submit of a dated paper: date = %v (err %v), want the paper's own date 2026-02-20", got.Date, err)
	}
}

func TestSubmitConcurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 24
	ids := make([]council.ID, n)
	for i := range ids {
		ids[i] = e.paper(t, fmt.Sprintf("Antrag %d", i), council.PaperMotion).ID
	}
	refs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := e.s.Submit(e.ctx, ids[i], date(2026, 5, 1))
			refs[i], errs[i] = p.Reference, err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Submit #%d: %v", i, err)
		}
	}
	sort.Strings(refs)
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprintf("A%04d/26", i))
	}
	if diff := cmp.Diff(want, refs); diff != "" {
		t.Errorf("references of %d concurrent submissions (-want +got):\n%s", n, diff)
	}
}

func TestPaperTimeline(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.paper(t, "Radweg am Fluss", council.PaperMotion)

	if err := e.s.SetStatus(e.ctx, p.ID, council.StatusDecided, "", date(2026, 1, 1)); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("SetStatus on a draft: error = %v, want ErrNotFound", err)
	}
	// A paper entered today for a submission in the past (imports, demo data).
	if _, err := e.s.Submit(e.ctx, p.ID, date(2026, 3, 2)); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		status council.PaperStatus
		note   string
		at     time.Time
	}{
		{council.StatusInConsultation, "", date(2026, 3, 10)},
		{council.StatusDecided, "einstimmig", date(2026, 4, 2)},
		{council.StatusImplementation, "Auftrag vergeben", date(2026, 6, 1)},
	}
	for _, st := range steps {
		m := e.mark(t)
		if err := e.s.SetStatus(e.ctx, p.ID, st.status, st.note, st.at); err != nil {
			t.Fatalf("SetStatus(%s): %v", st.status, err)
		}
		e.wantTrail(t, "SetStatus", m, council.NilID, change{"paper", p.ID, "update", council.NilID})
	}
	for _, bad := range []council.PaperStatus{council.StatusDraft, "lost", ""} {
		if err := e.s.SetStatus(e.ctx, p.ID, bad, "", date(2026, 7, 1)); !errors.Is(err, council.ErrInvalid) {
			t.Errorf("SetStatus(%q) error = %v, want ErrInvalid", bad, err)
		}
	}
	got, err := e.s.PaperEvents(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []council.PaperStatus
	for i, ev := range got {
		statuses = append(statuses, ev.Status)
		if i > 0 && ev.At.Before(got[i-1].At) {
			t.Errorf("PaperEvents[%d] at %v is before [%d] at %v: the timeline must be chronological", i, ev.At, i-1, got[i-1].At)
		}
	}
	want := []council.PaperStatus{council.StatusDraft, council.StatusSubmitted, council.StatusInConsultation,
		council.StatusDecided, council.StatusImplementation}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Errorf("PaperEvents statuses (-want +got):\n%s", diff)
	}
	if len(got) == len(want) && (got[3].Note != "einstimmig" || !got[3].At.Equal(date(2026, 4, 2))) {
		t.Errorf("decided event = %+v, want note einstimmig at 2026-04-02", got[3])
	}
	if cur, _ := e.s.Paper(e.ctx, p.ID); cur.Status != council.StatusImplementation {
		t.Errorf("status after timeline = %s, want implementation", cur.Status)
	}
}

func TestPaperLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	erika := e.person(t, "Erika", "Mustermann")
	fraktion := e.org(t, "Fraktion A", council.KindPartyGroup)
	base := e.paper(t, "Haushalt 2027", council.PaperResolution)
	other := e.paper(t, "Stellenplan 2027", council.PaperResolution)

	in := council.Paper{BodyID: e.body.ID, Name: "Änderungsantrag zum Haushalt", Type: council.PaperAmendment, Public: true,
		Originators: []council.Originator{{OrganizationID: fraktion.ID}, {PersonID: erika.ID}},
		Related:     []council.ID{base.ID}}
	amend, err := e.s.SavePaper(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.s.Paper(e.ctx, amend.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in.Originators, got.Originators); diff != "" {
		t.Errorf("originators in order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]council.ID{base.ID}, got.Related); diff != "" {
		t.Errorf("related (-want +got):\n%s", diff)
	}
	back, err := e.s.Paper(e.ctx, base.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]council.ID{amend.ID}, back.Related); diff != "" {
		t.Errorf("related seen from the other side (-want +got):\n%s", diff)
	}

	// Replace the links: one originator, two related papers.
	got.Originators = []council.Originator{{PersonID: erika.ID}}
	got.Related = []council.ID{other.ID, base.ID}
	if _, err := e.s.SavePaper(e.ctx, got); err != nil {
		t.Fatal(err)
	}
	again, err := e.s.Paper(e.ctx, amend.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got.Originators, again.Originators); diff != "" {
		t.Errorf("originators after update (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]council.ID{other.ID, base.ID}, again.Related, idSet); diff != "" {
		t.Errorf("related after update (-want +got):\n%s", diff)
	}

	for _, bad := range []council.Paper{
		{BodyID: e.body.ID, Name: "x", Type: council.PaperMotion, Originators: []council.Originator{{}}},
		{BodyID: e.body.ID, Name: "x", Type: council.PaperMotion, Originators: []council.Originator{{PersonID: erika.ID, OrganizationID: fraktion.ID}}},
		{BodyID: e.body.ID, Name: "x", Type: council.PaperMotion, Related: []council.ID{council.NewID()}},
	} {
		m := e.mark(t)
		if _, err := e.s.SavePaper(e.ctx, bad); !errors.Is(err, council.ErrInvalid) {
			t.Errorf("SavePaper(originators %+v, related %v) error = %v, want ErrInvalid", bad.Originators, bad.Related, err)
		}
		e.wantTrail(t, "bad links", m, council.NilID)
	}
}

func TestPapersFilterAndPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var public []council.Paper // submitted and public, newest first
	for i := 1; i <= 5; i++ {
		p := e.paper(t, fmt.Sprintf("Antrag %d", i), council.PaperMotion)
		if _, err := e.s.Submit(e.ctx, p.ID, date(2026, 1, i)); err != nil {
			t.Fatal(err)
		}
		public = append([]council.Paper{p}, public...)
	}
	info := e.paper(t, "Mitteilung", council.PaperInformation)
	if _, err := e.s.Submit(e.ctx, info.ID, date(2026, 2, 1)); err != nil {
		t.Fatal(err)
	}
	public = append([]council.Paper{info}, public...)
	draft := e.paper(t, "Entwurf", council.PaperMotion)
	secret, err := e.s.SavePaper(e.ctx, council.Paper{BodyID: e.body.ID, Name: "Grundstücksverkauf", Type: council.PaperResolution})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Submit(e.ctx, secret.ID, date(2026, 2, 2)); err != nil {
		t.Fatal(err)
	}
	deleted := e.paper(t, "Zurückgezogen", council.PaperMotion)
	if err := e.s.DeletePaper(e.ctx, deleted.ID); err != nil {
		t.Fatal(err)
	}

	ids := func(ps []council.Paper) []council.ID {
		var out []council.ID
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		f         council.PaperFilter
		want      []council.ID
		wantTotal int
	}{
		{"only public", council.PaperFilter{OnlyPublic: true}, ids(public), 6},
		{"first page", council.PaperFilter{OnlyPublic: true, Limit: 4}, ids(public[:4]), 6},
		{"second page", council.PaperFilter{OnlyPublic: true, Limit: 4, Offset: 4}, ids(public[4:]), 6},
		{"by type", council.PaperFilter{OnlyPublic: true, Type: council.PaperInformation}, []council.ID{info.ID}, 1},
		{"staff sees drafts and non-public", council.PaperFilter{Type: council.PaperResolution}, []council.ID{secret.ID}, 1},
		{"everything", council.PaperFilter{}, append(append([]council.ID{secret.ID}, ids(public)...), draft.ID), 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.BodyID = e.body.ID
			got, total, err := e.s.Papers(e.ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, ids(got)); diff != "" || total != tc.wantTotal {
				t.Errorf("Papers(%+v): total %d, want %d; ids (-want +got):\n%s", tc.f, total, tc.wantTotal, diff)
			}
		})
	}
}

func TestSaveConsultation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ausschuss := e.org(t, "Bauausschuss", council.KindCommittee)
	rat := e.org(t, "Stadtrat", council.KindCouncil)
	p := e.paper(t, "Bebauungsplan Nr. 12", council.PaperResolution)

	m := e.mark(t)
	c1, err := e.s.SaveConsultation(e.ctx, council.Consultation{PaperID: p.ID, OrganizationID: ausschuss.ID, Position: 0, Role: "Vorberatung"})
	if err != nil {
		t.Fatal(err)
	}
	e.wantTrail(t, "SaveConsultation", m, council.NilID, change{"consultation", c1.ID, "create", council.NilID})
	after, err := e.s.Paper(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Modified.After(p.Modified) {
		t.Errorf("paper modified after SaveConsultation = %v, want after %v", after.Modified, p.Modified)
	}
	c2, err := e.s.SaveConsultation(e.ctx, council.Consultation{PaperID: p.ID, OrganizationID: rat.ID, Position: 1, Role: "Entscheidung", Authoritative: true})
	if err != nil {
		t.Fatal(err)
	}

	c1.Role = "Vorberatung (nichtöffentlich)"
	upd, err := e.s.SaveConsultation(e.ctx, c1)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.s.Paper(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Modified.After(after.Modified) {
		t.Errorf("paper modified after consultation update = %v, want after %v", again.Modified, after.Modified)
	}
	list, err := e.s.Consultations(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]council.Consultation{upd, c2}, list, ignoreMeta); diff != "" {
		t.Errorf("Consultations (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name string
		in   council.Consultation
		want error
	}{
		{"no paper", council.Consultation{OrganizationID: rat.ID}, council.ErrInvalid},
		{"no organization", council.Consultation{PaperID: p.ID}, council.ErrInvalid},
		{"unknown paper", council.Consultation{PaperID: council.NewID(), OrganizationID: rat.ID}, council.ErrInvalid},
		{"unknown id", council.Consultation{ID: council.NewID(), PaperID: p.ID, OrganizationID: rat.ID}, council.ErrNotFound},
	} {
		m := e.mark(t)
		if _, err := e.s.SaveConsultation(e.ctx, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("SaveConsultation(%s) error = %v, want %v", tc.name, err, tc.want)
		}
		e.wantTrail(t, "failed SaveConsultation", m, council.NilID)
	}
}

func TestSuggestPapers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, time.UTC) }
	submitted := func(name string, typ council.PaperType, d int) council.Paper {
		t.Helper()
		p, err := e.s.Submit(e.ctx, e.paper(t, name, typ).ID, day(d))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	kita1 := submitted("Neubau Kita Lindenweg", council.PaperResolution, 2)   // V0001/26
	kita2 := submitted("Sanierung der KITA Nord", council.PaperResolution, 5) // V0002/26
	rad := submitted("Radwege 50% schneller_bauen", council.PaperMotion, 4)   // A0001/26
	e.paper(t, "Kita Entwurf", council.PaperMotion)                           // a draft: not on agendas
	done := submitted("Kita erledigt", council.PaperMotion, 6)
	if err := e.s.SetStatus(e.ctx, done.ID, council.StatusDone, "", day(7)); err != nil {
		t.Fatal(err)
	}
	gone := submitted("Kita gelöscht", council.PaperMotion, 8)
	if err := e.s.DeletePaper(e.ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	other, err := e.s.CreateBody(e.ctx, council.Body{Name: "Nachbarstadt"})
	if err != nil {
		t.Fatal(err)
	}
	op, err := e.s.SavePaper(e.ctx, council.Paper{BodyID: other.ID, Name: "Kita der Nachbarn", Type: council.PaperMotion, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Submit(e.ctx, op.ID, day(9)); err != nil {
		t.Fatal(err)
	}
	if kita1.Reference != "V0001/26" || rad.Reference != "A0001/26" {
		t.Fatalf("references %q %q, want V0001/26 A0001/26", kita1.Reference, rad.Reference)
	}
	refs := func(ps []council.Paper) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, p.Reference)
		}
		return out
	}
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"", []string{kita2.Reference, rad.Reference, kita1.Reference}},
		{"kita", []string{kita2.Reference, kita1.Reference}},
		{"  KITA   nord ", []string{kita2.Reference}},
		{"v000", []string{kita2.Reference, kita1.Reference}},
		{"V0001/26", []string{kita1.Reference}},
		{"0001", []string{}}, // the reference must start with the term
		{"A0001/26 Radwege", []string{rad.Reference}},
		{"50%", []string{rad.Reference}},
		{"%", []string{rad.Reference}}, // wildcards are literal
		{"_", []string{rad.Reference}},
		{"Kita Radwege", []string{}},
		{"erledigt", []string{}},
	} {
		got, err := e.s.SuggestPapers(e.ctx, e.body.ID, tc.text, 0)
		if err != nil {
			t.Fatalf("SuggestPapers(%q): %v", tc.text, err)
		}
		if diff := cmp.Diff(tc.want, refs(got)); diff != "" {
			t.Errorf("SuggestPapers(%q) (-want +got):\n%s", tc.text, diff)
		}
	}
	for i := range 25 {
		submitted(fmt.Sprintf("Anfrage %d", i), council.PaperInquiry, 10+i%15)
	}
	for _, tc := range []struct{ limit, want int }{{0, 20}, {5, 5}, {1000, 20}, {council.MaxPaperSuggestions, 28}} {
		got, err := e.s.SuggestPapers(e.ctx, e.body.ID, "", tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.want {
			t.Errorf("SuggestPapers(limit %d): %d papers, want %d", tc.limit, len(got), tc.want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Date.After(got[i-1].Date) {
				t.Errorf("SuggestPapers(limit %d): %s (%s) after %s (%s): not most recent first", tc.limit,
					got[i].Reference, got[i].Date.Format("2006-01-02"), got[i-1].Reference, got[i-1].Date.Format("2006-01-02"))
			}
		}
	}
}
