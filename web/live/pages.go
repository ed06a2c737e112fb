package liveweb

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// liveRoutes registers the live-session routes: the websocket, the
// public live page, the member's view and the chair/clerk console.
func (s *server) liveRoutes(r chi.Router) {
	r.Get("/meetings/{id}/live/ws", s.liveWS)          // ws.go
	r.Get("/meetings/{id}/live/ice", s.API(s.liveICE)) // ice.go
	r.With(site.NoStore).Get("/meetings/{id}/live", s.Handle(s.livePage("public")))
	r.With(site.NoStore).Get("/meetings/{id}/live/member", s.Handle(s.livePage("member")))
	r.With(site.NoStore).Get("/admin/meetings/{id}/live", s.Handle(s.livePage("console")))
	// Ingest tokens for WHIP (tokens.go): the chair or a clerk.
	r.Get("/admin/meetings/{id}/live/tokens", s.API(s.ingestTokenList))
	r.Post("/admin/meetings/{id}/live/tokens", s.API(s.ingestTokenCreate))
	r.Delete("/admin/meetings/{id}/live/tokens/{token}", s.API(s.ingestTokenRevoke))
	s.mediaRoutes(r) // whip.go: WHIP and WHEP
}

// livePageData is what the live templates see.
type livePageData struct {
	Meeting meetings.Meeting
	Mode    string // public, member, console
	WSPath  string
	I18n    string // JSON of the strings live.js needs (a data attribute)
	// MyQuestions: on the public page of a signed-in citizen, the ids of
	// their questions for this meeting (comma-separated): the page offers
	// them the microphone when the chair gives one of them the floor.
	MyQuestions string
}

// liveJSKeys are the translations the browser script uses.
func liveJSKeys() []string {
	return []string{
		"live.connected", "live.reconnecting", "live.nonpublic_notice", "live.not_started", "live.closed",
		"live.mode.room", "live.mode.remote", "live.mode.absent", "live.quorate", "live.not_quorate",
		"live.quorum_line", "live.check_in", "live.check_out", "live.grant", "live.end_floor", "live.withdraw",
		"live.kind.first", "live.kind.second", "live.kind.point_of_order", "live.none", "live.item_changed",
		"live.part.public", "live.part.non_public", "live.confirm_part", "live.error", "live.remaining", "live.item_caption",
		"live.move_up", "live.move_down", "live.quorum_why", "live.gallery.floor", "live.gallery.queued", "live.media.speaker_testing",
		"live.conflicted", "live.confirmed", "live.state.running", "live.state.invited", "live.state.closed",
		"live.seconds", "live.confirm_close", "live.confirm_conflict", "live.confirm_prompt_title",
		"live.media.waiting",
		"live.media.idle",
		"live.media.speaker",
		"live.media.speaker_name",
		"live.media.room",
		"live.media.sound_on",
		"live.media.own",
		"live.media.camera",
		"live.media.microphone",
		"live.media.default_device",
		"live.media.preview",
		"live.media.level",
		"live.media.test",
		"live.media.join",
		"live.media.leave",
		"live.media.mute",
		"live.media.unmute",
		"live.media.camera_off",
		"live.media.camera_on",
		"live.media.connected_member",
		"live.media.connected",
		"live.media.failed",
		"live.media.connecting",
		"live.media.testing",
		"live.media.no_devices",
		"live.media.mic_on",
		"live.media.mic_off",
		"live.media.paused",
		"live.media.refused",
		"live.media.online",
		"live.unconfirmed",
		"live.resolve_repeat",
		"live.resolve_continue",
		"live.resolution.repeat",
		"live.resolution.continue",
		"live.complaint_pending",
		"live.complaint_resolved",
		"live.ingest_active",
		"live.ingest_revoked",
		"live.ingest_revoke",
		"live.ingest_unnamed",
		"live.ingest_confirm_revoke",
		"live.ingest_none",
		"live.ingest_revoked_done",
		"live.ingest_kind_whip",
		"live.ingest_kind_whep",
		"live.confirmed_own",
		"live.name", "live.presence", "live.actions",
		"live.hand.pending", "live.hand.queued", "live.hand.floor",
		"live.public_gets.none", "live.public_gets.cut", "live.public_gets.stream",
		"live.media.ended", "live.media.nobody", "live.media.console_idle", "live.media.connected_guest",
		meetings.NonPublicTitle, // the public's title of a non-public item (a key)
	}
}

// jsKeys are the translations the live page hands to its script:
// liveJSKeys and every key of the groups of votes, error messages and the
// public's player among keys (the catalogue's).
func jsKeys(keys []string) []string {
	out := liveJSKeys()
	for _, k := range keys {
		if strings.HasPrefix(k, "live.vote.") || strings.HasPrefix(k, "live.err.") || strings.HasPrefix(k, "live.slate.") ||
			strings.HasPrefix(k, "live.player.") || strings.HasPrefix(k, "live.attendance.") || strings.HasPrefix(k, "live.monitor.") ||
			strings.HasPrefix(k, "live.roster.") || strings.HasPrefix(k, "live.recording.") ||
			strings.HasPrefix(k, "live.questions.") || strings.HasPrefix(k, "live.guest.") {
			out = append(out, k)
		}
	}
	return out
}

func (s *server) livePage(mode string) site.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := site.PathID(r)
		if err != nil {
			return err
		}
		st := s.State(r)
		if mode != "public" && st.Viewer.IsPublic() {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return nil
		}
		m, err := s.Meetings.Meeting(r.Context(), id)
		if err != nil || m.Deleted {
			return site.NotFound("meeting", id)
		}
		if mode == "console" {
			// The console is the chair's and the clerks', like the back
			// office: anyone else gets 403, not an empty console.
			if err := s.mayManageMedia(r, id); err != nil {
				return err
			}
		}
		strs := make(map[string]string, len(s.jsKeys))
		for _, k := range s.jsKeys {
			strs[k] = s.I18n.T(st.Lang, k)
		}
		b, err := json.Marshal(strs)
		if err != nil {
			return err
		}
		data := livePageData{Meeting: m, Mode: mode, WSPath: "/meetings/" + id.String() + "/live/ws", I18n: string(b)}
		if v := st.Viewer; mode == "public" && !v.IsPublic() {
			mine, err := s.Meetings.MyQuestions(r.Context(), v.UserID)
			if err != nil {
				return err
			}
			var ids []string
			for _, q := range mine {
				if q.MeetingID == m.ID {
					ids = append(ids, q.ID.String())
				}
			}
			data.MyQuestions = strings.Join(ids, ",")
		}
		s.Render(w, r, http.StatusOK, "live", data)
		return nil
	}
}
