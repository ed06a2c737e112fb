package account

import "testing"

func TestNoticePath(t *testing.T) {
	for _, c := range []struct{ path, notice, lang, want string }{
		{"/account/security", "passkey_added", "de", "/account/security?notice=passkey_added"},
		{"/account/alerts", "followed", "en", "/account/alerts?notice=followed&lang=en"},
		{"/my/childcare", "submitted", "de", "/my/childcare?notice=submitted"},
	} {
		if got := NoticePath(c.path, c.notice, c.lang, "de"); got != c.want {
			t.Errorf("NoticePath(%q, %q, %q) = %q, want %q", c.path, c.notice, c.lang, got, c.want)
		}
	}
}
