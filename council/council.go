package council

import (
	"strings"
	"time"
)

// Meta is the bookkeeping every stored object carries.
type Meta struct {
	Created  time.Time
	Modified time.Time
	Deleted  bool
}

// Body is the municipality (OParl Body).
type Body struct {
	ID             ID
	Name           string
	ShortName      string
	Website        string
	License        string
	AGS            string // Amtlicher Gemeindeschlüssel
	RGS            string // Regionalschlüssel
	Classification string
	Meta
}

// LegislativeTerm is a Wahlperiode.
type LegislativeTerm struct {
	ID     ID
	BodyID ID
	Name   string
	Start  time.Time // zero: unknown
	End    time.Time // zero: open
	Meta
}

// OrgKind is the type of an organization.
type OrgKind string

// Organization kinds (docs/DOMAIN.md, "Glossary").
const (
	KindCouncil          OrgKind = "council"
	KindCommittee        OrgKind = "committee"
	KindDistrictCouncil  OrgKind = "district_council"
	KindYouthCouncil     OrgKind = "youth_council"
	KindCitizensAssembly OrgKind = "citizens_assembly"
	KindAdvisoryBoard    OrgKind = "advisory_board"
	KindPartyGroup       OrgKind = "party_group"
	KindParty            OrgKind = "party"
	KindCommunityGroup   OrgKind = "community_group"
	KindAdministration   OrgKind = "administration"
	// KindOther is an imported organization whose source type Plenar
	// cannot read as one of its kinds (docs/OPARL.md, "Types"); it claims
	// no legal role.
	KindOther OrgKind = "other"
)

// OrgKinds lists every kind in display order.
var OrgKinds = []OrgKind{KindCouncil, KindCommittee, KindDistrictCouncil, KindYouthCouncil,
	KindCitizensAssembly, KindAdvisoryBoard, KindPartyGroup, KindParty, KindCommunityGroup, KindAdministration, KindOther}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, x := range OrgKinds {
		if x == k {
			return true
		}
	}
	return false
}

// IsBody reports whether organizations of kind k hold meetings and decide
// (a Gremium in OParl terms), as opposed to party groups, parties or
// administration units.
func (k OrgKind) IsBody() bool {
	switch k {
	case KindPartyGroup, KindParty, KindAdministration, KindOther:
		return false
	}
	return true
}

// Organization is a body (Gremium), party group, party, community group or
// administration unit.
type Organization struct {
	ID             ID
	BodyID         ID
	Name           string
	ShortName      string
	Kind           OrgKind
	Classification string
	TypeName       string // the source system's organizationType of an imported organization; "" otherwise
	ParentID       ID     // NilID: none
	StatutorySeats int    // 0: unknown
	LocationID     ID
	Website        string
	Start          time.Time
	End            time.Time
	Meta
}

// Person is a natural person: councillor, co-opted citizen, staff.
type Person struct {
	ID            ID
	BodyID        ID
	FamilyName    string
	GivenName     string
	Title         string // academic title, e.g. "Dr."
	FormOfAddress string // e.g. "Frau", "Herr"
	Affix         string
	Gender        string // "", female, male, other
	Email         string // personal data: contact
	Phone         string // personal data: contact
	LifeSource    string
	Meta
}

// Name returns the display name, e.g. "Dr. Erika Mustermann".
func (p Person) Name() string {
	return strings.Join(strings.Fields(strings.Join([]string{p.Title, p.GivenName, p.FamilyName, p.Affix}, " ")), " ")
}

// SortName returns "Family, Given" for lists.
func (p Person) SortName() string {
	if p.GivenName == "" {
		return p.FamilyName
	}
	return p.FamilyName + ", " + p.GivenName
}

// Membership is a person's seat or role in an organization.
type Membership struct {
	ID             ID
	PersonID       ID
	OrganizationID ID
	Role           string // e.g. "Vorsitzende", "Mitglied", "sachkundige Einwohnerin"
	VotingRight    bool
	Substitute     bool
	OnBehalfOfID   ID // the party group the person sits for; NilID: none
	Start          time.Time
	End            time.Time
	Meta
}

// ActiveOn reports whether m is current on day.
func (m Membership) ActiveOn(day time.Time) bool {
	if m.Deleted {
		return false
	}
	if !m.Start.IsZero() && day.Before(m.Start) {
		return false
	}
	return m.End.IsZero() || !day.After(m.End)
}

// Location is an address or room, optionally with a point.
type Location struct {
	ID            ID
	BodyID        ID
	Description   string
	StreetAddress string
	Room          string
	PostalCode    string
	Locality      string
	HasPoint      bool
	Lat, Lon      float64
	Meta
}

// Label is a one-line description of l. A part already said by an
// earlier one is left out: imported locations often repeat room and street
// in their description ("Rathaus, Raum 101, Markt 1").
func (l Location) Label() string {
	var parts []string
	said := ""
	for _, s := range []string{l.Description, l.Room, l.StreetAddress, strings.TrimSpace(l.PostalCode + " " + l.Locality)} {
		if s = strings.TrimSpace(s); s != "" && !strings.Contains(said, strings.ToLower(s)) {
			parts = append(parts, s)
			said += "\x00" + strings.ToLower(s)
		}
	}
	return strings.Join(parts, ", ")
}
