package scorch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	bscorch "github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
)

// Compact merges the freshly built index bi (in the directory path) into
// one segment (Lucene's forceMerge after a bulk load). A bulk load leaves
// the index in about ten segments of the merge policy's tiers, and every
// query pays per segment: a dictionary lookup per term, postings
// iterators, facet arrays. One segment halves the index part of a query
// at full size (docs/BENCHMARKS.md). Later small segments merge by the
// normal policy.
//
// scorch deletes the merged-away segment files in its persister's idle
// loop; Compact waits for that (up to compactCleanup), so the index does
// not keep the old files, twice its size, until the next write. When the
// persister went idle while the old snapshot was still in use (a reader,
// the merger's own reference), nothing wakes it again: Compact then
// writes an internal key once a second, which is such a write.
func Compact(ctx context.Context, bi bleve.Index, path string) error {
	ai, err := bi.Advanced()
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	s, ok := ai.(*bscorch.Scorch)
	if !ok {
		return fmt.Errorf("compact: index is %T, not scorch", ai)
	}
	opts := mergeplan.SingleSegmentMergePlanOptions
	if err := s.ForceMerge(ctx, &opts); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	deadline := time.Now().Add(compactCleanup)
	nudge := time.Now().Add(time.Second)
	for {
		n, err := segmentFiles(path)
		if err != nil {
			return fmt.Errorf("compact: %w", err)
		}
		if n <= 1 || time.Now().After(deadline) {
			return nil
		}
		if time.Now().After(nudge) {
			if err := bi.SetInternal([]byte(compactedKey), []byte(time.Now().UTC().Format(time.RFC3339Nano))); err != nil {
				return fmt.Errorf("compact: %w", err)
			}
			nudge = time.Now().Add(time.Second)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("compact: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// compactedKey is the internal key Compact writes to wake scorch's
// persister (the time of the write; nothing reads it).
const compactedKey = "plenar:compacted"

// compactCleanup bounds Compact's wait for scorch to delete merged-away
// segment files.
const compactCleanup = 30 * time.Second

// segmentFiles counts the segment files (*.zap) of the scorch index in
// path.
func segmentFiles(path string) (int, error) {
	ents, err := os.ReadDir(filepath.Join(path, "store"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".zap") {
			n++
		}
	}
	return n, nil
}

// Segments is the number of segments of bi's current snapshot.
func Segments(bi bleve.Index) (int, error) {
	is, err := snapshot(bi)
	if err != nil {
		return 0, err
	}
	defer is.Close()
	return len(is.Segments()), nil
}
