package documents

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
)

// testRenderer returns a Renderer with the system's DejaVu fonts; without
// them the test skips (fails under CI=true).
func testRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := NewRenderer("")
	if err != nil {
		pgtest.Unavailable(t, err.Error())
	}
	return r
}

// pdfText extracts the text of pdf with poppler's pdftotext, with every
// whitespace run collapsed to one space and pages separated by "\f".
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		pgtest.Unavailable(t, "pdftotext not found (install the Debian package poppler-utils)")
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", pdf[:min(len(pdf), 20)])
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(strings.TrimRight(string(out), "\f\n "), "\f")
	for i, p := range pages {
		pages[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(pages, "\f")
}

// flat collapses whitespace like pdfText does within a page.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// wantText fails t for every want missing from got and every notWant in it.
func wantText(t *testing.T, got string, want, notWant []string) {
	t.Helper()
	all := strings.ReplaceAll(got, "\f", " ")
	tight := strings.ReplaceAll(all, " ", "")
	// pdftotext guesses spaces from glyph distances: it reads the number
	// column's "Ö 1" as "Ö1"; so a text also counts when it appears with
	// spaces ignored.
	has := func(w string) bool {
		return strings.Contains(all, flat(w)) || strings.Contains(tight, strings.ReplaceAll(flat(w), " ", ""))
	}
	for _, w := range want {
		if !has(w) {
			t.Errorf("PDF text lacks %q\ntext: %.3000s", w, got)
		}
	}
	for _, w := range notWant {
		if has(w) {
			t.Errorf("PDF text contains %q, which it must not", w)
		}
	}
}

// pageCount returns the number of pages in text from pdfText and checks
// the footers: "Seite i von n" on every page i.
func pageCount(t *testing.T, text string) int {
	t.Helper()
	pages := strings.Split(text, "\f")
	n := len(pages)
	for i, p := range pages {
		if w := fmt.Sprintf("Seite %d von %d", i+1, n); !strings.Contains(p, w) {
			t.Errorf("page %d lacks footer %q: %.300s", i+1, w, p)
		}
	}
	return n
}

var (
	// The names every document must render (DejaVu covers them).
	hardNames = []string{"Doğan", "Łukasz", "„Anführungszeichen“", "€"}
	testStart = time.Date(2026, 4, 14, 15, 0, 0, 0, time.UTC) // 17:00 in Berlin
)

func testAgenda(forMembers bool) Agenda {
	return Agenda{
		City:     "Stadt Musterstadt",
		Body:     "Ausschuss für Umwelt, Klima und Grünflächen",
		Meeting:  "Ausschuss für Umwelt – 12. Sitzung",
		Start:    testStart,
		Location: "Rathaus, Großer Sitzungssaal, Marktplatz 1, 12345 Musterstadt",
		Items: []AgendaEntry{
			{Number: "Ö 1", Title: "Eröffnung, Feststellung der ordnungsgemäßen Ladung und Beschlussfähigkeit", Public: true},
			{Number: "Ö 2", Title: "Antrag von Elif Doğan und Łukasz Nowak: „Anführungszeichen“ für Straßenschilder, Kosten 12.500 €", Public: true, PaperReference: "A0012/26"},
			{Number: "Ö 3", Title: "Übertragung\x00 der Grünpflege an\x1b den Bauhof \xff(Änderung)", Public: true},
			{Number: "N 1", Title: "Grundstücksangelegenheit Flurstück 4711, Verkauf an Herrn Geheim", PaperReference: "V0099/26"},
			{Number: "N 2", Title: "Personalangelegenheit Amtsleitung Grünflächenamt"},
		},
		ForMembers: forMembers,
	}
}

var secretTitles = []string{"Grundstücksangelegenheit Flurstück 4711", "Personalangelegenheit Amtsleitung", "V0099/26"}

func TestInvitation(t *testing.T) {
	r := testRenderer(t)
	publicTitles := []string{
		"Eröffnung, Feststellung der ordnungsgemäßen Ladung und Beschlussfähigkeit",
		"Antrag von Elif Doğan und Łukasz Nowak: „Anführungszeichen“ für Straßenschilder, Kosten 12.500 €",
		"Übertragung der Grünpflege an den Bauhof �(Änderung)", "Drucksache A0012/26",
	}
	common := append([]string{"Einladung", "Ausschuss für Umwelt – 12. Sitzung", "Stadt Musterstadt",
		"Ausschuss für Umwelt, Klima und Grünflächen", "Dienstag, 14. April 2026, 17:00 Uhr",
		"Rathaus, Großer Sitzungssaal, Marktplatz 1, 12345 Musterstadt", "Öffentlicher Teil",
		"Nichtöffentlicher Teil", "Hinweis", "Geschäftsordnung", "Mit freundlichen Grüßen", "Die Vorsitzende",
		"Seite 1 von 1"}, publicTitles...)
	for _, tc := range []struct {
		name       string
		forMembers bool
		want, not  []string
	}{
		{"public", false, append([]string{NonPublicItemTitle, "N 1", "N 2"}, common...), secretTitles},
		{"members", true, append(append([]string{}, secretTitles...), common...), []string{NonPublicItemTitle}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pdf, err := r.Invitation(Invitation{Agenda: testAgenda(tc.forMembers), Signatory: "Die Vorsitzende"})
			if err != nil {
				t.Fatalf("Invitation: %v", err)
			}
			text := pdfText(t, pdf)
			wantText(t, text, append(tc.want, hardNames...), tc.not)
			if n := pageCount(t, text); n != 1 {
				t.Errorf("pages = %d, want 1", n)
			}
		})
	}
}

func TestAgenda(t *testing.T) {
	r := testRenderer(t)
	pdf, err := r.Agenda(testAgenda(false))
	if err != nil {
		t.Fatalf("Agenda: %v", err)
	}
	text := pdfText(t, pdf)
	wantText(t, text, append([]string{"Tagesordnung", "Eröffnung, Feststellung", "Ö 2", "A0012/26",
		NonPublicItemTitle, "Seite 1 von 1", "Dienstag, 14. April 2026, 17:00 Uhr"}, hardNames...), secretTitles)
	pageCount(t, text)
}

func TestPaper(t *testing.T) {
	r := testRenderer(t)
	pdf, err := r.Paper(PaperSheet{
		City: "Stadt Musterstadt", Body: "Stadt Musterstadt", Kind: "Antrag", Reference: "A0012/26",
		Title: "„Anführungszeichen“ für Straßenschilder",
		Date:  testStart, Status: "In Beratung",
		Originators: []string{"Elif Doğan", "Łukasz Nowak", "Fraktion Grüne"},
		Lead:        "Tiefbauamt",
		Text:        "Der Rat möge beschließen:\n\nDie Verwaltung beschafft Schilder für 12.500 €.\r\nBegründung folgt mündlich.",
		Path: []PaperStep{
			{Organization: "Ausschuss für Umwelt", Role: "Vorberatung", Meeting: "Ausschuss für Umwelt – 12. Sitzung",
				Date: testStart, Item: "Ö 2", Result: "einstimmig empfohlen"},
			{Organization: "Rat der Stadt", Role: "Entscheidung"},
		},
	})
	if err != nil {
		t.Fatalf("Paper: %v", err)
	}
	text := pdfText(t, pdf)
	wantText(t, text, append([]string{"Antrag A0012/26", "Straßenschilder", "14. April 2026", "In Beratung",
		"Elif Doğan, Łukasz Nowak, Fraktion Grüne", "Tiefbauamt", "Beratungsfolge",
		"Ausschuss für Umwelt (Vorberatung)", "TOP Ö 2", "Ergebnis: einstimmig empfohlen",
		"Rat der Stadt (Entscheidung)", "noch nicht terminiert", "Der Rat möge beschließen:",
		"Die Verwaltung beschafft Schilder für 12.500 €.", "Begründung folgt mündlich.", "Seite 1 von 1"}, hardNames...), nil)
}

// longMinutes returns approved minutes of a 4-hour session with n items
// (issue 18's size at n = 60: 300 speaking turns, 80 polls, each with 36
// named votes in every eighth) whose notes and resolutions are long enough
// for many pages; each item's notes end in a sentence naming the item, so
// cut-off text is detectable.
func longMinutes(n int, forMembers bool) meetings.MinutesRecord {
	m := meetings.MinutesRecord{
		City: "Stadt Musterstadt", Body: "Rat der Stadt", Meeting: "Rat der Stadt – 7. Sitzung",
		Start: testStart, End: testStart.Add(4 * time.Hour), Location: "Rathaus, Ratssaal", Ran: true,
		Present:    []string{"Elif Doğan", "Jörg Müller", "Zoë Schäfer", "Ägidius Öztürk", "Hans-Jürgen Weiß", "Łukasz Nowak"},
		ForMembers: true, State: meetings.MinutesApproved, Hash: strings.Repeat("ab", 32),
		Approval: &meetings.MinutesApproval{Meeting: "Rat der Stadt – 8. Sitzung", Date: testStart.AddDate(0, 1, 0), Item: "Ö 2", Yes: 30, No: 0, Abstain: 2},
		Parts:    []meetings.MinutesPart{{Public: true, At: testStart}, {Public: false, At: testStart.Add(3 * time.Hour)}},
	}
	sentence := "Die Beratung über die Maßnahme ergab zahlreiche Wortmeldungen zu Kosten von 1.250.000 €, " +
		"zur Zeitplanung und zu den Auswirkungen auf die Anwohnerinnen und Anwohner im Quartier. "
	polls := 0
	for i := 1; i <= n; i++ {
		var notes strings.Builder
		for p := 0; p < 2; p++ {
			for s := 0; s < 5; s++ {
				fmt.Fprintf(&notes, "%s", sentence)
			}
			notes.WriteString("\n\n")
		}
		fmt.Fprintf(&notes, "Schlusssatz der Beratung zu Punkt %d von Doğan.", i)
		public := i%10 != 0
		num := fmt.Sprintf("Ö %d", i)
		if !public {
			num = fmt.Sprintf("N %d", i/10)
		}
		from := testStart.Add(time.Duration(i) * 4 * time.Minute)
		it := meetings.MinutesRecItem{
			Number: num, Title: fmt.Sprintf("Tagesordnungspunkt %d: „Anführungszeichen“ und Straßenbau", i),
			Public: public, PaperReference: fmt.Sprintf("V%04d/26", i), PaperPublic: true, Called: true,
			Periods: []meetings.MinutesPeriod{{From: from, To: from.Add(4 * time.Minute), Room: m.Present[:3], Remote: m.Present[3:],
				Changes: []meetings.MinutesNamed{{Name: "Zoë Schäfer", What: "remote", At: from.Add(time.Minute)}}}},
			Notes:          notes.String(),
			ResolutionText: strings.Repeat("Der Rat beschließt die Vorlage in der Fassung des Ausschusses. ", 4) + fmt.Sprintf("Ende des Beschlusses %d.", i),
			Result:         "mehrheitlich beschlossen",
		}
		for s := 0; s < 5; s++ {
			it.Speeches = append(it.Speeches, meetings.MinutesTurn{Name: m.Present[s], Kind: "speech", From: from, To: from.Add(time.Minute)})
		}
		for ; polls < i*80/n; polls++ {
			pl := meetings.MinutesRecPoll{Question: fmt.Sprintf("Abstimmung %d", polls+1), Kind: "open", Rule: "simple", State: "closed",
				Present: 36, Eligible: 36, Yes: 30, No: 4, Abstain: 2, Outcome: "accepted", At: from}
			if polls%8 == 0 {
				pl.Kind = "named"
				for v := 0; v < 36; v++ {
					pl.Votes = append(pl.Votes, meetings.MinutesVote{Name: fmt.Sprintf("Mitglied %d", v+1), Choice: "yes"})
				}
			}
			it.Polls = append(it.Polls, pl)
		}
		m.Items = append(m.Items, it)
	}
	if !forMembers {
		m = m.Public()
	}
	return m
}

func TestMinutes(t *testing.T) {
	r := testRenderer(t)
	m := longMinutes(60, true)
	pdf, err := r.Minutes(m)
	if err != nil {
		t.Fatalf("Minutes: %v", err)
	}
	text := pdfText(t, pdf)
	want := append([]string{"Niederschrift", "Rat der Stadt – 7. Sitzung", "Anwesenheit",
		"Elif Doğan, Jörg Müller, Zoë Schäfer, Ägidius Öztürk, Hans-Jürgen Weiß, Łukasz Nowak", "Genehmigt", "TOP Ö 2", m.Hash,
		"Ja 30 · Nein 4 · Enthaltung 2 – angenommen", "Mitglied 36: Ja", "Zoë Schäfer: zugeschaltet",
		"mehrheitlich beschlossen", "Seite 1 von "}, hardNames...)
	for _, it := range m.Items {
		want = append(want, it.Title,
			strings.TrimSpace(it.Notes[strings.LastIndex(it.Notes, "Schlusssatz"):]),
			it.ResolutionText[strings.LastIndex(it.ResolutionText, "Ende des"):])
	}
	wantText(t, text, want, nil)
	if n := pageCount(t, text); n < 30 {
		t.Errorf("pages = %d, want many (≥ 30) for 60 long items", n)
	} else {
		t.Logf("60 items: %d pages, %d bytes", n, len(pdf))
	}

	t.Run("public", func(t *testing.T) {
		pdf, err := r.Minutes(longMinutes(60, false))
		if err != nil {
			t.Fatalf("Minutes: %v", err)
		}
		text := pdfText(t, pdf)
		wantText(t, text, []string{"Tagesordnungspunkt 9:", "Schlusssatz der Beratung zu Punkt 9 von", NonPublicItemTitle, "Öffentliche Fassung"},
			[]string{"Tagesordnungspunkt 10:", "zu Punkt 10 von", "Ende des Beschlusses 20.", "V0010/26"})
	})
}

// TestNoRowOverflows renders texts that maroto could not fit on a page in
// one row (one huge paragraph, one endless word, many lines) and checks
// every part of them is in the extracted text.
func TestNoRowOverflows(t *testing.T) {
	r := testRenderer(t)
	var words []string
	for i := 0; i < 3000; i++ {
		words = append(words, fmt.Sprintf("Wort%d", i))
	}
	long := strings.Join(words, " ")
	endless := strings.Repeat("x", 5000) + " ENDE"
	lines := strings.Repeat("Zeile\n", 400) + "LETZTE"
	pdf, err := r.Paper(PaperSheet{City: "Stadt", Body: "Rat", Kind: "Antrag", Title: "Überlang",
		Text: long + "\n" + endless + "\n" + lines})
	if err != nil {
		t.Fatalf("Paper: %v", err)
	}
	text := pdfText(t, pdf)
	wantText(t, text, []string{"Wort0 Wort1", "Wort1500", "Wort2999", "ENDE", "LETZTE"}, nil)
	if n := pageCount(t, text); n < 3 {
		t.Errorf("pages = %d, want several", n)
	}
	if got := regexp.MustCompile(`Zeile`).FindAllStringIndex(text, -1); len(got) != 400 {
		t.Errorf("found %d of 400 lines", len(got))
	}
}

func TestNewRendererMissingFonts(t *testing.T) {
	_, err := NewRenderer(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "fonts-dejavu-core") || !strings.Contains(err.Error(), "DejaVuSans.ttf") {
		t.Fatalf("NewRenderer(empty dir) error = %v, want one naming DejaVuSans.ttf and fonts-dejavu-core", err)
	}
	var zero Renderer
	if _, err := zero.Agenda(Agenda{}); err == nil {
		t.Fatal("zero Renderer rendered; want an error")
	}
}

// TestTable renders a cost breakdown: header, rows, total and notes are
// in the text; widths that do not add up to 12 are refused.
func TestTable(t *testing.T) {
	r := testRenderer(t)
	tb := Table{City: "Stadt Musterstadt", Body: "Hochbauamt", Title: "Kostenaufstellung",
		Subtitle: "Anlage 1 zur Vorlage V0001/26", Intro: "Kosten der Sanierung nach DIN 276.",
		Columns: []TableColumn{{Title: "KG", Width: 1}, {Title: "Bezeichnung", Width: 7},
			{Title: "Betrag", Width: 4, Right: true}},
		Rows:  [][]string{{"300", "Bauwerk – Baukonstruktionen", "1.200.000"}, {"400", "Technische Anlagen für Łukasz", "300.000"}},
		Total: []string{"", "Gesamtkosten", "1.500.000"}, Notes: "Stand: Mai 2026."}
	pdf, err := r.Table(tb)
	if err != nil {
		t.Fatalf("Table: %v", err)
	}
	wantText(t, pdfText(t, pdf), []string{"Hochbauamt", "Anlage 1 zur Vorlage V0001/26", "Kostenaufstellung", "Bezeichnung",
		"Bauwerk – Baukonstruktionen", "Technische Anlagen für Łukasz", "1.200.000", "Gesamtkosten", "1.500.000", "Stand: Mai 2026."}, nil)
	tb.Columns[2].Width = 3
	if _, err := r.Table(tb); err == nil {
		t.Error("Table with widths adding up to 11: no error")
	}
}

// TestPlan renders a site plan with its picture (PNG and JPEG) and legend.
func TestPlan(t *testing.T) {
	r := testRenderer(t)
	img := image.NewRGBA(image.Rect(0, 0, 400, 300))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	var pngBuf, jpgBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jpgBuf, img, nil); err != nil {
		t.Fatal(err)
	}
	for _, pic := range [][]byte{pngBuf.Bytes(), jpgBuf.Bytes()} {
		pdf, err := r.Plan(Plan{City: "Stadt Musterstadt", Body: "Stadtplanungsamt", Title: "Lageplan",
			Image: pic, Caption: "Lageplan zum Bebauungsplan Nr. 12", Legend: []string{"Rot: Geltungsbereich"}})
		if err != nil {
			t.Fatalf("Plan: %v", err)
		}
		if !bytes.Contains(pdf, []byte("/Subtype /Image")) {
			t.Error("plan PDF embeds no image")
		}
		wantText(t, pdfText(t, pdf), []string{"Lageplan", "Lageplan zum Bebauungsplan Nr. 12", "Legende", "Rot: Geltungsbereich"}, nil)
	}
	if _, err := r.Plan(Plan{Title: "Lageplan", Image: []byte("not a picture")}); err == nil {
		t.Error("Plan with a broken picture: no error")
	}
}
