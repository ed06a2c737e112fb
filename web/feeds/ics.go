package feeds

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/ical"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// The meeting calendar as iCalendar (RFC 5545): one VEVENT per meeting,
// written with council/ical.

// icsAgendaWindow is how far back a meeting's public agenda still goes
// into its DESCRIPTION: older meetings are listed without it, so the
// calendar of a long history stays small.
const icsAgendaWindow = 31 * 24 * time.Hour

func (s *Server) calendarAll(w http.ResponseWriter, r *http.Request) error {
	body, err := s.council.MainBody(r.Context())
	if err != nil {
		return err
	}
	lang := s.opt.Lang(r)
	name := s.i18n.T(lang, "feeds.ics.name", body.Name)
	return s.calendar(w, r, body, council.NilID, name, "meetings.ics")
}

func (s *Server) calendarOrg(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	body, err := s.council.MainBody(ctx)
	if err != nil {
		return err
	}
	o, err := s.feedOrg(ctx, r, body.ID)
	if err != nil {
		return err
	}
	name := s.i18n.T(s.opt.Lang(r), "feeds.ics.name", o.Name)
	return s.calendar(w, r, body, o.ID, name, "meetings.ics")
}

// calendar streams the meetings of body (of org, unless NilID) as an
// iCalendar object named name.
func (s *Server) calendar(w http.ResponseWriter, r *http.Request, body council.Body, org council.ID, name, filename string) error {
	ctx := r.Context()
	dir, err := s.directory(ctx, body.ID)
	if err != nil {
		return err
	}
	agendas, err := s.recentAgendas(ctx, body.ID, org)
	if err != nil {
		return err
	}
	base, host, lang := s.baseURL(r), s.feedHost(r), s.opt.Lang(r)
	// The calendar is built in memory (a city's meetings make a few
	// hundred kilobytes) so it can carry an ETag.
	var buf bytes.Buffer
	err = func(out io.Writer) error {
		iw := ical.Writer{W: out}
		iw.Raw("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Plenar//Plenar " + icsProdVersion(s.opt.Version) + "//DE\r\n" +
			"CALSCALE:GREGORIAN\r\n")
		iw.Text("X-WR-CALNAME", name)
		iw.Prop("X-WR-TIMEZONE", "Europe/Berlin")
		iw.Raw(ical.Timezone)
		err := s.meetings.EachMeeting(ctx, body.ID, org, func(m meetings.Meeting) error {
			s.writeEvent(&iw, m, dir, agendas[m.ID], base, host, lang)
			return iw.Err
		})
		if err != nil {
			return err
		}
		iw.Raw("END:VCALENDAR\r\n")
		return iw.Err
	}(&buf)
	if err != nil {
		return err
	}
	serveFeed(w, r, "text/calendar; charset=utf-8", filename, buf.Bytes())
	return nil
}

func icsProdVersion(v string) string {
	if v == "" {
		return "dev"
	}
	return v
}

// recentAgendas loads, in one query, the public agendas of the published
// meetings of body (of org) that start within the agenda window or later.
func (s *Server) recentAgendas(ctx context.Context, body, org council.ID) (map[council.ID][]meetings.AgendaItem, error) {
	from := s.opt.Now().Add(-icsAgendaWindow)
	ms, err := s.meetings.Meetings(ctx, meetings.Filter{BodyID: body, OrganizationID: org, From: from, Limit: 2000})
	if err != nil {
		return nil, err
	}
	var ids []council.ID
	orgsOf := map[council.ID][]council.ID{}
	for _, m := range ms {
		if m.AgendaPublished() && !m.Cancelled {
			ids = append(ids, m.ID)
			orgsOf[m.ID] = m.Organizations
		}
	}
	all, err := s.meetings.Agendas(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := map[council.ID][]meetings.AgendaItem{}
	for id, items := range all {
		out[id] = publicAgenda(items, orgsOf[id])
	}
	return out, nil
}

// publicAgenda keeps what the public may see of an agenda: the public
// items, through ForViewer (which also drops links to non-public papers).
// Non-public items are left out entirely, not even as placeholders.
func publicAgenda(items []meetings.AgendaItem, orgs []council.ID) []meetings.AgendaItem {
	var out []meetings.AgendaItem
	for _, it := range items {
		if v, ok := it.ForViewer(council.Public, orgs); ok && it.Public {
			out = append(out, v)
		}
	}
	return out
}

// writeEvent writes one VEVENT for m.
func (s *Server) writeEvent(iw *ical.Writer, m meetings.Meeting, dir site.Directory, agenda []meetings.AgendaItem, base, host, lang string) {
	link := base + "/meetings/" + m.ID.String()
	iw.Raw("BEGIN:VEVENT\r\n")
	iw.Prop("UID", m.ID.String()+"@"+host)
	iw.Prop("DTSTAMP", ical.UTC(m.Modified))
	iw.Prop("LAST-MODIFIED", ical.UTC(m.Modified))
	iw.Prop("CREATED", ical.UTC(m.Created))
	iw.Prop("DTSTART;TZID=Europe/Berlin", ical.Local(m.Start, site.Berlin))
	// The actual end once the session closed, else the expected one
	// (docs/DOMAIN.md, "Expected end").
	if end := m.ShownEnd(); !end.IsZero() {
		iw.Prop("DTEND;TZID=Europe/Berlin", ical.Local(end, site.Berlin))
	}
	iw.Text("SUMMARY", m.Name)
	if place := dir.Place(m.LocationID); place != "" {
		iw.Text("LOCATION", place)
	}
	iw.Prop("URL", link)
	var desc strings.Builder
	if names := dir.Refs(m.Organizations); len(names) > 0 {
		parts := make([]string, len(names))
		for i, o := range names {
			parts[i] = o.Name
		}
		desc.WriteString(s.i18n.T(lang, "feeds.ics.bodies", strings.Join(parts, ", ")) + "\n")
	}
	if m.Cancelled {
		desc.WriteString(s.i18n.T(lang, "feeds.cancelled") + "\n")
	}
	if m.EndExpected() {
		desc.WriteString(s.i18n.T(lang, "meeting.end.label") + ": " + s.i18n.T(lang, "meeting.end.approx") + " " +
			m.End.In(site.Berlin).Format("15:04") + "\n")
	}
	if len(agenda) > 0 {
		desc.WriteString("\n" + s.i18n.T(lang, "feeds.ics.agenda") + "\n")
		for _, it := range agenda {
			desc.WriteString(strings.TrimSpace(it.Number+" "+it.Name) + "\n")
		}
	}
	desc.WriteString("\n" + link)
	iw.Text("DESCRIPTION", desc.String())
	switch {
	case m.Cancelled:
		iw.Prop("STATUS", "CANCELLED")
	case m.State == meetings.Planned:
		iw.Prop("STATUS", "TENTATIVE")
	default:
		iw.Prop("STATUS", "CONFIRMED")
	}
	iw.Prop("TRANSP", "OPAQUE")
	iw.Raw("END:VEVENT\r\n")
}
