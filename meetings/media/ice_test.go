package media

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"testing"
	"time"
)

// TestTURNCredential: the TURN REST API's known answer (coturn's
// turnutils_secure_uri convention): HMAC-SHA1 over "<expiry>:<user>".
func TestTURNCredential(t *testing.T) {
	user, cred := turnCredential("secret", "alice", time.Unix(1700000000, 0))
	if user != "1700000000:alice" {
		t.Errorf("user name %q", user)
	}
	mac := hmac.New(sha1.New, []byte("secret"))
	mac.Write([]byte("1700000000:alice"))
	if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); cred != want || len(cred) != 28 {
		t.Errorf("credential %q, want %q", cred, want)
	}
}
