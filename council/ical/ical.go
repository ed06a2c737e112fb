// Package ical writes iCalendar (RFC 5545) content lines: CRLF line
// ends, lines folded at 75 octets, TEXT values escaped, local times in
// Europe/Berlin with the zone's VTIMEZONE. The public calendar
// (web/feeds) and the members' invitation mail (council/mail) both use
// it; it knows nothing of HTTP or the database.
package ical

import (
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Timezone is Europe/Berlin since 1996 (EU summer time rules).
const Timezone = "BEGIN:VTIMEZONE\r\n" +
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

// UTC formats an instant as a UTC DATE-TIME ("20261127T160000Z").
func UTC(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Local formats an instant as a local DATE-TIME in German time, for
// TZID=Europe/Berlin, in loc (Europe/Berlin).
func Local(t time.Time, loc *time.Location) string { return t.In(loc).Format("20060102T150405") }

// Writer writes content lines and keeps the first error.
type Writer struct {
	W   io.Writer
	Err error
}

// Raw writes s as it is (CRLF line ends are the caller's).
func (iw *Writer) Raw(s string) {
	if iw.Err == nil {
		_, iw.Err = io.WriteString(iw.W, s)
	}
}

// Prop writes a content line whose value needs no escaping (dates, URIs,
// enumerations).
func (iw *Writer) Prop(name, value string) { iw.Raw(Fold(name+":"+value) + "\r\n") }

// Text writes a content line with a TEXT value.
func (iw *Writer) Text(name, value string) { iw.Prop(name, Escape(value)) }

// Escape escapes a TEXT value (RFC 5545, 3.3.11): backslash,
// semicolon, comma and line breaks; other control characters, which TEXT
// may not contain, are dropped.
func Escape(s string) string {
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

// Fold folds a content line so that no line exceeds 75 octets (RFC
// 5545, 3.1): continuation lines start with a space. It never splits a
// UTF-8 sequence.
func Fold(line string) string {
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
