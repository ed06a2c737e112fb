package live

import (
	"context"
	"fmt"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// ItemAttendance is the attendance during one period in which an agenda
// item was current (an item taken up twice has two periods), for the
// minutes (docs/DOMAIN.md, "Niederschrift": attendance per agenda item).
type ItemAttendance struct {
	ItemID  council.ID
	From    time.Time
	To      time.Time                    // zero: the item is still current
	AtStart map[council.ID]meetings.Mode // every roster member's mode when the item began
	Changes []AttendanceChange           // changes while it was current, in order
	Present map[council.ID]bool          // present (room or remote) at any time during the item
}

// AttendanceChange is one logged attendance change.
type AttendanceChange struct {
	PersonID council.ID
	Mode     meetings.Mode
	At       time.Time
	Via      string // who made it: clerk, chair, system (media), ...
}

// AttendanceByItem returns the attendance per agenda item period of
// meeting meetingID, in order, from the attendance log and the item
// periods. Errors: ErrNotFound for an unknown meeting (an empty result for
// a meeting that never ran).
func (h *Hub) AttendanceByItem(ctx context.Context, meetingID council.ID) ([]ItemAttendance, error) {
	if _, err := meetings.NewStore(h.pool).Meeting(ctx, meetingID); err != nil {
		return nil, fmt.Errorf("attendance by item: %w", err)
	}
	st := store{h.pool}
	changes, err := st.attendanceLog(ctx, meetingID)
	if err != nil {
		return nil, fmt.Errorf("attendance by item: %w", err)
	}
	periods, err := st.itemPeriods(ctx, meetingID)
	if err != nil {
		return nil, fmt.Errorf("attendance by item: %w", err)
	}
	var out []ItemAttendance
	for _, p := range periods {
		out = append(out, ItemAttendance{ItemID: p.ItemID, From: p.From, To: p.To})
	}
	r, err := st.roster(ctx, meetingID)
	if err != nil {
		return nil, fmt.Errorf("attendance by item: %w", err)
	}
	mode := map[council.ID]meetings.Mode{}
	for _, a := range r {
		mode[a.PersonID] = meetings.Absent
	}
	i := 0
	for k := range out {
		p := &out[k]
		// Changes before the item began (a change at the very instant
		// belongs to the item it was made under).
		for ; i < len(changes) && (changes[i].At.Before(p.From) || (changes[i].At.Equal(p.From) && changes[i].ItemID != p.ItemID)); i++ {
			mode[changes[i].PersonID] = changes[i].Mode
		}
		p.AtStart, p.Present = map[council.ID]meetings.Mode{}, map[council.ID]bool{}
		for id, m := range mode {
			p.AtStart[id] = m
			p.Present[id] = m.Present()
		}
		for ; i < len(changes) && (p.To.IsZero() || changes[i].At.Before(p.To) || (changes[i].At.Equal(p.To) && changes[i].ItemID == p.ItemID)); i++ {
			c := changes[i]
			mode[c.PersonID] = c.Mode
			p.Changes = append(p.Changes, AttendanceChange{PersonID: c.PersonID, Mode: c.Mode, At: c.At, Via: string(c.Via)})
			p.Present[c.PersonID] = p.Present[c.PersonID] || c.Mode.Present()
		}
	}
	return out, nil
}
