package site

import (
	"context"
	"fmt"

	"github.com/plenar/plenar/council"
)

// OrgRef is an organization as a link.
type OrgRef struct {
	ID   council.ID
	Name string
}

// Directory holds the body's organizations and locations, loaded once per
// request, so lists resolve names without a query per row.
type Directory struct {
	Orgs  map[council.ID]council.Organization
	Order []council.ID // the organizations by kind, then name
	Locs  map[council.ID]council.Location
}

// LoadDirectory loads body's directory from cs.
func LoadDirectory(ctx context.Context, cs *council.Store, body council.ID) (Directory, error) {
	d := Directory{Orgs: map[council.ID]council.Organization{}, Locs: map[council.ID]council.Location{}}
	orgs, err := cs.Organizations(ctx, body)
	if err != nil {
		return d, fmt.Errorf("portal directory: %w", err)
	}
	for _, o := range orgs {
		d.Orgs[o.ID] = o
		d.Order = append(d.Order, o.ID)
	}
	locs, err := cs.Locations(ctx, body)
	if err != nil {
		return d, fmt.Errorf("portal directory: %w", err)
	}
	for _, l := range locs {
		d.Locs[l.ID] = l
	}
	return d, nil
}

// Refs returns the organizations that ids name, as links, skipping unknown ones.
func (d Directory) Refs(ids []council.ID) []OrgRef {
	out := make([]OrgRef, 0, len(ids))
	for _, id := range ids {
		if o, ok := d.Orgs[id]; ok {
			out = append(out, OrgRef{ID: id, Name: o.Name})
		}
	}
	return out
}

// Place returns the label of location id ("" when unknown).
func (d Directory) Place(id council.ID) string {
	if l, ok := d.Locs[id]; ok {
		return l.Label()
	}
	return ""
}
