// Package media orchestrates the live media of this process's live
// sessions: it wires the SFU (meetings/sfu) to the live hub
// (meetings/live). One driver per meeting whose room is in use follows
// the session's events and sets the room's floor, chair, public switch
// and the members cleared in the non-public part; a member's peer going
// up or down is reported to live.Presence (remote attendance follows the
// media connection); WHIP ingest and WHEP playback peers are held as
// resources and ended when their media token is revoked; the ICE
// servers, TURN credentials, the per-address limit of ICE requests and
// the admission of new viewers (node, meeting and address budgets that
// scale with the node's viewer capacity) are decided here. See
// docs/ARCHITECTURE.md, "Live media".
//
// Service is the one owner of all of it, with Run(ctx) and Close(). It is
// the home of the planned "one media node per meeting" lease: today every
// node may drive a meeting's room, so a deployment with several nodes
// must route a meeting's media to one of them; the lease will let a
// Service take a meeting only while it holds it.
//
// It speaks the SFU's API only: pion stays in meetings/sfu. It must not
// import net/http, web or search; transport (HTTP, websockets, JSON) is
// web's (web/live_*.go).
package media
