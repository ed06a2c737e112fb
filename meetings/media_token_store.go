package meetings

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// Media tokens (migrations 00009, 00010): the bearer tokens of WHIP ingest
// (one per encoder) and of WHEP playback (one per player), per meeting.
// Only the SHA-256 of a token is stored; this store is the only writer of
// table media_tokens, and every creation and revocation writes an audit
// row (council.Record, entity "media_token").

// MediaTokenKind is what a media token allows: sending the room's source
// (WHIP) or watching the public programme (WHEP).
type MediaTokenKind string

// Media token kinds.
const (
	MediaWHIP MediaTokenKind = "whip"
	MediaWHEP MediaTokenKind = "whep"
)

// Valid reports whether k is a known kind.
func (k MediaTokenKind) Valid() bool { return k == MediaWHIP || k == MediaWHEP }

// MediaToken is a stored media token without its secret.
type MediaToken struct {
	ID        council.ID
	MeetingID council.ID
	Kind      MediaTokenKind
	Label     string
	CreatedAt time.Time
	CreatedBy string // the creator's display name; "" when unknown
	RevokedAt time.Time
}

func hashMediaToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// CreateMediaToken stores token (the secret, shown once to its creator)
// as a new media token of kind for meeting, created by by (NilID: the
// system). Errors: ErrInvalid (unknown kind or meeting, label too long),
// ErrConflict (the token exists).
func (s *Store) CreateMediaToken(ctx context.Context, meeting, by council.ID, kind MediaTokenKind, label, token string) (MediaToken, error) {
	if !kind.Valid() {
		return MediaToken{}, council.Invalidf("kind: whip or whep")
	}
	t := MediaToken{ID: council.NewID(), MeetingID: meeting, Kind: kind, Label: label}
	var creator *council.ID
	if by != council.NilID {
		creator = &by
	}
	err := council.Tx(ctx, s.db, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO media_tokens (id, meeting_id, token_hash, label, created_by, kind)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at`, t.ID, meeting, hashMediaToken(token), label, creator, kind).Scan(&t.CreatedAt)
		if err != nil {
			return council.TranslateError(err)
		}
		return council.Record(ctx, tx, "media_token", t.ID, council.OpCreate,
			map[string]any{"MeetingID": meeting, "Kind": kind, "Label": label})
	})
	if err != nil {
		return MediaToken{}, fmt.Errorf("create media token: %w", err)
	}
	return t, nil
}

// MediaTokenID returns the id of token when it is a valid, unrevoked
// token of meeting and kind. Errors: ErrNotFound otherwise.
func (s *Store) MediaTokenID(ctx context.Context, meeting council.ID, kind MediaTokenKind, token string) (council.ID, error) {
	var id council.ID
	err := s.db.QueryRow(ctx, `SELECT id FROM media_tokens
		WHERE token_hash = $1 AND meeting_id = $2 AND kind = $3 AND revoked_at IS NULL`, hashMediaToken(token), meeting, kind).Scan(&id)
	if err != nil {
		return council.NilID, fmt.Errorf("media token: %w", council.TranslateError(err))
	}
	return id, nil
}

// RevokedMediaTokens returns those of ids that are revoked or no longer
// exist: the streams opened with them must end.
func (s *Store) RevokedMediaTokens(ctx context.Context, ids []council.ID) ([]council.ID, error) {
	rows, err := s.db.Query(ctx, `SELECT x FROM unnest($1::uuid[]) x
		WHERE NOT EXISTS (SELECT 1 FROM media_tokens t WHERE t.id = x AND t.revoked_at IS NULL)`, ids)
	if err != nil {
		return nil, fmt.Errorf("revoked media tokens: %w", council.TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[council.ID])
	if err != nil {
		return nil, fmt.Errorf("revoked media tokens: %w", council.TranslateError(err))
	}
	return out, nil
}

// MediaTokens lists meeting's media tokens, newest first.
func (s *Store) MediaTokens(ctx context.Context, meeting council.ID) ([]MediaToken, error) {
	rows, err := s.db.Query(ctx, `SELECT t.id, t.meeting_id, t.kind, t.label, t.created_at, COALESCE(u.display_name, ''), t.revoked_at
		FROM media_tokens t LEFT JOIN users u ON u.id = t.created_by
		WHERE t.meeting_id = $1 ORDER BY t.created_at DESC, t.id`, meeting)
	if err != nil {
		return nil, fmt.Errorf("media tokens: %w", council.TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MediaToken, error) {
		var t MediaToken
		var revoked *time.Time
		err := r.Scan(&t.ID, &t.MeetingID, &t.Kind, &t.Label, &t.CreatedAt, &t.CreatedBy, &revoked)
		if revoked != nil {
			t.RevokedAt = *revoked
		}
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("media tokens: %w", council.TranslateError(err))
	}
	return out, nil
}

// MediaTokensChannel is the PostgreSQL notification channel on which
// revoked media tokens are announced at commit, payload
// "<meeting id>:<token id>": every process ends the streams it holds
// that were opened with the token.
const MediaTokensChannel = "plenar_media_tokens"

// ParseRevokedToken reads a MediaTokensChannel payload. Errors:
// ErrInvalid.
func ParseRevokedToken(payload string) (meeting, token council.ID, err error) {
	m, t, ok := strings.Cut(payload, ":")
	if !ok {
		return council.NilID, council.NilID, council.Invalidf("media token notification %q", payload)
	}
	if meeting, err = council.ParseID(m); err != nil {
		return council.NilID, council.NilID, err
	}
	if token, err = council.ParseID(t); err != nil {
		return council.NilID, council.NilID, err
	}
	return meeting, token, nil
}

// RevokeMediaToken revokes token id of meeting and announces it on
// MediaTokensChannel. Errors: ErrNotFound for an unknown or already
// revoked token.
func (s *Store) RevokeMediaToken(ctx context.Context, meeting, id council.ID) error {
	err := council.Tx(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE media_tokens SET revoked_at = now()
			WHERE id = $1 AND meeting_id = $2 AND revoked_at IS NULL`, id, meeting)
		if err != nil {
			return council.TranslateError(err)
		}
		if tag.RowsAffected() == 0 {
			return council.ErrNotFound
		}
		if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, MediaTokensChannel, meeting.String()+":"+id.String()); err != nil {
			return council.TranslateError(err)
		}
		return council.Record(ctx, tx, "media_token", id, council.OpUpdate, map[string]any{"MeetingID": meeting, "revoked": true})
	})
	if err != nil {
		return fmt.Errorf("revoke media token %s: %w", id, err)
	}
	return nil
}
