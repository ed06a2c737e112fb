package web

import (
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"net/http"

	"github.com/plenar/plenar/web/httpcache"
)

// newPageCache is the cache of anonymous portal and search answers
// (package httpcache; docs/ARCHITECTURE.md, "HTTP caching"). Without
// Options.Changes every anonymous answer is no-cache: nothing can say
// when it changes.
func (s *Server) newPageCache() *httpcache.Cache {
	latest := func() httpcache.Version { return httpcache.Version{} }
	if ch := s.opt.Changes; ch != nil {
		latest = func() httpcache.Version {
			c := ch.Latest()
			return httpcache.Version{Seq: c.Seq, At: c.At}
		}
	}
	return httpcache.New(httpcache.Options{
		Latest: latest,
		Build:  buildTag(s.opt.Version),
		Personal: func(r *http.Request) bool {
			_, err := r.Cookie(s.auth.sessions.Cookie.Name)
			return err == nil
		},
		Variant: func(r *http.Request) string { return requestStateOf(r).lang },
	})
}

// buildTag names what the pages are rendered with: the version and a
// hash of the embedded templates, translations and static files, so a
// new release never answers 304 for a page of the old one.
func buildTag(version string) string {
	h := sha256.New()
	h.Write([]byte(version))
	for _, fsys := range []fs.FS{templateFiles, staticFiles, i18nFiles} {
		_ = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, path)
			h.Write([]byte(path))
			h.Write(b)
			return err
		})
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])
}
