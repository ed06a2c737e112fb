// Command plenar is Plenar's single binary.
//
// "plenar help" lists every subcommand and every PLENAR_* environment
// variable. It is written from the tables the program itself uses —
// commands() in commands.go, which run dispatches from, and envVars() in
// help.go, which takes the variables with a flag from settings() in
// config.go — so this comment does not repeat them.
// TestHelpListsEverything checks that the help names every command and
// every PLENAR_* name in the source, and that README.md's configuration
// tables agree. Flags win over variables. Bad flags or values exit with
// status 2, other failures with 1.
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
// server's configuration from the environment, and wires the packages
// together (docs/ARCHITECTURE.md, "Packages"). Nothing imports it.
package main
