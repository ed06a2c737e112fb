package search

import (
	"time"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Type is the kind of an indexed document.
type Type string

// Document types.
const (
	TypePaper        Type = "paper"
	TypeAgendaItem   Type = "agenda_item"
	TypeMeeting      Type = "meeting"
	TypePerson       Type = "person"
	TypeOrganization Type = "organization"
	// TypeFile is an attached file (its title and extracted text); it
	// links to what it is attached to and is visible as the portal decides
	// for files (documents.Store.Access).
	TypeFile Type = "file"
)

// Types lists every document type in display order.
var Types = []Type{TypePaper, TypeAgendaItem, TypeMeeting, TypePerson, TypeOrganization, TypeFile}

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	for _, x := range Types {
		if x == t {
			return true
		}
	}
	return false
}

// Visibility classes of a document (Doc.Vis, the field "vis").
const (
	VisPublic  = "public"  // everybody
	VisMembers = "members" // members of one of Orgs, and staff
	VisStaff   = "staff"   // clerks and admins only (drafts, unpublished agendas)
)

// Doc is one indexed document. Orgs are the organizations it belongs to:
// for a paper its consulting bodies, for an agenda item or a meeting the
// meeting's organizations; they drive both the organization facet and,
// for members-only documents, who may see them.
type Doc struct {
	ID        string    `json:"-"` // "<type>/<uuid>"
	Type      Type      `json:"type"`
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	Reference string    `json:"reference"`
	Status    string    `json:"status"`
	Orgs      []string  `json:"orgs"`
	Persons   []string  `json:"persons"`
	Year      string    `json:"year"`
	Date      time.Time `json:"date"`
	Vis       string    `json:"vis"`
	// Parent is, for agenda items, the meeting's id; for files, the index
	// id of what the file is attached to ("paper/<id>", "meeting/<id>" or
	// "agenda_item/<id>"), and Meeting then the agenda item's meeting.
	Parent  string `json:"parent"`
	Meeting string `json:"meeting"`
	// Matter is the index id of the paper the document belongs to (a
	// paper itself, its agenda items, their files; matter.go), "" for
	// none: a search shows one result per matter.
	Matter string `json:"matter"`
	// Name is a person's name, unstemmed (analyzerName): name queries
	// look it up as typed; "" for other types.
	Name string `json:"name"`
	// Group is the key a search folds results by: the matter, or the
	// title of its paper when that is public (matter.go).
	Group string `json:"group"`
	// Facet holds the facet values, "t:<type>", "y:<year>" and
	// "o:<organization>", in one field: counting facets visits one field's
	// doc values per hit instead of three (withPub fills it).
	Facet []string `json:"facet"`
	// Pub is the source of suggestions ("did you mean", autocomplete):
	// the title and the start of the text of a public document, empty for
	// every other one (withPub fills it).
	Pub string `json:"pub"`
}

// Prefixes of the values of the field facet.
const (
	facetType = "t:"
	facetYear = "y:"
	facetOrg  = "o:"
)

// pubTextLen is how much of a public document's text feeds suggestions.
const pubTextLen = 512

// withPub returns d with Pub filled from its title and text when d is
// public, and empty otherwise: a non-public word never enters the field
// that suggestions read.
func (d Doc) withPub() Doc {
	d.Facet = make([]string, 0, 2+len(d.Orgs))
	d.Facet = append(d.Facet, facetType+string(d.Type))
	if d.Year != "" {
		d.Facet = append(d.Facet, facetYear+d.Year)
	}
	for _, o := range d.Orgs {
		d.Facet = append(d.Facet, facetOrg+o)
	}
	d.Pub = ""
	if d.Vis != VisPublic {
		return d
	}
	txt := d.Text
	if d.Type == TypeMeeting {
		txt = "" // its day (meetingDate): no word to suggest
	}
	if len(txt) > pubTextLen {
		cut := pubTextLen
		for cut > 0 && !utf8RuneStart(txt[cut]) {
			cut--
		}
		txt = txt[:cut]
	}
	d.Pub = d.Title + "\n" + txt
	return d
}

// BleveType tells bleve which document mapping applies.
func (d Doc) BleveType() string { return string(d.Type) }

// newMapping returns the index mapping: one document mapping per type,
// no dynamic fields, German analysis with compound splitting over words.
func newMapping(words Words) (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	im.IndexDynamic, im.StoreDynamic, im.DocValuesDynamic = false, false, false
	im.DefaultAnalyzer = keyword.Name
	tokens := make([]interface{}, 0, words.Len())
	for _, w := range words.Sorted() {
		tokens = append(tokens, w)
	}
	if err := im.AddCustomTokenMap(wordsTokenMap, map[string]interface{}{
		"type": tokenmap.Name, "tokens": tokens}); err != nil {
		return nil, err
	}
	pairs := make([]interface{}, 0, len(words.Pairs()))
	for _, w := range words.Pairs() {
		pairs = append(pairs, w)
	}
	if err := im.AddCustomTokenMap(pairsTokenMap, map[string]interface{}{
		"type": tokenmap.Name, "tokens": pairs}); err != nil {
		return nil, err
	}
	if err := im.AddCustomTokenFilter(shingleFilter, map[string]interface{}{
		"type": shingleFilter, "pairs_token_map": pairsTokenMap}); err != nil {
		return nil, err
	}
	if err := im.AddCustomTokenFilter(compoundFilter, map[string]interface{}{
		"type": compoundFilter, "dict_token_map": wordsTokenMap}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(analyzerDE, map[string]interface{}{
		"type": custom.Name, "tokenizer": unicode.Name,
		"token_filters": []interface{}{lowercase.Name, de.StopName, de.NormalizeName, compoundFilter, de.LightStemmerName, shingleFilter},
	}); err != nil {
		return nil, err
	}
	// A person's name is no word to stem or split: "Müller" is not Müll,
	// "Bauer" not Bau, "Fischer" not Fisch (field name; query.go).
	if err := im.AddCustomAnalyzer(analyzerName, map[string]interface{}{
		"type": custom.Name, "tokenizer": unicode.Name,
		"token_filters": []interface{}{lowercase.Name, de.NormalizeName},
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(analyzerDEQuery, map[string]interface{}{
		"type": custom.Name, "tokenizer": unicode.Name,
		"token_filters": []interface{}{lowercase.Name, de.StopName, de.NormalizeName, de.LightStemmerName},
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(analyzerSuggest, map[string]interface{}{
		"type": custom.Name, "tokenizer": unicode.Name,
		"token_filters": []interface{}{lowercase.Name, de.StopName},
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(analyzerKeyword, map[string]interface{}{
		"type": custom.Name, "tokenizer": single.Name,
		"token_filters": []interface{}{lowercase.Name},
	}); err != nil {
		return nil, err
	}

	im.DefaultMapping = mapping.NewDocumentDisabledMapping()
	for _, t := range Types {
		im.AddDocumentMapping(string(t), docMapping(t))
	}
	return im, nil
}

// docMapping lists the fields of type t; every type has the keyword
// fields that filters, facets and visibility need.
func docMapping(t Type) *mapping.DocumentMapping {
	dm := mapping.NewDocumentStaticMapping()
	// No composite "_all" field: bleve would otherwise build (empty) one
	// for every document and visit it for every field.
	dm.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())
	text := func(name string) {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzerDE
		if t == TypePerson || name == "name" {
			f.Analyzer = analyzerName
		}
		// Queries name their fields; no composite "_all" field, which
		// would analyse and invert every text a second time. Term vectors
		// (positions) serve phrase queries. Only titles are stored: the
		// text stays in PostgreSQL, and snippets are cut from the page's
		// hits there (highlight.go).
		f.Store, f.IncludeTermVectors, f.DocValues, f.IncludeInAll = name == "title", true, false, false
		dm.AddFieldMappingsAt(name, f)
	}
	kw := func(name string, store bool) {
		f := mapping.NewKeywordFieldMapping()
		// Filters need no doc values; facets read the field facet.
		f.Store, f.IncludeInAll, f.IncludeTermVectors, f.DocValues = store, false, false, name == "facet"
		dm.AddFieldMappingsAt(name, f)
	}
	text("title")
	pub := mapping.NewTextFieldMapping()
	pub.Analyzer, pub.Store, pub.IncludeTermVectors, pub.IncludeInAll, pub.DocValues = analyzerSuggest, false, false, false, false
	dm.AddFieldMappingsAt("pub", pub)
	// Persons and organizations have a text too: their name again
	// (loadForIndex), so that a name query scores them like documents
	// whose title and text both have the words; bleve's disjunction
	// scales a score by the share of its clauses (title, text, …) that
	// match, which ranked "Finanzausschuss" below every meeting of it.
	text("text")
	if t == TypePerson {
		text("name")
	}
	kw("type", false)
	kw("vis", false)
	kw("orgs", false)
	kw("year", false)
	kw("facet", false)
	date := mapping.NewDateTimeFieldMapping()
	date.Store, date.IncludeInAll = true, false
	dm.AddFieldMappingsAt("date", date)
	if t == TypeAgendaItem || t == TypeFile {
		kw("parent", true)
	}
	if t == TypePaper || t == TypeAgendaItem || t == TypeFile {
		kw("matter", true)
		kw("group", true)
	}
	if t == TypeFile {
		kw("meeting", true)
	}
	if t == TypePaper {
		ref := mapping.NewTextFieldMapping()
		ref.Analyzer, ref.Store, ref.IncludeTermVectors, ref.IncludeInAll = analyzerKeyword, true, false, false
		dm.AddFieldMappingsAt("reference", ref)
		kw("status", true)
		kw("persons", false)
	}
	return dm
}
