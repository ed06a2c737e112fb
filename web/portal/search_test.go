package portal

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/web/site"
)

// TestAPISearchHitMatter: a grouped hit (one result per matter) says in
// the JSON API which document of the matter matched, an agenda item with
// its meeting or a file with its name, and the meetings the paper was
// discussed in, as the HTML page does ("beraten in …").
func TestAPISearchHitMatter(t *testing.T) {
	const base = "https://rats.example"
	paper, item, meeting, item2, meeting2, file := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	fa := time.Date(2025, 3, 3, 17, 0, 0, 0, site.Berlin)
	sr := time.Date(2025, 3, 20, 17, 0, 0, 0, site.Berlin)
	consulted := []search.Consulted{
		{MeetingID: meeting, ItemID: item, Title: "8. Sitzung des Finanzausschusses", Date: fa},
		{MeetingID: meeting2, ItemID: item2, Title: "21. Sitzung des Stadtrates", Date: sr},
	}
	hit := search.Hit{Type: search.TypePaper, ID: paper, Title: "Haushaltssatzung 2026", Reference: "V0123/25",
		Date: time.Date(2025, 2, 10, 0, 0, 0, 0, site.Berlin), Consulted: consulted,
		Match: &search.Hit{Type: search.TypeAgendaItem, ID: item2, MeetingID: meeting2, Title: "Haushaltssatzung 2026"}}

	got := roundTrip(t, apiHitOf(base, hit))
	if got.Date != "2025-02-10" || got.Reference != "V0123/25" {
		t.Errorf("date %q, reference %q", got.Date, got.Reference)
	}
	if len(got.Consulted) != 2 || got.Consulted[0].Title != "8. Sitzung des Finanzausschusses" ||
		got.Consulted[0].Date != "2025-03-03T17:00:00+01:00" || got.Consulted[0].MeetingID != meeting.String() ||
		got.Consulted[0].URL != base+"/meetings/"+meeting.String()+"#item-"+item.String() {
		t.Errorf("consulted = %+v, want both meetings, oldest first, linked to their agenda items", got.Consulted)
	}
	m := got.Match
	if m == nil || m.Type != "agenda_item" || m.ID != item2.String() ||
		m.URL != base+"/meetings/"+meeting2.String()+"#item-"+item2.String() {
		t.Fatalf("match = %+v, want the agenda item in the council meeting", m)
	}
	if m.Meeting == nil || m.Meeting.Title != "21. Sitzung des Stadtrates" || m.Meeting.MeetingID != meeting2.String() {
		t.Errorf("match meeting = %+v, want the council meeting", m.Meeting)
	}

	// A file attached to the paper: its name, no meeting.
	hit.Match = &search.Hit{Type: search.TypeFile, ID: file, Parent: search.TypePaper, ParentID: paper, Title: "Haushaltsplan_2026.pdf"}
	got = roundTrip(t, apiHitOf(base, hit))
	if m := got.Match; m == nil || m.Type != "file" || m.Title != "Haushaltsplan_2026.pdf" || m.Meeting != nil ||
		m.URL != base+"/papers/"+paper.String() {
		t.Errorf("file match = %+v", m)
	}
	// A file attached to an agenda item: its name and the item's meeting.
	hit.Match = &search.Hit{Type: search.TypeFile, ID: file, Parent: search.TypeAgendaItem, ParentID: item, MeetingID: meeting, Title: "Protokollauszug.pdf"}
	got = roundTrip(t, apiHitOf(base, hit))
	if m := got.Match; m == nil || m.Meeting == nil || m.Meeting.Title != "8. Sitzung des Finanzausschusses" {
		t.Errorf("file on an agenda item: match = %+v, want the Finanzausschuss meeting", m)
	}

	// The paper itself matched: neither match nor, without
	// consultations, consulted appear.
	raw, err := json.Marshal(apiHitOf(base, search.Hit{Type: search.TypePaper, ID: paper, Title: "Haushaltssatzung 2026"}))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(raw); strings.Contains(s, `"match"`) || strings.Contains(s, `"consulted"`) {
		t.Errorf("paper without match and consultations: %s", s)
	}
}

func roundTrip(t *testing.T, h apiSearchHit) apiSearchHit {
	t.Helper()
	raw, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var out apiSearchHit
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
