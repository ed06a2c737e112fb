package council

import (
	"fmt"
	"strings"
	"time"
)

// PaperType is the kind of a paper (Drucksache).
type PaperType string

// Paper types.
const (
	PaperResolution     PaperType = "resolution"      // Beschlussvorlage
	PaperInformation    PaperType = "information"     // Informationsvorlage
	PaperMotion         PaperType = "motion"          // Antrag
	PaperAmendment      PaperType = "amendment"       // Änderungsantrag
	PaperInquiry        PaperType = "inquiry"         // Anfrage
	PaperCitizensMotion PaperType = "citizens_motion" // Einwohnerantrag
	PaperReport         PaperType = "report"          // Bericht / Mitteilung
	// PaperOther is an imported paper whose source type Plenar cannot
	// read as one of its own (docs/OPARL.md, "Types"); TypeName keeps
	// the source's label.
	PaperOther PaperType = "other"
)

// PaperTypes lists every paper type in display order.
var PaperTypes = []PaperType{PaperResolution, PaperInformation, PaperMotion, PaperAmendment,
	PaperInquiry, PaperCitizensMotion, PaperReport, PaperOther}

// Valid reports whether t is a known type.
func (t PaperType) Valid() bool {
	for _, x := range PaperTypes {
		if x == t {
			return true
		}
	}
	return false
}

// TypeLabel is the paper's type as its readers know it: the source
// system's own label of an imported paper, otherwise the type's German
// name (docs/OPARL.md, "Types").
func (p Paper) TypeLabel() string {
	if p.TypeName != "" {
		return p.TypeName
	}
	return p.Type.GermanName()
}

// GermanName is the type's name as German council information systems
// print it (PDFs, OParl's paperType); "Drucksache" for an unknown type.
func (t PaperType) GermanName() string {
	switch t {
	case PaperResolution:
		return "Beschlussvorlage"
	case PaperInformation:
		return "Informationsvorlage"
	case PaperMotion:
		return "Antrag"
	case PaperAmendment:
		return "Änderungsantrag"
	case PaperInquiry:
		return "Anfrage"
	case PaperCitizensMotion:
		return "Einwohnerantrag"
	case PaperReport:
		return "Bericht"
	}
	return "Drucksache"
}

// Prefix is the letter that starts a reference number of type t.
func (t PaperType) Prefix() string {
	switch t {
	case PaperResolution:
		return "V"
	case PaperInformation:
		return "I"
	case PaperMotion:
		return "A"
	case PaperAmendment:
		return "Ä"
	case PaperInquiry:
		return "F"
	case PaperCitizensMotion:
		return "E"
	default:
		return "M"
	}
}

// FormatReference renders a reference number, e.g. "A0123/26".
func FormatReference(prefix string, year, seq int) string {
	return fmt.Sprintf("%s%04d/%02d", prefix, seq, year%100)
}

// PaperStatus is a stage of a paper's lifecycle.
type PaperStatus string

// Paper statuses (docs/DOMAIN.md, "Paper lifecycle").
const (
	StatusDraft          PaperStatus = "draft"
	StatusSubmitted      PaperStatus = "submitted"
	StatusInConsultation PaperStatus = "in_consultation"
	StatusDecided        PaperStatus = "decided"
	StatusImplementation PaperStatus = "implementation"
	StatusDone           PaperStatus = "done"
	StatusWithdrawn      PaperStatus = "withdrawn"
	StatusReferredBack   PaperStatus = "referred_back"
	StatusAdjourned      PaperStatus = "adjourned"
)

// OnAgenda reports whether a paper of status s can be put on an agenda:
// it has been submitted and is neither done nor withdrawn.
func (s PaperStatus) OnAgenda() bool {
	switch s {
	case StatusDraft, StatusDone, StatusWithdrawn:
		return false
	}
	return true
}

// PaperStatuses lists every status in lifecycle order.
var PaperStatuses = []PaperStatus{StatusDraft, StatusSubmitted, StatusInConsultation, StatusDecided,
	StatusImplementation, StatusDone, StatusWithdrawn, StatusReferredBack, StatusAdjourned}

// Valid reports whether s is a known status.
func (s PaperStatus) Valid() bool {
	for _, x := range PaperStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// Paper is a Vorlage, Antrag, Anfrage or other Drucksache.
type Paper struct {
	ID          ID
	BodyID      ID
	Name        string // the title
	Type        PaperType
	TypeName    string // the source system's own label of an imported paper ("Haushalt THH 2024"), or an initiative's ("Einwohnerantrag"); "" otherwise
	Reference   string // "" until submitted
	Date        time.Time
	Text        string
	Status      PaperStatus
	Public      bool // false: only members of the consulting bodies may see it
	LeadOrgID   ID   // federführendes Amt; NilID: none
	Originators []Originator
	Related     []ID
	Meta
}

// Originator is a person or an organization that brought in a paper;
// exactly one of the two ids is set.
type Originator struct {
	PersonID       ID
	OrganizationID ID
}

// PaperEvent is one step in a paper's public timeline.
type PaperEvent struct {
	At     time.Time
	Status PaperStatus
	Note   string
}

// Consultation is one step on a paper's path through the bodies
// (Beratungsfolge).
type Consultation struct {
	ID             ID
	PaperID        ID
	OrganizationID ID
	AgendaItemID   ID // NilID until scheduled
	MeetingID      ID // an imported consultation's meeting without an agenda item; NilID otherwise
	Position       int
	Role           string // e.g. "Vorberatung", "Entscheidung", "Kenntnisnahme"
	Authoritative  bool
	Meta
}

// ShowAuthoritative reports whether a consultation step should carry the
// "decides" mark: it is authoritative and its role does not already say
// so or contradict it ("Entscheidung", "Beschlussfassung" say it;
// "Kenntnisnahme" decides nothing). Imported roles are free text
// (docs/OPARL.md, "Types").
func ShowAuthoritative(role string, authoritative bool) bool {
	if !authoritative {
		return false
	}
	r := strings.ToLower(role)
	for _, k := range []string{"entscheid", "beschluss", "kenntnis", "decision", "decide"} {
		if strings.Contains(r, k) {
			return false
		}
	}
	return true
}
