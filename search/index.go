package search

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/google/uuid"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search/internal/scorch"
)

// currentFile names the generation an index directory serves.
const currentFile = "current"

// Index is the search index in one directory: a sequence of generations
// (subdirectories "gen-<uuid>"), of which the one named in the file
// "current" serves. Rebuild writes a new generation and switches
// "current"; Reload makes a running Index follow the switch. An Index is
// safe for concurrent use.
type Index struct {
	dir string
	log *slog.Logger

	mu  sync.RWMutex
	gen string      // "" until a generation exists
	bi  bleve.Index // nil until a generation exists
	// segs caches per-segment arrays for collecting hits
	// (scorch.Collect); entries are keyed by segment, so generations
	// never mix.
	segs *scorch.Cache
	// zone is Germany's, of civil dates: the year a document counts in,
	// the days a date filter spans.
	zone *time.Location
	// synonyms are applied at query time; syn is them analysed, built on
	// first use (synonymsFor).
	synonyms Synonyms
	synOnce  sync.Once
	syn      synonymIndex
}

// Open opens the index in dir (creating dir). When dir holds no
// generation yet, the Index is empty and searches fail with
// council.ErrUnavailable until Rebuild and Reload (the Indexer does both).
func Open(dir string, log *slog.Logger) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index directory: %w", err)
	}
	// The data directory holds the city's synonyms (dir is <data dir>/index).
	syn, err := LoadSynonyms(filepath.Join(filepath.Dir(filepath.Clean(dir)), SynonymsFile))
	if err != nil {
		return nil, err
	}
	x := &Index{dir: dir, log: log, segs: newCache(), zone: berlin(), synonyms: syn}
	if _, err := x.Reload(); err != nil {
		return nil, err
	}
	return x, nil
}

// Generation returns the serving generation, "" when there is none.
func (x *Index) Generation() string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.gen
}

// Reload switches to the generation named in "current" when it differs
// from the serving one, closes and removes the old one, and reports
// whether it switched.
func (x *Index) Reload() (bool, error) {
	gen, err := readCurrent(x.dir)
	if err != nil || gen == "" || gen == x.Generation() {
		return false, err
	}
	bi, err := bleve.Open(filepath.Join(x.dir, gen))
	if err != nil {
		return false, fmt.Errorf("open index generation %s: %w", gen, err)
	}
	x.mu.Lock()
	old, oldGen := x.bi, x.gen
	x.bi, x.gen = bi, gen
	x.mu.Unlock()
	if old != nil {
		if err := old.Close(); err != nil {
			x.log.Warn("close old index generation", "generation", oldGen, "err", err)
		}
		if err := os.RemoveAll(filepath.Join(x.dir, oldGen)); err != nil {
			x.log.Warn("remove old index generation", "generation", oldGen, "err", err)
		}
	}
	x.log.Info("search index generation serving", "generation", gen)
	return true, nil
}

// Close closes the serving generation.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.bi == nil {
		return nil
	}
	err := x.bi.Close()
	x.bi, x.gen = nil, ""
	return err
}

// with runs fn on the serving generation under the read lock. Errors:
// council.ErrUnavailable when there is none.
func (x *Index) with(fn func(bi bleve.Index, gen string) error) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.bi == nil {
		return fmt.Errorf("%w: the search index is being built", council.ErrUnavailable)
	}
	return fn(x.bi, x.gen)
}

// Segments is the number of segments of the serving generation's
// current snapshot (one after a rebuild; the Indexer's writes add
// segments until scorch merges them). Errors: council.ErrUnavailable (no
// index yet).
func (x *Index) Segments() (int, error) {
	n := 0
	err := x.with(func(bi bleve.Index, _ string) error {
		var err error
		n, err = scorch.Segments(bi)
		return err
	})
	return n, err
}

// hitFields are the stored fields a page's hits carry.
var hitFields = [...]string{"title", "reference", "status", "date", "parent", "meeting", "matter", "group"}

// newCache returns an empty per-segment cache for an index with the
// mapping of newMapping.
func newCache() *scorch.Cache {
	return scorch.NewCache(scorch.Fields{Facet: "facet", MaxFacets: maxFacetTerms, Date: "date",
		Vis: "vis", Public: VisPublic, Stored: hitFields[:], Group: "group"})
}

// newGeneration creates an empty generation in dir with the mapping for
// words; the caller fills it, closes it and publishes it.
func newGeneration(dir string, words Words) (string, bleve.Index, error) {
	im, err := newMapping(words)
	if err != nil {
		return "", nil, fmt.Errorf("index mapping: %w", err)
	}
	gen := "gen-" + uuid.NewString()
	bi, err := bleve.New(filepath.Join(dir, gen), im)
	if err != nil {
		return "", nil, fmt.Errorf("create index generation: %w", err)
	}
	if err := bi.SetInternal([]byte(layoutKey), []byte(Layout)); err != nil {
		_ = bi.Close()
		return "", nil, fmt.Errorf("create index generation: %w", err)
	}
	return gen, bi, nil
}

// Layout names what a generation holds and how: the fields of
// newMapping and what fills them. A generation of another layout (one
// built by an earlier release) is rebuilt by the Indexer before it
// follows the outbox; it serves until the new one is published.
//
//	2: Doc.Group, identically titled papers as one result (same.go)
//	3: a meeting's day as its text (load.go, meetingDate), committees'
//	   spoken names (committee.go), persons' names unstemmed (field name)
const Layout = "3"

// layoutKey is the internal key of a generation's Layout.
const layoutKey = "plenar_layout"

// Outdated reports whether the serving generation has another Layout
// than this release's; false when there is none.
func (x *Index) Outdated() (bool, error) {
	var old bool
	err := x.with(func(bi bleve.Index, _ string) error {
		v, err := bi.GetInternal([]byte(layoutKey))
		old = string(v) != Layout
		return err
	})
	if errors.Is(err, council.ErrUnavailable) {
		return false, nil
	}
	return old, err
}

// publish makes gen the current generation of dir, atomically.
func publish(dir, gen string) error {
	tmp := filepath.Join(dir, currentFile+".tmp")
	if err := os.WriteFile(tmp, []byte(gen+"\n"), 0o644); err != nil {
		return fmt.Errorf("publish index generation: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, currentFile)); err != nil {
		return fmt.Errorf("publish index generation: %w", err)
	}
	return nil
}

func readCurrent(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read current index generation: %w", err)
	}
	gen := strings.TrimSpace(string(b))
	if !strings.HasPrefix(gen, "gen-") || strings.ContainsAny(gen, `/\`) {
		return "", fmt.Errorf("index directory %s: bad current generation %q", dir, gen)
	}
	return gen, nil
}

// synonymsFor returns x's synonyms analysed with m's query analyser.
func (x *Index) synonymsFor(m mapping.IndexMapping) synonymIndex {
	x.synOnce.Do(func() {
		if an := m.AnalyzerNamed(analyzerDEQuery); an != nil {
			x.syn = x.synonyms.index(an)
		}
	})
	return x.syn
}
