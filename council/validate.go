package council

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"
)

// Translation keys used in FieldErrors and UserError.
const (
	MsgRequired    = "err.required"
	MsgTooLong     = "err.too_long"
	MsgInvalid     = "err.invalid"
	MsgDateOrder   = "err.date_order"
	MsgUnknownKind = "err.unknown_choice"
	MsgBadChars    = "err.bad_chars"
	// MsgReasonRequired: a resolution marked not implemented needs the
	// reason (docs/DOMAIN.md, "Beschlusskontrolle").
	MsgReasonRequired = "err.reason_required"

	// The database's refusals (TranslateError), which name no field.
	MsgExists       = "err.exists"        // a unique violation
	MsgValueInvalid = "err.value_invalid" // a check violation, a value of the wrong form
	MsgReference    = "err.reference"     // a foreign key violation
	MsgMissing      = "err.missing"       // a not-null violation
)

// checkID records MsgRequired for field when id is not set.
func checkID(fe FieldErrors, field string, id ID) {
	if id == NilID {
		fe.Add(field, MsgRequired)
	}
}

// checkDates records MsgDateOrder for "end" when both dates are set and
// end is before start.
func checkDates(fe FieldErrors, start, end time.Time) {
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		fe.Add("end", MsgDateOrder)
	}
}

func checkText(fe FieldErrors, field, v string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(v) == "":
		fe.Add(field, MsgRequired)
	case !utf8.ValidString(v):
		fe.Add(field, MsgInvalid)
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, MsgTooLong)
	}
}

// Validate checks o and returns FieldErrors (ErrInvalid) or nil.
func (o Organization) Validate() error {
	fe := FieldErrors{}
	checkText(fe, "name", o.Name, true, 300)
	checkText(fe, "short_name", o.ShortName, false, 50)
	checkText(fe, "website", o.Website, false, 500)
	if !o.Kind.Valid() {
		fe.Add("kind", MsgUnknownKind)
	}
	if o.StatutorySeats < 0 || o.StatutorySeats > 10000 {
		fe.Add("statutory_seats", MsgInvalid)
	}
	checkDates(fe, o.Start, o.End)
	if o.ParentID != NilID && o.ParentID == o.ID {
		fe.Add("parent", MsgInvalid)
	}
	return fe.Err()
}

// Validate checks p and returns FieldErrors (ErrInvalid) or nil.
func (p Person) Validate() error {
	fe := FieldErrors{}
	checkText(fe, "family_name", p.FamilyName, true, 200)
	checkText(fe, "given_name", p.GivenName, false, 200)
	checkText(fe, "title", p.Title, false, 50)
	checkText(fe, "form_of_address", p.FormOfAddress, false, 50)
	checkText(fe, "email", p.Email, false, 320)
	checkText(fe, "phone", p.Phone, false, 50)
	if p.Email != "" && !strings.Contains(p.Email, "@") {
		fe.Add("email", MsgInvalid)
	}
	switch p.Gender {
	case "", "female", "male", "other":
	default:
		fe.Add("gender", MsgUnknownKind)
	}
	return fe.Err()
}

// Validate checks m and returns FieldErrors (ErrInvalid) or nil.
func (m Membership) Validate() error {
	fe := FieldErrors{}
	checkID(fe, "person", m.PersonID)
	checkID(fe, "organization", m.OrganizationID)
	checkText(fe, "role", m.Role, false, 100)
	checkDates(fe, m.Start, m.End)
	return fe.Err()
}

// Validate checks p and returns FieldErrors (ErrInvalid) or nil.
func (p Paper) Validate() error {
	fe := FieldErrors{}
	checkText(fe, "name", p.Name, true, 500)
	checkText(fe, "text", p.Text, false, 200000)
	if !p.Type.Valid() {
		fe.Add("type", MsgUnknownKind)
	}
	if p.Status != "" && !p.Status.Valid() {
		fe.Add("status", MsgUnknownKind)
	}
	return fe.Err()
}

// Validate checks c and returns FieldErrors (ErrInvalid) or nil.
func (c Consultation) Validate() error {
	fe := FieldErrors{}
	checkID(fe, "paper", c.PaperID)
	checkID(fe, "organization", c.OrganizationID)
	checkText(fe, "role", c.Role, false, 100)
	return fe.Err()
}

// Validate checks l and returns FieldErrors (ErrInvalid) or nil.
func (l Location) Validate() error {
	fe := FieldErrors{}
	checkText(fe, "description", l.Description, false, 300)
	checkText(fe, "street_address", l.StreetAddress, false, 300)
	checkText(fe, "room", l.Room, false, 100)
	if strings.TrimSpace(l.Description+l.StreetAddress+l.Room) == "" {
		fe.Add("description", MsgRequired)
	}
	if l.HasPoint && !(l.Lat >= -90 && l.Lat <= 90 && l.Lon >= -180 && l.Lon <= 180) { // NaN fails too
		fe.Add("point", MsgInvalid)
	}
	return fe.Err()
}

// Diff returns the exported fields whose values differ between old and
// new (two values of the same struct type), as {"Field": [old, new]}, for
// the audit trail. Bookkeeping fields (Meta) are left out.
func Diff(old, new any) map[string][2]any {
	out := map[string][2]any{}
	ov, nv := reflect.ValueOf(old), reflect.ValueOf(new)
	if ov.Type() != nv.Type() || ov.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < ov.NumField(); i++ {
		f := ov.Type().Field(i)
		if !f.IsExported() || f.Name == "Meta" {
			continue
		}
		a, b := ov.Field(i).Interface(), nv.Field(i).Interface()
		if !reflect.DeepEqual(a, b) {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			out[f.Name] = [2]any{json.RawMessage(ja), json.RawMessage(jb)}
		}
	}
	return out
}

// Validate checks b and returns FieldErrors (ErrInvalid) or nil.
func (b Body) Validate() error {
	fe := FieldErrors{}
	checkText(fe, "name", b.Name, true, 300)
	checkText(fe, "short_name", b.ShortName, false, 50)
	checkText(fe, "website", b.Website, false, 500)
	return fe.Err()
}

// Validate checks t and returns FieldErrors (ErrInvalid) or nil.
func (t LegislativeTerm) Validate() error {
	fe := FieldErrors{}
	checkText(fe, "name", t.Name, true, 300)
	checkDates(fe, t.Start, t.End)
	return fe.Err()
}
