package oparl

import "github.com/plenar/plenar/council"

// initiative is the vendor object plenar:initiative of a Paper that came
// from a citizens' motion or a youth council's or community group's
// motion (docs/OPARL.md, "Initiative"): how it reached the council. The
// co-signers are counted, never named; the author is not published.
type initiative struct {
	Kind       string `json:"kind"` // citizens, youth_council, community_group
	Group      string `json:"organization,omitempty"`
	Submitted  string `json:"submitted,omitempty"`
	Signatures *int   `json:"signatures,omitempty"` // citizens' motions
	Threshold  *int   `json:"threshold,omitempty"`
	Deadline   string `json:"deadline,omitempty"`
	Admitted   string `json:"admitted,omitempty"`
	DueDate    string `json:"dueDate,omitempty"` // the answer obligation (groups)
	Answered   string `json:"answered,omitempty"`
	Answer     string `json:"answer,omitempty"`
	Web        string `json:"web"`
}

func (h *Handler) initiative(i council.Initiative) *initiative {
	r := &initiative{Kind: string(i.Kind), Deadline: date(i.Deadline), DueDate: date(i.Due), Answer: i.Answer,
		Web: h.u.web("/beteiligung/antraege/", i.ID)}
	if i.OrganizationID != council.NilID {
		r.Group = h.u.obj(pOrganization, i.OrganizationID)
	}
	if i.Kind == council.InitiativeCitizens {
		r.Signatures, r.Threshold = &i.Signatures, &i.Threshold
	}
	if !i.SubmittedAt.IsZero() {
		r.Submitted = h.dateTime(i.SubmittedAt)
	}
	if !i.AdmittedAt.IsZero() {
		r.Admitted = h.dateTime(i.AdmittedAt)
	}
	if !i.AnsweredAt.IsZero() {
		r.Answered = h.dateTime(i.AnsweredAt)
	}
	return r
}
