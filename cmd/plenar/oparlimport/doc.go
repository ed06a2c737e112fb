// Package oparlimport reads another council information system's OParl 1.0
// or 1.1 endpoint and writes its bodies, legislative terms, locations,
// organizations, persons, memberships, meetings, agenda items, papers,
// consultations and file metadata into Plenar's database.
//
// Every imported object keeps its source URL in import_sources together
// with the local id and the source's modified time, written in the same
// transaction as the object; a re-run skips unchanged objects and updates
// changed ones. Each run is recorded in import_runs with its progress per
// list in import_progress, so an interrupted run is continued by the next
// invocation; after a finished run, later runs ask only for objects
// modified since it started (modified_since).
//
// Real servers are sloppy. Problems in the data (placeholders, padded
// whitespace, non-URL links, swapped or stringified GeoJSON, short AGS,
// agenda orders from 1, SD.NET part headers, untyped deleted entries,
// empty lists as 404 or bare arrays, next links that drop filters, objects
// only reachable by link, intermittent server errors) are repaired where
// possible, logged with the object's URL (three times per kind, then
// summarised with examples) and counted in the Summary; one bad object
// never aborts the import. docs/OPARL.md ("Import") lists every quirk with
// the fixture that shows it.
//
// The importer writes no domain table itself: council.ImportStore,
// meetings.ImportStore and documents.Store's import functions write the
// objects with the same validation as the normal stores, their source
// mapping and their outbox and audit rows; an object they refuse is logged
// and counted as failed. OParl's free-text paperType and organizationType
// keep the source's label and are mapped by ordered tables (papertype.go);
// an unknown label becomes "other". A full run reconciles: what the
// complete lists no longer contain is marked deleted, within a safety
// limit. A URL that does not serve an OParl System is refused with
// ErrNotOParl before anything is written.
//
// File metadata and its links are kept in import_files (the source id
// mapping of files, with file_id the local file). The file phase
// (Options.Files: now, later, skip) downloads the blobs of new and changed
// files concurrently, bounded per host, with a circuit breaker per host
// (downloads.go), and streams them into documents.Store.Upload, which
// checks the content; the local file is public and linked to the imported
// paper, meeting or agenda item in its role. Files left pending (failed,
// deferred, skipped) are fetched by the next run or by FileJob, which
// serve runs. Unchanged files are skipped (same modified, or same sha512
// with only new links); a changed file becomes a new version (master_id)
// of the old one, which is deleted; deleted sources delete the local file.
package oparlimport
