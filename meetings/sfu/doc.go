// Package sfu is the selective forwarding unit of a live council session: one
// WebRTC peer connection per participant (pion), floor-gated audio, fixed
// "program slots" that switch sources without renegotiation, and WHIP ingest
// and WHEP viewing.
//
// It is the only package that imports pion. It knows nothing about the
// database, HTTP or the live hub: package meetings/media drives it — the web
// layer carries the signalling messages ([Signal]) over its websocket, and
// meetings/media calls [Room.SetFloor], [Room.SetChair], [Room.SetPublic] and
// [Room.SetRestricted] (the non-public part: only members who confirmed take
// part) from the hub's events.
//
// Forwarding. Every published track (a member's microphone or camera, the
// room's audio and video from WHIP) is a source with one reader goroutine and
// one shared ring buffer of recent packets. Every receiving peer has one output
// track per program slot; a source writes a packet to each output routed to it
// with that output's own sequence number and timestamp offsets, so an output
// switches from one source to another without a new offer. Routing is
// recomputed under the room's lock whenever the floor, chair, publicity or the
// set of peers change, and published to the sources as an immutable slice.
// NACKs from subscribers are answered from the source's ring buffer (no
// per-subscriber copies); PLI/FIR are forwarded to the slot's current source.
//
// Negotiation. For member and viewer peers the server is the only offerer: at
// most one offer is in flight per peer and a burst of changes is debounced
// into one offer. WHIP and WHEP are one-shot client offers.
//
// The package must not import web, live or any store.
package sfu
