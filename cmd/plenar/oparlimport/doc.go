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
// agenda orders from 1, untyped deleted entries, empty lists as 404 or
// bare arrays, next links that drop filters, objects only reachable by
// link, intermittent server errors) are repaired where possible, logged
// with the object's URL and counted in the Summary; one bad object never
// aborts the import. OParl's paperType is free text: it is read into one
// of Plenar's paper types by an ordered rule list (papertype.go), and a
// name no rule knows becomes an Informationsvorlage, logged as
// "paper-type-unknown". Plenar keeps no copy of the source's text. A URL that does not serve an OParl System is refused
// with ErrNotOParl before anything is written.
//
// File metadata and its links are kept in import_files (the source id
// mapping of files, with file_id the local file). With Options.Docs, each
// run then downloads the blobs of new and changed files (downloadUrl, else
// accessUrl; server errors retried with backoff) and streams them into
// documents.Store.Upload, which checks the content; the local file is
// public and linked to the imported paper, meeting or agenda item in its
// role. Unchanged files are skipped (same modified, or same sha512 with
// only new links); a changed file becomes a new version (master_id) of
// the old one, which is deleted; deleted sources delete the local file.
// A failed download ("file-download-failed") or a refused file
// ("file-rejected") is logged and counted and retried by the next run.
package oparlimport
