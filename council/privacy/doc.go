// Package privacy carries out the data-protection duties of Plenar
// (DSGVO; docs/DOMAIN.md, "Retention of personal data";
// docs/ARCHITECTURE.md, "Privacy"): the data classes of personal data and
// how long each is kept (Classes, retention_rules), the one daily job that
// deletes or pseudonymises what has expired (Job), the export of all of a
// user's data (Store.Export, driven by the list exportSections) and the
// erasure of an account (Store.Erase), which keeps the public record under
// a pseudonym.
//
// privacy imports only council of Plenar; pgx appears only in the
// *_store.go files. Data outside PostgreSQL (the recordings' blobs) is
// expired by a Task the caller hands the Job.
package privacy
