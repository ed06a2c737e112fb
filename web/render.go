package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/site"
)

//go:embed templates
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// templates holds one parsed set per page: layout + partials + the page.
type templates map[string]*template.Template

func parseTemplates(funcs template.FuncMap) (templates, error) {
	pages, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(templateFiles, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	out := templates{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		files := append([]string{"templates/layout.html"}, partials...)
		files = append(files, p)
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, files...)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// staticAssets serves embedded files at content-hashed URLs
// (/static/<hash>/<name>), cached for a year.
type staticAssets struct {
	fsys   fs.FS
	hashed map[string]string // name → /static/<hash>/<name>
}

func newStaticAssets() (*staticAssets, error) {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	a := &staticAssets{fsys: sub, hashed: map[string]string{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashed[p] = "/static/" + hex.EncodeToString(sum[:6]) + "/" + p
		return nil
	})
	return a, err
}

// URL returns the hashed URL of a static file; it panics on an unknown name
// so that a typo fails at template parse/first render in tests.
func (a *staticAssets) URL(name string) string {
	u, ok := a.hashed[name]
	if !ok {
		panic("unknown static file " + name)
	}
	return u
}

func (a *staticAssets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// /static/<hash>/<name>
	rest := strings.TrimPrefix(r.URL.Path, "/static/")
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	name := rest[i+1:]
	if want, ok := a.hashed[name]; !ok || want != r.URL.Path {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeFileFS(w, r, a.fsys, name)
}

// serveFavicon answers the browsers' automatic /favicon.ico with the SVG
// icon that layout.html links at its hashed URL, so the request neither
// 404s nor logs an error in the console. Cached for a day: the icon may
// change with a release.
func (a *staticAssets) serveFavicon(w http.ResponseWriter, r *http.Request) {
	b, err := fs.ReadFile(a.fsys, "favicon.svg")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, "favicon.svg", time.Time{}, bytes.NewReader(b))
}

// page is what every template sees as "." : the request's language,
// viewer and CSRF token, helpers, and the handler's Data.
type page struct {
	Lang     string
	Title    string
	Path     string
	Viewer   council.Viewer
	UserName string
	CSRF     string
	Data     any
	Status   int
	s        *Server
	query    url.Values
}

// T translates key.
func (p *page) T(key string, args ...any) string { return p.s.i18n.T(p.Lang, key, args...) }

// Link returns href with the language parameter when it differs from the
// default, so an anonymous visitor's choice survives navigation without a
// cookie.
func (p *page) Link(href string) string {
	if p.Lang == langs[0] || !strings.HasPrefix(href, "/") {
		return href
	}
	sep := "?"
	if strings.Contains(href, "?") {
		sep = "&"
	}
	return href + sep + "lang=" + p.Lang
}

// SwitchLang returns the current URL in the other language.
func (p *page) SwitchLang() string {
	q := url.Values{}
	for k, v := range p.query {
		q[k] = v
	}
	other := "en"
	if p.Lang == "en" {
		other = "de"
	}
	q.Set("lang", other)
	return p.Path + "?" + q.Encode()
}

// Static returns the hashed URL of a static file.
func (p *page) Static(name string) string { return p.s.static.URL(name) }

// Date formats a civil date: "27.11.2026" / "27 Nov 2026".
func (p *page) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if p.Lang == "en" {
		return t.Format("2 Jan 2006")
	}
	return t.Format("02.01.2006")
}

// DateTime formats an instant in German time.
func (p *page) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(site.Berlin)
	if p.Lang == "en" {
		return t.Format("Mon, 2 Jan 2006, 15:04")
	}
	return weekdayDE[t.Weekday()] + ", " + t.Format("02.01.2006, 15:04") + " Uhr"
}

// Time formats the clock time of an instant in German time.
func (p *page) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(site.Berlin).Format("15:04")
}

// ISO formats an instant for <time datetime>.
func (p *page) ISO(t time.Time) string { return t.In(site.Berlin).Format(time.RFC3339) }

var weekdayDE = [...]string{"So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"}

// DayISO formats a civil date for <time datetime>: "2026-11-27".
func (p *page) DayISO(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// With returns a copy of p whose Data is v, so a sub-template can render a
// list row and still translate and link: {{template "row" ($.With .)}}.
func (p *page) With(v any) *page {
	c := *p
	c.Data = v
	return &c
}

// IsMember reports whether the viewer is logged in as a member: the header
// links "Meine Gremien".
func (p *page) IsMember() bool { return p.Viewer.Role == council.RoleMember }

// render executes template name with data into w with status. It renders
// into a buffer first, so a template error never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := s.tmpl[name]
	if !ok {
		s.log.Error("unknown template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p := s.newPage(r, data)
	p.Status = status
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.log.Error("render template", "name", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", p.Lang)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) newPage(r *http.Request, data any) *page {
	rs := requestStateOf(r)
	return &page{Lang: rs.lang, Path: r.URL.Path, Viewer: rs.viewer, UserName: rs.userName, CSRF: rs.csrf,
		Data: data, s: s, query: r.URL.Query()}
}
