package web

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
)

// Media tokens (migrations 00009, 00010): the bearer tokens of WHIP ingest
// (one per encoder) and of WHEP playback (one per player: the city's
// stream, a restreaming server), per meeting. Only the SHA-256 of a token
// is stored; the token itself is shown once, when the chair or a clerk
// creates it.

// tokenKind is what a media token allows: sending the room's source (WHIP)
// or watching the public programme (WHEP).
type tokenKind string

const (
	tokenWHIP tokenKind = "whip"
	tokenWHEP tokenKind = "whep"
)

func (k tokenKind) valid() bool { return k == tokenWHIP || k == tokenWHEP }

// prefix marks Plenar's media tokens of kind k (secret scanners, logs).
func (k tokenKind) prefix() string { return "plenar_" + string(k) + "_" }

// ingestToken is a stored token without its secret.
type ingestToken struct {
	ID        council.ID `json:"id"`
	Kind      tokenKind  `json:"kind"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by,omitempty"` // the creator's display name
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// ingestTokenPrefix marks Plenar's WHIP tokens.
var ingestTokenPrefix = tokenWHIP.prefix()

func hashIngestToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// createIngestToken stores a new token of kind for meeting and returns it
// (the only time it is seen) with its record.
func (s *Server) createIngestToken(ctx context.Context, meeting, by council.ID, kind tokenKind, label string) (string, ingestToken, error) {
	tok := kind.prefix() + newSecret()
	t := ingestToken{ID: council.NewID(), Kind: kind, Label: label}
	var creator *council.ID
	if by != council.NilID {
		creator = &by
	}
	err := s.pool.QueryRow(ctx, `INSERT INTO media_tokens (id, meeting_id, token_hash, label, created_by, kind)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at`, t.ID, meeting, hashIngestToken(tok), label, creator, kind).Scan(&t.CreatedAt)
	if err != nil {
		return "", ingestToken{}, fmt.Errorf("create ingest token: %w", council.TranslateError(err))
	}
	return tok, t, nil
}

// checkIngestToken reports whether tok is a valid, unrevoked token of
// meeting and kind. Errors: ErrUnauthorized otherwise.
func (s *Server) checkIngestToken(ctx context.Context, meeting council.ID, kind tokenKind, tok string) error {
	if tok == "" {
		return fmt.Errorf("%w: Authorization: Bearer <%s token> required", council.ErrUnauthorized, strings.ToUpper(string(kind)))
	}
	if !strings.HasPrefix(tok, kind.prefix()) || len(tok) > 200 {
		return fmt.Errorf("%w: unknown %s token", council.ErrUnauthorized, strings.ToUpper(string(kind)))
	}
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM media_tokens
		WHERE token_hash = $1 AND meeting_id = $2 AND kind = $3 AND revoked_at IS NULL)`, hashIngestToken(tok), meeting, kind).Scan(&ok)
	if err != nil {
		return fmt.Errorf("check media token: %w", council.TranslateError(err))
	}
	if !ok {
		return fmt.Errorf("%w: unknown or revoked %s token", council.ErrUnauthorized, strings.ToUpper(string(kind)))
	}
	return nil
}

// ingestTokens lists meeting's tokens, newest first.
func (s *Server) ingestTokens(ctx context.Context, meeting council.ID) ([]ingestToken, error) {
	rows, err := s.pool.Query(ctx, `SELECT t.id, t.kind, t.label, t.created_at, COALESCE(u.display_name, ''), t.revoked_at
		FROM media_tokens t LEFT JOIN users u ON u.id = t.created_by
		WHERE t.meeting_id = $1 ORDER BY t.created_at DESC, t.id`, meeting)
	if err != nil {
		return nil, fmt.Errorf("ingest tokens: %w", council.TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ingestToken, error) {
		var t ingestToken
		err := r.Scan(&t.ID, &t.Kind, &t.Label, &t.CreatedAt, &t.CreatedBy, &t.RevokedAt)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("ingest tokens: %w", council.TranslateError(err))
	}
	return out, nil
}

// revokeIngestToken revokes token id of meeting. Errors: ErrNotFound for
// an unknown or already revoked token.
func (s *Server) revokeIngestToken(ctx context.Context, meeting, id council.ID) error {
	tag, err := s.pool.Exec(ctx, `UPDATE media_tokens SET revoked_at = now()
		WHERE id = $1 AND meeting_id = $2 AND revoked_at IS NULL`, id, meeting)
	if err != nil {
		return fmt.Errorf("revoke ingest token: %w", council.TranslateError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("ingest token %s: %w", id, council.ErrNotFound)
	}
	return nil
}

// mayManageMedia checks that the request's viewer may run meeting's
// console (live.Hub.ConsoleRole): a clerk or admin, or the chair — the
// one named at the start, or before it the chair of the meeting's
// organizations. Errors: ErrForbidden otherwise (citizens, members who do
// not chair, members of other bodies); ErrNotFound for an unknown
// meeting.
func (s *Server) mayManageMedia(r *http.Request, meeting council.ID) error {
	if s.opt.Live == nil {
		return council.ErrUnavailable
	}
	a := liveActor(r)
	if a.IsPublic() {
		return council.ErrForbidden
	}
	role, err := s.opt.Live.ConsoleRole(r.Context(), meeting, a)
	if err != nil {
		return hideMissing(err, "meeting", meeting)
	}
	if role != live.RoleChair && role != live.RoleClerk {
		return fmt.Errorf("%w: only the chair or a clerk runs the live console", council.ErrForbidden)
	}
	return nil
}

// ingestTokenList is GET /admin/meetings/{id}/live/tokens (JSON).
func (s *Server) ingestTokenList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.mayManageMedia(r, id); err != nil {
		return err
	}
	list, err := s.ingestTokens(r.Context(), id)
	if err != nil {
		return err
	}
	if list == nil {
		list = []ingestToken{}
	}
	return writeJSONNoStore(w, http.StatusOK, map[string]any{"tokens": list})
}

// ingestTokenCreate is POST /admin/meetings/{id}/live/tokens (JSON, CSRF
// header; form fields kind — whip, the default, or whep — and label): a new
// token, returned once with the endpoint's URL.
func (s *Server) ingestTokenCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
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
	if !kind.valid() {
		return council.Invalidf("kind: whip or whep")
	}
	tok, t, err := s.createIngestToken(r.Context(), id, liveActor(r).UserID, kind, label)
	if err != nil {
		return err
	}
	s.log.Info("media token created", "meeting_id", id, "token_id", t.ID, "kind", kind, "user_id", liveActor(r).UserID)
	return writeJSONNoStore(w, http.StatusCreated, map[string]any{"token": tok, "id": t.ID, "kind": kind, "label": t.Label,
		"url": strings.TrimRight(s.opt.BaseURL, "/") + "/meetings/" + id.String() + "/" + string(kind)})
}

// ingestTokenRevoke is DELETE /admin/meetings/{id}/live/tokens/{token}.
func (s *Server) ingestTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.mayManageMedia(r, id); err != nil {
		return err
	}
	tid, err := urlID(r, "token")
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	if err := s.revokeIngestToken(r.Context(), id, tid); err != nil {
		return err
	}
	s.log.Info("media token revoked", "meeting_id", id, "token_id", tid, "user_id", liveActor(r).UserID)
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
