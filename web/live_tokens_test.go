package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
)

// ingestToken is a media token as the console's JSON lists it.
type ingestToken struct {
	ID        council.ID              `json:"id"`
	Kind      meetings.MediaTokenKind `json:"kind"`
	Label     string                  `json:"label"`
	CreatedAt time.Time               `json:"created_at"`
	CreatedBy string                  `json:"created_by,omitempty"`
	RevokedAt *time.Time              `json:"revoked_at,omitempty"`
}

// listTokens reads the console's token list as c.
func (e *liveEnv) listTokens(t *testing.T, c *http.Client) (int, []ingestToken) {
	t.Helper()
	st, body := e.get(t, c, "/admin/meetings/"+e.meeting.ID.String()+"/live/tokens")
	var out struct {
		Tokens []ingestToken `json:"tokens"`
	}
	if st == http.StatusOK {
		liveMust(t, "decode tokens", json.Unmarshal([]byte(body), &out))
	}
	return st, out.Tokens
}

// revokeToken revokes token id as c, with the session's CSRF token in the
// header as the console's script sends it.
func (e *liveEnv) revokeToken(t *testing.T, c *http.Client, id string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodDelete, e.ts.URL+"/admin/meetings/"+e.meeting.ID.String()+"/live/tokens/"+id, nil)
	liveMust(t, "request", err)
	req.Header.Set("X-CSRF-Token", e.sessionValue(t, c, keyCSRF))
	req.Header.Set("Origin", e.ts.URL)
	resp, err := c.Do(req)
	liveMust(t, "DELETE token", err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestLiveIngestTokenList: the console lists a meeting's ingest tokens —
// label, creation time, creator, revocation — without their secrets, to
// the chair and clerks only; revoking needs the CSRF token, marks the
// token revoked in the list, refuses it at the WHIP endpoint, and a
// second revocation is 404. The console page carries the list's table.
func TestLiveIngestTokenList(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, withMedia(t))
	e.do(t, e.clerkActor(t), live.Start{})
	chair := e.loginMember(t, e.persons[0])
	member := e.loginMember(t, e.persons[1])

	st, tokA := e.createToken(t, chair) // label "OBS Saal"
	if st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	resp := e.postForm(t, chair, "/admin/meetings/"+e.meeting.ID.String()+"/live/tokens", url.Values{"label": {"Mischpult"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create second: %d", resp.StatusCode)
	}
	if st, _ := e.createKindToken(t, chair, "whep", "Stadt-Stream"); st != http.StatusCreated {
		t.Fatalf("create WHEP token: %d", st)
	}

	st, list := e.listTokens(t, chair)
	if st != http.StatusOK || len(list) != 3 {
		t.Fatalf("list: %d %+v", st, list)
	}
	labels := map[string]ingestToken{}
	for _, k := range list {
		labels[k.Label] = k
		if k.CreatedBy != "Vorsitz" || k.CreatedAt.IsZero() || k.RevokedAt != nil {
			t.Errorf("token %+v: want created by Vorsitz, not revoked", k)
		}
		if want := map[bool]meetings.MediaTokenKind{true: meetings.MediaWHEP, false: meetings.MediaWHIP}[k.Label == "Stadt-Stream"]; k.Kind != want {
			t.Errorf("token %q: kind %q, want %q", k.Label, k.Kind, want)
		}
	}
	if _, ok := labels["OBS Saal"]; !ok {
		t.Fatalf("labels %v", labels)
	}
	_, body := e.get(t, chair, "/admin/meetings/"+e.meeting.ID.String()+"/live/tokens")
	mustNotContain(t, "token list", body, tokA, "token_hash")

	// Members who do not chair may neither list nor revoke.
	if st, _ := e.listTokens(t, member); st != http.StatusForbidden {
		t.Errorf("list by a member: %d", st)
	}
	obs := labels["OBS Saal"].ID.String()
	if st := e.revokeToken(t, member, obs); st != http.StatusForbidden {
		t.Errorf("revoke by a member: %d", st)
	}
	// Without the CSRF token: refused.
	req, _ := http.NewRequest(http.MethodDelete, e.ts.URL+"/admin/meetings/"+e.meeting.ID.String()+"/live/tokens/"+obs, nil)
	req.Header.Set("Origin", e.ts.URL)
	if r, err := chair.Do(req); err != nil || r.StatusCode != http.StatusForbidden {
		t.Errorf("revoke without CSRF: %v %v", r, err)
	} else {
		r.Body.Close()
	}

	if st := e.revokeToken(t, chair, obs); st != http.StatusNoContent {
		t.Fatalf("revoke: %d", st)
	}
	if st := e.revokeToken(t, chair, obs); st != http.StatusNotFound {
		t.Errorf("revoke again: %d, want 404", st)
	}
	_, list = e.listTokens(t, chair)
	for _, k := range list {
		if (k.Label == "OBS Saal") != (k.RevokedAt != nil) {
			t.Errorf("after revoking OBS Saal: %+v", k)
		}
	}
	if resp, _ := e.sdpRequest(t, http.MethodPost, "/meetings/"+e.meeting.ID.String()+"/whip", "application/sdp", tokA, "v=0\r\n"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("WHIP with the revoked token: %d", resp.StatusCode)
	}

	// The console page has the list (filled by live.js) and its i18n.
	_, page := e.get(t, chair, "/admin/meetings/"+e.meeting.ID.String()+"/live")
	mustContain(t, "console", page, `data-live="ingest-tokens"`, `data-live="ingest-kind"`, "Abspielen: öffentliches Programm (WHEP)", "live.ingest_revoke")
}
