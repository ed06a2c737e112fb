package meetings

import "time"

// The expected end of a meeting (docs/DOMAIN.md, "Expected end"): members
// who care for children or relatives plan with it, so every meeting the
// back office schedules has one, and every page, mail and calendar entry
// shows it as expected until the session closes and the actual end is
// known.

// DefaultMeetingLength is the expected length of a meeting whose bodies
// have no earlier meeting with an end to learn from.
const DefaultMeetingLength = 3 * time.Hour

// ShownEnd is the end to show: the actual end once the live session
// closed, else the expected end (zero when neither is known).
func (m Meeting) ShownEnd() time.Time {
	if !m.Ended.IsZero() {
		return m.Ended
	}
	return m.End
}

// EndExpected reports whether ShownEnd is only the expected end.
func (m Meeting) EndExpected() bool { return m.Ended.IsZero() && !m.End.IsZero() }

// typicalLength is the median of lengths, DefaultMeetingLength for none,
// rounded to a quarter of an hour.
func typicalLength(lengths []time.Duration) time.Duration {
	if len(lengths) == 0 {
		return DefaultMeetingLength
	}
	d := lengths[len(lengths)/2] // sorted by the query
	if d = d.Round(15 * time.Minute); d < 30*time.Minute {
		d = 30 * time.Minute
	}
	return d
}
