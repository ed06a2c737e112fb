package live

import (
	"context"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// attendeeView is the view of a roster entry.
func attendeeView(a meetings.Attendee) AttendeeView {
	v := AttendeeView{PersonID: a.PersonID, Name: a.Name, Role: a.Role, Voting: a.Voting, Mode: string(a.Mode), Connected: a.Connected}
	if !a.Since.IsZero() {
		since := a.Since
		v.Since = &since
	}
	return v
}

// quorum computes the live quorum of s for its current item.
func quorum(ctx context.Context, st store, s session) (QuorumView, error) {
	r, err := st.roster(ctx, s.MeetingID)
	if err != nil {
		return QuorumView{}, err
	}
	conf, err := st.conflicted(ctx, s.ItemID)
	if err != nil {
		return QuorumView{}, err
	}
	q := meetings.ComputeQuorum(s.Seats, r, conf)
	return QuorumView{ItemID: s.ItemID, Seats: q.Seats, Present: q.Present, Conflicted: q.Conflicted,
		Counted: q.Counted, Needed: q.Needed, Quorate: q.Quorate}, nil
}

// speakers returns the speakers' view of the session.
func speakers(ctx context.Context, st store, s session) (SpeakersView, error) {
	rs, names, err := st.openRequests(ctx, s.MeetingID)
	if err != nil {
		return SpeakersView{}, err
	}
	v := SpeakersView{Floor: []SpeakerView{}, Queue: []SpeakerView{}, Limit: s.FloorLimit}
	view := func(r meetings.SpeakerRequest) SpeakerView {
		sv := SpeakerView{ID: r.ID, PersonID: r.PersonID, Name: names[r.PersonID], Kind: string(r.Kind),
			RequestedAt: r.RequestedAt, Seconds: int(r.Limit / time.Second)}
		if !r.GrantedAt.IsZero() {
			g := r.GrantedAt
			sv.GrantedAt = &g
		}
		return sv
	}
	for _, r := range rs {
		if r.Speaking() {
			v.Floor = append(v.Floor, view(r))
		}
	}
	for _, r := range meetings.Queue(rs) {
		v.Queue = append(v.Queue, view(r))
	}
	return v, nil
}

// item returns the view of agenda item id (full, unredacted).
func item(ctx context.Context, st store, id council.ID) (ItemView, error) {
	if id == council.NilID {
		return ItemView{}, nil
	}
	it, err := meetings.NewStore(st.db).AgendaItem(ctx, id)
	if err != nil {
		return ItemView{}, err
	}
	return ItemView{ID: it.ID, Number: it.Number, Title: it.Name, Public: it.Public}, nil
}

// neutral is the public's view of a non-public item.
func (v ItemView) neutral() ItemView {
	return ItemView{ID: v.ID, Number: v.Number, Title: meetings.NonPublicTitle, Public: false}
}
