package live

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
)

// Rügen.
const (
	CmdComplain         CommandName = "complain"
	CmdResolveComplaint CommandName = "resolve_complaint"
)

// Complain logs a Rüge: a member complains of a technical disturbance
// (docs/DOMAIN.md, "Rüge"), and the chair and the clerk are alerted.
type Complain struct {
	Person council.ID // NilID: the actor's own person
	Text   string
}

// ResolveComplaint records the chair's classification of a Rüge: repeat
// the affected step, or continue.
type ResolveComplaint struct {
	Complaint  council.ID
	Resolution Resolution
	Note       string // optional, for the minutes
}

// Name returns the command's name, for Command.
func (Complain) Name() CommandName         { return CmdComplain }
func (ResolveComplaint) Name() CommandName { return CmdResolveComplaint }

func (c Complain) member() council.ID { return c.Person }

// maxText is the longest complaint or note, in characters.
const maxText = 2000

func checkText(s string) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxText {
		return council.Invalidf("text too long or not UTF-8")
	}
	return nil
}

func (c Complain) validate() error { return checkText(c.Text) }

func (c ResolveComplaint) validate() error {
	if c.Complaint == council.NilID {
		return council.Invalidf("name the complaint to resolve")
	}
	if !c.Resolution.Valid() {
		return council.Invalidf("resolution %q: want repeat or continue", c.Resolution)
	}
	return checkText(c.Note)
}

// complaintCommands are the Rügen: a member raises one for themself; the
// chair (or the clerk on the chair's instruction) resolves it.
func complaintCommands() []spec {
	return []spec{
		cmd[Complain]{
			who:    permission{self: true},
			emits:  []EventKind{EvComplaint, EvPoll},
			decode: func(w *wire) Complain { return Complain{Person: w.id("person"), Text: w.text("text")} },
			run:    (*cmdCtx).complain,
		}.spec(),
		cmd[ResolveComplaint]{
			who:   permission{chair: true, clerk: true},
			emits: []EventKind{EvComplaintResolved, EvPoll},
			// The wire carries the complaint in "request" and the
			// resolution in "text" (protocol version 1).
			decode: func(w *wire) ResolveComplaint {
				return ResolveComplaint{Complaint: w.id("request"), Resolution: Resolution(w.text("text")), Note: w.text("note")}
			},
			run: (*cmdCtx).resolveComplaint,
		}.spec(),
	}
}

// complain logs a Rüge and alerts the chair and clerk.
func (cc *cmdCtx) complain(ctx context.Context, c Complain) ([]event, error) {
	v := ComplaintView{ID: council.NewID(), PersonID: cc.target.PersonID, Name: cc.target.Name, ItemID: cc.s.ItemID, Text: c.Text, RaisedAt: cc.now}
	if err := cc.st.addComplaint(ctx, cc.s.MeetingID, v); err != nil {
		return nil, fmt.Errorf("complain: %w", err)
	}
	evs := []event{{Kind: EvComplaint, Audience: AudienceStaff, Payload: v}}
	paused, err := cc.pausePoll(ctx) // a Rüge pauses a running poll (docs/VOTING.md, "Disturbance")
	return append(evs, paused...), err
}

// resolveComplaint records the chair's classification of a Rüge: repeat
// the affected step, or continue. The resolution goes to the members as
// well as staff: a repeated step concerns every member, and the complaint
// is part of the minutes; the public sees nothing of complaints (they name
// a member and their equipment, and the public part's minutes carry the
// outcome).
func (cc *cmdCtx) resolveComplaint(ctx context.Context, c ResolveComplaint) ([]event, error) {
	v, err := cc.st.complaint(ctx, cc.s.MeetingID, c.Complaint)
	if err != nil {
		return nil, err
	}
	if v.ResolvedAt != nil {
		return nil, fmt.Errorf("%w: the complaint is already resolved", council.ErrConflict)
	}
	if err := cc.st.resolveComplaint(ctx, v.ID, c.Resolution, c.Note, cc.actor.UserID, cc.now); err != nil {
		return nil, fmt.Errorf("resolve complaint: %w", err)
	}
	now := cc.now
	v.Resolution, v.Note, v.ResolvedAt = c.Resolution, c.Note, &now
	evs := []event{{Kind: EvComplaintResolved, Audience: AudienceMembers, Payload: v}}
	poll, err := cc.afterComplaint(ctx, c.Resolution) // the paused poll continues or is repeated
	return append(evs, poll...), err
}
