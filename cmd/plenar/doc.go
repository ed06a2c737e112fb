// Command plenar is Plenar's single binary.
//
//	plenar serve [--demo]      run the web server (default :8080)
//	plenar migrate             apply database migrations
//	plenar demo                fill an empty database with the demo city and its documents
//	plenar user add|list|reset-password|reset-2fa|disable|enable
//	plenar version             print the version
//
// Configuration comes from flags and PLENAR_* environment variables (flags
// win) into one Config: PLENAR_ADDR, PLENAR_BASE_URL, PLENAR_DATABASE_URL,
// PLENAR_DATA_DIR, PLENAR_LOG_FORMAT, PLENAR_LOG_LEVEL, PLENAR_METRICS_TOKEN.
// Bad flags or values exit with status 2, other failures with 1.
//
// Without PLENAR_DATABASE_URL, plenar runs a private PostgreSQL cluster in
// the data directory (package pgcluster). "serve" locks the data directory,
// so a second server on the same directory refuses to start; the other
// commands then use the running server's cluster.
//
// "serve --demo" seeds the demo city before it listens and then renders
// the demo's documents (papers, attachments, invitations, minutes) into
// <data dir>/files in the background while it serves (demo.SeedDocuments);
// "plenar demo" does both in the foreground.
//
// This package is the only place that builds the slog handler, reads the
// environment, and wires the packages together. Nothing imports it.
package main
