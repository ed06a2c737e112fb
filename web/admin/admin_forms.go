package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/site"
)

// The back office renders every edit form with one template
// (admin_form.html) from a form value: fieldsets of fields, each holding
// what the user typed and its error as a translation key. A handler turns
// an entity into url.Values (to edit it) or url.Values into an entity
// (collecting parse errors as council.FieldErrors), and on any error
// renders the form again from the values the user sent, so no input is
// ever lost.

// Translation keys of the parse errors the web layer adds itself.
const (
	msgDate     = "admin.err.date"
	msgDateTime = "admin.err.datetime"
	msgNumber   = "admin.err.number"
	msgRefs     = "admin.err.references"
)

// option is one choice of a select field.
type option struct {
	Value string
	Label string // shown as is unless Key is set
	Key   string // translation key of the label
}

// field is one form control with its label, hint, value and error.
type field struct {
	Name     string
	Label    string // translation key
	Hint     string // translation key; "" for none
	HintArg  string // fills a %s in the hint
	Type     string // text, textarea, number, date, datetime-local, email, tel, url, select, multiselect, checkbox, combobox
	Value    string
	Values   map[string]bool // selected options of a multiselect
	Checked  bool
	Options  []option
	List     []string // suggestions (datalist) for a text field
	Source   string   // combobox: the URL of its suggestions (combobox.js)
	Required bool
	Error    string // translation key; "" when valid
}

// ID is the element id of the control.
func (f field) ID() string { return "f-" + f.Name }

// Selected reports whether value v is chosen.
func (f field) Selected(v string) bool {
	if f.Type == "multiselect" {
		return f.Values[v]
	}
	return f.Value == v
}

// Described is the aria-describedby list: hint and error ids.
func (f field) Described() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID()+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID()+"-err")
	}
	return strings.Join(ids, " ")
}

// fieldset groups fields under a legend ("" renders the fields bare).
type fieldset struct {
	Legend string // translation key
	Hint   string // translation key
	Fields []field
}

// form is the data of admin_form.html.
type form struct {
	Title    string // translation key
	TitleArg string
	Intro    string // translation key; "" for none
	Action   string
	Submit   string // translation key
	Cancel   string // href
	Sets     []fieldset
	Errors   []field  // fields with errors, in form order, for the summary
	Other    []string // error keys of fields the form does not show
}

// HasCombobox reports whether the form has a combobox field, which needs
// combobox.js.
func (f form) HasCombobox() bool {
	for _, set := range f.Sets {
		for _, x := range set.Fields {
			if x.Type == "combobox" {
				return true
			}
		}
	}
	return false
}

// formBuilder makes fields from submitted values and field errors.
type formBuilder struct {
	v    url.Values
	fe   council.FieldErrors
	sets []fieldset
}

func newForm(v url.Values, fe council.FieldErrors) *formBuilder {
	if v == nil {
		v = url.Values{}
	}
	return &formBuilder{v: v, fe: fe}
}

// set starts a new fieldset; an empty legend means no fieldset element.
func (b *formBuilder) set(legend, hint string) *formBuilder {
	b.sets = append(b.sets, fieldset{Legend: legend, Hint: hint})
	return b
}

func (b *formBuilder) add(f field) *formBuilder {
	if len(b.sets) == 0 {
		b.set("", "")
	}
	f.Error = b.fe[f.Name]
	switch f.Type {
	case "multiselect":
		f.Values = map[string]bool{}
		for _, x := range b.v[f.Name] {
			f.Values[x] = true
		}
	case "checkbox":
		f.Checked = b.v.Get(f.Name) != ""
	default:
		f.Value = b.v.Get(f.Name)
	}
	last := &b.sets[len(b.sets)-1]
	last.Fields = append(last.Fields, f)
	return b
}

// input adds a field of type typ ("text", "date", …).
func (b *formBuilder) input(typ, name, label, hint string, required bool) *formBuilder {
	return b.add(field{Type: typ, Name: name, Label: label, Hint: hint, Required: required})
}

func (b *formBuilder) choice(typ, name, label, hint string, required bool, opts []option) *formBuilder {
	return b.add(field{Type: typ, Name: name, Label: label, Hint: hint, Required: required, Options: opts})
}

// build returns the form with its error summary.
func (b *formBuilder) build(f form) form {
	f.Sets = b.sets
	shown := map[string]bool{}
	for _, s := range b.sets {
		for _, x := range s.Fields {
			shown[x.Name] = true
			if x.Error != "" {
				f.Errors = append(f.Errors, x)
			}
		}
	}
	for k, msg := range b.fe {
		if !shown[k] {
			f.Other = append(f.Other, msg)
		}
	}
	return f
}

// fieldErrors extracts council.FieldErrors from err; ok is false for any
// other error, which the caller returns to the adapter.
func fieldErrors(err error) (council.FieldErrors, bool) {
	var fe council.FieldErrors
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}

// merge adds the messages of other to fe (fe's own win).
func merge(fe council.FieldErrors, other council.FieldErrors) {
	for k, v := range other {
		fe.Add(k, v)
	}
}

// parseForm reads the posted form; a malformed body is ErrInvalid.
func parseForm(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, council.Invalidf("malformed form: %v", err)
	}
	return r.PostForm, nil
}

// The steps every handler of an edit form shares: find the entity the URL
// names, and after parsing the posted values into it, save it or show the
// form again.

// fetchFromURL reads the id in URL parameter param and fetches the entity
// with get (a store's getter such as s.Council.Paper). On error the entity
// is the zero T. Errors: ErrInvalid (malformed id), those of get.
func fetchFromURL[T any](r *http.Request, param string, get func(context.Context, council.ID) (T, error)) (council.ID, T, error) {
	var zero T
	id, err := site.URLID(r, param)
	if err != nil {
		return id, zero, err
	}
	x, err := get(r.Context(), id)
	if err != nil {
		return id, zero, err
	}
	return id, x, nil
}

// loader is one of the s.loadX methods: it returns the entity the request's
// URL names, checking that it belongs to body.
type loader[T any] func(r *http.Request, body council.ID) (T, error)

// loadInBody looks up the municipality the back office works on and the
// entity load finds in the request's URL for it. Errors: those of s.body
// and of load.
func loadInBody[T any](s *server, r *http.Request, load loader[T]) (council.Body, T, error) {
	var x T
	b, err := s.body(r.Context())
	if err != nil {
		return b, x, err
	}
	x, err = load(r, b.ID)
	return b, x, err
}

// postedInBody is loadInBody for a POST: also the parsed form. Errors:
// those of loadInBody, then those of parseForm.
func postedInBody[T any](s *server, r *http.Request, load loader[T]) (council.Body, T, url.Values, error) {
	b, x, err := loadInBody(s, r, load)
	if err != nil {
		return b, x, nil, err
	}
	v, err := parseForm(r)
	return b, x, v, err
}

// loadOrNew is loadInBody for a handler that both creates and edits: when
// the URL has no parameter param it loads nothing and returns the zero T,
// the entity to create.
func loadOrNew[T any](s *server, r *http.Request, param string, load loader[T]) (council.Body, T, error) {
	if chi.URLParam(r, param) != "" {
		return loadInBody(s, r, load)
	}
	var x T
	b, err := s.body(r.Context())
	return b, x, err
}

// saveValid ends a save handler: it adds the errors of validate (the
// entity's Validate method, which reports council.FieldErrors) to fe, the
// field errors collected while parsing the form, and when fe stays empty
// calls save. Field errors that save reports (a duplicate name, say) are
// added to fe as well. ok reports a successful save, whose result is saved;
// err is any other error of save, for the adapter. With neither, the caller
// renders the form again with the submitted values and fe.
func saveValid[T any](fe council.FieldErrors, validate func() error, save func() (T, error)) (saved T, ok bool, err error) {
	if err := validate(); err != nil {
		verr, _ := fieldErrors(err)
		merge(fe, verr)
	}
	if len(fe) > 0 {
		return saved, false, nil
	}
	if saved, err = save(); err == nil {
		return saved, true, nil
	}
	verr, isFieldErrors := fieldErrors(err)
	if !isFieldErrors {
		return saved, false, err
	}
	merge(fe, verr)
	return saved, false, nil
}

// afterSave ends a form's POST after saveValid: err as it is; when ok,
// Post/Redirect/Get to to with notice; else again, the form shown again
// with its field errors.
func afterSave(w http.ResponseWriter, r *http.Request, ok bool, err error, to, notice string, again func() error) error {
	if err != nil {
		return err
	}
	if ok {
		return Redirect(w, r, to, notice)
	}
	return again()
}

// Values for forms from domain values.

func dateValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func dateTimeValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(site.Berlin).Format("2006-01-02T15:04")
}

func idValue(id council.ID) string {
	if id == council.NilID {
		return ""
	}
	return id.String()
}

func boolValue(b bool) string {
	if b {
		return "1"
	}
	return ""
}

func intValue(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// Domain values from forms; each records a field error instead of failing.

// ParseDate reads a date (2026-11-27, 27.11.2026 or 7.1.2026); "" is the
// zero time, anything else records a field error on name.
func ParseDate(fe council.FieldErrors, name, v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01-02", "02.01.2006", "2.1.2006"} {
		if t, err := time.Parse(layout, v); err == nil && t.Year() >= 1800 && t.Year() <= 2200 {
			return t
		}
	}
	fe.Add(name, msgDate)
	return time.Time{}
}

// parseDateTime reads a datetime-local value as German time.
func parseDateTime(fe council.FieldErrors, name, v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "02.01.2006 15:04"} {
		if t, err := time.ParseInLocation(layout, v, site.Berlin); err == nil && t.Year() >= 1800 && t.Year() <= 2200 {
			return t
		}
	}
	fe.Add(name, msgDateTime)
	return time.Time{}
}

func parseInt(fe council.FieldErrors, name, v string) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		fe.Add(name, msgNumber)
	}
	return n
}

// parseChoice returns the id chosen in a select; "" is NilID, anything not
// among opts is a field error.
func parseChoice(fe council.FieldErrors, name, v string, opts []option) council.ID {
	if v == "" {
		return council.NilID
	}
	for _, o := range opts {
		if o.Value == v {
			if id, err := council.ParseID(v); err == nil {
				return id
			}
		}
	}
	fe.Add(name, council.MsgUnknownKind)
	return council.NilID
}

// parseChoices is parseChoice for a multiselect.
func parseChoices(fe council.FieldErrors, name string, vs []string, opts []option) []council.ID {
	var out []council.ID
	for _, v := range vs {
		if v == "" {
			continue
		}
		if id := parseChoice(fe, name, v, opts); id != council.NilID {
			out = append(out, id)
		}
	}
	return out
}

// known reports whether v is among opts.
func known(v string, opts []option) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// Options of selects.

func orgOptions(orgs []council.Organization) []option {
	out := make([]option, len(orgs))
	for i, o := range orgs {
		label := o.Name
		if o.ShortName != "" && o.ShortName != o.Name {
			label += " (" + o.ShortName + ")"
		}
		out[i] = option{Value: o.ID.String(), Label: label}
	}
	return out
}

func personOptions(ps []council.Person) []option {
	out := make([]option, len(ps))
	for i, p := range ps {
		out[i] = option{Value: p.ID.String(), Label: p.SortName()}
	}
	return out
}

func kindOptions() []option {
	out := make([]option, len(council.OrgKinds))
	for i, k := range council.OrgKinds {
		out[i] = option{Value: string(k), Key: "admin.kind." + string(k)}
	}
	return out
}

func paperTypeOptions() []option {
	out := make([]option, len(council.PaperTypes))
	for i, t := range council.PaperTypes {
		out[i] = option{Value: string(t), Key: "admin.paper_type." + string(t)}
	}
	return out
}

func statusOptions(withDraft bool) []option {
	var out []option
	for _, st := range council.PaperStatuses {
		if st == council.StatusDraft && !withDraft {
			continue
		}
		out = append(out, option{Value: string(st), Key: "admin.status." + string(st)})
	}
	return out
}

// withNone puts an empty "none" choice in front of opts.
func withNone(opts []option) []option {
	return append([]option{{Value: "", Key: "admin.none"}}, opts...)
}
