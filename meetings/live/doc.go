// Package live runs council sessions while they happen: one live state per
// running meeting (current agenda item, public or non-public part, roster
// and attendance, quorum, speakers' list and floor, complaints) and the
// fan-out of its events to subscribers by audience (public, members,
// staff).
//
// PostgreSQL is the only state. A command (Hub.Do) is one transaction that
// locks the meeting's live_sessions row, writes the domain rows and one or
// more rows of the append-only event log with the next sequence numbers,
// and NOTIFYs "plenar_live" (delivered by PostgreSQL at commit). Every Hub
// LISTENs on a dedicated connection, reads new events from the log and
// hands them to its subscribers, so several processes share one session and
// a restart loses no acknowledged state. Subscribers get a snapshot, then
// events; they resume from their last sequence number.
//
// Commands are a table (commandTable in commands.go): each command's spec
// says who may give it, how its arguments are read from a client message,
// the function that runs it in the transaction and the events it may
// emit; the topic files (session.go, attendance.go, floor.go,
// complaints.go) hold the specs, and the store files (*_store.go) hold
// every SQL statement of the package. Adding a command is one spec entry,
// one store function and one test (see commandTable for an example).
//
// The package is transport-neutral: protocol.go defines the versioned JSON
// messages the web layer carries over a websocket. It must not import
// net/http, web, search, documents or the SFU. Media drives attendance
// through Presence: meetings/media reports a member's SFU connection up or
// down and Presence gives join_remote/leave_remote as the system actor (no
// client may), with a grace period for short drops. MediaView turns the
// events back into what the SFU needs (floor, chair, public). Attendance
// per agenda item for the minutes comes from Hub.AttendanceByItem.
package live
