package oparlimport

import (
	"testing"

	"github.com/plenar/plenar/council"
)

// TestPaperType reads paperType names as German council information
// systems write them. Each name is read many times: the old mapping
// iterated a map, and "Mitteilungsvorlage" (matching "mitteilung" and
// "vorlage") came out as a report or a resolution from run to run.
func TestPaperType(t *testing.T) {
	for _, tc := range []struct {
		name string
		want council.PaperType
		ok   bool
	}{
		{"Beschlussvorlage", council.PaperResolution, true},
		{"Vorlage", council.PaperResolution, true},
		{"Verwaltungsvorlage", council.PaperResolution, true},
		{"Beschlussvorlage (öffentlich)", council.PaperResolution, true},
		{"Beschluss-Vorlage", council.PaperResolution, true},
		{"Ergänzungsvorlage", council.PaperResolution, true},
		{"Änderungsvorlage", council.PaperResolution, true},
		{"Haushalt THH 2024", council.PaperResolution, true},
		{"Haushaltsvorlage", council.PaperResolution, true},
		{"Satzung", council.PaperResolution, true},
		{"Wirtschaftsplan Eigenbetrieb", council.PaperResolution, true},
		{"Informationsvorlage", council.PaperInformation, true},
		{"Vorlage zur Kenntnisnahme", council.PaperInformation, true},
		{"Information", council.PaperInformation, true},
		{"Mitteilungsvorlage", council.PaperReport, true},
		{"Mitteilung", council.PaperReport, true},
		{"Mitteilung der Verwaltung", council.PaperReport, true},
		{"Bericht", council.PaperReport, true},
		{"Sachstandsbericht", council.PaperReport, true},
		{"Stellungnahme", council.PaperReport, true},
		{"Stellungnahme der Verwaltung zum Antrag", council.PaperReport, true},
		{"Beantwortung einer Anfrage", council.PaperReport, true},
		{"Antwort auf Anfrage", council.PaperReport, true},
		{"Antrag", council.PaperMotion, true},
		{"Dringlichkeitsantrag", council.PaperMotion, true},
		{"Antrag der Fraktion", council.PaperMotion, true},
		{"Fraktionsantrag", council.PaperMotion, true},
		{"Prüfantrag", council.PaperMotion, true},
		{"Antrag zur Verantwortung des Rates", council.PaperMotion, true},
		{"Berichtsantrag", council.PaperMotion, true},
		{"Änderungsantrag", council.PaperAmendment, true},
		{"Aenderungsantrag", council.PaperAmendment, true},
		{"Abänderungsantrag", council.PaperAmendment, true},
		{"Ergänzungsantrag", council.PaperAmendment, true},
		{"A\u0308nderungsantrag", council.PaperAmendment, true}, // decomposed umlaut
		{"Anfrage", council.PaperInquiry, true},
		{"Einwohneranfrage", council.PaperInquiry, true},
		{"Kleine Anfrage", council.PaperInquiry, true},
		{"Große Anfrage", council.PaperInquiry, true},
		{"Anfrage zum Antrag V0001/24", council.PaperInquiry, true},
		{"Bürgerfrage", council.PaperInquiry, true},
		{"Einwohnerantrag", council.PaperCitizensMotion, true},
		{"Einwohner*innen-Antrag", council.PaperCitizensMotion, true},
		{"Bürgerantrag", council.PaperCitizensMotion, true},
		{"BÜRGERANTRAG", council.PaperCitizensMotion, true},
		// Plenar's own values, as a Plenar export or an older import writes them.
		{"resolution", council.PaperResolution, true},
		{"citizens_motion", council.PaperCitizensMotion, true},
		// Plenar's own name of "other".
		{"Drucksache", council.PaperOther, true},
		// Unknown: other, reported; the paper keeps the source's label.
		{"Niederschrift", council.PaperOther, false},
		{"Sonstige Vorlage ohne Art", council.PaperResolution, true},
		{"", council.PaperOther, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 50 {
				got, ok := paperType(tc.name)
				if got != tc.want || ok != tc.ok {
					t.Fatalf("paperType(%q) = %s, %v; want %s, %v", tc.name, got, ok, tc.want, tc.ok)
				}
			}
		})
	}
}

// TestPaperTypeRoundTrip: the German name Plenar's OParl endpoint writes
// for each type reads back as that type.
func TestPaperTypeRoundTrip(t *testing.T) {
	for _, want := range council.PaperTypes {
		if got, ok := paperType(want.GermanName()); got != want || !ok {
			t.Errorf("paperType(%q) = %s, %v; want %s, true", want.GermanName(), got, ok, want)
		}
	}
}

// TestOrgKind: organization types and classifications as SD.NET and
// OParl 1.1 servers send them map by the ordered table orgRules; the
// council is the council, administrative units are administration, and
// what no rule knows is "other", never a kind with legal meaning.
func TestOrgKind(t *testing.T) {
	for _, tc := range []struct {
		classification, name, orgType string
		want                          council.OrgKind
		ok                            bool
	}{
		{"", "Gemeinderat", "Gremium", council.KindCouncil, true},
		{"Hauptorgan", "Rat der Stadt Musterstadt", "Gremium", council.KindCouncil, true},
		{"", "Abteilung 1", "Dienststellen", council.KindAdministration, true},
		{"Ausschuss", "Hauptausschuss", "Gremium", council.KindCommittee, true},
		{"", "Ausschuss für Verwaltung und Finanzen", "Gremium", council.KindCommittee, true},
		{"", "Fraktion Grün", "Fraktion", council.KindPartyGroup, true},
		{"", "Ortschaftsrat Nord", "Gremium", council.KindDistrictCouncil, true},
		{"", "Jugendgemeinderat", "Gremium", council.KindYouthCouncil, true},
		{"Beirat", "Beirat für Kultur", "", council.KindAdvisoryBoard, true},
		{"", "Partei X", "Partei", council.KindParty, true},
		{"", "Arbeitskreis Radverkehr", "Sonstiges", council.KindOther, false},
		{"", "Lenkungsgruppe", "", council.KindOther, false},
	} {
		for range 20 {
			got, ok := orgKindOf(tc.classification, tc.name, tc.orgType)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("orgKindOf(%q, %q, %q) = %s, %v; want %s, %v", tc.classification, tc.name, tc.orgType, got, ok, tc.want, tc.ok)
			}
		}
	}
}
