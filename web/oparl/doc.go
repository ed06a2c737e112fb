// Package oparl serves Plenar's public data as an OParl 1.1 API
// (https://oparl.org): the System object at /oparl/v1.1/system, the Body
// list, every Body's lists and every object at its canonical id URL.
//
// It owns its response types, so the standard's quirks (German free-text
// states, embedded objects, back-references only on objects fetched on
// their own, date-times with the Europe/Berlin offset) never leak into the
// domain packages. Lists are in (modified, id) order with keyset
// pagination; a page costs a count, the page query and one batched query
// per kind of embedded child.
//
// Only public data appears: persons without their contact data, papers
// that are public and submitted, public agenda items of published agendas
// (and the consultations of published papers). Soft-deleted objects are
// answered as tombstones (id, type, created, modified, deleted) at their
// URL and in lists filtered by modified_since; they are never embedded.
//
// The package reads through the council and meetings stores. Its errors
// take their HTTP status from web/httperr, the table web's pages use too.
// It must not import package web or cmd.
package oparl
