package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gorilla/websocket"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
	liveweb "github.com/plenar/plenar/web/live"
)

// sdpRequest sends an SDP body (WHIP/WHEP) and returns the response with
// its body read.
func (e *liveEnv) sdpRequest(t *testing.T, method, path, ct, token, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	liveMust(t, "request", err)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	liveMust(t, method+" "+path, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// createToken creates a WHIP (ingest) token as c through the console's
// endpoint.
func (e *liveEnv) createToken(t *testing.T, c *http.Client) (int, string) {
	t.Helper()
	return e.createKindToken(t, c, "", "OBS Saal")
}

// createKindToken creates a media token of kind ("" for the default,
// whip) as c and checks the URL it comes with.
func (e *liveEnv) createKindToken(t *testing.T, c *http.Client, kind, label string) (int, string) {
	t.Helper()
	resp := e.postForm(t, c, "/admin/meetings/"+e.meeting.ID.String()+"/live/tokens", url.Values{"label": {label}, "kind": {kind}})
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
		Kind  string `json:"kind"`
		URL   string `json:"url"`
	}
	want := kind
	if want == "" {
		want = "whip"
	}
	if resp.StatusCode == http.StatusCreated {
		liveMust(t, "decode token", json.NewDecoder(resp.Body).Decode(&out))
		if out.Kind != want || !strings.HasSuffix(out.URL, "/meetings/"+e.meeting.ID.String()+"/"+want) ||
			!strings.HasPrefix(out.Token, "plenar_"+want+"_") {
			t.Errorf("%s token: kind %q url %q token prefix %.12q", want, out.Kind, out.URL, out.Token)
		}
	}
	return resp.StatusCode, out.Token
}

// TestLiveWHIPWHEP: media tokens are for the chair and clerks, stored
// hashed and revocable, each good for its kind only; WHIP and WHEP refuse
// missing, wrong, other-kind and revoked tokens (401); WHIP refuses other
// content types (415), non-SDP (400) and big bodies (413); WHEP is refused
// before the session runs and in the non-public part (403). A WHIP encoder's audio and video reach a WHEP player, DELETE
// ends both, and CORS lets players on other sites in.
func TestLiveWHIPWHEP(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, withMedia(t))
	mid := e.meeting.ID.String()
	whip, whep := "/meetings/"+mid+"/whip", "/meetings/"+mid+"/whep"
	const offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"

	// Tokens: a member who does not chair may not; the chair may.
	if st, _ := e.createToken(t, e.loginMember(t, e.persons[1])); st != http.StatusForbidden {
		t.Errorf("token by a member: status %d, want 403", st)
	}
	clerk := e.clerkActor(t)
	e.do(t, clerk, live.Start{})
	st, tok := e.createToken(t, e.loginMember(t, e.persons[0]))
	if st != http.StatusCreated || !strings.HasPrefix(tok, liveweb.TokenPrefix(meetings.MediaWHIP)) {
		t.Fatalf("token by the chair: status %d, token %q", st, tok)
	}
	st, play := e.createKindToken(t, e.loginMember(t, e.persons[0]), "whep", "Stadt-Stream")
	if st != http.StatusCreated {
		t.Fatalf("WHEP token by the chair: status %d", st)
	}
	if st, _ := e.createKindToken(t, e.loginMember(t, e.persons[0]), "rtmp", "x"); st != http.StatusBadRequest {
		t.Errorf("token of an unknown kind: status %d, want 400", st)
	}
	var stored int
	liveMust(t, "count", e.srv.pool.QueryRow(context.Background(),
		`SELECT count(*) FROM media_tokens WHERE meeting_id = $1 AND token_hash = sha256(convert_to($2, 'UTF8'))`, e.meeting.ID, tok).Scan(&stored))
	if stored != 1 {
		t.Errorf("token stored as its SHA-256: %d rows", stored)
	}

	for _, c := range []struct {
		name, ct, token, body string
		want                  int
	}{
		{"no token", "application/sdp", "", offer, http.StatusUnauthorized},
		{"wrong token", "application/sdp", liveweb.TokenPrefix(meetings.MediaWHIP) + "nope", offer, http.StatusUnauthorized},
		{"WHEP token", "application/sdp", play, offer, http.StatusUnauthorized},
		{"content type", "text/plain", tok, offer, http.StatusUnsupportedMediaType},
		{"not sdp", "application/sdp", tok, "hello", http.StatusBadRequest},
		{"too big", "application/sdp", tok, offer + strings.Repeat("a=x\r\n", liveweb.MaxOffer/5), http.StatusRequestEntityTooLarge},
	} {
		resp, body := e.sdpRequest(t, http.MethodPost, whip, c.ct, c.token, c.body)
		if resp.StatusCode != c.want {
			t.Errorf("WHIP %s: status %d (%s), want %d", c.name, resp.StatusCode, body, c.want)
		}
		if c.want == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WHIP %s: no Bearer challenge", c.name)
		}
	}

	// CORS preflight for a WHEP player on another site.
	req, _ := http.NewRequest(http.MethodOptions, e.ts.URL+whep, nil)
	req.Header.Set("Origin", "https://player.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	liveMust(t, "preflight", err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Location") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}

	// The room's encoder publishes; a WHEP player receives it.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	enc, err := sfuclient.New(sfuclient.Options{Tag: "room", PublishAudio: true, PublishVideo: true})
	liveMust(t, "encoder", err)
	defer enc.Close()
	o, err := enc.Offer(ctx)
	liveMust(t, "encoder offer", err)
	resp, answer := e.sdpRequest(t, http.MethodPost, whip, "application/sdp", tok, o)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Content-Type") != "application/sdp" ||
		!strings.HasPrefix(resp.Header.Get("Location"), whip+"/") {
		t.Fatalf("WHIP: %d %v %s", resp.StatusCode, resp.Header, answer)
	}
	whipRes := resp.Header.Get("Location")
	liveMust(t, "encoder answer", enc.SetAnswer(answer))
	liveMust(t, "encoder connected", enc.WaitConnected(ctx))
	go enc.Publish(ctx)

	player, err := sfuclient.New(sfuclient.Options{RecvAudio: 1, RecvVideo: 1})
	liveMust(t, "player", err)
	defer player.Close()
	o, err = player.Offer(ctx)
	liveMust(t, "player offer", err)
	for _, c := range []struct{ name, token string }{{"no token", ""}, {"WHIP token", tok}, {"wrong token", "plenar_whep_nope"}} {
		resp, body := e.sdpRequest(t, http.MethodPost, whep, "application/sdp", c.token, o)
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WHEP %s: status %d (%s), want 401 with a Bearer challenge", c.name, resp.StatusCode, body)
		}
	}
	resp, answer = e.sdpRequest(t, http.MethodPost, whep, "application/sdp", play, o)
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(resp.Header.Get("Location"), whep+"/") {
		t.Fatalf("WHEP: %d %s", resp.StatusCode, answer)
	}
	whepRes := resp.Header.Get("Location")
	liveMust(t, "player answer", player.SetAnswer(answer))
	liveMust(t, "player connected", player.WaitConnected(ctx))
	for player.Track("room-audio").Packets < 20 || player.Track("room-video").Packets < 10 {
		if ctx.Err() != nil {
			t.Fatalf("WHEP player got %v", player.Tracks())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Non-public: no new WHEP players.
	e.do(t, clerk, live.SetPart{Part: live.PartNonPublic})
	p2, err := sfuclient.New(sfuclient.Options{RecvAudio: 1, RecvVideo: 1})
	liveMust(t, "player 2", err)
	defer p2.Close()
	o, err = p2.Offer(ctx)
	liveMust(t, "player 2 offer", err)
	if resp, body := e.sdpRequest(t, http.MethodPost, whep, "application/sdp", play, o); resp.StatusCode != http.StatusForbidden {
		t.Errorf("WHEP in the non-public part: %d %s", resp.StatusCode, body)
	}

	for _, res := range []string{whepRes, whipRes} {
		if resp, body := e.sdpRequest(t, http.MethodDelete, res, "", "", ""); resp.StatusCode != http.StatusOK {
			t.Errorf("DELETE %s: %d %s", res, resp.StatusCode, body)
		}
		if resp, _ := e.sdpRequest(t, http.MethodDelete, res, "", "", ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("DELETE %s again: %d", res, resp.StatusCode)
		}
	}

	e.waitNoDriver(t)

	// Revoked tokens are refused: the chair revokes them on the console.
	rows, err := e.srv.pool.Query(context.Background(), `SELECT id FROM media_tokens WHERE meeting_id = $1`, e.meeting.ID)
	liveMust(t, "token ids", err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[council.ID])
	liveMust(t, "token ids", err)
	chair := e.loginMember(t, e.persons[0])
	for _, tid := range ids {
		if st := e.revokeToken(t, chair, tid.String()); st != http.StatusNoContent {
			t.Fatalf("revoke token %s: status %d", tid, st)
		}
	}
	e.do(t, clerk, live.SetPart{Part: live.PartPublic})
	if resp, _ := e.sdpRequest(t, http.MethodPost, whip, "application/sdp", tok, offer); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("WHIP with a revoked token: %d", resp.StatusCode)
	}
	if resp, _ := e.sdpRequest(t, http.MethodPost, whep, "application/sdp", play, offer); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("WHEP with a revoked token: %d", resp.StatusCode)
	}
}

// TestLiveWHEPBeforeStart: no program before the session runs.
func TestLiveWHEPBeforeStart(t *testing.T) {
	t.Parallel()
	const whepBurst = 10
	e := newLiveEnv(t, withMedia(t, func(d *media.Deps) { d.Limits.Viewers.Address = media.Limit{Rate: 0.2, Burst: whepBurst} }))
	st, play := e.createKindToken(t, e.loginMember(t, e.persons[0]), "whep", "Stadt-Stream")
	if st != http.StatusCreated {
		t.Fatalf("WHEP token by the chair: status %d", st)
	}
	resp, body := e.sdpRequest(t, http.MethodPost, "/meetings/"+e.meeting.ID.String()+"/whep", "application/sdp", play, "v=0\r\nm=audio 9 x\r\n")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("WHEP before the start: %d %s", resp.StatusCode, body)
	}
	// With a valid token, one address may open its share of the viewer
	// budget (here whepBurst players) at once, then it waits: a flood of
	// offers from one address cannot fill the media server.
	for i := 2; i <= whepBurst; i++ {
		if resp, body := e.sdpRequest(t, http.MethodPost, "/meetings/"+e.meeting.ID.String()+"/whep", "application/sdp", play,
			"v=0\r\nm=audio 9 x\r\n"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("WHEP request %d: %d %s, want 403 (within the burst)", i, resp.StatusCode, body)
		}
	}
	resp, body = e.sdpRequest(t, http.MethodPost, "/meetings/"+e.meeting.ID.String()+"/whep", "application/sdp", play, "v=0\r\nm=audio 9 x\r\n")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "from this address") {
		t.Errorf("WHEP request %d: %d (Retry-After %q) %s; want 429 with Retry-After, too many from this address", whepBurst+1,
			resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	// A request without a valid token spends no budget: it is refused as
	// unauthorized, not as too many.
	resp, body = e.sdpRequest(t, http.MethodPost, "/meetings/"+e.meeting.ID.String()+"/whep", "application/sdp", "plenar_whep_x", "v=0\r\nm=audio 9 x\r\n")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("WHEP with a bad token past the budget: %d %s, want 401", resp.StatusCode, body)
	}
}

// wsSignals joins a pion client as a media peer over a live websocket:
// the client's signals go out as media messages; the server's media
// messages are handed to it. Other messages go to others.
func wsSignals(t *testing.T, conn *websocket.Conn, c *sfuclient.Client, others chan<- live.Message) {
	go func() {
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				close(others)
				return
			}
			var m struct {
				Type   string      `json:"type"`
				Signal *sfu.Signal `json:"signal"`
			}
			if json.Unmarshal(b, &m) == nil && m.Type == "media" && m.Signal != nil {
				c.Handle(*m.Signal)
				continue
			}
			var lm live.Message
			if json.Unmarshal(b, &lm) == nil {
				others <- lm
			}
		}
	}()
}

// TestLiveMediaSignalling: media messages on the live websocket. The
// public may not join as a member, bad messages get errors and leave the
// connection usable; a member's pion client joins over the websocket,
// connects, and Presence makes the member remote (connected) on the
// roster; closing the websocket ends it after the grace period.
func TestLiveMediaSignalling(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, withMedia(t))
	pub := e.dial(t, nil, "")
	readMsg(t, pub)
	for _, c := range []struct{ name, msg, code string }{
		{"viewer before start", `{"v":1,"type":"media_join","id":"a","kind":"viewer"}`, "conflict"},
		{"bad kind", `{"v":1,"type":"media_join","id":"b","kind":"room"}`, "invalid"},
		{"unknown field", `{"v":1,"type":"media_join","id":"c","kind":"viewer","person":"x"}`, "invalid"},
		{"offer from client", `{"v":1,"type":"media","id":"d","signal":{"type":"offer","sdp":"v=0"}}`, "invalid"},
		{"signal before join", `{"v":1,"type":"media","id":"e","signal":{"type":"answer","sdp":"v=0\r\n"}}`, "conflict"},
		{"big sdp", `{"v":1,"type":"media","id":"f","signal":{"type":"answer","sdp":"v=0` + strings.Repeat("x", liveweb.MaxSDP) + `"}}`, "invalid"},
	} {
		if err := pub.WriteMessage(websocket.TextMessage, []byte(c.msg)); err != nil {
			t.Fatal(err)
		}
		m, _ := readUntil(t, pub, func(m live.Message) bool { return m.Type == live.TypeError })
		if m.Error == nil || m.Error.Code != c.code {
			t.Errorf("%s: %+v, want %s", c.name, m.Error, c.code)
		}
	}
	clerk := e.clerkActor(t)
	e.do(t, clerk, live.Start{})
	if err := pub.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"media_join","id":"g","kind":"member"}`)); err != nil {
		t.Fatal(err)
	}
	if m, _ := readUntil(t, pub, func(m live.Message) bool { return m.ID == "g" }); m.Error == nil || m.Error.Code != "forbidden" {
		t.Errorf("public joins as member: %+v", m)
	}

	// Member Beate joins over her websocket with a pion client.
	conn := e.dial(t, e.loginMember(t, e.persons[1]), "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// gorilla allows one writer at a time; the client signals from its
	// own loop and from pion's candidate callbacks, the test writes too.
	var writeMu sync.Mutex
	write := func(b []byte) error {
		writeMu.Lock()
		defer writeMu.Unlock()
		return conn.WriteMessage(websocket.TextMessage, b)
	}
	client, err := sfuclient.New(sfuclient.Options{Tag: "beate", PublishAudio: true, PublishVideo: true,
		Send: func(s sfu.Signal) error {
			b, _ := json.Marshal(map[string]any{"v": 1, "type": "media", "signal": s})
			return write(b)
		}})
	liveMust(t, "client", err)
	defer client.Close()
	msgs := make(chan live.Message, 256)
	wsSignals(t, conn, client, msgs)
	if err := write([]byte(`{"v":1,"type":"media_join","id":"j","kind":"member"}`)); err != nil {
		t.Fatal(err)
	}
	liveMust(t, "connected", client.WaitConnected(ctx))
	go client.Publish(ctx)
	waitMode := func(mode string, connected bool) {
		t.Helper()
		for {
			snap, err := e.hub.Snapshot(ctx, e.meeting.ID, clerk)
			liveMust(t, "snapshot", err)
			for _, a := range snap.Roster {
				if a.PersonID == e.persons[1].ID && a.Mode == mode && a.Connected == connected {
					return
				}
			}
			if ctx.Err() != nil {
				t.Fatalf("Beate never %s (connected %t): %+v", mode, connected, snap.Roster)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitMode("remote", true)
	conn.Close()
	waitMode("absent", false)
	e.waitNoDriver(t)
}

// waitNoDriver waits until no media driver runs and no WHIP/WHEP resource
// is left: the last peer's end stops its meeting's driver.
func (e *liveEnv) waitNoDriver(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		n, r := e.srv.opt.Media.Stats()
		if n == 0 && r == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d media drivers and %d resources left", n, r)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLiveViewerLimit: viewer peers on the live websocket are admitted
// against the viewer budgets; past its address's share a client gets a
// clear error; the connection stays usable.
func TestLiveViewerLimit(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t, withMedia(t, func(d *media.Deps) {
		d.Limits.Viewers.Address = media.Limit{Rate: 0.001, Burst: 2} // two joins, then a long wait
	}))
	e.do(t, e.clerkActor(t), live.Start{})
	pub := e.dial(t, nil, "")
	readMsg(t, pub)
	for i, want := range []string{"", "", "unavailable"} {
		id := "v" + strconv.Itoa(i)
		if err := pub.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"media_join","id":"`+id+`","kind":"viewer"}`)); err != nil {
			t.Fatal(err)
		}
		m, _ := readUntil(t, pub, func(m live.Message) bool { return m.ID == id })
		switch {
		case want == "" && m.Error != nil:
			t.Errorf("viewer join %d: %+v, want accepted", i+1, m.Error)
		case want != "" && (m.Error == nil || m.Error.Code != want || !strings.Contains(m.Error.Message, "too many viewers from this address")):
			t.Errorf("viewer join %d: %+v, want %s (too many viewers from this address)", i+1, m.Error, want)
		}
	}
	if err := pub.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"media_leave"}`)); err != nil {
		t.Fatal(err)
	}
	pub.Close()
	e.waitNoDriver(t)
}
