// Package council is Plenar's root domain: ids, error kinds, users and
// roles, the body (municipality), legislative terms, organizations,
// persons, memberships, locations, papers and consultations, and the
// outbox/audit trail that every change writes.
//
// Domain types carry no HTTP, JSON or driver concerns; pgx appears only in
// the *_store.go files. council imports no other Plenar package.
package council
