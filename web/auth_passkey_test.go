package web

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"

	"github.com/plenar/plenar/council"
)

// softKey is a passkey of a software authenticator for the HTTP tests:
// an ECDSA P-256 key, its credential id and the user handle it was made
// for. The browser test uses Chromium's virtual authenticator instead.
type softKey struct {
	id    []byte
	priv  *ecdsa.PrivateKey
	user  []byte
	count uint32
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func unb64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("base64url %q: %v", s, err)
	}
	return b
}

// ceremonyOptions is what the begin endpoints send that the soft
// authenticator needs.
type ceremonyOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		User      struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func newSoftKey(t testing.TB, user []byte) *softKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	return &softKey{id: id, priv: priv, user: user}
}

// clientData is the clientDataJSON a browser at origin sends.
func clientData(t testing.TB, typ, challenge, origin string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// authData is the authenticator data for rpID with flags UP and UV, the
// key's counter and, with attested, the credential and its COSE key.
func (k *softKey) authData(t testing.TB, rpID string, attested bool) []byte {
	t.Helper()
	rp := sha256.Sum256([]byte(rpID))
	var b bytes.Buffer
	b.Write(rp[:])
	flags := byte(0x01 | 0x04) // UP, UV
	if attested {
		flags |= 0x40
	}
	b.WriteByte(flags)
	_ = binary.Write(&b, binary.BigEndian, k.count)
	if attested {
		b.Write(make([]byte, 16)) // AAGUID
		_ = binary.Write(&b, binary.BigEndian, uint16(len(k.id)))
		b.Write(k.id)
		x, y := make([]byte, 32), make([]byte, 32)
		k.priv.PublicKey.X.FillBytes(x)
		k.priv.PublicKey.Y.FillBytes(y)
		cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(cose)
	}
	return b.Bytes()
}

// create answers registration options as an authenticator at origin.
func (k *softKey) create(t testing.TB, rpID, origin, challenge string) []byte {
	t.Helper()
	ao, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": k.authData(t, rpID, true)})
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(map[string]any{"id": b64(k.id), "rawId": b64(k.id), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64(clientData(t, "webauthn.create", challenge, origin)),
			"attestationObject": b64(ao), "transports": []string{"internal"}},
		"clientExtensionResults": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// get answers a login challenge, signing with the key and naming user as
// the user handle.
func (k *softKey) get(t testing.TB, rpID, origin, challenge string, user []byte) []byte {
	t.Helper()
	k.count++
	ad := k.authData(t, rpID, false)
	cd := clientData(t, "webauthn.get", challenge, origin)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(map[string]any{"id": b64(k.id), "rawId": b64(k.id), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64(cd), "authenticatorData": b64(ad), "signature": b64(sig),
			"userHandle": b64(user)},
		"clientExtensionResults": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// postJSON posts body to path with c as the page script does (Origin,
// the session's CSRF token in X-CSRF-Token) and returns status and body.
func (e *testEnv) postJSON(t testing.TB, c *http.Client, path string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", e.ts.URL)
	if tok := e.sessionValue(t, c, keyCSRF); tok != "" {
		req.Header.Set("X-CSRF-Token", tok)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// begin posts in to a begin endpoint and returns the options.
func (e *testEnv) begin(t testing.TB, c *http.Client, path, in string) ceremonyOptions {
	t.Helper()
	code, body := e.postJSON(t, c, path, []byte(in))
	if code != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, code, body)
	}
	var o ceremonyOptions
	if err := json.Unmarshal(body, &o); err != nil || o.PublicKey.Challenge == "" {
		t.Fatalf("POST %s: options %s (%v)", path, body, err)
	}
	return o
}

// TestPasskeyHTTP registers passkeys and logs in with them over HTTP with
// a software authenticator, and sends every kind of bad answer: each is a
// clear 4xx and changes nothing (no passkey, no login, no counter).
func TestPasskeyHTTP(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.srv.auth.failDelay = 0
	ctx := context.Background()
	const rpID, origin = "plenar.test", "http://plenar.test"

	register := func(c *http.Client, u council.User, name string) *softKey {
		t.Helper()
		o := e.begin(t, c, "/account/passkeys/begin", `{"name":"`+name+`","password":"`+testPassword+`"}`)
		if got := unb64(t, o.PublicKey.User.ID); !bytes.Equal(got, u.ID[:]) {
			t.Fatalf("user handle %x, want the account id", got)
		}
		k := newSoftKey(t, u.ID[:])
		if code, body := e.postJSON(t, c, "/account/passkeys/finish", k.create(t, rpID, origin, o.PublicKey.Challenge)); code != http.StatusOK {
			t.Fatalf("register %s: %d %s", name, code, body)
		}
		return k
	}
	count := func(u council.User) (keys, logins int, signCount uint32) {
		t.Helper()
		ps, err := e.council.Passkeys(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := e.council.Logins(ctx, u.ID, time.Now().Add(-time.Hour), 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) > 0 {
			signCount = ps[0].SignCount
		}
		return len(ps), len(ls), signCount
	}
	want4xx := func(what string, code, status int, body []byte) {
		t.Helper()
		if code != status {
			t.Errorf("%s: status %d, want %d (%s)", what, code, status, body)
		}
		var msg struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(body, &msg); err != nil || msg.Error.Message == "" {
			t.Errorf("%s: no error message: %s", what, body)
		}
	}

	mc, member := e.login(t, council.RoleMember)
	key := register(mc, member, "Laptop")
	oc, other := e.login(t, council.RoleMember)
	otherKey := register(oc, other, "Telefon")

	// Registration: a replayed finish, bad names, malformed JSON.
	o := e.begin(t, mc, "/account/passkeys/begin", `{"name":"Zweitgerät","password":"`+testPassword+`"}`)
	second := newSoftKey(t, member.ID[:])
	answer := second.create(t, rpID, origin, o.PublicKey.Challenge)
	code, body := e.postJSON(t, mc, "/account/passkeys/finish", []byte(`{"id":`))
	want4xx("registration: malformed JSON", code, http.StatusBadRequest, body)
	code, body = e.postJSON(t, mc, "/account/passkeys/finish", answer)
	want4xx("registration after a failed finish (the challenge is used once)", code, http.StatusBadRequest, body)
	code, body = e.postJSON(t, mc, "/account/passkeys/begin", []byte(`{"name":"Gestohlen","password":"wrong password 123"}`))
	want4xx("registration without the right password", code, http.StatusUnauthorized, body)
	code, body = e.postJSON(t, mc, "/account/passkeys/finish", answer)
	want4xx("registration after a refused begin", code, http.StatusBadRequest, body)
	for _, in := range []string{`{"name":""}`, `{"name":"   "}`, `{"nom":"x"}`, `[`, `{"name":"` + string(bytes.Repeat([]byte("x"), 101)) + `"}`} {
		code, body := e.postJSON(t, mc, "/account/passkeys/begin", []byte(in))
		want4xx("registration begin "+in[:min(len(in), 12)], code, http.StatusBadRequest, body)
	}
	o = e.begin(t, mc, "/account/passkeys/begin", `{"name":"Zweitgerät","password":"`+testPassword+`"}`)
	code, body = e.postJSON(t, mc, "/account/passkeys/finish", second.create(t, rpID, "http://evil.test", o.PublicKey.Challenge))
	want4xx("registration from another origin", code, http.StatusBadRequest, body)
	o = e.begin(t, mc, "/account/passkeys/begin", `{"name":"Noch einmal","password":"`+testPassword+`"}`)
	code, body = e.postJSON(t, mc, "/account/passkeys/finish", key.create(t, rpID, origin, o.PublicKey.Challenge))
	want4xx("the same credential again", code, http.StatusConflict, body)
	if code, _ := e.postJSON(t, e.anon(), "/account/passkeys/begin", []byte(`{"name":"x"}`)); code != http.StatusSeeOther && code != http.StatusUnauthorized {
		t.Errorf("registration without login: %d", code)
	}
	if keys, _, _ := count(member); keys != 1 {
		t.Errorf("member's passkeys after the refusals: %d, want 1", keys)
	}

	// Login with the passkey alone.
	_, loginsBefore, _ := count(member)
	c := e.anon()
	o = e.begin(t, c, "/login/passkey/begin", `{"next":"/"}`)
	good := key.get(t, rpID, origin, o.PublicKey.Challenge, member.ID[:])
	code, body = e.postJSON(t, c, "/login/passkey/finish", good)
	if code != http.StatusOK || !bytes.Contains(body, []byte(`"location":"/my/bodies"`)) {
		t.Fatalf("passkey login: %d %s", code, body)
	}
	if e.sessionValue(t, c, keyUserID) != member.ID.String() {
		t.Fatal("passkey login: the session has no user")
	}
	_, logins, signCount := count(member)
	if logins != loginsBefore+1 || signCount != key.count {
		t.Errorf("after the passkey login: %d logins (want %d), counter %d (want %d)", logins, loginsBefore+1, signCount, key.count)
	}

	// Bad answers to a login: each 4xx, nothing stored.
	bad := func(what string, status int, answer func(challenge string) []byte) {
		t.Helper()
		c := e.anon()
		o := e.begin(t, c, "/login/passkey/begin", `{}`)
		code, body := e.postJSON(t, c, "/login/passkey/finish", answer(o.PublicKey.Challenge))
		want4xx(what, code, status, body)
		if e.sessionValue(t, c, keyUserID) != "" {
			t.Errorf("%s: the session has a user", what)
		}
	}
	bad("replayed assertion", http.StatusUnauthorized, func(string) []byte { return good })
	bad("malformed JSON", http.StatusBadRequest, func(string) []byte { return []byte(`{"id":"x","rawId":`) })
	bad("not an assertion", http.StatusBadRequest, func(string) []byte { return []byte(`{"id":"x","type":"public-key"}`) })
	bad("wrong challenge", http.StatusUnauthorized, func(string) []byte {
		return key.get(t, rpID, origin, b64([]byte("0123456789abcdef0123456789abcdef")), member.ID[:])
	})
	bad("another origin", http.StatusUnauthorized, func(ch string) []byte { return key.get(t, rpID, "http://evil.test", ch, member.ID[:]) })
	bad("unknown credential", http.StatusUnauthorized, func(ch string) []byte {
		return newSoftKey(t, member.ID[:]).get(t, rpID, origin, ch, member.ID[:])
	})
	bad("credential of another user", http.StatusUnauthorized, func(ch string) []byte {
		return otherKey.get(t, rpID, origin, ch, member.ID[:])
	})
	bad("signed by another key", http.StatusUnauthorized, func(ch string) []byte {
		forged := &softKey{id: key.id, priv: otherKey.priv, count: key.count}
		return forged.get(t, rpID, origin, ch, member.ID[:])
	})
	// The same assertion twice in one ceremony: the first answer uses up
	// the challenge.
	c = e.anon()
	o = e.begin(t, c, "/login/passkey/begin", `{}`)
	if code, body := e.postJSON(t, c, "/login/passkey/finish", []byte(`{`)); code != http.StatusBadRequest {
		t.Errorf("malformed answer: %d %s", code, body)
	}
	code, body = e.postJSON(t, c, "/login/passkey/finish", key.get(t, rpID, origin, o.PublicKey.Challenge, member.ID[:]))
	want4xx("answer after the ceremony was used", code, http.StatusBadRequest, body)
	code, body = e.postJSON(t, e.anon(), "/login/passkey/finish", good)
	want4xx("finish without begin", code, http.StatusBadRequest, body)

	_, logins, signCount = count(member)
	if logins != loginsBefore+1 || signCount != 1 {
		t.Errorf("after the bad answers: %d logins (want %d), counter %d (want 1)", logins, loginsBefore+1, signCount)
	}

	// The second factor: a clerk whose password is checked answers with
	// their passkey; another user's passkey is refused.
	cc, clerk := e.login(t, council.RoleClerk)
	clerkKey := register(cc, clerk, "Dienst-PC")
	pc := e.anon()
	resp := e.postForm(t, pc, "/login", url.Values{"email": {clerk.Email}, "password": {testPassword}})
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "/login/totp" {
		t.Fatalf("clerk's password step: Location %q", loc)
	}
	if code, body := e.postJSON(t, e.anon(), "/login/passkey/second/begin", []byte(`{}`)); code != http.StatusBadRequest {
		t.Errorf("second factor without a password step: %d %s", code, body)
	}
	o = e.begin(t, pc, "/login/passkey/second/begin", `{}`)
	code, body = e.postJSON(t, pc, "/login/passkey/second/finish", key.get(t, rpID, origin, o.PublicKey.Challenge, member.ID[:]))
	want4xx("second factor with another user's passkey", code, http.StatusUnauthorized, body)
	if e.sessionValue(t, pc, keyUserID) != "" {
		t.Error("second factor with another user's passkey: the session has a user")
	}
	o = e.begin(t, pc, "/login/passkey/second/begin", `{}`)
	code, body = e.postJSON(t, pc, "/login/passkey/second/finish", clerkKey.get(t, rpID, origin, o.PublicKey.Challenge, clerk.ID[:]))
	if code != http.StatusOK || !bytes.Contains(body, []byte(`"location":"/admin"`)) {
		t.Fatalf("second factor with the clerk's passkey: %d %s", code, body)
	}
	if e.sessionValue(t, pc, keyUserID) != clerk.ID.String() {
		t.Error("second factor: the session has no user")
	}
}

func TestAgentSummary(t *testing.T) {
	t.Parallel()
	for ua, want := range map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0":                                                                  "Firefox, Linux",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0":           "Edge, Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1": "Safari, iOS",
		"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36":                            "Chrome, Android",
		"curl/8.5.0": "",
	} {
		if got := agentSummary(ua); got != want {
			t.Errorf("agentSummary(%q) = %q, want %q", ua, got, want)
		}
	}
}
