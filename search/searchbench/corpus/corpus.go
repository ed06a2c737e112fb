// Package corpus generates the synthetic council corpus of the search
// benchmark (package searchbench) and of search's tests: papers and
// their files, shaped like a German city's twenty years, every document
// a pure function of the seed and its number. It knows nothing of the
// index: package search's own tests use it too, which they could not if
// it imported search (searchbench converts its documents to search.Doc).
// It imports no Plenar package.
package corpus

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
)

// Corpus generates a synthetic council corpus shaped like a German city's
// twenty years: papers (title and a short text) and their files (extracted
// text, median ~3 KB, log-normal with a long tail to 1 MB). Words follow a
// Zipf distribution over a general vocabulary (the system word list when
// present), mixed with function words and council compounds, so that the
// index sees a realistic dictionary. Every document is a pure function of
// the seed and its number, so the same corpus can be produced twice (once
// for bleve, once for PostgreSQL) without being held in memory.
type Corpus struct {
	Papers int // papers; each has 1–5 files (3 on average)
	Seed   uint64
	Years  int // the corpus spans Years years ending in 2025
	// Realistic lowers the rates of the benchmark's query words to a real
	// city's (docs/BENCHMARKS.md, "Corpus realism"): council words in
	// titles at 10 % instead of 25 % of the words, the six phrases at
	// 0.05 % instead of 0.5 % of the words. The default is the corpus the
	// earlier figures were measured on.
	Realistic bool
	vocab     []string
	orgs      []string
	fileBase  []int // fileBase[i]: number of the first file of paper i
}

// Doc is one document of the corpus: a paper or one of its files.
type Doc struct {
	File  bool      // a file of paper Paper; else the paper itself
	ID    uuid.UUID // the paper's or the file's
	Paper uuid.UUID // the paper (a file's parent, a paper's own id)
	Title string
	Text  string
	// Reference and Status are a paper's; files have none.
	Reference string
	Status    string
	Orgs      []string // ids of the organizations it belongs to
	Date      time.Time
	Year      string // of Date
	Vis       Vis
}

// Vis is who may see a document.
type Vis int

// Visibilities: 90 % of the papers are public, 8 % for the members of
// their organizations, 2 % drafts for staff; a file is visible as its
// paper, except that members see the files of drafts.
const (
	Public Vis = iota
	Members
	Staff
)

// Council words: compounds of the domain (searched for by the benchmark
// and found through compound splitting) and their parts.
var corpusTopics = []string{
	"Straßenbahnhaltestellen", "Bushaltestelle", "Haltestelle", "Radwegsanierung", "Radweg", "Radverkehr",
	"Schulsanierungsprogramm", "Sanierung", "Grundschule", "Kindertagesstätte", "Kindergarten", "Bebauungsplan",
	"Haushaltssatzung", "Haushalt", "Jahresabschluss", "Stellenplan", "Feuerwehrgerätehaus", "Feuerwehr",
	"Lärmschutzwand", "Spielplatz", "Spielplatzerneuerung", "Sportplatz", "Stadtbibliothek", "Wohnungsbau",
	"Klimaschutzkonzept", "Klimaschutz", "Photovoltaikanlage", "Fußgängerzone", "Parkraumbewirtschaftung",
	"Verkehrsberuhigung", "Straßenbeleuchtung", "Abwasserbeseitigung", "Friedhofssatzung", "Gewerbegebiet",
	"Bürgerbeteiligung", "Denkmalschutz", "Innenstadt", "Marktplatz", "Stadtwerke", "Jugendeinrichtung",
	"Seniorenbeirat", "Integrationsrat", "Schwimmbad", "Hallenbadsanierung", "Ortsumgehung", "Kreisverkehr",
	"Baumschutzsatzung", "Grünfläche", "Regenrückhaltebecken", "Sozialwohnungen", "Breitbandausbau",
}

var corpusFunction = strings.Fields(`der die das und in zu den von mit für auf ist im dem nicht ein eine als auch es an
werden aus hat dass sie nach wird bei einer um am sind noch wie einem über so zum war haben nur oder aber vor zur bis
mehr durch man sowie soll sollen kann können Verwaltung Stadt Rat Antrag Beschluss Ausschuss Fraktion Vorlage gemäß`)

// corpusPhrases are word pairs that occur as phrases.
var corpusPhrases = []string{"öffentlicher Personennahverkehr", "barrierefreier Ausbau", "sozialer Wohnungsbau",
	"energetische Sanierung", "ruhender Verkehr", "offene Ganztagsschule"}

// Phrases returns the word pairs that occur as phrases, at a rate that
// Realistic lowers.
func Phrases() []string { return slices.Clone(corpusPhrases) }

// New returns the corpus of papers papers; wordList is the path of a
// word list for the general vocabulary ("" or missing: a synthetic one).
func New(papers int, seed uint64, wordList string) (*Corpus, error) {
	c := &Corpus{Papers: papers, Seed: seed, Years: 20}
	if err := c.loadVocab(wordList); err != nil {
		return nil, err
	}
	for i := range 40 {
		c.orgs = append(c.orgs, uuid.NewSHA1(uuid.NameSpaceOID, []byte("org"+strconv.Itoa(i))).String())
	}
	c.fileBase = make([]int, papers+1)
	for i := range papers {
		c.fileBase[i+1] = c.fileBase[i] + c.filesOf(i)
	}
	return c, nil
}

func (c *Corpus) loadVocab(path string) error {
	if path != "" {
		f, err := os.Open(path)
		if err == nil {
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				w := sc.Text()
				if len(w) >= 3 && !strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) {
					c.vocab = append(c.vocab, w)
				}
			}
			if err := sc.Err(); err != nil {
				return fmt.Errorf("corpus vocabulary: %w", err)
			}
		} else if !os.IsNotExist(err) {
			return fmt.Errorf("corpus vocabulary: %w", err)
		}
	}
	if len(c.vocab) < 1000 { // synthetic syllable words
		syl := strings.Fields("ver an ge be ar bei stadt haus weg bau platz ung keit schul rat wand berg feld dorf lich ter en")
		r := rand.New(rand.NewPCG(c.Seed, 1))
		for range 100000 {
			var b strings.Builder
			for range 2 + r.IntN(3) {
				b.WriteString(syl[r.IntN(len(syl))])
			}
			c.vocab = append(c.vocab, b.String())
		}
	}
	// A fixed shuffle, so that frequency does not follow the alphabet.
	r := rand.New(rand.NewPCG(c.Seed, 2))
	r.Shuffle(len(c.vocab), func(i, j int) { c.vocab[i], c.vocab[j] = c.vocab[j], c.vocab[i] })
	return nil
}

func (c *Corpus) filesOf(i int) int {
	return 1 + rand.New(rand.NewPCG(c.Seed^0xf11e, uint64(i))).IntN(5)
}

// Len is the number of documents: papers and files.
func (c *Corpus) Len() int { return c.fileBase[c.Papers] + c.Papers }

// Files is the number of files.
func (c *Corpus) Files() int { return c.fileBase[c.Papers] }

// VocabWord returns the word of frequency rank i of the general
// vocabulary.
func (c *Corpus) VocabWord(i int) string { return c.vocab[i%len(c.vocab)] }

// Org returns the id of organization i.
func (c *Corpus) Org(i int) string { return c.orgs[i%len(c.orgs)] }

// Doc returns document n (0 ≤ n < Len): the papers come first, then the
// files. A file carries its paper's organizations, date and visibility,
// the way the live index has it.
func (c *Corpus) Doc(n int) Doc {
	paper, file := n, -1
	if n >= c.Papers {
		f := n - c.Papers
		lo, hi := 0, c.Papers
		for lo+1 < hi { // the paper whose files contain f
			mid := (lo + hi) / 2
			if c.fileBase[mid] <= f {
				lo = mid
			} else {
				hi = mid
			}
		}
		paper, file = lo, f
	}
	pr := rand.New(rand.NewPCG(c.Seed, uint64(paper)+1000))
	start := time.Date(2025-c.Years+1, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Sub(start).Hours() / 24)
	date := start.AddDate(0, 0, paper*days/max(c.Papers, 1))
	d := Doc{Date: date, Year: strconv.Itoa(date.Year()), Vis: Public,
		Status: []string{"submitted", "decided", "decided", "decided", "withdrawn"}[pr.IntN(5)]}
	d.Reference = fmt.Sprintf("V%04d/%02d", paper%10000, date.Year()%100)
	zo := rand.NewZipf(pr, 1.3, 1, uint64(len(c.orgs)-1))
	for range 1 + pr.IntN(3) {
		d.Orgs = append(d.Orgs, c.orgs[zo.Uint64()])
	}
	switch v := pr.IntN(100); {
	case v < 8:
		d.Vis = Members
	case v < 10:
		d.Vis, d.Status = Staff, "draft"
	}
	d.Title = c.words(pr, 4+pr.IntN(7), c.titleTopic())
	d.ID = uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprintf("paper%d/%d", c.Seed, paper)))
	d.Paper = d.ID
	if file < 0 {
		d.Text = c.text(pr, 300+pr.IntN(700))
		return d
	}
	fr := rand.New(rand.NewPCG(c.Seed, uint64(file)+1<<40))
	d.File, d.Status, d.Reference = true, "", ""
	d.ID = uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprintf("file%d/%d", c.Seed, file)))
	d.Title = "Anlage " + strconv.Itoa(file-c.fileBase[paper]+1) + " zu " + d.Title
	d.Text = c.text(fr, fileSize(fr))
	if d.Vis == Staff { // files of drafts: members of the bodies, as documents.Access has it
		d.Vis = Members
	}
	return d
}

// fileSize draws a file's text length: log-normal with median 3 KB
// (σ = 1, mean ≈ 5 KB), and one file in 2,000 between 100 KB and 1 MB.
func fileSize(r *rand.Rand) int {
	if r.IntN(2000) == 0 {
		return 100_000 + r.IntN(900_000)
	}
	return min(int(3000*math.Exp(r.NormFloat64())), 1_000_000)
}

// titleTopic is the share of council words in titles.
func (c *Corpus) titleTopic() float64 {
	if c.Realistic {
		return 0.10
	}
	return 0.25
}

// text returns about size bytes of sentences.
func (c *Corpus) text(r *rand.Rand, size int) string {
	var b strings.Builder
	b.Grow(size + 64)
	for b.Len() < size {
		b.WriteString(c.words(r, 6+r.IntN(14), 0.002))
		b.WriteString(". ")
	}
	return b.String()
}

// words returns n words: function words, council words (probability
// topic), phrases and Zipf-distributed vocabulary.
func (c *Corpus) words(r *rand.Rand, n int, topic float64) string {
	z := rand.NewZipf(r, 1.07, 2, uint64(len(c.vocab)-1))
	phrase := 0.005
	if c.Realistic {
		phrase = 0.0005
	}
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch p := r.Float64(); {
		case p < topic:
			b.WriteString(corpusTopics[r.IntN(len(corpusTopics))])
		case p < topic+phrase:
			b.WriteString(corpusPhrases[r.IntN(len(corpusPhrases))])
		case p < topic+0.45:
			b.WriteString(corpusFunction[r.IntN(len(corpusFunction))])
		default:
			b.WriteString(c.vocab[z.Uint64()])
		}
	}
	return b.String()
}
