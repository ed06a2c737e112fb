package site

import "net/url"

// Form is what a submitted form needs to render again: the values the
// user typed and an error (a translation key) per field. A page's data
// embeds it; the server's form_field partial reads it through the
// FormState method (web/auth_form.go, page.FormField), so audience
// packages' page data takes part too.
type Form struct {
	Values url.Values
	Errors map[string]string
}

// NewForm is the state of a form with values v (nil: empty) and no errors.
func NewForm(v url.Values) Form {
	if v == nil {
		v = url.Values{}
	}
	return Form{Values: v, Errors: map[string]string{}}
}

// FormState returns the form's state (for page data that embeds it).
func (f Form) FormState() Form { return f }
