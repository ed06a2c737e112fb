// Package scorch holds everything of package search that relies on the
// internals of bleve's scorch index rather than on bleve's public API:
// reading snapshots and their segments, postings and dictionaries, to
//
//   - collect a search's hits and count its facets (Collect), from
//     arrays derived once per immutable segment (Cache);
//   - match prefixes and explicit term lists with constant scores
//     (TermsQuery): unions of postings bitmaps, not term searchers;
//   - find a misspelt word's neighbours in the dictionaries, counting
//     only documents a viewer may see (Snapshot.Similar);
//   - merge a freshly built index into one segment (Compact).
//
// Every shortcut here has an oracle test that compares its result with
// bleve's own on the same index: Collect with bleve's TopN collector and
// facet builder (Reference, which package search's tests use too, on
// Plenar's mapping), TermsQuery with bleve's prefix and term queries,
// Compact with the documents found before it.
//
// The package knows nothing of Plenar's documents: the fields it reads
// (facet values, dates, visibility) are named by the caller (Fields),
// and which documents a viewer may not see is the caller's to say. Only
// package search imports it; it imports bleve, scorch's segment API,
// roaring and vellum, and nothing of Plenar.
package scorch
