package council

import (
	"math"
	"strings"
	"time"
)

// InitiativeKind says who files an initiative (docs/DOMAIN.md,
// "Einwohnerantrag").
type InitiativeKind string

// Initiative kinds.
const (
	InitiativeCitizens  InitiativeKind = "citizens"        // Einwohnerantrag: residents co-sign
	InitiativeYouth     InitiativeKind = "youth_council"   // Antrag des Kinder- und Jugendrates
	InitiativeCommunity InitiativeKind = "community_group" // Antrag einer Gemeinwesenarbeitsgruppe (GWA)
	InitiativeParty     InitiativeKind = "party_group"     // Antrag oder Anfrage einer Fraktion
	// Antrag oder Anfrage eines Ratsmitglieds: a councillor's own, filed
	// as a member of the council (or a committee) named by its
	// OrganizationID, co-signed by fellow councillors.
	InitiativeCouncillor InitiativeKind = "councillor"
)

// Valid reports whether k is a known kind.
func (k InitiativeKind) Valid() bool {
	return k == InitiativeCitizens || k == InitiativeYouth || k == InitiativeCommunity || k == InitiativeParty ||
		k == InitiativeCouncillor
}

// CouncilMotion reports whether k is filed by council members — a party
// group's or a councillor's motion or inquiry: for a meeting (its
// deadline), co-signed by colleagues before it is handed in, returned
// rather than rejected, and never public before admission.
func (k InitiativeKind) CouncilMotion() bool {
	return k == InitiativeParty || k == InitiativeCouncillor
}

// CouncilKinds are the kinds of organization whose current members are
// councillors who may file a councillor's motion (and co-sign one).
func CouncilKinds() []OrgKind { return []OrgKind{KindCouncil, KindCommittee, KindDistrictCouncil} }

// Group reports whether k is filed with an organization: on behalf of a
// group of that kind, or (a councillor's) as a member of a council or
// committee.
func (k InitiativeKind) Group() bool { return k != InitiativeCitizens }

// Answered reports whether an admitted motion of kind k carries an answer
// obligation (the youth council's and community groups').
func (k InitiativeKind) Answered() bool { return k == InitiativeYouth || k == InitiativeCommunity }

// OrgKind is the kind of organization a group's motion is filed for; ""
// for a councillor's motion (any of CouncilKinds) and citizens'.
func (k InitiativeKind) OrgKind() OrgKind {
	switch k {
	case InitiativeYouth:
		return KindYouthCouncil
	case InitiativeCommunity:
		return KindCommunityGroup
	case InitiativeParty:
		return KindPartyGroup
	}
	return ""
}

// PaperTypeName is the paper type an admitted initiative's Paper carries
// (OParl paperType).
func (i Initiative) PaperTypeName() string {
	switch i.Kind {
	case InitiativeParty:
		if i.PaperType == PaperInquiry {
			return "Anfrage der Fraktion"
		}
		return "Antrag der Fraktion"
	case InitiativeCouncillor:
		// Co-signed, it is the motion of several councillors.
		switch {
		case i.PaperType == PaperInquiry && i.Signatures > 0:
			return "Anfrage von Ratsmitgliedern"
		case i.PaperType == PaperInquiry:
			return "Anfrage eines Ratsmitglieds"
		case i.Signatures > 0:
			return "Antrag von Ratsmitgliedern"
		}
		return "Antrag eines Ratsmitglieds"
	case InitiativeYouth:
		return "Antrag des Kinder- und Jugendrates"
	case InitiativeCommunity:
		return "Antrag einer Gemeinwesenarbeitsgruppe"
	}
	return "Einwohnerantrag"
}

// InitiativeState is where an initiative stands.
type InitiativeState string

// Initiative states, in the order of the work.
const (
	InitiativeDraft      InitiativeState = "draft"      // the author's, private
	InitiativeCollecting InitiativeState = "collecting" // published for co-signing
	InitiativeSubmitted  InitiativeState = "submitted"  // handed in, awaiting the clerk
	InitiativeAdmitted   InitiativeState = "admitted"   // became a Paper
	InitiativeRejected   InitiativeState = "rejected"   // not admissible, with the reason
	InitiativeReturned   InitiativeState = "returned"   // a party group's, sent back with the reason; editable again
	InitiativeWithdrawn  InitiativeState = "withdrawn"  // by its author, before admission
)

// InitiativeStates lists every state.
var InitiativeStates = []InitiativeState{InitiativeDraft, InitiativeCollecting, InitiativeSubmitted,
	InitiativeAdmitted, InitiativeRejected, InitiativeReturned, InitiativeWithdrawn}

// Open reports whether the initiative may still change hands: withdrawn
// by its author or decided by the clerk.
func (s InitiativeState) Open() bool {
	return s == InitiativeDraft || s == InitiativeCollecting || s == InitiativeSubmitted || s == InitiativeReturned
}

// Editable reports whether the author may still change the texts.
func (s InitiativeState) Editable() bool { return s == InitiativeDraft || s == InitiativeReturned }

// Initiative is a motion filed from outside the back office: a citizens'
// motion (Einwohnerantrag) or a youth council's or community group's
// motion. It is public once it leaves the author's draft
// (initiative_public, migrations/sql/00020_initiatives.sql); the
// co-signers' names are never public, only their number.
type Initiative struct {
	ID             ID
	BodyID         ID
	Kind           InitiativeKind
	AuthorID       ID
	OrganizationID ID        // the group (group kinds); NilID for citizens
	GroupMeetingID ID        // the group's meeting that decided to file it; NilID: none
	MeetingID      ID        // a council motion (party group's, councillor's): the meeting it is for (its deadline)
	PaperType      PaperType // a council motion: PaperMotion (Antrag) or PaperInquiry (Anfrage); else PaperMotion
	SubmittedAt    time.Time // when it reached the office (the receipt)
	AdmittedAt     time.Time // when the clerk admitted it
	Title          string
	Text           string // the motion: what the council shall decide
	Reasoning      string // Begründung
	State          InitiativeState
	Threshold      int       // signatures needed (citizens), fixed when published
	MinAge         int       // minimum age of co-signers, fixed when published
	Deadline       time.Time // signatures until (citizens); zero before publication
	Reason         string    // why it was rejected
	PaperID        ID        // the Paper an admitted initiative became
	Due            time.Time // answer due (groups), set on admission
	Answer         string    // the administration's answer (groups)
	AnsweredAt     time.Time
	Signatures     int // co-signatures so far
	Events         []InitiativeEvent
	// OrgName, AuthorName and PaperReference are read along for pages:
	// the group's name, the author's name only where they consented to
	// publishing it ("" otherwise), the Paper's reference.
	OrgName        string
	AuthorName     string
	PaperReference string
	Meta
}

// InitiativeEvent is one dated step of an initiative's public timeline.
type InitiativeEvent struct {
	At    time.Time
	State InitiativeState
	Note  string
}

// Reached reports whether a citizens' motion has its signatures.
func (i Initiative) Reached() bool { return i.Signatures >= i.Threshold }

// Expired reports whether a collecting motion's deadline passed (before
// today's date) without it being submitted.
func (i Initiative) Expired(today time.Time) bool {
	if i.State != InitiativeCollecting || i.Deadline.IsZero() {
		return false
	}
	y, m, d := today.Date()
	return i.Deadline.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// Overdue reports whether an admitted group's motion is still unanswered
// after its due date.
func (i Initiative) Overdue(today time.Time) bool {
	if i.State != InitiativeAdmitted || i.Due.IsZero() || !i.AnsweredAt.IsZero() {
		return false
	}
	y, m, d := today.Date()
	return i.Due.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// Percent is the share of the needed signatures reached, 0–100.
func (i Initiative) Percent() int {
	if i.Threshold <= 0 {
		return 100
	}
	return min(100, i.Signatures*100/i.Threshold)
}

// Limits of an initiative's texts.
const (
	MaxInitiativeTitle = 300
	MaxInitiativeText  = 20000
)

// Validate checks what the author wrote, in the user's words: field
// errors keyed title, text, reasoning.
func (i Initiative) Validate() error {
	fe := FieldErrors{}
	checkText(fe, "title", i.Title, true, MaxInitiativeTitle)
	checkText(fe, "text", i.Text, true, MaxInitiativeText)
	checkText(fe, "reasoning", i.Reasoning, false, MaxInitiativeText)
	if !i.Kind.Valid() {
		fe.Add("kind", MsgUnknownKind)
	}
	if i.Kind.Group() && i.OrganizationID == NilID {
		fe.Add("organization", MsgRequired)
	}
	if i.PaperType != "" && i.PaperType != PaperMotion && (i.PaperType != PaperInquiry || !i.Kind.CouncilMotion()) {
		fe.Add("paper_type", MsgUnknownKind)
	}
	return fe.Err()
}

// ParticipationRules are a municipality's rules for citizens' motions
// and groups' motions (docs/DOMAIN.md, "Einwohnerantrag"). They differ by
// Land and by main statute; the zero values of a body without rules are
// DefaultParticipationRules.
type ParticipationRules struct {
	BodyID         ID
	Inhabitants    int     // the municipality's inhabitants, for a share threshold
	Threshold      int     // co-signatures needed, absolute (0: none)
	ThresholdShare float64 // co-signatures needed as a share of the inhabitants (0: none)
	MinAge         int     // co-signers' minimum age
	MotionDeadline int     // days before a meeting a party group's motion for it must be in
	CollectDays    int     // how long a published motion collects signatures
	AnswerDays     int     // how long the administration has to answer a group's motion
	// AgendaDays: an admitted motion goes to a meeting only if it can be
	// on its agenda at least this many days before the meeting's day (the
	// invitation period); nearer meetings are skipped.
	AgendaDays int
	// Routes names the body responsible for each kind of motion (e.g. the
	// youth council's go to a committee); a kind without one goes to the
	// council.
	Routes map[InitiativeKind]ID
}

// RouteFor is the body responsible for motions of kind k, or NilID when
// the city configured none (the council then).
func (r ParticipationRules) RouteFor(k InitiativeKind) ID { return r.Routes[k] }

// AgendaDeadlineFor is the last day (a UTC midnight date) a motion can be
// put on the agenda of a meeting starting at start: AgendaDays before the
// meeting's day in Germany.
func (r ParticipationRules) AgendaDeadlineFor(start time.Time) time.Time {
	return Today(start).AddDate(0, 0, -r.AgendaDays)
}

// DefaultParticipationRules: 14 years (GO NRW § 25; the programme names
// 14 for Sachsen-Anhalt too), 90 days to collect, 90 to answer, and no
// threshold until the city sets one (then one signature suffices).
func DefaultParticipationRules(body ID) ParticipationRules {
	return ParticipationRules{BodyID: body, MinAge: 14, CollectDays: 90, AnswerDays: 90, MotionDeadline: 10, AgendaDays: 7}
}

// Needed is the number of co-signatures a citizens' motion needs: the
// larger of the absolute threshold and the share of the inhabitants
// (rounded up), at least 1.
func (r ParticipationRules) Needed() int {
	n := r.Threshold
	if share := int(math.Ceil(r.ThresholdShare * float64(r.Inhabitants))); share > n {
		n = share
	}
	return max(n, 1)
}

// Validate checks the rules.
func (r ParticipationRules) Validate() error {
	fe := FieldErrors{}
	if r.Inhabitants < 0 {
		fe.Add("inhabitants", MsgInvalid)
	}
	if r.Threshold < 0 {
		fe.Add("threshold", MsgInvalid)
	}
	if r.ThresholdShare < 0 || r.ThresholdShare > 1 {
		fe.Add("threshold_share", MsgInvalid)
	}
	if r.MinAge < 0 || r.MinAge > 100 {
		fe.Add("min_age", MsgInvalid)
	}
	if r.CollectDays < 1 || r.CollectDays > 3650 {
		fe.Add("collect_days", MsgInvalid)
	}
	if r.AnswerDays < 1 || r.AnswerDays > 3650 {
		fe.Add("answer_days", MsgInvalid)
	}
	if r.MotionDeadline < 0 || r.MotionDeadline > 365 {
		fe.Add("motion_deadline", MsgInvalid)
	}
	if r.AgendaDays < 0 || r.AgendaDays > 365 {
		fe.Add("agenda_days", MsgInvalid)
	}
	for k, org := range r.Routes {
		if !k.Valid() || org == NilID {
			fe.Add("routes", MsgInvalid)
		}
	}
	return fe.Err()
}

// Messages of the initiative workflow (web/i18n).
const (
	MsgInitiativeNotYours      = "err.initiative_not_yours"
	MsgInitiativeState         = "err.initiative_state"
	MsgInitiativeClosed        = "err.initiative_closed"
	MsgInitiativeSignedAlready = "err.initiative_signed_already"
	MsgInitiativeUnverified    = "err.initiative_unverified"
	MsgInitiativeResidence     = "err.initiative_residence"
	MsgInitiativeAge           = "err.initiative_age"
	MsgInitiativeBirthYear     = "err.initiative_birth_year"
	MsgInitiativeThreshold     = "err.initiative_threshold"
	MsgInitiativeNoMember      = "err.initiative_not_member"
	MsgInitiativeNoCouncillor  = "err.initiative_not_councillor"
	MsgInitiativeDeadline      = "err.initiative_deadline"
	MsgInitiativeMeeting       = "err.initiative_meeting"
	MsgInitiativeOwnSignature  = "err.initiative_own_signature"
	MsgInitiativeDuplicate     = "err.initiative_duplicate"
)

// normTitle is a title compared for duplicates: lower case, single spaces.
func normTitle(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
