package search_test

import (
	"math"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search"
)

// relevanceDocs are council titles of the kind the demo city and real
// councils have; relevanceQueries are what a citizen, a councillor or a
// clerk types to find them, judged by hand: grade 2 for the document
// asked for, 1 for one that is relevant too. The judgements were written
// before the figures were measured and are not tuned to the search.
var relevanceDocs = map[string]struct{ title, text string }{
	"kitaplan":     {"Bedarfsplanung der Kindertageseinrichtungen 2026/27", "Die Verwaltung legt den Bedarf an Betreuungsplätzen vor."},
	"kitagebuehr":  {"Neufassung der Satzung über die Kita-Gebühren", "Die Elternbeiträge werden nach Einkommen gestaffelt."},
	"bushalt":      {"Barrierefreier Ausbau der Bushaltestellen am Marktplatz", ""},
	"isek":         {"Integriertes Stadtentwicklungskonzept Innenstadt", "Leitbild und Maßnahmen für die Innenstadt bis 2035."},
	"kinderschutz": {"Kinderschutzkonzept für die städtischen Kindertagesstätten", ""},
	"baeume":       {"Verkehrssicherungsmaßnahmen an Straßenbäumen", "Fällungen und Kronenschnitt entlang der Allee."},
	"polizeivo":    {"Erlass einer Polizeiverordnung über die öffentliche Sicherheit und Ordnung", ""},
	"aufwand":      {"Änderung der Aufwandsentschädigungssatzung", "Sitzungsgeld für Ratsmitglieder und sachkundige Bürger."},
	"radfahrende":  {"Sicherheit für Radfahrende an der Bahnhofstraße", "Schutzstreifen und Tempo 30 vor dem Bahnhof."},
	"pv":           {"Photovoltaikanlagen auf Dächern städtischer Gebäude", "Geeignet sind die Dachflächen von Schulen und Turnhallen."},
	"spielplatz":   {"Sanierung des Spielplatzes im Stadtpark", ""},
	"haushalt":     {"Haushaltssatzung und Haushaltsplan 2025", "Ergebnisplan und Finanzplan für das Haushaltsjahr 2025."},
	"hallenbad":    {"Sanierung des Hallenbads Nord", "Technik, Dach und Umkleiden des Bades werden erneuert."},
	"feuerwehr":    {"Neubau Feuerwehrgerätehaus Süd", ""},
	"bplan":        {"Bebauungsplan Nr. 48 „Am Lerchenfeld“", "Allgemeines Wohngebiet mit 120 Wohneinheiten."},
	"tempo30":      {"Tempo 30 vor Schulen und Kindergärten", ""},
	"nvp":          {"Fortschreibung des Nahverkehrsplans", "Busnetz, Straßenbahn und Taktverdichtung."},
	"led":          {"Straßenbeleuchtung: Umrüstung auf LED", ""},
	"stadtwerke":   {"Jahresabschluss 2024 der Stadtwerke", ""},
	"breitband":    {"Breitbandausbau in den Ortsteilen", "Glasfaseranschlüsse für 1.200 Haushalte."},
	"klima":        {"Klimaschutzkonzept: Bericht zum Umsetzungsstand", ""},
	"radweg":       {"Radwegsanierung Uferweg", ""},
	"jugend":       {"Jugendeinrichtung am Lindenplatz: Betriebskosten", ""},
	"stellen":      {"Stellenplan 2025", ""},
	"friedhof":     {"Friedhofssatzung: Änderung der Gebühren", ""},
	"schulentw":    {"Schulentwicklungsplanung 2025–2030", ""},
	"hochwasser":   {"Hochwasserschutzkonzept für den Mühlbach", ""},
	"laden":        {"Ladesäulen für Elektrofahrzeuge im Parkhaus Mitte", ""},
	"buergerhh":    {"Bürgerhaushalt: Vorschläge der Einwohnerinnen und Einwohner", ""},
	"laerm":        {"Lärmschutzwand an der Umgehungsstraße", ""},
	"ganztag":      {"Ganztagsbetreuung an Grundschulen", ""},
	"abwasser":     {"Abwassergebühren 2026", ""},
}

var relevanceQueries = []struct {
	q      string
	grades map[string]int
}{
	{"Tageseinrichtungen", map[string]int{"kitaplan": 2}},
	{"Kindertageseinrichtungen", map[string]int{"kitaplan": 2}},
	{"Kita Gebühren", map[string]int{"kitagebuehr": 2}},
	{"kitagebühren", map[string]int{"kitagebuehr": 2}},
	{"Bus", map[string]int{"bushalt": 2, "nvp": 1}},
	{"Bushaltestelle", map[string]int{"bushalt": 2}},
	{"Entwicklungskonzept", map[string]int{"isek": 2}},
	{"Schutzkonzept", map[string]int{"kinderschutz": 2, "hochwasser": 2, "klima": 1}},
	{"Sicherungsmaßnahmen", map[string]int{"baeume": 2}},
	{"Polizeiverordnung", map[string]int{"polizeivo": 2}},
	{"Aufwandsentschädigung", map[string]int{"aufwand": 2}},
	{"Radfahrenden", map[string]int{"radfahrende": 2}},
	{"Photovoltaik Dach", map[string]int{"pv": 2}},
	{"Photovoltaik", map[string]int{"pv": 2}},
	{"spielplatz sanierung", map[string]int{"spielplatz": 2}},
	{"Haushalt 2025", map[string]int{"haushalt": 2, "stellen": 1, "buergerhh": 1}},
	{"Haushalt", map[string]int{"haushalt": 2, "buergerhh": 1}},
	{"Schwimmbad", map[string]int{"hallenbad": 2}},
	{"Hallenbad", map[string]int{"hallenbad": 2}},
	{"Feuerwehr", map[string]int{"feuerwehr": 2}},
	{"Feuerwehrhaus", map[string]int{"feuerwehr": 2}},
	{"Bebauungsplan Lerchenfeld", map[string]int{"bplan": 2}},
	{"Tempo 30", map[string]int{"tempo30": 2, "radfahrende": 1}},
	{"ÖPNV", map[string]int{"nvp": 2}},
	{"Nahverkehr", map[string]int{"nvp": 2}},
	{"LED Beleuchtung", map[string]int{"led": 2}},
	{"Stadtwerke Jahresabschluss", map[string]int{"stadtwerke": 2}},
	{"Glasfaser", map[string]int{"breitband": 2}},
	{"Breitband", map[string]int{"breitband": 2}},
	{"Klimaschutz", map[string]int{"klima": 2}},
	{"Radweg", map[string]int{"radweg": 2, "radfahrende": 1}},
	{"Uferweg", map[string]int{"radweg": 2}},
	{"Jugendeinrichtung", map[string]int{"jugend": 2}},
	{"Stellenplan", map[string]int{"stellen": 2}},
	{"Friedhof Gebühren", map[string]int{"friedhof": 2, "abwasser": 1, "kitagebuehr": 1}},
	{"Friedhofsgebühren", map[string]int{"friedhof": 2}},
	{"Schulentwicklung", map[string]int{"schulentw": 2}},
	{"Hochwasser", map[string]int{"hochwasser": 2}},
	{"Ladesäulen", map[string]int{"laden": 2}},
	{"Elektroauto laden", map[string]int{"laden": 2}},
	{"Bürgerhaushalt", map[string]int{"buergerhh": 2, "haushalt": 1}},
	{"Lärmschutz", map[string]int{"laerm": 2}},
	{"Umgehungsstraße Lärm", map[string]int{"laerm": 2}},
	{"Grundschule Betreuung", map[string]int{"ganztag": 2}},
	{"Abwasser", map[string]int{"abwasser": 2}},
	{"Gebühren", map[string]int{"kitagebuehr": 2, "friedhof": 2, "abwasser": 2}},
	{"Kindergarten", map[string]int{"tempo30": 2, "kitagebuehr": 1, "kitaplan": 1}},
	{"Satzung Kita", map[string]int{"kitagebuehr": 2}},
	{"Sanierung", map[string]int{"spielplatz": 2, "hallenbad": 2, "radweg": 2}},
	{"Konzept", map[string]int{"isek": 2, "kinderschutz": 2, "klima": 2, "hochwasser": 2}},
}

// Thresholds of TestRelevance: a little below the figures measured when
// the set was written (docs/BENCHMARKS.md, "Search relevance"), so that
// a change that finds or ranks worse fails; the zero-result target is
// issue 15's.
const (
	minMRR         = 0.90
	minNDCG10      = 0.85
	minRecall5     = 0.90
	maxZeroResults = 0.03
)

// TestRelevance measures the search on the judged set: mean reciprocal
// rank of the first relevant result, nDCG@10 (gain 2^grade−1), recall@5
// of the relevant documents, and the share of queries without results.
func TestRelevance(t *testing.T) {
	e := newEnv(t)
	org := e.org(t, "Hauptausschuss")
	key := map[council.ID]string{}
	for k, d := range relevanceDocs {
		p := e.paper(t, council.Paper{Name: d.title, Text: d.text, Public: true}, org)
		key[p.ID] = k
	}
	e.build(t)

	var mrr, ndcg, recall float64
	zero := 0
	for _, rq := range relevanceQueries {
		ids, res := e.ids(t, council.Public, search.Request{Query: rq.q, PerPage: 10})
		if res.Total == 0 {
			zero++
		}
		var ranked []string
		for _, id := range ids {
			if k, ok := key[id]; ok && len(ranked) < 10 {
				ranked = append(ranked, k)
			}
		}
		rr, dcg, found5 := 0.0, 0.0, 0
		for i, k := range ranked {
			g := rq.grades[k]
			if g > 0 && rr == 0 {
				rr = 1 / float64(i+1)
			}
			dcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
			if g > 0 && i < 5 {
				found5++
			}
		}
		var ideal []int
		for _, g := range rq.grades {
			ideal = append(ideal, g)
		}
		idcg := 0.0
		for i, g := range sortedDesc(ideal) {
			idcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
		}
		if rr < 1 {
			t.Logf("%q: first relevant at rank %.0f; got %v", rq.q, 1/max(rr, 1e-9), ranked)
		}
		mrr += rr
		ndcg += dcg / idcg
		recall += float64(found5) / float64(min(len(rq.grades), 5))
	}
	n := float64(len(relevanceQueries))
	mrr, ndcg, recall = mrr/n, ndcg/n, recall/n
	zr := float64(zero) / n
	t.Logf("judged set: %d queries over %d documents: MRR %.3f, nDCG@10 %.3f, recall@5 %.3f, zero-result rate %.3f",
		len(relevanceQueries), len(relevanceDocs), mrr, ndcg, recall, zr)
	if mrr < minMRR || ndcg < minNDCG10 || recall < minRecall5 || zr > maxZeroResults {
		t.Errorf("MRR %.3f (want ≥ %.2f), nDCG@10 %.3f (want ≥ %.2f), recall@5 %.3f (want ≥ %.2f), zero results %.3f (want ≤ %.2f)",
			mrr, minMRR, ndcg, minNDCG10, recall, minRecall5, zr, maxZeroResults)
	}
}

// sortedDesc returns gs sorted from the highest grade down.
func sortedDesc(gs []int) []int {
	out := append([]int(nil), gs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] > out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
