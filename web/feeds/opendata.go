package feeds

import (
	"net/http"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/site"
)

// The open-data page (/open-data): what the body publishes as open data,
// under which licence, and links to every download, calendar, feed, the
// DCAT-AP.de catalogue and the OParl API.

// oparlEntry is the OParl System object (package web/oparl).
const oparlEntry = "/oparl/v1.1/system"

// openDataPage is the data of the open-data page.
type openDataPage struct {
	BodyName string
	License  license
	Datasets []openDataSet
	Bodies   []site.OrgRef // organizations that hold meetings
	OParl    string
	Catalog  string
}

// openDataSet is one dataset with its download links.
type openDataSet struct {
	Slug     string
	Modified time.Time
	Links    []openDataLink
}

// openDataLink is a download link: the visible text names the dataset and
// the format, so it makes sense on its own in a list of links.
type openDataLink struct {
	Href   string
	Type   string // media type without parameters
	Format string // "CSV", "JSON"
}

func (s *Server) openDataPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	body, err := s.council.MainBody(ctx)
	if err != nil {
		return err
	}
	mods, err := s.openDataMods(r, body)
	if err != nil {
		return err
	}
	data := openDataPage{BodyName: body.Name, License: licenseOf(body), OParl: oparlEntry,
		Catalog: "/open-data/catalog.jsonld"}
	for _, ds := range datasets() {
		set := openDataSet{Slug: ds.Slug, Modified: ds.modified(mods)}
		for _, f := range dumpFormats() {
			mt, _, _ := strings.Cut(f.MediaType, ";")
			set.Links = append(set.Links, openDataLink{Href: "/open-data/" + ds.Slug + "." + f.Ext, Type: mt, Format: f.Name})
		}
		data.Datasets = append(data.Datasets, set)
	}
	orgs, err := s.council.Organizations(ctx, body.ID)
	if err != nil {
		return err
	}
	today := council.Today(s.opt.Now())
	for _, o := range orgs {
		if o.Kind.IsBody() && !o.Deleted && (o.End.IsZero() || !o.End.Before(today)) {
			data.Bodies = append(data.Bodies, site.OrgRef{ID: o.ID, Name: o.Name})
		}
	}
	s.render(w, r, http.StatusOK, "opendata", data)
	return nil
}
