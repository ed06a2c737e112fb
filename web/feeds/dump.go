package feeds

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// The bulk downloads: every dataset as CSV (RFC 4180, UTF-8, header row)
// and as a JSON array, streamed from the database row by row. Public data
// only: no drafts, no non-public papers or agenda items, no contact data.

// dataset is one downloadable table.
type dataset struct {
	Slug    string   // file name without extension: "papers"
	Columns []string // CSV header, in the order of the record's cells
	// each streams the rows of body; emit gets the CSV cells and the JSON
	// value of one row.
	each func(s *Server, ctx context.Context, body council.ID, base string, emit func(cells []string, v any) error) error
	// modified picks the dataset's last change.
	modified func(openDataMods) time.Time
}

// Dataset is a downloadable table as programs see it: its slug (the file
// name without extension) and its CSV header.
type Dataset struct {
	Slug    string
	Columns []string
}

// Datasets lists the open-data datasets in the order the open-data page
// and the catalogue show them.
func Datasets() []Dataset {
	out := []Dataset{}
	for _, ds := range datasets() {
		out = append(out, Dataset{Slug: ds.Slug, Columns: ds.Columns})
	}
	return out
}

// openDataMods is when each dataset last changed.
type openDataMods struct {
	c council.OpenDataModified
	m meetings.OpenDataModified
}

// datasets lists the downloadable datasets in the order the open-data
// page and the catalogue show them.
func datasets() []dataset {
	return []dataset{
		{Slug: "papers", Columns: []string{"id", "reference", "name", "type", "status", "date", "lead_organization",
			"originators", "text", "url", "created", "modified"},
			each: (*Server).dumpPapers, modified: func(m openDataMods) time.Time { return m.c.Papers }},
		{Slug: "meetings", Columns: []string{"id", "name", "start", "end", "state", "cancelled", "organizations",
			"organization_ids", "location", "url", "created", "modified"},
			each: (*Server).dumpMeetings, modified: func(m openDataMods) time.Time { return m.m.Meetings }},
		{Slug: "agenda-items", Columns: []string{"id", "meeting_id", "meeting_name", "meeting_start", "meeting_cancelled",
			"number", "position", "name", "result", "resolution_text", "paper_id", "paper_reference", "url", "created", "modified"},
			each: (*Server).dumpItems, modified: func(m openDataMods) time.Time { return m.m.AgendaItems }},
		{Slug: "persons", Columns: []string{"id", "name", "family_name", "given_name", "title", "form_of_address", "affix",
			"url", "created", "modified"},
			each: (*Server).dumpPersons, modified: func(m openDataMods) time.Time { return m.c.Persons }},
		{Slug: "memberships", Columns: []string{"id", "person_id", "person_name", "organization_id", "organization_name",
			"organization_kind", "role", "voting_right", "substitute", "on_behalf_of_id", "on_behalf_of", "start_date",
			"end_date", "created", "modified"},
			each: (*Server).dumpMemberships, modified: func(m openDataMods) time.Time { return m.c.Memberships }},
		{Slug: "implementations", Columns: []string{"id", "paper_id", "paper_reference", "paper_name", "status", "reason",
			"responsible_office", "due_date", "notes", "follow_up_paper_ids", "url", "created", "modified"},
			each: (*Server).dumpImplementations, modified: func(m openDataMods) time.Time { return m.c.Implementations }},
	}
}

// dumpFormat is a download format of every dataset.
type dumpFormat struct {
	Ext       string // file extension: "csv"
	MediaType string // Content-Type
	Name      string // name in the EU file-type vocabulary: "CSV"
}

// dumpFormats are the formats of every dataset.
func dumpFormats() []dumpFormat {
	return []dumpFormat{
		{"csv", "text/csv; charset=utf-8; header=present", "CSV"},
		{"json", "application/json; charset=utf-8", "JSON"},
	}
}

// dumpRoutes registers /open-data/<slug>.<ext> for every dataset and format.
func (s *Server) dumpRoutes(get func(string, http.HandlerFunc)) {
	for _, ds := range datasets() {
		for _, f := range dumpFormats() {
			get("/open-data/"+ds.Slug+"."+f.Ext, s.h(func(w http.ResponseWriter, r *http.Request) error {
				return s.dump(w, r, ds, f.Ext, f.MediaType)
			}))
		}
	}
}

func (s *Server) dump(w http.ResponseWriter, r *http.Request, ds dataset, ext, mediaType string) error {
	ctx := r.Context()
	body, err := s.council.MainBody(ctx)
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	return s.stream(w, r, mediaType, ds.Slug+"."+ext, func(out io.Writer) error {
		if ext == "csv" {
			return writeCSV(out, ds.Columns, func(emit func([]string, any) error) error {
				return ds.each(s, ctx, body.ID, base, emit)
			})
		}
		return writeJSONArray(out, func(emit func([]string, any) error) error {
			return ds.each(s, ctx, body.ID, base, emit)
		})
	})
}

// writeCSV writes header and the rows that each emits as CSV.
func writeCSV(out io.Writer, header []string, each func(emit func([]string, any) error) error) error {
	cw := csv.NewWriter(out)
	if err := cw.Write(header); err != nil {
		return err
	}
	err := each(func(cells []string, _ any) error {
		if len(cells) != len(header) {
			return fmt.Errorf("csv: %d cells for %d columns", len(cells), len(header))
		}
		for i, c := range cells {
			cells[i] = csvSafe(c)
		}
		return cw.Write(cells)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses CSV formula injection: a cell that a spreadsheet would
// read as a formula (starting with = + - @, or a tab or carriage return
// that some programs skip before one) gets a leading apostrophe.
func csvSafe(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}

// writeJSONArray writes the values that each emits as one JSON array, one
// element per line, without holding the array in memory.
func writeJSONArray(out io.Writer, each func(emit func([]string, any) error) error) error {
	if _, err := io.WriteString(out, "["); err != nil {
		return err
	}
	sep := "\n"
	err := each(func(_ []string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(out, sep); err != nil {
			return err
		}
		sep = ",\n"
		_, err = out.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, "\n]\n")
	return err
}

// Cell formats shared by the datasets.

func dumpTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(site.Berlin).Format(time.RFC3339)
}

func dumpDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func dumpID(id council.ID) string {
	if id == council.NilID {
		return ""
	}
	return id.String()
}

// paperRecord is a row of papers.csv / papers.json.
type paperRecord struct {
	ID          string   `json:"id"`
	Reference   string   `json:"reference"`
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Status      string   `json:"status"`
	Date        string   `json:"date"`
	LeadOrg     string   `json:"lead_organization"`
	Originators []string `json:"originators"`
	Text        string   `json:"text"`
	URL         string   `json:"url"`
	Created     string   `json:"created"`
	Modified    string   `json:"modified"`
}

func (s *Server) dumpPapers(ctx context.Context, body council.ID, base string, emit func([]string, any) error) error {
	// EachPublicPaper reads through paper_public (migrations/sql/00011_visibility.sql).
	return s.council.EachPublicPaper(ctx, body, func(p council.PaperRecord) error {
		rec := paperRecord{ID: p.ID.String(), Reference: p.Reference, Name: p.Name, Type: string(p.Type),
			Status: string(p.Status), Date: dumpDate(p.Date), LeadOrg: p.LeadOrgName, Originators: p.Originators,
			Text: p.Text, URL: base + "/papers/" + p.ID.String(), Created: dumpTime(p.Created), Modified: dumpTime(p.Modified)}
		if rec.Originators == nil {
			rec.Originators = []string{}
		}
		return emit([]string{rec.ID, rec.Reference, rec.Name, rec.Type, rec.Status, rec.Date, rec.LeadOrg,
			strings.Join(rec.Originators, "; "), rec.Text, rec.URL, rec.Created, rec.Modified}, rec)
	})
}

// meetingRecord is a row of meetings.csv / meetings.json.
type meetingRecord struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Start           string   `json:"start"`
	End             string   `json:"end"`
	State           string   `json:"state"`
	Cancelled       bool     `json:"cancelled"`
	Organizations   []string `json:"organizations"`
	OrganizationIDs []string `json:"organization_ids"`
	Location        string   `json:"location"`
	URL             string   `json:"url"`
	Created         string   `json:"created"`
	Modified        string   `json:"modified"`
}

func (s *Server) dumpMeetings(ctx context.Context, body council.ID, base string, emit func([]string, any) error) error {
	dir, err := s.directory(ctx, body)
	if err != nil {
		return err
	}
	return s.meetings.EachMeeting(ctx, body, council.NilID, func(m meetings.Meeting) error {
		rec := meetingRecord{ID: m.ID.String(), Name: m.Name, Start: dumpTime(m.Start), End: dumpTime(m.End),
			State: string(m.State), Cancelled: m.Cancelled, Organizations: []string{}, OrganizationIDs: []string{},
			Location: dir.Place(m.LocationID), URL: base + "/meetings/" + m.ID.String(),
			Created: dumpTime(m.Created), Modified: dumpTime(m.Modified)}
		for _, o := range dir.Refs(m.Organizations) {
			rec.Organizations = append(rec.Organizations, o.Name)
			rec.OrganizationIDs = append(rec.OrganizationIDs, o.ID.String())
		}
		return emit([]string{rec.ID, rec.Name, rec.Start, rec.End, rec.State, strconv.FormatBool(rec.Cancelled),
			strings.Join(rec.Organizations, "; "), strings.Join(rec.OrganizationIDs, " "), rec.Location, rec.URL,
			rec.Created, rec.Modified}, rec)
	})
}

// itemRecord is a row of agenda-items.csv / agenda-items.json.
type itemRecord struct {
	ID               string `json:"id"`
	MeetingID        string `json:"meeting_id"`
	MeetingName      string `json:"meeting_name"`
	MeetingStart     string `json:"meeting_start"`
	MeetingCancelled bool   `json:"meeting_cancelled"`
	Number           string `json:"number"`
	Position         int    `json:"position"`
	Name             string `json:"name"`
	Result           string `json:"result"`
	ResolutionText   string `json:"resolution_text"`
	PaperID          string `json:"paper_id"`
	PaperReference   string `json:"paper_reference"`
	URL              string `json:"url"`
	Created          string `json:"created"`
	Modified         string `json:"modified"`
}

func (s *Server) dumpItems(ctx context.Context, body council.ID, base string, emit func([]string, any) error) error {
	return s.meetings.EachPublicItem(ctx, body, func(pi meetings.PublicItem) error {
		it, ok := pi.Item.ForViewer(council.Public, nil)
		if !ok || !it.Public {
			return nil // the store returns public items only; never risk it
		}
		rec := itemRecord{ID: it.ID.String(), MeetingID: it.MeetingID.String(), MeetingName: pi.MeetingName,
			MeetingStart: dumpTime(pi.MeetingStart), MeetingCancelled: pi.MeetingCancelled, Number: it.Number,
			Position: it.Position, Name: it.Name, Result: it.Result, ResolutionText: it.ResolutionText,
			PaperID: dumpID(it.PaperID), PaperReference: it.PaperReference,
			URL: base + "/meetings/" + it.MeetingID.String(), Created: dumpTime(it.Created), Modified: dumpTime(it.Modified)}
		return emit([]string{rec.ID, rec.MeetingID, rec.MeetingName, rec.MeetingStart, strconv.FormatBool(rec.MeetingCancelled),
			rec.Number, strconv.Itoa(rec.Position), rec.Name, rec.Result, rec.ResolutionText, rec.PaperID, rec.PaperReference,
			rec.URL, rec.Created, rec.Modified}, rec)
	})
}

// personRecord is a row of persons.csv / persons.json: names only, never
// contact data.
type personRecord struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	FamilyName    string `json:"family_name"`
	GivenName     string `json:"given_name"`
	Title         string `json:"title"`
	FormOfAddress string `json:"form_of_address"`
	Affix         string `json:"affix"`
	URL           string `json:"url"`
	Created       string `json:"created"`
	Modified      string `json:"modified"`
}

func (s *Server) dumpPersons(ctx context.Context, body council.ID, base string, emit func([]string, any) error) error {
	return s.council.EachPublicPerson(ctx, body, func(p council.Person) error {
		rec := personRecord{ID: p.ID.String(), Name: p.Name(), FamilyName: p.FamilyName, GivenName: p.GivenName,
			Title: p.Title, FormOfAddress: p.FormOfAddress, Affix: p.Affix, URL: base + "/persons/" + p.ID.String(),
			Created: dumpTime(p.Created), Modified: dumpTime(p.Modified)}
		return emit([]string{rec.ID, rec.Name, rec.FamilyName, rec.GivenName, rec.Title, rec.FormOfAddress, rec.Affix,
			rec.URL, rec.Created, rec.Modified}, rec)
	})
}

// membershipRecord is a row of memberships.csv / memberships.json.
type membershipRecord struct {
	ID               string `json:"id"`
	PersonID         string `json:"person_id"`
	PersonName       string `json:"person_name"`
	OrganizationID   string `json:"organization_id"`
	OrganizationName string `json:"organization_name"`
	OrganizationKind string `json:"organization_kind"`
	Role             string `json:"role"`
	VotingRight      bool   `json:"voting_right"`
	Substitute       bool   `json:"substitute"`
	OnBehalfOfID     string `json:"on_behalf_of_id"`
	OnBehalfOf       string `json:"on_behalf_of"`
	StartDate        string `json:"start_date"`
	EndDate          string `json:"end_date"`
	Created          string `json:"created"`
	Modified         string `json:"modified"`
}

func (s *Server) dumpMemberships(ctx context.Context, body council.ID, _ string, emit func([]string, any) error) error {
	return s.council.EachPublicSeat(ctx, body, func(st council.Seat) error {
		rec := membershipRecord{ID: st.ID.String(), PersonID: st.PersonID.String(), PersonName: st.Person.Name(),
			OrganizationID: st.OrganizationID.String(), OrganizationName: st.OrgName, OrganizationKind: string(st.OrgKind),
			Role: st.Role, VotingRight: st.VotingRight, Substitute: st.Substitute, OnBehalfOfID: dumpID(st.OnBehalfOfID),
			OnBehalfOf: st.OnBehalfName, StartDate: dumpDate(st.Start), EndDate: dumpDate(st.End),
			Created: dumpTime(st.Created), Modified: dumpTime(st.Modified)}
		return emit([]string{rec.ID, rec.PersonID, rec.PersonName, rec.OrganizationID, rec.OrganizationName,
			rec.OrganizationKind, rec.Role, strconv.FormatBool(rec.VotingRight), strconv.FormatBool(rec.Substitute),
			rec.OnBehalfOfID, rec.OnBehalfOf, rec.StartDate, rec.EndDate, rec.Created, rec.Modified}, rec)
	})
}

// implementationRecord is a row of implementations.csv / implementations.json
// (the Beschlusskontrolle; docs/DOMAIN.md, "Beschlusskontrolle").
type implementationRecord struct {
	ID                string     `json:"id"`
	PaperID           string     `json:"paper_id"`
	PaperReference    string     `json:"paper_reference"`
	PaperName         string     `json:"paper_name"`
	Status            string     `json:"status"`
	Reason            string     `json:"reason"`
	ResponsibleOffice string     `json:"responsible_office"`
	DueDate           string     `json:"due_date"`
	Notes             []noteCell `json:"notes"`
	FollowUps         []string   `json:"follow_up_paper_ids"`
	URL               string     `json:"url"`
	Created           string     `json:"created"`
	Modified          string     `json:"modified"`
}

// noteCell is a progress note in implementations.json; the CSV joins them
// as "date: text" with " | ".
type noteCell struct {
	Date string `json:"date"`
	Text string `json:"text"`
}

func (s *Server) dumpImplementations(ctx context.Context, body council.ID, base string, emit func([]string, any) error) error {
	// EachPublicImplementation reads through implementation_public
	// (migrations/sql/00016_implementation.sql).
	return s.council.EachPublicImplementation(ctx, body, func(im council.ImplementationRecord) error {
		rec := implementationRecord{ID: im.ID.String(), PaperID: im.PaperID.String(), PaperReference: im.PaperReference,
			PaperName: im.PaperName, Status: string(im.Status), Reason: im.Reason, ResponsibleOffice: im.Office,
			DueDate: dumpDate(im.Due), Notes: []noteCell{}, FollowUps: []string{},
			URL: base + "/papers/" + im.PaperID.String() + "#umsetzung", Created: dumpTime(im.Created), Modified: dumpTime(im.Modified)}
		var notes []string
		for _, n := range im.Notes {
			rec.Notes = append(rec.Notes, noteCell{Date: dumpDate(n.Date), Text: n.Text})
			notes = append(notes, dumpDate(n.Date)+": "+n.Text)
		}
		for _, id := range im.FollowUps {
			rec.FollowUps = append(rec.FollowUps, id.String())
		}
		return emit([]string{rec.ID, rec.PaperID, rec.PaperReference, rec.PaperName, rec.Status, rec.Reason,
			rec.ResponsibleOffice, rec.DueDate, strings.Join(notes, " | "), strings.Join(rec.FollowUps, " "), rec.URL,
			rec.Created, rec.Modified}, rec)
	})
}
