package admin

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
)

// minutesPage is the draft minutes of a meeting as the back office shows
// them: the session's log per agenda item (live.Hub.DraftMinutes), with
// names for the people and the public and non-public items apart.
type minutesPage struct {
	Meeting meetings.Meeting
	Minutes live.Minutes
	Ran     bool          // the meeting had a live session
	Items   []minutesItem // Minutes.Items with the attendance summed up
}

// minutesItem is an item of the minutes with, per period, who was present
// at its start and what changed.
type minutesItem struct {
	live.MinutesItem
	Periods []minutesPeriod
}

type minutesPeriod struct {
	live.ItemAttendance
	Room, Remote []string // present at the start, by name
	Changes      []minutesChange
}

type minutesChange struct {
	live.AttendanceChange
	Name string
}

// adminMinutes shows the draft minutes of a meeting that ran live. Only
// the staff sees the back office, so the non-public items are shown in
// full (marked as such).
func (s *server) adminMinutes(w http.ResponseWriter, r *http.Request) error {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	if s.Minutes == nil {
		return fmt.Errorf("%w: this server runs no live sessions, so there are no draft minutes", council.ErrNotFound)
	}
	mm, err := s.Minutes(r.Context(), m.ID)
	if err != nil {
		return err
	}
	page := minutesPage{Meeting: m, Minutes: mm, Ran: len(mm.Items) > 0}
	for _, it := range mm.Items {
		mi := minutesItem{MinutesItem: it}
		for _, a := range it.Attendance {
			p := minutesPeriod{ItemAttendance: a}
			for id, mode := range a.AtStart {
				switch mode {
				case meetings.InRoom:
					p.Room = append(p.Room, mm.Names[id])
				case meetings.Remote:
					p.Remote = append(p.Remote, mm.Names[id])
				}
			}
			slices.Sort(p.Room)
			slices.Sort(p.Remote)
			for _, c := range a.Changes {
				p.Changes = append(p.Changes, minutesChange{AttendanceChange: c, Name: mm.Names[c.PersonID]})
			}
			mi.Periods = append(mi.Periods, p)
		}
		page.Items = append(page.Items, mi)
	}
	s.Render(w, r, http.StatusOK, "admin_minutes", page)
	return nil
}
