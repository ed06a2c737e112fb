package live

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/voting"
)

// MinutesDocument returns the members' version of the minutes of meeting
// id (docs/DOMAIN.md, "Niederschrift"): once approved, the frozen copy with
// its addenda; before, the draft from the session's log (DraftMinutes)
// with every agenda item, the clerk's edits laid over it
// (meetings.ApplyEdits). It also returns the edits, oldest first: the
// history the editor shows and, by the last one's ID, what ApproveMinutes
// must find unchanged. Errors: ErrNotFound for an unknown or deleted
// meeting.
func (h *Hub) MinutesDocument(ctx context.Context, id council.ID) (meetings.MinutesRecord, []meetings.MinutesEdit, error) {
	ms := meetings.NewStore(h.pool)
	st, err := ms.MinutesStatus(ctx, id)
	if err != nil {
		return meetings.MinutesRecord{}, nil, err
	}
	edits, err := ms.MinutesEdits(ctx, id)
	if err != nil {
		return meetings.MinutesRecord{}, nil, err
	}
	if st.State == meetings.MinutesApproved {
		r, err := ms.FrozenMinutes(ctx, id)
		return r, edits, err
	}
	r, err := h.draftRecord(ctx, id)
	if err != nil {
		return meetings.MinutesRecord{}, nil, err
	}
	r = meetings.ApplyEdits(r, edits)
	r.State = meetings.MinutesDraft
	return r, edits, nil
}

// ApproveMinutes approves the minutes that agenda item itemID (of a later
// meeting, "Genehmigung der Niederschrift") approves, after its accepted
// poll: it builds them once more from the log and the edits and freezes
// them (meetings.Store.ApproveMinutes). Errors: ErrNotFound, ErrConflict
// (see meetings.Store.ApproveMinutes).
func (h *Hub) ApproveMinutes(ctx context.Context, itemID council.ID) (meetings.MinutesStatus, error) {
	ms := meetings.NewStore(h.pool)
	it, err := ms.AgendaItem(ctx, itemID)
	if err != nil {
		return meetings.MinutesStatus{}, err
	}
	if it.ApprovesMinutesOf == council.NilID {
		return meetings.MinutesStatus{}, fmt.Errorf("%w: agenda item %s approves no minutes", council.ErrConflict, it.Number)
	}
	r, edits, err := h.MinutesDocument(ctx, it.ApprovesMinutesOf)
	if err != nil {
		return meetings.MinutesStatus{}, err
	}
	if r.State == meetings.MinutesApproved {
		return meetings.MinutesStatus{}, fmt.Errorf("%w: these minutes are approved already", council.ErrConflict)
	}
	var upTo int64
	if len(edits) > 0 {
		upTo = edits[len(edits)-1].ID
	}
	return ms.ApproveMinutes(ctx, itemID, r, upTo)
}

// draftRecord maps the meeting, its agenda and the draft minutes of its
// session's log to the members' version of the document.
func (h *Hub) draftRecord(ctx context.Context, id council.ID) (meetings.MinutesRecord, error) {
	ms, cs := meetings.NewStore(h.pool), council.NewStore(h.pool)
	m, err := ms.Meeting(ctx, id)
	if err != nil {
		return meetings.MinutesRecord{}, err
	}
	if m.Deleted {
		return meetings.MinutesRecord{}, fmt.Errorf("meeting %s: %w", id, council.ErrNotFound)
	}
	r := meetings.MinutesRecord{MeetingID: id, Meeting: m.Name, Start: m.Start, End: m.End, ForMembers: true}
	if b, err := cs.Body(ctx, m.BodyID); err == nil {
		r.City = b.Name
	}
	var orgs []string
	for _, o := range m.Organizations {
		if org, err := cs.Organization(ctx, o); err == nil {
			orgs = append(orgs, org.Name)
		}
	}
	r.Body = strings.Join(orgs, ", ")
	if m.LocationID != council.NilID {
		if loc, err := cs.Location(ctx, m.LocationID); err == nil {
			r.Location = loc.Label()
		}
	}
	items, err := ms.AgendaItems(ctx, id)
	if err != nil {
		return meetings.MinutesRecord{}, err
	}
	draft, err := h.DraftMinutes(ctx, id)
	if err != nil {
		return meetings.MinutesRecord{}, err
	}
	r.Ran = len(draft.Items) > 0
	for _, p := range draft.Parts {
		r.Parts = append(r.Parts, meetings.MinutesPart{Public: p.Part == PartPublic, At: p.At})
	}
	called := map[council.ID]MinutesItem{}
	for _, it := range draft.Items {
		called[it.ItemID] = it
	}
	present := map[string]bool{}
	for _, it := range items {
		ri := meetings.MinutesRecItem{ItemID: it.ID, Number: it.Number, Title: it.Name, Public: it.Public,
			PaperReference: it.PaperReference, PaperPublic: it.PaperPublic, Result: it.Result, ResolutionText: it.ResolutionText}
		if d, ok := called[it.ID]; ok {
			ri.Called = true
			recordItem(&ri, d, draft.Names, present)
		}
		r.Items = append(r.Items, ri)
	}
	for n := range present {
		r.Present = append(r.Present, n)
	}
	slices.Sort(r.Present)
	return r, nil
}

// recordItem fills ri from the draft item d.
func recordItem(ri *meetings.MinutesRecItem, d MinutesItem, names map[council.ID]string, present map[string]bool) {
	for _, a := range d.Attendance {
		p := meetings.MinutesPeriod{From: a.From, To: a.To}
		for pid, mode := range a.AtStart {
			switch mode {
			case meetings.InRoom:
				p.Room = append(p.Room, names[pid])
			case meetings.Remote:
				p.Remote = append(p.Remote, names[pid])
			}
		}
		slices.Sort(p.Room)
		slices.Sort(p.Remote)
		for _, c := range a.Changes {
			p.Changes = append(p.Changes, meetings.MinutesNamed{Name: names[c.PersonID], What: string(c.Mode), At: c.At})
		}
		for pid, ok := range a.Present {
			if ok {
				present[names[pid]] = true
			}
		}
		ri.Periods = append(ri.Periods, p)
	}
	for _, c := range d.Conflicts {
		ri.Conflicts = append(ri.Conflicts, meetings.MinutesNamed{Name: c.Name, At: c.At})
	}
	for _, q := range d.Quorum {
		ri.Quorum = append(ri.Quorum, meetings.MinutesQuorum{Quorate: q.Quorate, Present: q.Present, Needed: q.Needed, Seats: q.Seats, At: q.At})
	}
	for _, s := range d.Speeches {
		ri.Speeches = append(ri.Speeches, meetings.MinutesTurn{Name: s.Name, Kind: string(s.Kind), From: s.From, To: s.To, Withdrawn: s.Withdrawn})
	}
	for _, p := range d.Polls {
		ri.Polls = append(ri.Polls, recordPoll(p))
	}
	for _, c := range d.Complaints {
		e := meetings.MinutesRecEntry{Text: c.Text, By: c.Name, At: c.RaisedAt, Kind: string(c.Resolution), Reason: c.Note}
		ri.Complaints = append(ri.Complaints, e)
	}
	for _, q := range d.Questions {
		mq := meetings.MinutesQuestion{Number: q.Number, Text: q.Text, Called: q.Called, Mode: string(q.AnswerMode), Answer: q.Answer,
			SpokeFrom: q.FloorFrom, SpokeUntil: q.FloorUntil}
		if q.NamePublic {
			mq.Asker = q.AskerName
		}
		ri.Questions = append(ri.Questions, mq)
	}
}

// recordPoll maps a poll with its votes.
func recordPoll(p MinutesPoll) meetings.MinutesRecPoll {
	rp := meetings.MinutesRecPoll{Question: p.Question, Kind: string(p.Kind), Rule: p.Rule, State: string(p.State),
		Present: p.Inputs.Present, Eligible: p.Inputs.Eligible, Yes: p.Tally.Yes, No: p.Tally.No, Abstain: p.Tally.Abstain,
		Outcome: string(p.Outcome), Reason: p.Reason, At: p.OpenedAt}
	if p.State != meetings.PollCancelled {
		rp.Reason = ""
	}
	cand := map[string]string{}
	for _, c := range p.Candidates {
		cand[c.ID] = c.Name
	}
	if p.Election != nil {
		for _, id := range p.Election.Elected {
			rp.Elected = append(rp.Elected, cand[id])
		}
	}
	if p.Kind == voting.Open || p.Kind == voting.Named {
		for _, v := range p.Votes {
			rp.Votes = append(rp.Votes, meetings.MinutesVote{Name: v.Name, Choice: strings.Join(v.Choice, ", ")})
		}
	}
	return rp
}
