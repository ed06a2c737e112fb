package meetings

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
)

// Childcare claims (Kinderbetreuungskosten; docs/DOMAIN.md,
// "Kinderbetreuungskosten"): a member claims the costs of childcare for a
// meeting they attended, the clerk's office approves or rejects the claim.
// A claim holds hours, amount and an optional note — never anything about
// the children — and is never public.

// ClaimState is where a childcare claim stands.
type ClaimState string

// Claim states.
const (
	ClaimSubmitted ClaimState = "submitted"
	ClaimApproved  ClaimState = "approved"
	ClaimRejected  ClaimState = "rejected"
)

// ChildcareRules are a city's limits for childcare claims.
type ChildcareRules struct {
	BodyID          council.ID
	CapCentsPerHour int // the most a claim may ask per hour of childcare
	// Margin is how much the hours of a claim may exceed the meeting's
	// length: the way there and back.
	Margin time.Duration
}

// Default childcare rules of a city that set none (migration 00029).
const (
	DefaultChildcareCap    = 1500 // 15 € per hour
	DefaultChildcareMargin = 2 * time.Hour
)

// Claim is one childcare claim.
type Claim struct {
	ID          council.ID
	MeetingID   council.ID
	PersonID    council.ID
	UserID      council.ID
	Minutes     int // hours of childcare, in minutes
	AmountCents int
	Note        string
	State       ClaimState
	Reason      string // why it was rejected
	SubmittedAt time.Time
	DecidedAt   time.Time // zero while submitted
	DecidedBy   council.ID
	// Read with the claim for the lists: the meeting's name and start and
	// the member's name.
	MeetingName  string
	MeetingStart time.Time
	PersonName   string
}

// Hours is the claim's hours as the forms show them ("3,5" in German).
func (c Claim) Hours(lang string) string { return FormatHours(c.Minutes, lang) }

// Amount is the claim's amount in euros ("42,50 €").
func (c Claim) Amount(lang string) string { return FormatEuros(c.AmountCents, lang) }

// Messages of refused claims (translation keys; the web layer shows them
// as field errors or as the page's error).
const (
	MsgClaimNotMember   = "childcare.err.not_member"
	MsgClaimNotStarted  = "childcare.err.not_started"
	MsgClaimNotAttended = "childcare.err.not_attended"
	MsgClaimDuplicate   = "childcare.err.duplicate"
	MsgClaimOverCap     = "childcare.err.over_cap"
	MsgClaimTooLong     = "childcare.err.too_long"
	MsgClaimHours       = "childcare.err.hours"
	MsgClaimAmount      = "childcare.err.amount"
	MsgClaimDecided     = "childcare.err.decided"
	MsgClaimReason      = "childcare.err.reason"
)

// validate checks the claim's own fields (the rest needs the database).
func (c Claim) validate() council.FieldErrors {
	fe := council.FieldErrors{}
	if c.Minutes <= 0 || c.Minutes > 24*60 {
		fe.Add("hours", MsgClaimHours)
	}
	if c.AmountCents <= 0 {
		fe.Add("amount", MsgClaimAmount)
	}
	if utf8.RuneCountInString(c.Note) > 1000 {
		fe.Add("note", council.MsgTooLong)
	}
	return fe
}

// ParseHours reads hours as a member types them: "3", "3,5", "2.25".
// ok is false for anything else (more than two decimals, negative, empty).
func ParseHours(s string) (minutes int, ok bool) {
	cents, ok := parseDecimal(s)
	if !ok {
		return 0, false
	}
	return (cents*60 + 50) / 100, true
}

// ParseEuros reads an amount in euros ("42", "42,50", "42.5", "42,50 €")
// as cents.
func ParseEuros(s string) (cents int, ok bool) {
	return parseDecimal(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€")))
}

// parseDecimal reads a non-negative number with at most two decimals
// (comma or point) as hundredths.
func parseDecimal(s string) (int, bool) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" || len(whole) > 6 || len(frac) > 2 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.Atoi(whole)
	f, err2 := strconv.Atoi(frac)
	if err1 != nil || err2 != nil || w < 0 || f < 0 || strings.ContainsAny(whole+frac, "+-") {
		return 0, false
	}
	return w*100 + f, true
}

// FormatEuros writes cents as euros in lang ("de": "42,50 €", "en": "€42.50").
func FormatEuros(cents int, lang string) string {
	s := strconv.Itoa(cents/100) + "." + twoDigits(cents%100)
	if lang == "en" {
		return "€" + s
	}
	return strings.Replace(s, ".", ",", 1) + " €"
}

// FormatHours writes minutes as decimal hours in lang ("3,5"; "3.5").
func FormatHours(minutes int, lang string) string {
	h := (minutes*100 + 30) / 60
	s := strconv.Itoa(h / 100)
	if h%100 != 0 {
		s += "." + strings.TrimSuffix(twoDigits(h%100), "0")
	}
	if lang == "en" {
		return s
	}
	return strings.Replace(s, ".", ",", 1)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// CapFor is the most a claim of minutes may ask under r.
func (r ChildcareRules) CapFor(minutes int) int {
	return r.CapCentsPerHour * minutes / 60
}
