package documents

import (
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// TestPaperSheetVisibility: the public version of a paper's PDF shows of
// its consultation path only what the portal shows — nothing of an item
// on an agenda that is not published yet (a planned meeting), no number
// or result of a non-public item — while the members' version shows all.
func TestPaperSheetVisibility(t *testing.T) {
	at := time.Date(2027, 1, 6, 17, 0, 0, 0, time.UTC)
	step := func(state meetings.State, public bool) meetings.Step {
		return meetings.Step{OrgName: "Kultur- und Sportausschuss", MeetingName: "28. Sitzung",
			MeetingStart: at, MeetingState: state, AgendaPublished: state != meetings.Planned, // as Path reads agenda_published
			Item: meetings.AgendaItem{ID: council.NewID(), MeetingID: council.NewID(), Number: "5", Public: public, Result: "empfohlen"}}
	}
	p := council.Paper{Name: "Sportförderrichtlinie", Reference: "V0298/26"}
	for _, c := range []struct {
		name        string
		st          meetings.Step
		public      bool
		wantMeeting bool
		wantItem    bool
	}{
		{"planned meeting, public version", step(meetings.Planned, true), true, false, false},
		{"planned meeting, members' version", step(meetings.Planned, true), false, true, true},
		{"invited meeting, public item", step(meetings.Invited, true), true, true, true},
		{"invited meeting, non-public item, public version", step(meetings.Invited, false), true, true, false},
		{"closed meeting, non-public item, members' version", step(meetings.Closed, false), false, true, true},
	} {
		ps := PaperSheetFrom(council.Body{Name: "Stadt Musterstadt"}, p, nil, "", []meetings.Step{c.st}, c.public)
		got := ps.Path[0]
		if hasMeeting := got.Meeting != "" || !got.Date.IsZero(); hasMeeting != c.wantMeeting {
			t.Errorf("%s: meeting %q on %v shown = %t, want %t", c.name, got.Meeting, got.Date, hasMeeting, c.wantMeeting)
		}
		if hasItem := got.Item != "" || got.Result != ""; hasItem != c.wantItem {
			t.Errorf("%s: item %q, result %q shown = %t, want %t", c.name, got.Item, got.Result, hasItem, c.wantItem)
		}
	}
}
