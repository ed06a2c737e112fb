package feeds

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// The meeting calendar as iCalendar (RFC 5545): one VEVENT per meeting,
// local times in Europe/Berlin with the zone's VTIMEZONE, CRLF line ends,
// lines folded at 75 octets, TEXT values escaped.

// icsAgendaWindow is how far back a meeting's public agenda still goes
// into its DESCRIPTION: older meetings are listed without it, so the
// calendar of a long history stays small.
const icsAgendaWindow = 31 * 24 * time.Hour

// icsTimezone is Europe/Berlin since 1996 (EU summer time rules).
const icsTimezone = "BEGIN:VTIMEZONE\r\n" +
	"TZID:Europe/Berlin\r\n" +
	"X-LIC-LOCATION:Europe/Berlin\r\n" +
	"BEGIN:DAYLIGHT\r\n" +
	"TZOFFSETFROM:+0100\r\n" +
	"TZOFFSETTO:+0200\r\n" +
	"TZNAME:CEST\r\n" +
	"DTSTART:19700329T020000\r\n" +
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" +
	"END:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\n" +
	"TZOFFSETFROM:+0200\r\n" +
	"TZOFFSETTO:+0100\r\n" +
	"TZNAME:CET\r\n" +
	"DTSTART:19701025T030000\r\n" +
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" +
	"END:STANDARD\r\n" +
	"END:VTIMEZONE\r\n"

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
		iw := icsWriter{w: out}
		iw.raw("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Plenar//Plenar " + icsProdVersion(s.opt.Version) + "//DE\r\n" +
			"CALSCALE:GREGORIAN\r\n")
		iw.text("X-WR-CALNAME", name)
		iw.prop("X-WR-TIMEZONE", "Europe/Berlin")
		iw.raw(icsTimezone)
		err := s.meetings.EachMeeting(ctx, body.ID, org, func(m meetings.Meeting) error {
			s.writeEvent(&iw, m, dir, agendas[m.ID], base, host, lang)
			return iw.err
		})
		if err != nil {
			return err
		}
		iw.raw("END:VCALENDAR\r\n")
		return iw.err
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
func (s *Server) writeEvent(iw *icsWriter, m meetings.Meeting, dir site.Directory, agenda []meetings.AgendaItem, base, host, lang string) {
	link := base + "/meetings/" + m.ID.String()
	iw.raw("BEGIN:VEVENT\r\n")
	iw.prop("UID", m.ID.String()+"@"+host)
	iw.prop("DTSTAMP", icsUTC(m.Modified))
	iw.prop("LAST-MODIFIED", icsUTC(m.Modified))
	iw.prop("CREATED", icsUTC(m.Created))
	iw.prop("DTSTART;TZID=Europe/Berlin", icsLocal(m.Start))
	if !m.End.IsZero() {
		iw.prop("DTEND;TZID=Europe/Berlin", icsLocal(m.End))
	}
	iw.text("SUMMARY", m.Name)
	if place := dir.Place(m.LocationID); place != "" {
		iw.text("LOCATION", place)
	}
	iw.prop("URL", link)
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
	if len(agenda) > 0 {
		desc.WriteString("\n" + s.i18n.T(lang, "feeds.ics.agenda") + "\n")
		for _, it := range agenda {
			desc.WriteString(strings.TrimSpace(it.Number+" "+it.Name) + "\n")
		}
	}
	desc.WriteString("\n" + link)
	iw.text("DESCRIPTION", desc.String())
	switch {
	case m.Cancelled:
		iw.prop("STATUS", "CANCELLED")
	case m.State == meetings.Planned:
		iw.prop("STATUS", "TENTATIVE")
	default:
		iw.prop("STATUS", "CONFIRMED")
	}
	iw.prop("TRANSP", "OPAQUE")
	iw.raw("END:VEVENT\r\n")
}

// icsUTC formats an instant as a UTC DATE-TIME ("20261127T160000Z").
func icsUTC(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsLocal formats an instant as a local DATE-TIME in German time, for
// TZID=Europe/Berlin.
func icsLocal(t time.Time) string { return t.In(site.Berlin).Format("20060102T150405") }

// icsWriter writes content lines and keeps the first error.
type icsWriter struct {
	w   io.Writer
	err error
}

func (iw *icsWriter) raw(s string) {
	if iw.err == nil {
		_, iw.err = io.WriteString(iw.w, s)
	}
}

// prop writes a content line whose value needs no escaping (dates, URIs,
// enumerations).
func (iw *icsWriter) prop(name, value string) { iw.raw(icsFold(name+":"+value) + "\r\n") }

// text writes a content line with a TEXT value.
func (iw *icsWriter) text(name, value string) { iw.prop(name, icsEscape(value)) }

// icsEscape escapes a TEXT value (RFC 5545, 3.3.11): backslash,
// semicolon, comma and line breaks; other control characters, which TEXT
// may not contain, are dropped.
func icsEscape(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(' ')
		case r < 0x20 || r == 0x7f:
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// icsFold folds a content line so that no line exceeds 75 octets (RFC
// 5545, 3.1): continuation lines start with a space. It never splits a
// UTF-8 sequence.
func icsFold(line string) string {
	const limit = 75
	if len(line) <= limit {
		return line
	}
	var b strings.Builder
	n := 0 // octets on the current physical line
	for _, r := range line {
		size := utf8.RuneLen(r)
		if size < 0 {
			size = 3 // written as U+FFFD
		}
		if n+size > limit {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += size
	}
	return b.String()
}
