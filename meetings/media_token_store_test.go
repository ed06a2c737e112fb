package meetings_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// TestMediaTokens: a token is found by its secret for its meeting and
// kind only, until it is revoked; creation and revocation leave an
// outbox and an audit row; RevokedMediaTokens names the revoked and the
// unknown ones; an unknown kind is invalid and stores nothing.
func TestMediaTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.meeting(t, "Ratssitzung", at(3, 17))
	other := e.meeting(t, "Ausschusssitzung", at(4, 17))

	if _, err := e.s.CreateMediaToken(e.ctx, m.ID, council.NilID, "rtmp", "x", "plenar_rtmp_1"); !errors.Is(err, council.ErrInvalid) {
		t.Errorf("unknown kind: %v, want ErrInvalid", err)
	}
	mark := e.mark(t)
	whep, err := e.s.CreateMediaToken(e.ctx, m.ID, council.NilID, meetings.MediaWHEP, "Stadt-Stream", "plenar_whep_secret")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	e.wantTrail(t, "create", mark, change{"media_token", whep.ID, "create"})
	whip, err := e.s.CreateMediaToken(e.ctx, m.ID, council.NilID, meetings.MediaWHIP, "OBS", "plenar_whip_secret")
	if err != nil {
		t.Fatalf("create: %v", err)
	}

	for _, c := range []struct {
		name    string
		meeting council.ID
		kind    meetings.MediaTokenKind
		token   string
		want    council.ID
	}{
		{"right", m.ID, meetings.MediaWHEP, "plenar_whep_secret", whep.ID},
		{"other meeting", other.ID, meetings.MediaWHEP, "plenar_whep_secret", council.NilID},
		{"other kind", m.ID, meetings.MediaWHIP, "plenar_whep_secret", council.NilID},
		{"wrong secret", m.ID, meetings.MediaWHEP, "plenar_whep_other", council.NilID},
	} {
		id, err := e.s.MediaTokenID(e.ctx, c.meeting, c.kind, c.token)
		if id != c.want || (c.want == council.NilID) != errors.Is(err, council.ErrNotFound) {
			t.Errorf("%s: MediaTokenID = %s, %v; want %s", c.name, id, err, c.want)
		}
	}

	unknown := council.NewID()
	got, err := e.s.RevokedMediaTokens(e.ctx, []council.ID{whep.ID, whip.ID, unknown})
	if err != nil || !cmp.Equal(got, []council.ID{unknown}) {
		t.Errorf("revoked before: %v, %v; want only the unknown token", got, err)
	}
	mark = e.mark(t)
	if err := e.s.RevokeMediaToken(e.ctx, m.ID, whep.ID); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	e.wantTrail(t, "revoke", mark, change{"media_token", whep.ID, "update"})
	if err := e.s.RevokeMediaToken(e.ctx, m.ID, whep.ID); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("revoke again: %v, want ErrNotFound", err)
	}
	if _, err := e.s.MediaTokenID(e.ctx, m.ID, meetings.MediaWHEP, "plenar_whep_secret"); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("revoked token found: %v", err)
	}
	got, err = e.s.RevokedMediaTokens(e.ctx, []council.ID{whep.ID, whip.ID})
	if err != nil || !cmp.Equal(got, []council.ID{whep.ID}) {
		t.Errorf("revoked after: %v, %v; want the WHEP token", got, err)
	}
	list, err := e.s.MediaTokens(e.ctx, m.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v, %v", list, err)
	}
	for _, k := range list {
		if (k.ID == whep.ID) == k.RevokedAt.IsZero() {
			t.Errorf("token %s (%s): revoked at %v", k.Label, k.Kind, k.RevokedAt)
		}
	}
}

// TestParseRevokedToken: the notification payload round-trips; anything
// else is invalid.
func TestParseRevokedToken(t *testing.T) {
	m, tok := council.NewID(), council.NewID()
	gm, gt, err := meetings.ParseRevokedToken(m.String() + ":" + tok.String())
	if err != nil || gm != m || gt != tok {
		t.Errorf("ParseRevokedToken: %s %s %v, want %s %s", gm, gt, err, m, tok)
	}
	for _, bad := range []string{"", m.String(), m.String() + ":", ":" + tok.String(), "x:" + tok.String(), m.String() + ":y"} {
		if _, _, err := meetings.ParseRevokedToken(bad); !errors.Is(err, council.ErrInvalid) {
			t.Errorf("ParseRevokedToken(%q): %v, want ErrInvalid", bad, err)
		}
	}
}
