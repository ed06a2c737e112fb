package demo

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
)

// attachment is one attachment of a paper: its file's title and name,
// how to make its content for the lead office lead and what it counts as.
type attachment struct {
	name, fileName string
	make           func(lead string) ([]byte, error)
	count          func(*DocCounts)
}

// Titles that call for a site plan.
var planWords = []string{"Bebauungsplan", "Flächennutzungsplan", "Veränderungssperre", "Baugebiet", "Wohngebiet",
	"Stadtentwicklungskonzept", "Radweg", "Spielplatz", "Neubau", "Kreisverkehr", "Haltestelle", "Parkplatz"}

// attachments returns the attachments of p, decided by its type, title,
// text and hash alone (so the jobs can tell what is missing without
// loading more): about 40 % of the Beschlussvorlagen get a cost
// breakdown, papers about a site half of the time a site plan (others
// that name a street now and then), and the papers chosen by scanPapers
// a scanned letter. Each one's content comes from its own random stream
// seeded with the hash.
func (s *docSeeder) attachments(p council.Paper) []attachment {
	var out []attachment
	h := paperHash(p)
	rnd := func(i int) *rand.Rand { return rand.New(rand.NewPCG(h, uint64(i))) }
	anlage := func() string {
		return fmt.Sprintf("Anlage %d zur Vorlage %s", len(out)+1, or(p.Reference, "(Entwurf)"))
	}
	if p.Type == council.PaperResolution && h%100 < 40 {
		sub := anlage()
		out = append(out, attachment{name: "Kostenaufstellung", fileName: "kostenaufstellung.pdf",
			make:  func(lead string) ([]byte, error) { return s.r.Table(costTable(p, lead, sub, rnd(1))) },
			count: func(c *DocCounts) { c.Tables++ }})
	}
	named := streetsIn(p.Name + "\n" + p.Text)
	site := false
	for _, w := range planWords {
		site = site || strings.Contains(p.Name, w)
	}
	if p.Type != council.PaperInquiry && (site && h/100%2 == 0 || len(named) > 0 && h/100%8 == 1) {
		sub := anlage()
		out = append(out, attachment{name: "Lageplan", fileName: "lageplan.pdf",
			make:  func(lead string) ([]byte, error) { return s.r.Plan(s.plan(p, lead, sub, named, rnd(2))) },
			count: func(c *DocCounts) { c.Plans++ }})
	}
	if n, ok := s.scans[p.ID]; ok {
		ext := ".png"
		if n%2 == 1 {
			ext = ".jpg"
		}
		out = append(out, attachment{name: "Schreiben (Scan)", fileName: "schreiben-scan" + ext,
			make: func(string) ([]byte, error) {
				r := rnd(3)
				return s.fonts.scan(r, letterFor(p, r), ext == ".jpg"), nil
			},
			count: func(c *DocCounts) { c.Scans++ }})
	}
	return out
}

func or(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// streetsIn returns the demo streets that s names, in the order of the
// street list.
func streetsIn(s string) []string {
	var out []string
	for _, st := range streets {
		if strings.Contains(s, st) {
			out = append(out, st)
		}
	}
	return out
}

var amountRe = regexp.MustCompile(`(\d{1,3}(?:\.\d{3})+) €`)

// buildingWords mark a paper about building work: its cost breakdown
// goes by the cost groups of DIN 276.
var buildingWords = []string{"Sanierung", "Neubau", "Bau", "Brandschutz", "Dach", "halle", "Schule", "Kita",
	"Straße", "Radweg", "Brücke", "Spielplatz", "Gebäude", "Photovoltaik", "Platz", "Haltestelle", "Feuerwehr"}

// costTable is the lead office's cost breakdown over two budget years:
// by the cost groups of DIN 276 for building work, by kind of cost
// otherwise. Its total is the first amount the paper names, else a
// random one.
func costTable(p council.Paper, lead, sub string, r *rand.Rand) documents.Table {
	total := (120 + r.IntN(4800)) * 1000
	if m := amountRe.FindStringSubmatch(p.Text); m != nil {
		if n, err := strconv.Atoi(strings.ReplaceAll(m[1], ".", "")); err == nil && n >= 10000 {
			total = n
		}
	}
	year := p.Date.Year()
	if p.Date.Month() >= 9 {
		year++
	}
	building := false
	for _, w := range buildingWords {
		building = building || strings.Contains(p.Name, w)
	}
	type group struct {
		kg, name string
		share    int // percent; the shares add up to 92, the rest is the reserve
	}
	groups := []group{
		{"200", "Vorbereitende Maßnahmen", 3}, {"300", "Bauwerk – Baukonstruktionen", 38},
		{"400", "Bauwerk – Technische Anlagen", 22}, {"500", "Außenanlagen und Freiflächen", 9},
		{"600", "Ausstattung und Kunstwerke", 5}, {"700", "Baunebenkosten (Planung, Gutachten)", 15},
	}
	head, intro := "KG", "nach Kostengruppen der DIN 276"
	if !building {
		groups = []group{{"1", "Personalkosten", 34}, {"2", "Sachkosten und Dienstleistungen", 25},
			{"3", "Investitionen und Ausstattung", 18}, {"4", "Gutachten und Beratung", 9},
			{"5", "Öffentlichkeitsarbeit und Beteiligung", 6}}
		head, intro = "Nr.", "nach Kostenarten"
	}
	t := documents.Table{City: "Stadt Musterstadt", Body: lead, Title: "Kostenaufstellung", Subtitle: sub,
		Intro: fmt.Sprintf("Kostenaufstellung zur Vorlage „%s“ %s mit der Verteilung auf die Haushaltsjahre %d und %d. "+
			"Alle Beträge in Euro einschließlich Umsatzsteuer.", p.Name, intro, year, year+1),
		Columns: []documents.TableColumn{{Title: head, Width: 1}, {Title: "Bezeichnung", Width: 5},
			{Title: strconv.Itoa(year), Width: 2, Right: true}, {Title: strconv.Itoa(year + 1), Width: 2, Right: true},
			{Title: "Gesamt", Width: 2, Right: true}}}
	sum, first := 0, 0
	for _, g := range groups {
		amount := total / 100 * g.share / 100 * 100
		a := amount / 100 * (30 + r.IntN(50)) / 100 * 100
		t.Rows = append(t.Rows, []string{g.kg, g.name, euro(a), euro(amount - a), euro(amount)})
		sum += amount
		first += a
	}
	reserve := total - sum
	t.Rows = append(t.Rows, []string{"", "Unvorhergesehenes (Risikozuschlag)", euro(reserve / 2), euro(reserve - reserve/2), euro(reserve)})
	first += reserve / 2
	t.Total = []string{"", "Gesamtkosten", euro(first), euro(total - first), euro(total)}
	funding := total * (20 + r.IntN(50)) / 100 / 1000 * 1000
	by := pick(r, firms)
	if !building {
		by = or(lead, "Kämmerei")
	}
	t.Notes = fmt.Sprintf("Finanzierung: Haushaltsstelle %d.%02d.%02d; Fördermittel aus dem Programm „%s“ von voraussichtlich %s €, "+
		"Eigenanteil der Stadt %s €. Folgekosten für Betrieb und Unterhaltung: rund %s € im Jahr. "+
		"Stand der Kostenberechnung: %s, %s.",
		1+r.IntN(5), r.IntN(100), r.IntN(100), pick(r, programs), euro(funding), euro(total-funding),
		euro(total/100*(1+r.IntN(3))), p.Date.AddDate(0, 0, -7-r.IntN(30)).Format("02.01.2006"), by)
	return t
}

// plan is the lead office's site plan of the streets the paper names (or
// random ones).
func (s *docSeeder) plan(p council.Paper, lead, sub string, named []string, r *rand.Rand) documents.Plan {
	names := append([]string(nil), named...)
	for _, i := range r.Perm(len(streets)) {
		if len(names) >= 5 {
			break
		}
		if !strings.Contains(strings.Join(names, "|"), streets[i]) {
			names = append(names, streets[i])
		}
	}
	label := "Geltungsbereich"
	if !strings.Contains(p.Name, "plan") {
		label = "Maßnahmenbereich"
	}
	return documents.Plan{City: "Stadt Musterstadt", Body: lead, Title: "Lageplan", Subtitle: sub,
		Image:   s.fonts.sitePlan(r, label, names),
		Caption: fmt.Sprintf("Lageplan zur Vorlage „%s“ (Ausschnitt aus der Stadtgrundkarte, ohne Maßstab).", p.Name),
		Legend: []string{"Rot umrandet und schraffiert: " + label, "Grau: Gebäudebestand",
			"Grün: öffentliche Grünfläche", "Straßen: " + strings.Join(names, ", ")},
		Notes: "Kartengrundlage: Stadtgrundkarte Musterstadt, Amt für Vermessung und Geoinformation. " +
			"Der Plan dient der Übersicht; maßgeblich sind die Festsetzungen und Beschreibungen der Vorlage."}
}

// letterFor is the letter behind a motion: from a citizens' initiative
// for a citizens' motion, else from residents who support the motion.
func letterFor(p council.Paper, r *rand.Rand) letter {
	subject := subject(p.Name)
	given := pick(r, nameSets[0].female)
	family := pick(r, nameSets[0].family)
	street := pick(r, streets)
	date := p.Date.AddDate(0, 0, -3-r.IntN(10))
	l := letter{
		recipient: []string{"Stadt Musterstadt", "Die Oberbürgermeisterin", "Büro des Stadtrates", "Marktplatz 1", "39999 Musterstadt"},
		place:     "Musterstadt, " + date.Format("02.01.2006"),
	}
	signatures := 300 + r.IntN(2400)
	if p.Type == council.PaperCitizensMotion {
		l.sender = []string{fmt.Sprintf("Bürgerinitiative „%s“ · c/o %s %s · %s %d · 39999 Musterstadt",
			shortSubject(subject), given, family, street, 1+r.IntN(80))}
		l.subject = "Einwohnerantrag: " + subject
		l.paragraphs = []string{
			"Sehr geehrte Frau Oberbürgermeisterin, sehr geehrte Damen und Herren,",
			fmt.Sprintf("hiermit reichen wir den Einwohnerantrag „%s“ ein. Wir beantragen, dass der Stadtrat sich mit "+
				"unserem Anliegen befasst und die Verwaltung beauftragt, bis zum Ende des Jahres einen Vorschlag "+
				"zur Umsetzung mit Kosten und Zeitplan vorzulegen.", subject),
			fmt.Sprintf("Den Antrag unterstützen %s Einwohnerinnen und Einwohner mit ihrer Unterschrift. Die "+
				"Unterschriftenlisten haben wir am %s im Bürgerbüro abgegeben.", euro(signatures), date.Format("02.01.2006")),
			fmt.Sprintf("Als Vertrauenspersonen benennen wir %s %s und %s %s. Für Rückfragen und für ein Gespräch "+
				"im Fachausschuss stehen wir gern zur Verfügung.", given, family, pick(r, nameSets[0].male), pick(r, nameSets[0].family)),
		}
		l.signature = []string{given + " " + family, "für die Bürgerinitiative"}
		return l
	}
	l.sender = []string{fmt.Sprintf("%s %s · %s %d · 39999 Musterstadt", given, family, street, 1+r.IntN(80))}
	l.subject = "Unterstützung des Antrags: " + subject
	l.paragraphs = []string{
		"Sehr geehrte Damen und Herren,",
		fmt.Sprintf("als Anwohnerinnen und Anwohner der %s unterstützen wir den Antrag „%s“ ausdrücklich. "+
			"Wir bitten den Stadtrat, dem Antrag zuzustimmen.", street, subject),
		fmt.Sprintf("Seit Jahren weisen wir auf das Problem hin; in einer Umfrage in unserer Nachbarschaft haben %s "+
			"Haushalte das Anliegen unterstützt. Gern laden wir die Mitglieder des Ausschusses zu einem Ortstermin ein.",
			euro(20+r.IntN(300))),
	}
	l.signature = []string{given + " " + family, "im Namen der Anwohnerinnen und Anwohner"}
	return l
}

// shortSubject cuts a subject to its first words for a name.
func shortSubject(s string) string {
	ws := strings.Fields(s)
	if len(ws) > 4 {
		ws = ws[:4]
	}
	return strings.TrimRight(strings.Join(ws, " "), ",.;:–-")
}
