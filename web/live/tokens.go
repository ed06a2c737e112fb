package liveweb

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/web/site"
)

// Media tokens (meetings.MediaToken; the store is meetings/
// media_token_store.go): the bearer tokens of WHIP ingest and of WHEP
// playback, per meeting. The token itself is shown once, when the chair or
// a clerk creates it. Revoking a token ends the streams opened with it at
// once: on this node directly, on the others through the revocation's
// notification (media.Service.Run), and at the latest within
// media.DefaultTokenCheck.

// tokenKind is what a media token allows: sending the room's source (WHIP)
// or watching the public programme (WHEP).
type tokenKind = meetings.MediaTokenKind

const (
	tokenWHIP = meetings.MediaWHIP
	tokenWHEP = meetings.MediaWHEP
)

// TokenPrefix marks Plenar's media tokens of kind k (secret scanners, logs).
func TokenPrefix(k meetings.MediaTokenKind) string { return "plenar_" + string(k) + "_" }

// ingestToken is a stored token without its secret, as the console's
// JSON shows it.
type ingestToken struct {
	ID        council.ID `json:"id"`
	Kind      tokenKind  `json:"kind"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by,omitempty"` // the creator's display name
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

func ingestTokenOf(t meetings.MediaToken) ingestToken {
	out := ingestToken{ID: t.ID, Kind: t.Kind, Label: t.Label, CreatedAt: t.CreatedAt, CreatedBy: t.CreatedBy}
	if !t.RevokedAt.IsZero() {
		r := t.RevokedAt
		out.RevokedAt = &r
	}
	return out
}

// createIngestToken stores a new token of kind for meeting and returns it
// (the only time it is seen) with its record.
func (s *server) createIngestToken(ctx context.Context, meeting, by council.ID, kind tokenKind, label string) (string, ingestToken, error) {
	tok := TokenPrefix(kind) + newSecret()
	t, err := s.Meetings.CreateMediaToken(ctx, meeting, by, kind, label, tok)
	if err != nil {
		return "", ingestToken{}, err
	}
	return tok, ingestTokenOf(t), nil
}

// checkIngestToken returns the id of tok when it is a valid, unrevoked
// token of meeting and kind. Errors: ErrUnauthorized otherwise.
func (s *server) checkIngestToken(ctx context.Context, meeting council.ID, kind tokenKind, tok string) (council.ID, error) {
	if tok == "" {
		return council.NilID, fmt.Errorf("%w: Authorization: Bearer <%s token> required", council.ErrUnauthorized, strings.ToUpper(string(kind)))
	}
	if !strings.HasPrefix(tok, TokenPrefix(kind)) || len(tok) > 200 {
		return council.NilID, fmt.Errorf("%w: unknown %s token", council.ErrUnauthorized, strings.ToUpper(string(kind)))
	}
	id, err := s.Meetings.MediaTokenID(ctx, meeting, kind, tok)
	if errors.Is(err, council.ErrNotFound) {
		return council.NilID, fmt.Errorf("%w: unknown or revoked %s token", council.ErrUnauthorized, strings.ToUpper(string(kind)))
	}
	return id, err
}

// revokeIngestToken revokes token id of meeting and ends the streams this
// node opened with it. Errors: ErrNotFound for an unknown or already
// revoked token.
func (s *server) revokeIngestToken(ctx context.Context, meeting, id council.ID) error {
	if err := s.Meetings.RevokeMediaToken(ctx, meeting, id); err != nil {
		return err
	}
	if s.Media != nil {
		s.Media.Revoked(meeting, id)
	}
	return nil
}

// mayManageMedia checks that the request's viewer may run meeting's
// console (live.Hub.ConsoleRole): a clerk or admin, or the chair — the
// one named at the start, or before it the chair of the meeting's
// organizations. Errors: ErrForbidden otherwise (citizens, members who do
// not chair, members of other bodies); ErrNotFound for an unknown
// meeting.
func (s *server) mayManageMedia(r *http.Request, meeting council.ID) error {
	if s.Live == nil {
		return council.ErrUnavailable
	}
	a := s.actor(r)
	if a.IsPublic() {
		return council.ErrForbidden
	}
	role, err := s.Live.ConsoleRole(r.Context(), meeting, a)
	if err != nil {
		return site.HideMissing(err, "meeting", meeting)
	}
	if role != live.RoleChair && role != live.RoleClerk {
		return fmt.Errorf("%w: only the chair or a clerk runs the live console", council.ErrForbidden)
	}
	return nil
}

// ingestTokenList is GET /admin/meetings/{id}/live/tokens (JSON).
func (s *server) ingestTokenList(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	if err := s.mayManageMedia(r, id); err != nil {
		return err
	}
	stored, err := s.Meetings.MediaTokens(r.Context(), id)
	if err != nil {
		return err
	}
	list := make([]ingestToken, 0, len(stored))
	for _, t := range stored {
		list = append(list, ingestTokenOf(t))
	}
	return writeJSONNoStore(w, http.StatusOK, map[string]any{"tokens": list})
}

// ingestTokenCreate is POST /admin/meetings/{id}/live/tokens (JSON, CSRF
// header; form fields kind — whip, the default, or whep — and label): a new
// token, returned once with the endpoint's URL.
func (s *server) ingestTokenCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	if err := s.mayManageMedia(r, id); err != nil {
		return err
	}
	label := strings.TrimSpace(r.FormValue("label"))
	if len([]rune(label)) > 200 {
		return council.Invalidf("label: at most 200 characters")
	}
	kind := tokenKind(r.FormValue("kind"))
	if kind == "" {
		kind = tokenWHIP
	}
	if !kind.Valid() {
		return council.Invalidf("kind: whip or whep")
	}
	tok, t, err := s.createIngestToken(r.Context(), id, s.actor(r).UserID, kind, label)
	if err != nil {
		return err
	}
	s.Log.Info("media token created", "meeting_id", id, "token_id", t.ID, "kind", kind, "user_id", s.actor(r).UserID)
	return writeJSONNoStore(w, http.StatusCreated, map[string]any{"token": tok, "id": t.ID, "kind": kind, "label": t.Label,
		"url": strings.TrimRight(s.BaseURL, "/") + "/meetings/" + id.String() + "/" + string(kind)})
}

// ingestTokenRevoke is DELETE /admin/meetings/{id}/live/tokens/{token}.
func (s *server) ingestTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	if err := s.mayManageMedia(r, id); err != nil {
		return err
	}
	tid, err := site.URLID(r, "token")
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	if err := s.revokeIngestToken(r.Context(), id, tid); err != nil {
		return err
	}
	s.Log.Info("media token revoked", "meeting_id", id, "token_id", tid, "user_id", s.actor(r).UserID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func writeJSONNoStore(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// newSecret returns 32 random bytes, URL-safe base64: the secret part of
// a media token.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
