// Package migrations owns Plenar's PostgreSQL schema: numbered SQL files,
// embedded into the binary and applied with goose by "plenar migrate" and at
// start-up. It also reports whether a database is at the schema this binary
// expects, so that serve refuses to run on an old schema.
//
// It imports no other Plenar package.
package migrations
