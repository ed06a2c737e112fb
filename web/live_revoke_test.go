package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
)

// mediaStream is a pion client connected through WHIP or WHEP.
type mediaStream struct {
	client   *sfuclient.Client
	resource string // the Location of the peer
}

// openStream connects a WHIP encoder (kind "whip": publishes audio and
// video) or a WHEP player (kind "whep") with token.
func (e *liveEnv) openStream(ctx context.Context, t *testing.T, kind, token string) mediaStream {
	t.Helper()
	opts := sfuclient.Options{Tag: "room", PublishAudio: true, PublishVideo: true}
	if kind == "whep" {
		opts = sfuclient.Options{Tag: "player", RecvAudio: 1, RecvVideo: 1}
	}
	c, err := sfuclient.New(opts)
	liveMust(t, kind+" client", err)
	t.Cleanup(c.Close)
	o, err := c.Offer(ctx)
	liveMust(t, kind+" offer", err)
	path := "/meetings/" + e.meeting.ID.String() + "/" + kind
	resp, answer := e.sdpRequest(t, http.MethodPost, path, "application/sdp", token, o)
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(resp.Header.Get("Location"), path+"/") {
		t.Fatalf("%s: %d %s", kind, resp.StatusCode, answer)
	}
	liveMust(t, kind+" answer", c.SetAnswer(answer))
	liveMust(t, kind+" connected", c.WaitConnected(ctx))
	if kind == "whip" {
		go c.Publish(ctx)
	}
	return mediaStream{client: c, resource: resp.Header.Get("Location")}
}

// tokenID is the id of the media token with label.
func (e *liveEnv) tokenID(t *testing.T, c *http.Client, label string) string {
	t.Helper()
	_, list := e.listTokens(t, c)
	for _, k := range list {
		if k.Label == label {
			return k.ID.String()
		}
	}
	t.Fatalf("no token %q in %+v", label, list)
	return ""
}

// hasResource reports whether the node still holds the WHIP/WHEP peer at
// location.
func (e *liveEnv) hasResource(location string) bool {
	return e.srv.opt.Media.Holds(location[strings.LastIndex(location, "/")+1:])
}

// waitStreamEnded waits until the node no longer holds the peer of s and
// the client's connection is lost (the server closed the peer).
func (e *liveEnv) waitStreamEnded(ctx context.Context, t *testing.T, what string, s mediaStream) {
	t.Helper()
	for e.hasResource(s.resource) {
		if ctx.Err() != nil {
			t.Fatalf("%s: the peer is still open after the revocation", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.client.WaitLost(ctx); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestLiveRevokeEndsStreams: revoking a media token through the console
// ends the WHIP and WHEP peers opened with it — on the node that revokes
// directly, on another node through the revocation's notification (its
// periodic token check is out of the way) — and leaves the other tokens'
// streams running; a DELETE on the ended resource is 404. A revocation
// whose notification was lost is found by the periodic check.
func TestLiveRevokeEndsStreams(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, withMedia(t))
	e.do(t, e.clerkActor(t), live.Start{})
	chair := e.loginMember(t, e.persons[0])
	_, whip := e.createKindToken(t, chair, "whip", "OBS Saal")
	_, playA := e.createKindToken(t, chair, "whep", "Stadt-Stream")
	_, playB := e.createKindToken(t, chair, "whep", "Mediathek")
	_, playC := e.createKindToken(t, chair, "whep", "Archiv")
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	enc := e.openStream(ctx, t, "whip", whip)
	a := e.openStream(ctx, t, "whep", playA)
	b := e.openStream(ctx, t, "whep", playB)
	for a.client.Track("room-video").Packets < 10 || b.client.Track("room-video").Packets < 10 {
		if ctx.Err() != nil {
			t.Fatalf("players got %v and %v", a.client.Tracks(), b.client.Tracks())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Revoking "Stadt-Stream" ends its player, not the other one.
	if st := e.revokeToken(t, chair, e.tokenID(t, chair, "Stadt-Stream")); st != http.StatusNoContent {
		t.Fatalf("revoke: %d", st)
	}
	e.waitStreamEnded(ctx, t, "WHEP player of the revoked token", a)
	if resp, _ := e.sdpRequest(t, http.MethodDelete, a.resource, "", "", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("DELETE the ended player: %d, want 404", resp.StatusCode)
	}
	if !e.hasResource(b.resource) || !e.hasResource(enc.resource) {
		t.Fatal("the other player or the encoder ended too")
	}
	before := b.client.Track("room-video").Packets
	for b.client.Track("room-video").Packets <= before {
		if ctx.Err() != nil {
			t.Fatal("the other player receives nothing after the revocation")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A player on another node (another process on the same database):
	// revoking its token here ends it there.
	// Its periodic token check is out of the way: only the notification can end it.
	n := e.otherNode(t, withMedia(t, func(d *media.Deps) { d.TokenCheck = time.Hour }))
	c := n.openStream(ctx, t, "whep", playB)
	if st := e.revokeToken(t, chair, e.tokenID(t, chair, "Mediathek")); st != http.StatusNoContent {
		t.Fatalf("revoke: %d", st)
	}
	e.waitStreamEnded(ctx, t, "WHEP player of the revoked token on this node", b)
	n.waitStreamEnded(ctx, t, "WHEP player of the revoked token on the other node", c)

	// A revocation without its notification (lost while a node's
	// listener reconnected): the periodic check ends the stream.
	d := e.openStream(ctx, t, "whep", playC)
	_, err := e.srv.pool.Exec(ctx, `UPDATE media_tokens SET revoked_at = now() WHERE id = $1`, e.tokenID(t, chair, "Archiv"))
	liveMust(t, "revoke without notification", err)
	e.waitStreamEnded(ctx, t, "WHEP player of a token revoked without notification", d)

	// Revoking the encoder's token ends the room's source.
	if st := e.revokeToken(t, chair, e.tokenID(t, chair, "OBS Saal")); st != http.StatusNoContent {
		t.Fatalf("revoke: %d", st)
	}
	e.waitStreamEnded(ctx, t, "WHIP encoder of the revoked token", enc)
	e.waitNoDriver(t)
	n.waitNoDriver(t)
}

// TestMediaTokenAudit: creating and revoking a media token writes audit
// rows naming the user who did it.
func TestMediaTokenAudit(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, withMedia(t))
	chair := e.loginMember(t, e.persons[0])
	if st, _ := e.createKindToken(t, chair, "whep", "Stadt-Stream"); st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	id := e.tokenID(t, chair, "Stadt-Stream")
	if st := e.revokeToken(t, chair, id); st != http.StatusNoContent {
		t.Fatalf("revoke: %d", st)
	}
	chairUser := e.sessionValue(t, chair, keyUserID)
	rows, err := e.srv.pool.Query(context.Background(),
		`SELECT op, coalesce(actor_id::text, ''), changes::text FROM audit WHERE entity = 'media_token' AND entity_id = $1 ORDER BY id`, id)
	liveMust(t, "audit", err)
	defer rows.Close()
	var got []string
	for rows.Next() {
		var op, actor, changes string
		liveMust(t, "scan audit", rows.Scan(&op, &actor, &changes))
		if actor != chairUser {
			t.Errorf("audit %s: actor %q, want the chair %s", op, actor, chairUser)
		}
		got = append(got, op+" "+changes)
	}
	liveMust(t, "audit rows", rows.Err())
	if len(got) != 2 || !strings.HasPrefix(got[0], string(council.OpCreate)) || !strings.Contains(got[0], "Stadt-Stream") ||
		!strings.HasPrefix(got[1], string(council.OpUpdate)) || !strings.Contains(got[1], "revoked") {
		t.Errorf("audit rows %q, want a create and a revocation", got)
	}
}
