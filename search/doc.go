// Package search owns Plenar's full-text search: the bleve index and its
// mapping with German analysis (stop words, umlaut/ß folding, light
// stemming and dictionary-based compound splitting), the indexer that
// follows the outbox, the rebuild of the index from PostgreSQL, and
// queries with filters, facets, highlights and visibility.
//
// Indexed are papers, agenda items, meetings, persons, organizations and
// attached files (their extracted text, as documents of type file that
// link to their paper, meeting or agenda item and are visible exactly as
// documents.Store.Access decides for the portal). The index stores no
// text: snippets are cut from the text of the page's hits, which the
// re-check against PostgreSQL reads anyway (highlight.go).
//
// The index is derived data: it lives in <data dir>/index, one directory
// per generation, and a lost index loses nothing (Rebuild recreates it).
// Every query is filtered by visibility, so a viewer never meets a
// document they may not see, in hits, totals, facets or snippets: for
// members and staff a non-scoring bleve filter; for viewers who see only
// public documents, scorch.Collect's test of each hit against the segment's
// vis=public postings bitmap, before the hit is counted or kept. A
// rebuilt generation is merged into one segment before it serves.
//
// search (with its internal package scorch) is the only package that
// imports bleve; searchbench does not. It reads PostgreSQL
// directly (batched SELECTs over the domain tables) and imports council
// for ids and viewers; it must not import web or cmd.
//
// The one piece of global state is bleve's analysis registry: the
// compound splitter registers its constructor there in init, the way
// bleve's own token filters do; its configuration (the word list) lives
// in each index's mapping. The system word list is cut to the words that
// begin or end another word (compound parts) to keep that mapping small.
//
// Searches collect their hits themselves (scorch.Collect): facet values
// and dates are read from per-segment arrays built once per immutable
// scorch segment, instead of bleve's per-hit doc-value visits. Prefixes
// and typo expansions are constant-score queries (scorch.TermsQuery):
// unions of postings bitmaps, not scored term by term. Everything that
// relies on scorch's internals (snapshots, segments, their dictionaries
// and postings) lives in search/internal/scorch, with the oracle tests
// that compare it with bleve's own results; search itself uses bleve's
// public API. The index analyser adds word pairs of frequent words
// (shingle.go), so that a phrase of common words is a term lookup, not a
// position check.
//
// A search shows one result per matter (matter.go): a paper, its agenda
// items and its files share the keyword field "matter", and
// scorch.Collect keeps the best hit of each; facets still count
// documents. Query words also find their compound parts and runs of
// parts (analysis.go), their synonyms (synonyms.go) and, when the exact
// words find little, compounds written apart, typos and documents with
// only some of the words (query.go, docs/ARCHITECTURE.md, Search). A word
// that is a reference number as people type it (0123/25, F67/25,
// V 0123/25) finds the paper by its reference (reference.go).
//
// Suggestions ("did you mean", autocomplete) read the field "pub", which
// only public documents fill, and confirm every candidate with a count
// query over public documents. The benchmark behind `plenar bench
// search` and its corpus are package searchbench (docs/BENCHMARKS.md);
// it uses the exported bulk Build and Index.Find.
package search
