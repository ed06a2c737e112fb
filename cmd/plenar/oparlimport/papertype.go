package oparlimport

import (
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/plenar/plenar/council"
)

// typeRule maps a source paperType that contains one of keys to a
// Plenar paper type; a key that starts with "^" must start the name.
type typeRule struct {
	keys []string // folded (see foldType)
	typ  council.PaperType
}

func (r typeRule) match(folded string) bool { return matchKeys(r.keys, folded) }

// matchKeys reports whether folded contains one of keys; a key that
// starts with "^" must start it, one that starts with "=" must be all of it.
func matchKeys(keys []string, folded string) bool {
	for _, k := range keys {
		if p, ok := strings.CutPrefix(k, "="); ok {
			if folded == p {
				return true
			}
		} else if p, ok := strings.CutPrefix(k, "^"); ok && strings.HasPrefix(folded, p) || !ok && strings.Contains(folded, k) {
			return true
		}
	}
	return false
}

// typeRules is OParl's free-text paperType read as a Plenar type: the
// first rule with a key in the folded name wins, so the list runs from the
// most specific to the most general. A name such as "Mitteilungsvorlage"
// matches several keys ("mitteilung", "vorlage"); its order here, never
// the order of a map, decides the type.
var typeRules = []typeRule{
	// The administration's answer or opinion on something else
	// ("Beantwortung einer Anfrage", "Stellungnahme der Verwaltung zum
	// Antrag"): a report, whatever it answers. "^antwort", as
	// "Verantwortung" is no answer.
	{[]string{"beantwortung", "^antwort", "stellungnahme"}, council.PaperReport},
	// Before "antrag": a citizens' motion is a motion by citizens.
	{[]string{"einwohnerantrag", "einwohnerinnenantrag", "buergerantrag", "buergerinnenantrag"}, council.PaperCitizensMotion},
	// Before "antrag": an amendment is a motion on another paper.
	{[]string{"aenderungsantrag", "ergaenzungsantrag"}, council.PaperAmendment},
	// Before "antrag": "Anfrage zum Antrag …" asks a question.
	// Einwohneranfrage, Kleine/Große Anfrage, Bürgerfrage.
	{[]string{"frage"}, council.PaperInquiry},
	// Antrag, Dringlichkeitsantrag, Fraktionsantrag, Prüfantrag.
	{[]string{"antrag"}, council.PaperMotion},
	// Before "vorlage": Informationsvorlage, Vorlage zur Kenntnisnahme.
	{[]string{"information", "kenntnis"}, council.PaperInformation},
	// Before "vorlage": Mitteilungsvorlage, Mitteilung, Bericht,
	// Sachstandsbericht.
	{[]string{"mitteilung", "bericht"}, council.PaperReport},
	// Beschlussvorlage, Vorlage, Ergänzungsvorlage, a budget or a statute
	// ("Haushalt THH 2024"): something the council decides.
	{[]string{"beschluss", "vorlage", "haushalt", "satzung", "wirtschaftsplan"}, council.PaperResolution},
}

// paperType reads a source's paperType. Plenar's own names (the type
// values and their German names, as Plenar's OParl endpoint writes them)
// are taken as they are; other names go through typeRules. ok is false
// for a name no rule knows; the type is then PaperOther, and the paper
// keeps the source's label (Paper.TypeName) — an unknown type is never
// read as something it may not be.
func paperType(name string) (t council.PaperType, ok bool) {
	for _, t := range council.PaperTypes {
		if name == string(t) || strings.EqualFold(name, t.GermanName()) {
			return t, true
		}
	}
	f := foldType(name)
	for _, r := range typeRules {
		if r.match(f) {
			return r.typ, true
		}
	}
	return council.PaperOther, false
}

// orgRule maps an organization whose source label contains one of keys
// to a Plenar kind.
type orgRule struct {
	keys []string // folded (see foldType)
	kind council.OrgKind
	// byName: the rule may also read the organization's name ("Gemeinderat",
	// "Ortschaftsrat Nord") — only kinds a name says for sure.
	byName bool
}

// orgRules is OParl's free-text organizationType and classification read
// as a Plenar kind (docs/OPARL.md, "Types"). The classification is read
// first, then the name (rules with byName), then the organizationType;
// within each, the first rule wins, so the list runs from the most
// specific to the most general. Nothing matched: KindOther, never a kind
// with legal meaning the source did not say.
var orgRules = []orgRule{
	{[]string{"fraktion"}, council.KindPartyGroup, false},
	{[]string{"=partei"}, council.KindParty, false},
	// Before "rat" and "beirat": Jugendgemeinderat, Jugendbeirat.
	{[]string{"jugendrat", "jugendgemeinderat", "jugendparlament", "jugendbeirat", "jugendforum"}, council.KindYouthCouncil, true},
	// Before "rat": Ortschaftsrat, Ortsbeirat, Bezirksvertretung, Stadtbezirksrat.
	{[]string{"ortschaftsrat", "ortsbeirat", "ortsrat", "bezirksvertretung", "bezirksrat", "bezirksbeirat", "stadtteilbeirat"},
		council.KindDistrictCouncil, true},
	{[]string{"buergerrat", "buergerinnenrat"}, council.KindCitizensAssembly, true},
	{[]string{"beirat"}, council.KindAdvisoryBoard, false},
	// The council itself.
	{[]string{"=rat", "gemeinderat", "stadtrat", "kreistag", "stadtverordnetenversammlung", "gemeindevertretung",
		"hauptorgan", "ratderstadt", "buergerschaft", "samtgemeinderat", "verbandsversammlung"}, council.KindCouncil, true},
	// Administrative units ("Dienststellen", "Abteilung 1", "Dezernat II").
	{[]string{"verwaltung", "dezernat", "dienststelle", "abteilung", "fachbereich", "referat", "=amt"}, council.KindAdministration, false},
	{[]string{"ausschuss", "kommission", "gremium"}, council.KindCommittee, false},
}

// orgKindOf reads an organization's classification, name and
// organizationType by orgRules; ok is false when none matched (KindOther).
func orgKindOf(classification, name, orgType string) (council.OrgKind, bool) {
	for _, pass := range []struct {
		text   string
		byName bool
	}{{classification, false}, {name, true}, {orgType, false}} {
		f := foldType(pass.text)
		if f == "" {
			continue
		}
		for _, r := range orgRules {
			if (!pass.byName || r.byName) && matchKeys(r.keys, f) {
				return r.kind, true
			}
		}
	}
	return council.KindOther, false
}

// foldType folds a type name for matching: lower case, umlauts and ß
// spelled out (composed or decomposed), spaces, hyphens and gender marks
// dropped, so "Einwohner*innen-Antrag" and "Buergerantrag" match as
// "einwohnerinnenantrag" and "buergerantrag" do.
func foldType(s string) string {
	s = strings.ToLower(norm.NFC.String(s))
	var b strings.Builder
	for _, r := range s {
		switch r {
		case 'ä':
			b.WriteString("ae")
		case 'ö':
			b.WriteString("oe")
		case 'ü':
			b.WriteString("ue")
		case 'ß':
			b.WriteString("ss")
		case ' ', '\u00a0', '\u00ad', '-', '\u2010', '\u2011', '*', ':', '_', '/', '.':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
