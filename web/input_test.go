package web

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents/doctest"
	"github.com/plenar/plenar/web/site"
)

// inputEnv is a server with a paper and a file on it, every registered
// route with its parameters filled in, and clients of three roles.
type inputEnv struct {
	*filesEnv
	routes  []inputRoute
	clients []inputClient
}

type inputRoute struct{ method, pattern, path string }

type inputClient struct {
	role string
	c    *http.Client
	csrf string
}

func newInputEnv(t testing.TB) *inputEnv {
	t.Helper()
	e := &inputEnv{filesEnv: newFilesEnv(t, 1<<20)}
	file := e.put(t, "a.pdf", doctest.TextPDF("Hallo"), true)
	params := map[string]string{"kind": "paper", "id": e.paper.ID.String(), "file": file.ID.String()}
	param := regexp.MustCompile(`\{[^}]+\}|\*$`)
	err := chi.Walk(e.srv.router, func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodConnect { // a proxy's method; the client cannot send it to a path
			return nil
		}
		path := param.ReplaceAllStringFunc(pattern, func(p string) string {
			if v, ok := params[strings.Trim(p, "{}")]; ok {
				return v
			}
			return council.NewID().String()
		})
		e.routes = append(e.routes, inputRoute{method, pattern, path})
		return nil
	})
	if err != nil {
		t.Fatalf("walk routes: %v", err)
	}
	sort.Slice(e.routes, func(i, j int) bool {
		a, b := e.routes[i], e.routes[j]
		return a.pattern < b.pattern || a.pattern == b.pattern && a.method < b.method
	})
	e.clients = append(e.clients, inputClient{role: "anonymous", c: e.anon()})
	for _, role := range []council.Role{council.RoleCitizen, council.RoleClerk} {
		c, _ := e.login(t, role)
		e.clients = append(e.clients, inputClient{role: string(role), c: c, csrf: e.sessionValue(t, c, keyCSRF)})
	}
	return e
}

// badBody is a request body in one of the encodings the server reads.
type badBody struct {
	name        string
	contentType string
	body        []byte
	upload      bool // multipart: an upload route streams it to its handler
}

// badBodies put text into a form field, a multipart text field, a JSON
// string and an SDP offer.
func badBodies(text string) []badBody {
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("name", text)
	fw, _ := mw.CreateFormFile("file", "a.pdf")
	_, _ = fw.Write(doctest.TextPDF("Hallo")) // binary content is never checked
	_ = mw.Close()
	js, _ := json.Marshal(map[string]string{"name": "x"})
	js = bytes.Replace(js, []byte(`"x"`), append(append([]byte(`"`), text...), '"'), 1)
	return []badBody{
		{"form", "application/x-www-form-urlencoded", []byte("email=" + url.QueryEscape(text) + "&password=x&name=" + url.QueryEscape(text)), false},
		{"multipart", mw.FormDataContentType(), mp.Bytes(), true},
		{"json", "application/json", js, false},
		{"sdp", "application/sdp", []byte("v=0\r\ns=" + text + "\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"), false},
	}
}

// send makes one request as c and returns status and body.
func (e *inputEnv) send(t testing.TB, c inputClient, method, path, contentType string, body []byte, hdr ...string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	req.Header.Set("Origin", e.ts.URL)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s as %s: %v", method, path, c.role, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// badTexts are what PostgreSQL refuses in text: a NUL byte and invalid UTF-8.
var badTexts = []struct{ name, text, escaped string }{
	{"NUL", "a\x00b@example.org", "a%00b"},
	{"invalid UTF-8", "M\xfcller", "M%FCller"},
}

// TestBadBytesEveryRoute walks every registered route with every method,
// as an anonymous visitor, a citizen and a clerk, with a NUL byte and with
// invalid UTF-8 in the path, the query and each kind of body: nothing
// answers 5xx, and every such request is refused with 400 — uploads, whose
// fields are read while streaming, by their handler once the role is
// checked.
func TestBadBytesEveryRoute(t *testing.T) {
	t.Parallel()
	e := newInputEnv(t)
	for _, bad := range badTexts {
		for _, c := range e.clients {
			for _, rt := range e.routes {
				what := func(part string) string {
					return rt.method + " " + rt.pattern + " as " + c.role + " with " + bad.name + " in the " + part
				}
				check := func(part string, status int, must400 bool) {
					t.Helper()
					if status >= 500 || (must400 && status != http.StatusBadRequest) {
						t.Errorf("%s: status %d, want 400", what(part), status)
					}
				}
				st, _ := e.send(t, c, rt.method, rt.path+"?q="+bad.escaped, "", nil)
				check("query", st, true)
				if i := strings.LastIndexByte(rt.path, '/'); i > 0 && rt.path != rt.pattern {
					st, _ = e.send(t, c, rt.method, rt.path[:i+1]+bad.escaped, "", nil)
					check("path", st, true)
				}
				if isSafeMethod(rt.method) || rt.method == http.MethodTrace {
					continue
				}
				for _, b := range badBodies(bad.text) {
					if b.name == "form" && rt.method != http.MethodPost && rt.method != http.MethodPut && rt.method != http.MethodPatch {
						continue // only these methods have form bodies (http.Request.ParseForm)
					}
					st, _ = e.send(t, c, rt.method, rt.path, b.contentType, b.body)
					upload := b.upload && isUpload(httpRequest(rt.method, rt.path, b.contentType))
					check(b.name+" body", st, !upload || c.role == string(council.RoleClerk))
				}
			}
		}
	}
}

func httpRequest(method, path, contentType string) *http.Request {
	r, _ := http.NewRequest(method, path, nil)
	r.Header.Set("Content-Type", contentType)
	return r
}

// TestBadBytesMessage: the refusal says what is wrong, in the user's
// language on the error page, as a JSON error for the JSON API.
func TestBadBytesMessage(t *testing.T) {
	t.Parallel()
	e := newInputEnv(t)
	anon, clerk := e.clients[0], e.clients[2]
	form := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name                string
		c                   inputClient
		method, path, ctype string
		body                string
		hdr                 []string
		want                string
	}{
		{"login, German", anon, "POST", "/login", form, "email=a%00b%40example.org&password=x", nil,
			"Die Eingabe enthält ungültige Zeichen."},
		{"login, English", anon, "POST", "/login", form, "email=M%FCller%40example.org&password=x", []string{"Accept-Language", "en"},
			"The input contains invalid characters."},
		{"back office form", clerk, "POST", "/admin/persons", form, "family_name=M%FCller&given_name=Anna", nil,
			"Die Eingabe enthält ungültige Zeichen."},
		{"upload field", clerk, "POST", "/admin/files/paper/" + e.paper.ID.String(), "", "", nil,
			"Die Eingabe enthält ungültige Zeichen."},
		{"search API", anon, "GET", "/api/v1/search?q=a%00b", "", "", nil,
			`{"error":{"message":"Die Eingabe enthält ungültige Zeichen.","status":400}}`},
		{"token API", clerk, "POST", "/admin/meetings/" + council.NewID().String() + "/live/tokens?lang=en", form, "label=a%00b",
			[]string{"Accept", "application/json"},
			`{"error":{"message":"The input contains invalid characters.","status":400}}`},
	} {
		body := []byte(tc.body)
		if tc.name == "upload field" {
			b := badBodies("a\x00b")[1]
			tc.ctype, body = b.contentType, b.body
		}
		st, got := e.send(t, tc.c, tc.method, tc.path, tc.ctype, body, tc.hdr...)
		if st != http.StatusBadRequest || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %s %s = %d %q, want 400 with %q", tc.name, tc.method, tc.path, st, excerpt(got), tc.want)
		}
	}
	// Valid input still works: the clerk's person is saved.
	st, _ := e.send(t, clerk, "POST", "/admin/persons", form, []byte("family_name=M%C3%BCller&given_name=Anna"))
	if st != http.StatusSeeOther {
		t.Errorf("POST /admin/persons with valid UTF-8 = %d, want 303", st)
	}
}

// FuzzInput sends arbitrary text in the query and in a form body to the
// registered routes (chosen by index) as a clerk and anonymously: never a
// 5xx, and text with a NUL byte or invalid UTF-8 is refused with 400. The
// seed corpus (every route, good and bad text) runs in every go test.
func FuzzInput(f *testing.F) {
	e := newInputEnv(f)
	for i := range e.routes {
		f.Add(uint16(i), badTexts[i%len(badTexts)].text)
		f.Add(uint16(i), "Müller & Söhne")
	}
	f.Fuzz(func(t *testing.T, i uint16, text string) {
		rt := e.routes[int(i)%len(e.routes)]
		if rt.pattern == "/logout" || rt.method == http.MethodTrace {
			return // logging the clerk out would end the fuzzing as a clerk
		}
		bad := !site.ValidText(text)
		for _, c := range []inputClient{e.clients[0], e.clients[2]} {
			st, _ := e.send(t, c, rt.method, rt.path+"?q="+url.QueryEscape(text), "", nil)
			if failed(st, bad) {
				t.Errorf("%s %s?q=%q as %s: status %d (want no 5xx; 400 for bad text)", rt.method, rt.pattern, text, c.role, st)
			}
			if rt.method != http.MethodPost {
				continue
			}
			st, _ = e.send(t, c, rt.method, rt.path, "application/x-www-form-urlencoded",
				[]byte("name="+url.QueryEscape(text)+"&email="+url.QueryEscape(text)+"&label="+url.QueryEscape(text)))
			if failed(st, bad) {
				t.Errorf("%s %s with form text %q as %s: status %d (want no 5xx; 400 for bad text)", rt.method, rt.pattern, text, c.role, st)
			}
		}
	})
}

// failed reports whether status is wrong for text that is bad (want 400)
// or good (want no 5xx but 503: this server runs without a search index
// and a live hub, which answer "unavailable").
func failed(status int, bad bool) bool {
	if bad {
		return status != http.StatusBadRequest
	}
	return status >= 500 && status != http.StatusServiceUnavailable
}
