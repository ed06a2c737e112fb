package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

//go:embed i18n/*.json
var i18nFiles embed.FS

// Langs are the UI languages; the first is the default.
var langs = []string{"de", "en"}

// catalog holds the translations per language, loaded at start-up.
type catalog map[string]map[string]string

func loadCatalog() (catalog, error) {
	// One file per area and language: i18n/<area>.<lang>.json.
	c := catalog{}
	for _, l := range langs {
		files, err := fs.Glob(i18nFiles, "i18n/*."+l+".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, f := range files {
			b, err := i18nFiles.ReadFile(f)
			if err != nil {
				return nil, err
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("%s: key %q defined twice", f, k)
				}
				m[k] = v
			}
		}
		c[l] = m
	}
	// Every key must exist in every language: fail fast at start-up.
	var missing []string
	for _, l := range langs {
		for k := range c[langs[0]] {
			if _, ok := c[l][k]; !ok {
				missing = append(missing, l+":"+k)
			}
		}
		for k := range c[l] {
			if _, ok := c[langs[0]][k]; !ok {
				missing = append(missing, langs[0]+":"+k)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("i18n: missing translations: %s", strings.Join(missing, ", "))
	}
	return c, nil
}

// T translates key into lang; args fill %s/%d verbs. An unknown key is
// returned as is, so a missing translation is visible, not blank.
func (c catalog) T(lang, key string, args ...any) string {
	s, ok := c[lang][key]
	if !ok {
		s, ok = c[langs[0]][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key has a translation (in lang or the default
// language).
func (c catalog) Has(lang, key string) bool {
	_, ok := c[lang][key]
	if !ok {
		_, ok = c[langs[0]][key]
	}
	return ok
}

var langMatcher = language.NewMatcher([]language.Tag{language.German, language.English})

// langOf picks the UI language: the "lang" query parameter (the visible
// switch; anonymous visitors get no cookie, so links carry it), else the
// session's choice, else Accept-Language, else German.
func langOf(r *http.Request, sessionLang string) string {
	if l := r.URL.Query().Get("lang"); l == "de" || l == "en" {
		return l
	}
	if sessionLang == "de" || sessionLang == "en" {
		return sessionLang
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			_, i, conf := langMatcher.Match(tags...)
			if conf != language.No && i == 1 {
				return "en"
			}
		}
	}
	return "de"
}
