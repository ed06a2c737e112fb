package mail

import "time"

// meetingWhen is a meeting's time for the members' mail (docs/DOMAIN.md,
// "Expected end"): "07.12.2026, 18:00 – ca. 21:00 Uhr (CET, voraussichtliches
// Ende)"; the start alone when the end is unknown.
func meetingWhen(start, end time.Time, lang string) string {
	if end.IsZero() {
		return berlinTime(start, lang)
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	s, e := start.In(loc), end.In(loc)
	if s.Format("20060102") != e.Format("20060102") {
		if lang == English {
			return berlinTime(start, lang) + " – approx. " + berlinTime(end, lang) + ", expected end"
		}
		return berlinTime(start, lang) + " – ca. " + berlinTime(end, lang) + ", voraussichtliches Ende"
	}
	if lang == English {
		return s.Format("2 January 2006, 15:04") + " – approx. " + e.Format("15:04") + " (" + s.Format("MST") + ", expected end)"
	}
	return s.Format("02.01.2006, 15:04") + " – ca. " + e.Format("15:04") + " Uhr (" + s.Format("MST") + ", voraussichtliches Ende)"
}
