package council

import "time"

// AbuseReason is why a public contribution is reported.
type AbuseReason string

// Abuse reasons.
const (
	AbuseOffensive    AbuseReason = "offensive"     // insulting, discriminating, threatening
	AbusePersonalData AbuseReason = "personal_data" // exposes someone's personal data
	AbuseSpam         AbuseReason = "spam"
	AbuseOther        AbuseReason = "other"
)

// AbuseReasons lists every reason in the form's order.
var AbuseReasons = []AbuseReason{AbuseOffensive, AbusePersonalData, AbuseSpam, AbuseOther}

// AbuseReport is a report of a public contribution (migration 00022):
// what, why, by which account (NilID: anonymous), and how staff closed it.
type AbuseReport struct {
	ID         ID
	TargetKind string // "initiative", "question"
	TargetID   ID
	Title      string // the contribution's title, read along for the back office
	Reason     AbuseReason
	Note       string
	ReporterID ID
	Created    time.Time
	ResolvedAt time.Time
	Resolution string
}

// Validate checks a report: a known reason and target kind, a short note.
func (r AbuseReport) Validate() error {
	fe := FieldErrors{}
	known := false
	for _, x := range AbuseReasons {
		known = known || r.Reason == x
	}
	if !known {
		fe.Add("reason", MsgRequired)
	}
	if r.TargetKind != "initiative" && r.TargetKind != "question" {
		fe.Add("target", MsgUnknownKind)
	}
	checkText(fe, "note", r.Note, false, 1000)
	return fe.Err()
}
