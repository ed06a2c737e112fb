package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/plenar/plenar/web/site"
)

// formState is what a submitted form needs to render again (site.Form):
// a page's data embeds it; the form_field partial reads it through
// page.FormField, also from the audience packages' page data.
type formState = site.Form

func newFormState(v url.Values) formState { return site.NewForm(v) }

// formInput is one labelled input for the form_field partial
// (templates/partials/form_field.html).
type formInput struct {
	ID           string
	Name         string
	Label        string // translated
	Type         string
	Value        string
	Autocomplete string
	InputMode    string
	Pattern      string
	MaxLength    int
	Required     bool
	Hint         string // translated; "" for none
	Error        string // translated; "" when valid
}

// HintID and ErrorID are the ids aria-describedby points to.
func (f formInput) HintID() string  { return f.ID + "-hint" }
func (f formInput) ErrorID() string { return f.ID + "-error" }

// DescribedBy is the aria-describedby list: hint and error.
func (f formInput) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.HintID())
	}
	if f.Error != "" {
		ids = append(ids, f.ErrorID())
	}
	return strings.Join(ids, " ")
}

// FormField describes input name labelled with translation key label for
// the form_field partial, with the typed value and error taken from the
// page data's embedded formState. Options are "type=email",
// "autocomplete=username", "inputmode=numeric", "pattern=[0-9]*",
// "maxlength=6", "hint=KEY" and "required". A password is never echoed.
//
//	{{template "form_field" (.FormField "email" "login.email" "type=email" "required")}}
func (p *page) FormField(name, label string, opts ...string) formInput {
	f := formInput{ID: "f-" + name, Name: name, Label: p.T(label), Type: "text"}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "type":
			f.Type = v
		case "autocomplete":
			f.Autocomplete = v
		case "inputmode":
			f.InputMode = v
		case "pattern":
			f.Pattern = v
		case "maxlength":
			f.MaxLength, _ = strconv.Atoi(v)
		case "hint":
			f.Hint = p.T(v)
		case "required":
			f.Required = true
		}
	}
	if d, ok := p.Data.(interface{ FormState() site.Form }); ok {
		st := d.FormState()
		if f.Type != "password" {
			f.Value = st.Values.Get(name)
		}
		if e := st.Errors[name]; e != "" {
			f.Error = p.T(e)
		}
	}
	return f
}
