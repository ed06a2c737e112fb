package oparl

// The response types. Fields that may be absent carry omitempty, so
// absent data is omitted, never null, "" or []. Booleans whose false is
// information (votingRight, authoritative) are pointers.

const schemaBase = "https://schema.oparl.org/1.1/"

// Object type URLs.
const (
	typeSystem          = schemaBase + "System"
	typeBody            = schemaBase + "Body"
	typeLegislativeTerm = schemaBase + "LegislativeTerm"
	typeOrganization    = schemaBase + "Organization"
	typePerson          = schemaBase + "Person"
	typeMembership      = schemaBase + "Membership"
	typeMeeting         = schemaBase + "Meeting"
	typeAgendaItem      = schemaBase + "AgendaItem"
	typePaper           = schemaBase + "Paper"
	typeConsultation    = schemaBase + "Consultation"
	typeLocation        = schemaBase + "Location"
	typeFile            = schemaBase + "File"
)

type system struct {
	ID                 string   `json:"id"`
	Type               string   `json:"type"`
	OParlVersion       string   `json:"oparlVersion"`
	OtherOParlVersions []string `json:"otherOparlVersions,omitempty"`
	License            string   `json:"license,omitempty"`
	Body               string   `json:"body"`
	Name               string   `json:"name,omitempty"`
	Website            string   `json:"website,omitempty"`
	Vendor             string   `json:"vendor,omitempty"`
	Product            string   `json:"product,omitempty"`
	Created            string   `json:"created,omitempty"`
	Modified           string   `json:"modified,omitempty"`
	Web                string   `json:"web,omitempty"`
}

type body struct {
	ID                  string             `json:"id"`
	Type                string             `json:"type"`
	System              string             `json:"system,omitempty"`
	ShortName           string             `json:"shortName,omitempty"`
	Name                string             `json:"name"`
	Website             string             `json:"website,omitempty"`
	License             string             `json:"license,omitempty"`
	AGS                 string             `json:"ags,omitempty"`
	RGS                 string             `json:"rgs,omitempty"`
	Classification      string             `json:"classification,omitempty"`
	Organization        string             `json:"organization"`
	Person              string             `json:"person"`
	Meeting             string             `json:"meeting"`
	Paper               string             `json:"paper"`
	LegislativeTerm     []*legislativeTerm `json:"legislativeTerm"` // required by the schema, so [] when empty
	AgendaItem          string             `json:"agendaItem"`
	Consultation        string             `json:"consultation"`
	File                string             `json:"file"`
	LocationList        string             `json:"locationList"`
	LegislativeTermList string             `json:"legislativeTermList"`
	Membership          string             `json:"membership"`
	Created             string             `json:"created"`
	Modified            string             `json:"modified"`
	Web                 string             `json:"web,omitempty"`
}

type legislativeTerm struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Body      string `json:"body,omitempty"`
	Name      string `json:"name,omitempty"`
	StartDate string `json:"startDate,omitempty"`
	EndDate   string `json:"endDate,omitempty"`
	Created   string `json:"created"`
	Modified  string `json:"modified"`
}

type organization struct {
	ID                string    `json:"id"`
	Type              string    `json:"type"`
	Body              string    `json:"body,omitempty"`
	Name              string    `json:"name,omitempty"`
	Membership        []string  `json:"membership,omitempty"`
	Meeting           string    `json:"meeting,omitempty"`
	ShortName         string    `json:"shortName,omitempty"`
	SubOrganizationOf string    `json:"subOrganizationOf,omitempty"`
	OrganizationType  string    `json:"organizationType,omitempty"`
	Classification    string    `json:"classification,omitempty"`
	StartDate         string    `json:"startDate,omitempty"`
	EndDate           string    `json:"endDate,omitempty"`
	Website           string    `json:"website,omitempty"`
	Location          *location `json:"location,omitempty"`
	Created           string    `json:"created"`
	Modified          string    `json:"modified"`
	Web               string    `json:"web,omitempty"`
	Kind              string    `json:"plenar:kind,omitempty"`
	StatutorySeats    int       `json:"plenar:statutorySeats,omitempty"`
}

type person struct {
	ID            string        `json:"id"`
	Type          string        `json:"type"`
	Body          string        `json:"body,omitempty"`
	Name          string        `json:"name,omitempty"`
	FamilyName    string        `json:"familyName,omitempty"`
	GivenName     string        `json:"givenName,omitempty"`
	FormOfAddress string        `json:"formOfAddress,omitempty"`
	Affix         string        `json:"affix,omitempty"`
	Title         []string      `json:"title,omitempty"`
	Gender        string        `json:"gender,omitempty"`
	Membership    []*membership `json:"membership,omitempty"`
	LifeSource    string        `json:"lifeSource,omitempty"`
	Created       string        `json:"created"`
	Modified      string        `json:"modified"`
	Web           string        `json:"web,omitempty"`
}

type membership struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	Person       string `json:"person,omitempty"`
	Organization string `json:"organization,omitempty"`
	Role         string `json:"role,omitempty"`
	VotingRight  *bool  `json:"votingRight,omitempty"`
	StartDate    string `json:"startDate,omitempty"`
	EndDate      string `json:"endDate,omitempty"`
	OnBehalfOf   string `json:"onBehalfOf,omitempty"`
	Created      string `json:"created"`
	Modified     string `json:"modified"`
	Substitute   bool   `json:"plenar:substitute,omitempty"`
}

type location struct {
	ID            string   `json:"id"`
	Type          string   `json:"type"`
	Description   string   `json:"description,omitempty"`
	GeoJSON       *feature `json:"geojson,omitempty"`
	StreetAddress string   `json:"streetAddress,omitempty"`
	Room          string   `json:"room,omitempty"`
	PostalCode    string   `json:"postalCode,omitempty"`
	Locality      string   `json:"locality,omitempty"`
	Organizations []string `json:"organizations,omitempty"`
	Meetings      []string `json:"meetings,omitempty"`
	Created       string   `json:"created"`
	Modified      string   `json:"modified"`
}

// feature is a GeoJSON Feature with a Point geometry ([lon, lat]).
type feature struct {
	Type       string         `json:"type"`
	Geometry   point          `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type point struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

type meeting struct {
	ID               string        `json:"id"`
	Type             string        `json:"type"`
	Name             string        `json:"name,omitempty"`
	MeetingState     string        `json:"meetingState,omitempty"`
	Cancelled        bool          `json:"cancelled,omitempty"`
	Start            string        `json:"start,omitempty"`
	End              string        `json:"end,omitempty"`
	Location         *location     `json:"location,omitempty"`
	Organization     []string      `json:"organization,omitempty"`
	AgendaItem       []*agendaItem `json:"agendaItem,omitempty"`
	Invitation       *file         `json:"invitation,omitempty"`
	ResultsProtocol  *file         `json:"resultsProtocol,omitempty"`
	VerbatimProtocol *file         `json:"verbatimProtocol,omitempty"`
	AuxiliaryFile    []*file       `json:"auxiliaryFile,omitempty"`
	Created          string        `json:"created"`
	Modified         string        `json:"modified"`
	Web              string        `json:"web,omitempty"`
	State            string        `json:"plenar:state,omitempty"`
	// EndExpected: End is the expected end (the live session has not
	// closed yet); docs/OPARL.md, "HTTP".
	EndExpected bool `json:"plenar:endExpected,omitempty"`
}

type agendaItem struct {
	ID             string  `json:"id"`
	Type           string  `json:"type"`
	Meeting        string  `json:"meeting,omitempty"`
	Number         string  `json:"number,omitempty"`
	Order          int     `json:"order"`
	Name           string  `json:"name,omitempty"`
	Public         bool    `json:"public,omitempty"`
	Consultation   string  `json:"consultation,omitempty"`
	Result         string  `json:"result,omitempty"`
	ResolutionText string  `json:"resolutionText,omitempty"`
	ResolutionFile *file   `json:"resolutionFile,omitempty"`
	AuxiliaryFile  []*file `json:"auxiliaryFile,omitempty"`
	Created        string  `json:"created"`
	Modified       string  `json:"modified"`
	Web            string  `json:"web,omitempty"`
	Poll           []*poll `json:"plenar:poll,omitempty"` // closed and cancelled polls (polls.go)
}

type paper struct {
	ID                     string          `json:"id"`
	Type                   string          `json:"type"`
	Body                   string          `json:"body,omitempty"`
	Name                   string          `json:"name,omitempty"`
	Reference              string          `json:"reference,omitempty"`
	Date                   string          `json:"date,omitempty"`
	PaperType              string          `json:"paperType,omitempty"`
	RelatedPaper           []string        `json:"relatedPaper,omitempty"`
	SuperordinatedPaper    []string        `json:"superordinatedPaper,omitempty"`
	SubordinatedPaper      []string        `json:"subordinatedPaper,omitempty"`
	OriginatorPerson       []string        `json:"originatorPerson,omitempty"`
	UnderDirectionOf       []string        `json:"underDirectionOf,omitempty"`
	OriginatorOrganization []string        `json:"originatorOrganization,omitempty"`
	MainFile               *file           `json:"mainFile,omitempty"`
	AuxiliaryFile          []*file         `json:"auxiliaryFile,omitempty"`
	Consultation           []*consultation `json:"consultation,omitempty"`
	Created                string          `json:"created"`
	Modified               string          `json:"modified"`
	Web                    string          `json:"web,omitempty"`
	Status                 string          `json:"plenar:status,omitempty"`
	Text                   string          `json:"plenar:text,omitempty"`
	Implementation         *implementation `json:"plenar:implementation,omitempty"` // implementation.go
	Initiative             *initiative     `json:"plenar:initiative,omitempty"`     // initiative.go
}

type consultation struct {
	ID            string   `json:"id"`
	Type          string   `json:"type"`
	Paper         string   `json:"paper,omitempty"`
	AgendaItem    string   `json:"agendaItem,omitempty"`
	Meeting       string   `json:"meeting,omitempty"`
	Organization  []string `json:"organization,omitempty"`
	Authoritative *bool    `json:"authoritative,omitempty"`
	Role          string   `json:"role,omitempty"`
	Created       string   `json:"created"`
	Modified      string   `json:"modified"`
	Web           string   `json:"web,omitempty"`
}

type file struct {
	ID             string   `json:"id"`
	Type           string   `json:"type"`
	Name           string   `json:"name,omitempty"`
	FileName       string   `json:"fileName,omitempty"`
	MIMEType       string   `json:"mimeType,omitempty"`
	Date           string   `json:"date,omitempty"`
	Size           int64    `json:"size,omitempty"`
	SHA512Checksum string   `json:"sha512Checksum,omitempty"`
	Text           string   `json:"text,omitempty"` // at most documents.OParlTextLimit bytes
	TextCut        bool     `json:"plenar:textTruncated,omitempty"`
	TextURL        string   `json:"plenar:textUrl,omitempty"` // the whole text, when Text is cut
	AccessURL      string   `json:"accessUrl"`
	DownloadURL    string   `json:"downloadUrl,omitempty"`
	MasterFile     string   `json:"masterFile,omitempty"`
	DerivativeFile []string `json:"derivativeFile,omitempty"`
	Meeting        []string `json:"meeting,omitempty"`
	AgendaItem     []string `json:"agendaItem,omitempty"`
	Paper          []string `json:"paper,omitempty"`
	License        string   `json:"license,omitempty"`
	Created        string   `json:"created"`
	Modified       string   `json:"modified"`
}

// tombstone is what remains of a soft-deleted object.
type tombstone struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Created  string `json:"created"`
	Modified string `json:"modified"`
	Deleted  bool   `json:"deleted"`
}

type list struct {
	Data       []any      `json:"data"`
	Pagination pagination `json:"pagination"`
	Links      links      `json:"links"`
}

type pagination struct {
	TotalElements   int `json:"totalElements"`
	ElementsPerPage int `json:"elementsPerPage"`
	CurrentPage     int `json:"currentPage"`
	TotalPages      int `json:"totalPages"`
}

type links struct {
	First string `json:"first,omitempty"`
	Prev  string `json:"prev,omitempty"`
	Next  string `json:"next,omitempty"`
	Last  string `json:"last,omitempty"`
	Self  string `json:"self,omitempty"`
}

// apiError is the OParl error object.
type apiError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Status  int    `json:"plenar:status"`
}
