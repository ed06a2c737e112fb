package web

import "testing"

// TestOpenDataAxeBrowser runs axe-core on the open-data page in both
// languages: no serious or critical violation.
func TestOpenDataAxeBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	axe := axeSource(t)
	e := newTestEnv(t)
	newFeedFixture(t, e)
	for _, path := range []string{"/open-data", "/open-data?lang=en"} {
		navigate(t, ctx, e.ts.URL+path)
		if vs := runAxe(t, ctx, axe); len(vs) > 0 {
			t.Errorf("%s: axe violations:%s", path, describeViolations(vs))
		}
	}
}
