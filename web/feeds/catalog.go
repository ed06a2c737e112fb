package feeds

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/site"
)

// The DCAT-AP.de catalogue (JSON-LD) of the open-data datasets: one
// dcat:Dataset per dump, with its CSV and JSON distributions (and the
// calendar and feeds where they fit), the body as publisher, the licence
// and the update frequency.

// license is the licence the body publishes its data under.
type license struct {
	URL  string // a page about the licence, for people
	DCAT string // the licence URI of the DCAT-AP.de vocabulary (or URL)
	Name string // its name
	By   bool   // attribution required
}

// defaultLicense is the Datenlizenz Deutschland – Namensnennung 2.0.
func defaultLicense() license {
	return license{URL: "https://www.govdata.de/dl-de/by-2-0", DCAT: "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
		Name: "Datenlizenz Deutschland – Namensnennung – Version 2.0", By: true}
}

// licenseOf maps Body.License (a URL, usually) to a license: the common
// open licences are recognised by their pages or DCAT-AP.de URIs; another
// absolute URL is used as is; an empty value means the default.
func licenseOf(b council.Body) license {
	raw := strings.TrimSpace(b.License)
	if raw == "" {
		return defaultLicense()
	}
	key := strings.ToLower(raw)
	for _, p := range []string{"https://", "http://", "www."} {
		key = strings.TrimPrefix(key, p)
	}
	key = strings.TrimRight(key, "/")
	known := []struct {
		match []string
		lic   license
	}{
		{[]string{"govdata.de/dl-de/by-2-0", "dcat-ap.de/def/licenses/dl-by-de/2.0"}, defaultLicense()},
		{[]string{"govdata.de/dl-de/zero-2-0", "dcat-ap.de/def/licenses/dl-zero-de/2.0"},
			license{URL: "https://www.govdata.de/dl-de/zero-2-0", DCAT: "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
				Name: "Datenlizenz Deutschland – Zero – Version 2.0"}},
		{[]string{"creativecommons.org/licenses/by/4.0", "dcat-ap.de/def/licenses/cc-by/4.0"},
			license{URL: "https://creativecommons.org/licenses/by/4.0/", DCAT: "http://dcat-ap.de/def/licenses/cc-by/4.0",
				Name: "Creative Commons Namensnennung 4.0 International (CC BY 4.0)", By: true}},
		{[]string{"creativecommons.org/licenses/by-sa/4.0", "dcat-ap.de/def/licenses/cc-by-sa/4.0"},
			license{URL: "https://creativecommons.org/licenses/by-sa/4.0/", DCAT: "http://dcat-ap.de/def/licenses/cc-by-sa/4.0",
				Name: "Creative Commons Namensnennung – Weitergabe unter gleichen Bedingungen 4.0 International (CC BY-SA 4.0)", By: true}},
		{[]string{"creativecommons.org/publicdomain/zero/1.0", "dcat-ap.de/def/licenses/cc-zero"},
			license{URL: "https://creativecommons.org/publicdomain/zero/1.0/", DCAT: "http://dcat-ap.de/def/licenses/cc-zero",
				Name: "Creative Commons CC0 1.0 Universell"}},
	}
	for _, k := range known {
		for _, m := range k.match {
			if key == m {
				return k.lic
			}
		}
	}
	if u, err := url.Parse(raw); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return license{URL: raw, DCAT: raw, Name: raw, By: true}
	}
	return license{Name: raw, By: true}
}

// EU vocabularies the catalogue points into.
const (
	euFrequency = "http://publications.europa.eu/resource/authority/frequency/"
	euFileType  = "http://publications.europa.eu/resource/authority/file-type/"
	euTheme     = "http://publications.europa.eu/resource/authority/data-theme/"
	euLanguage  = "http://publications.europa.eu/resource/authority/language/"
	ianaMedia   = "https://www.iana.org/assignments/media-types/"
)

// jsonld is a JSON-LD node.
type jsonld = map[string]any

func ref(iri string) jsonld { return jsonld{"@id": iri} }

// langText returns a text in German and English as language-tagged literals.
func (s *Server) langText(key string, args ...any) []jsonld {
	out := make([]jsonld, 0, len(s.langs))
	for _, l := range s.langs {
		out = append(out, jsonld{"@value": s.i18n.T(l, key, args...), "@language": l})
	}
	return out
}

func dateTime(t time.Time) jsonld {
	return jsonld{"@value": t.In(site.Berlin).Format(time.RFC3339), "@type": "xsd:dateTime"}
}

// openDataMods loads when each dataset last changed.
func (s *Server) openDataMods(r *http.Request, body council.Body) (openDataMods, error) {
	ctx := r.Context()
	c, err := s.council.OpenDataModified(ctx, body.ID)
	if err != nil {
		return openDataMods{}, err
	}
	m, err := s.meetings.OpenDataModified(ctx, body.ID)
	if err != nil {
		return openDataMods{}, err
	}
	return openDataMods{c: c, m: m}, nil
}

// extraDistribution is a distribution beyond the dumps: the calendar and
// the Atom feed.
type extraDistribution struct {
	Path, MediaType, TitleKey string
}

func extraDistributions(slug string) []extraDistribution {
	switch slug {
	case "meetings":
		return []extraDistribution{{"/meetings.ics", "text/calendar", "feeds.dist.ics"}}
	case "papers":
		return []extraDistribution{{"/papers.atom", "application/atom+xml", "feeds.dist.atom_papers"}}
	case "agenda-items":
		return []extraDistribution{{"/decisions.atom", "application/atom+xml", "feeds.dist.atom_decisions"}}
	case "implementations":
		return []extraDistribution{{"/beschlusskontrolle.atom", "application/atom+xml", "feeds.dist.atom_trail"}}
	}
	return nil
}

func (s *Server) openDataCatalog(w http.ResponseWriter, r *http.Request) error {
	body, err := s.council.MainBody(r.Context())
	if err != nil {
		return err
	}
	mods, err := s.openDataMods(r, body)
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	lic := licenseOf(body)
	publisher := jsonld{"@id": base + "/#publisher", "@type": "foaf:Organization", "foaf:name": body.Name}
	if body.Website != "" {
		publisher["foaf:homepage"] = ref(body.Website)
	}
	var sets []jsonld
	latest := body.Modified
	for _, ds := range datasets() {
		modified := ds.modified(mods)
		if modified.IsZero() {
			modified = body.Modified
		}
		if modified.After(latest) {
			latest = modified
		}
		id := base + "/open-data#" + ds.Slug
		set := jsonld{"@id": id, "@type": "dcat:Dataset", "dct:identifier": id,
			"dct:title":              s.langText("feeds.ds." + ds.Slug + ".title"),
			"dct:description":        s.langText("feeds.ds."+ds.Slug+".desc", body.Name),
			"dcat:keyword":           s.langText("feeds.ds." + ds.Slug + ".keyword"),
			"dct:publisher":          ref(base + "/#publisher"),
			"dcat:theme":             []jsonld{ref(euTheme + "GOVE")},
			"dct:accrualPeriodicity": ref(euFrequency + "CONT"),
			"dct:modified":           dateTime(modified),
			"dct:language":           ref(euLanguage + "DEU"),
			"dcat:landingPage":       ref(base + "/open-data"),
		}
		s.licenseTerms(set, lic, body)
		if body.AGS != "" {
			set["dcatde:politicalGeocodingLevelURI"] = ref("http://dcat-ap.de/def/politicalGeocoding/Level/municipality")
			set["dcatde:politicalGeocodingURI"] = ref("http://dcat-ap.de/def/politicalGeocoding/municipalityKey/" + body.AGS)
		}
		var dists []jsonld
		for _, f := range dumpFormats() {
			u := base + "/open-data/" + ds.Slug + "." + f.Ext
			mt, _, _ := strings.Cut(f.MediaType, ";")
			d := jsonld{"@id": u, "@type": "dcat:Distribution",
				"dct:title":        s.langText("feeds.dist.dump", f.Name),
				"dcat:accessURL":   ref(u),
				"dcat:downloadURL": ref(u),
				"dcat:mediaType":   ref(ianaMedia + mt),
				"dct:format":       ref(euFileType + f.Name),
				"dct:modified":     dateTime(modified),
			}
			s.licenseTerms(d, lic, body)
			dists = append(dists, d)
		}
		for _, x := range extraDistributions(ds.Slug) {
			u := base + x.Path
			d := jsonld{"@id": u, "@type": "dcat:Distribution",
				"dct:title":      s.langText(x.TitleKey),
				"dcat:accessURL": ref(u), "dcat:downloadURL": ref(u),
				"dcat:mediaType": ref(ianaMedia + x.MediaType),
			}
			s.licenseTerms(d, lic, body)
			dists = append(dists, d)
		}
		set["dcat:distribution"] = dists
		sets = append(sets, set)
	}
	cat := jsonld{
		"@context": jsonld{
			"dcat":   "http://www.w3.org/ns/dcat#",
			"dct":    "http://purl.org/dc/terms/",
			"dcatde": "http://dcat-ap.de/def/dcatde/",
			"foaf":   "http://xmlns.com/foaf/0.1/",
			"xsd":    "http://www.w3.org/2001/XMLSchema#",
		},
		"@id":             base + "/open-data/catalog.jsonld",
		"@type":           "dcat:Catalog",
		"dct:title":       s.langText("feeds.catalog.title", body.Name),
		"dct:description": s.langText("feeds.catalog.desc", body.Name),
		"dct:publisher":   publisher,
		"dct:language":    ref(euLanguage + "DEU"),
		"dct:modified":    dateTime(latest),
		"foaf:homepage":   ref(base + "/open-data"),
		"dcat:dataset":    sets,
	}
	if lic.DCAT != "" {
		cat["dct:license"] = ref(lic.DCAT)
	}
	b, err := json.MarshalIndent(cat, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/ld+json; charset=utf-8")
	w.Header().Set("Cache-Control", feedCacheControl)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// licenseTerms adds the licence (and the attribution text a
// by-licence asks for) to a dataset or distribution node.
func (s *Server) licenseTerms(n jsonld, lic license, body council.Body) {
	if lic.DCAT != "" {
		n["dct:license"] = ref(lic.DCAT)
	} else {
		n["dct:rights"] = lic.Name
	}
	if lic.By {
		n["dcatde:licenseAttributionByText"] = body.Name
	}
}
