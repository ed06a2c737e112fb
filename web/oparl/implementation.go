package oparl

import (
	"github.com/plenar/plenar/council"
)

// implementation is the vendor object plenar:implementation of a Paper:
// the implementation record of the decision (docs/OPARL.md,
// "Implementation"). Only public papers are in OParl, and their records
// are public exactly when they are (implementation_public); follow-up
// papers are listed when public.
type implementation struct {
	Status            string   `json:"status"` // open, in_progress, done, not_implemented
	Reason            string   `json:"reason,omitempty"`
	ResponsibleOffice string   `json:"responsibleOffice,omitempty"`
	DueDate           string   `json:"dueDate,omitempty"`
	Notes             []note   `json:"notes,omitempty"`
	FollowUpPapers    []string `json:"followUpPapers,omitempty"`
	Created           string   `json:"created"`
	Modified          string   `json:"modified"`
}

// note is a dated progress note.
type note struct {
	Date string `json:"date"`
	Text string `json:"text"`
}

func (h *Handler) implementation(im council.Implementation) *implementation {
	r := &implementation{Status: string(im.Status), Reason: im.Reason, ResponsibleOffice: im.Office, DueDate: date(im.Due),
		FollowUpPapers: h.u.objs(pPaper, im.FollowUps), Created: h.dateTime(im.Created), Modified: h.dateTime(im.Modified)}
	for _, n := range im.Notes {
		r.Notes = append(r.Notes, note{Date: date(n.Date), Text: n.Text})
	}
	return r
}
