package live

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// The draft minutes (Niederschrift) of a session, from what the session
// recorded while it ran (docs/DOMAIN.md, "Niederschrift"): for each agenda
// item that was called, in agenda order, its attendance per period, the
// conflicts of interest, the speakers in order, the polls with their
// inputs and counts (each member's choice in open and named polls), the
// resolution, the complaints and how they were resolved; and the part
// switches of the session. The draft is derived on demand and never
// stored: the log stays the record, and the clerk's edits (issue 18) will
// be a layer on top of it.

// Minutes is the draft minutes of a session.
type Minutes struct {
	MeetingID council.ID
	Items     []MinutesItem         // the items that were called, in agenda order
	Parts     []PartSwitch          // the part switches, in order
	Names     map[council.ID]string // the roster's names by person
}

// MinutesItem is one agenda item in the minutes.
type MinutesItem struct {
	ItemID         council.ID
	Number, Title  string
	Public         bool
	Attendance     []ItemAttendance // one per period in which the item was current
	Conflicts      []MinutesConflict
	Quorum         []QuorumFinding // the chair's formal findings while the item was current
	Speeches       []MinutesSpeech // in the order the floor was given, then requests never heard
	Polls          []MinutesPoll   // in the order they opened
	Complaints     []ComplaintView
	Questions      []meetings.Question // of the Einwohnerfragestunde: called or answered
	Result         string
	ResolutionText string
}

// MinutesConflict is a declared conflict of interest (Befangenheit).
type MinutesConflict struct {
	PersonID council.ID
	Name     string
	At       time.Time
}

// MinutesSpeech is one request to speak: heard (From, To), withdrawn, or
// still waiting when the item ended.
type MinutesSpeech struct {
	PersonID    council.ID
	Name        string
	Kind        meetings.SpeakerKind
	RequestedAt time.Time
	From, To    time.Time // zero From: never given the floor
	Withdrawn   bool
}

// MinutesPoll is a poll with the members' choices where the law makes
// them public (open and named polls).
type MinutesPoll struct {
	meetings.Poll
	Votes []meetings.Vote
}

// QuorumFinding is the chair's formal finding of the quorum, with its
// inputs.
type QuorumFinding struct {
	Quorate                            bool
	Seats, Present, Conflicted, Needed int
	At                                 time.Time
}

// PartSwitch is a change of the session's part.
type PartSwitch struct {
	Part Part
	At   time.Time
}

// DraftMinutes returns the draft minutes of meeting meetingID from its
// session's log. Errors: ErrNotFound for an unknown meeting (a meeting
// that never ran has no items in its minutes).
func (h *Hub) DraftMinutes(ctx context.Context, meetingID council.ID) (Minutes, error) {
	ms := meetings.NewStore(h.pool)
	items, err := ms.AgendaItems(ctx, meetingID)
	if err != nil {
		return Minutes{}, fmt.Errorf("minutes: %w", err)
	}
	attendance, err := h.AttendanceByItem(ctx, meetingID)
	if err != nil {
		return Minutes{}, fmt.Errorf("minutes: %w", err)
	}
	st := store{h.pool}
	roster, err := st.roster(ctx, meetingID)
	if err != nil {
		return Minutes{}, fmt.Errorf("minutes: %w", err)
	}
	names := make(map[council.ID]string, len(roster))
	for _, a := range roster {
		names[a.PersonID] = a.Name
	}
	conflicts, err := st.minutesConflicts(ctx, meetingID)
	if err != nil {
		return Minutes{}, fmt.Errorf("minutes: %w", err)
	}
	speeches, err := st.minutesSpeeches(ctx, meetingID)
	if err != nil {
		return Minutes{}, fmt.Errorf("minutes: %w", err)
	}
	complaints, err := st.complaints(ctx, meetingID, true, council.NilID)
	if err != nil {
		return Minutes{}, fmt.Errorf("minutes: %w", err)
	}
	parts, err := st.partSwitches(ctx, meetingID)
	if err != nil {
		return Minutes{}, fmt.Errorf("minutes: %w", err)
	}
	findings, err := st.quorumFindings(ctx, meetingID)
	if err != nil {
		return Minutes{}, fmt.Errorf("minutes: %w", err)
	}
	ids := make([]council.ID, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	polls, err := ms.PollsOfItems(ctx, ids)
	if err != nil {
		return Minutes{}, fmt.Errorf("minutes: %w", err)
	}

	m := Minutes{MeetingID: meetingID, Parts: parts, Names: names}
	for _, it := range items {
		mi := MinutesItem{ItemID: it.ID, Number: it.Number, Title: it.Name, Public: it.Public, Result: it.Result,
			ResolutionText: it.ResolutionText}
		for _, a := range attendance {
			if a.ItemID == it.ID {
				mi.Attendance = append(mi.Attendance, a)
			}
		}
		if len(mi.Attendance) == 0 {
			continue // never called
		}
		for _, c := range conflicts[it.ID] {
			c.Name = names[c.PersonID]
			mi.Conflicts = append(mi.Conflicts, c)
		}
		mi.Quorum = findings[it.ID]
		for _, s := range speeches[it.ID] {
			s.Name = names[s.PersonID]
			mi.Speeches = append(mi.Speeches, s)
		}
		for _, p := range polls[it.ID] {
			mp := MinutesPoll{Poll: p}
			if !p.Secret() {
				if mp.Votes, err = ms.Votes(ctx, p.ID); err != nil {
					return Minutes{}, fmt.Errorf("minutes: %w", err)
				}
			}
			mi.Polls = append(mi.Polls, mp)
		}
		for _, c := range complaints {
			if c.ItemID == it.ID {
				mi.Complaints = append(mi.Complaints, c)
			}
		}
		if mi.Questions, err = minutesQuestions(ctx, ms, it.ID); err != nil {
			return Minutes{}, fmt.Errorf("minutes: %w", err)
		}
		m.Items = append(m.Items, mi)
	}
	return m, nil
}

// minutesQuestions returns the questions of the item (when it is a
// question time) that were called in the session or answered.
func minutesQuestions(ctx context.Context, ms *meetings.Store, item council.ID) ([]meetings.Question, error) {
	qs, err := ms.QuestionsOfItem(ctx, item)
	if err != nil {
		return nil, err
	}
	var out []meetings.Question
	for _, q := range qs {
		if !q.Called.IsZero() || q.State == meetings.QuestionAnswered {
			out = append(out, q)
		}
	}
	return out, nil
}

// minutesConflicts returns the declared conflicts of a meeting by item,
// in the order they were declared.
func (st store) minutesConflicts(ctx context.Context, meetingID council.ID) (map[council.ID][]MinutesConflict, error) {
	rows, err := st.db.Query(ctx, `SELECT item_id, person_id, at FROM live_conflicts WHERE meeting_id = $1 ORDER BY at, person_id`, meetingID)
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	out := map[council.ID][]MinutesConflict{}
	for rows.Next() {
		var item council.ID
		var c MinutesConflict
		if err := rows.Scan(&item, &c.PersonID, &c.At); err != nil {
			return nil, err
		}
		out[item] = append(out[item], c)
	}
	return out, council.TranslateError(rows.Err())
}

// minutesSpeeches returns every request to speak of a meeting by item:
// those given the floor in the order they got it, then the others in the
// order of request.
func (st store) minutesSpeeches(ctx context.Context, meetingID council.ID) (map[council.ID][]MinutesSpeech, error) {
	rows, err := st.db.Query(ctx, `SELECT item_id, person_id, kind, requested_at, granted_at, ended_at, withdrawn
		FROM live_speakers WHERE meeting_id = $1 AND item_id IS NOT NULL ORDER BY granted_at NULLS LAST, requested_at, id`, meetingID)
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	out := map[council.ID][]MinutesSpeech{}
	for rows.Next() {
		var item council.ID
		var s MinutesSpeech
		var from, to *time.Time
		if err := rows.Scan(&item, &s.PersonID, &s.Kind, &s.RequestedAt, &from, &to, &s.Withdrawn); err != nil {
			return nil, err
		}
		if from != nil {
			s.From = *from
			if to != nil {
				s.To = *to
			}
		}
		out[item] = append(out[item], s)
	}
	return out, council.TranslateError(rows.Err())
}

// partSwitches returns the part switches of a meeting from its event log.
func (st store) partSwitches(ctx context.Context, meetingID council.ID) ([]PartSwitch, error) {
	rows, err := st.db.Query(ctx, `SELECT payload, at FROM live_events WHERE meeting_id = $1 AND kind = $2 ORDER BY seq`,
		meetingID, EvPartChanged)
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	var out []PartSwitch
	for rows.Next() {
		var raw []byte
		var ps PartSwitch
		if err := rows.Scan(&raw, &ps.At); err != nil {
			return nil, err
		}
		var p PartPayload
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("part switch: %w", err)
		}
		ps.Part = p.Part
		out = append(out, ps)
	}
	return out, council.TranslateError(rows.Err())
}

// quorumFindings returns the chair's quorum findings of a meeting by
// item, in order.
func (st store) quorumFindings(ctx context.Context, meetingID council.ID) (map[council.ID][]QuorumFinding, error) {
	rows, err := st.db.Query(ctx, `SELECT item_id, quorate, seats, present, conflicted, needed, at
		FROM live_quorum_findings WHERE meeting_id = $1 AND item_id IS NOT NULL ORDER BY at, id`, meetingID)
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	out := map[council.ID][]QuorumFinding{}
	for rows.Next() {
		var item council.ID
		var f QuorumFinding
		if err := rows.Scan(&item, &f.Quorate, &f.Seats, &f.Present, &f.Conflicted, &f.Needed, &f.At); err != nil {
			return nil, err
		}
		out[item] = append(out[item], f)
	}
	return out, council.TranslateError(rows.Err())
}
