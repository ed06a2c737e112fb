package admin

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/plenar/plenar/council"
)

// Persons in the back office. Contact data (e-mail, phone) is shown and
// edited only here, never on public pages.

type personList struct {
	Notice  string
	Query   string
	Persons []council.Person
	Total   int
}

func (s *server) adminPersons(w http.ResponseWriter, r *http.Request) error {
	b, err := s.body(r.Context())
	if err != nil {
		return err
	}
	all, err := s.Council.Persons(r.Context(), b.ID)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := personList{Notice: s.Notice(r), Query: q, Total: len(all)}
	for _, p := range all {
		if matchesName(p, q) {
			d.Persons = append(d.Persons, p)
		}
	}
	s.Render(w, r, http.StatusOK, "admin_persons", d)
	return nil
}

// matchesName reports whether every word of q occurs in p's name,
// ignoring case; an empty q matches everyone.
func matchesName(p council.Person, q string) bool {
	name := strings.ToLower(p.Name() + " " + p.FormOfAddress)
	for _, w := range strings.Fields(strings.ToLower(q)) {
		if !strings.Contains(name, w) {
			return false
		}
	}
	return true
}

// loadPerson returns the body's person with the id in URL parameter "id".
// Errors: ErrInvalid, ErrNotFound.
func (s *server) loadPerson(r *http.Request, body council.ID) (council.Person, error) {
	id, p, err := fetchFromURL(r, "id", s.Council.Person)
	if err != nil {
		return p, err
	}
	return p, MustBelong("person", id, p.BodyID, body, p.Deleted)
}

func (s *server) adminPersonNew(w http.ResponseWriter, r *http.Request) error {
	return s.personForm(w, r, council.NilID, url.Values{}, nil)
}

func (s *server) adminPersonEdit(w http.ResponseWriter, r *http.Request) error {
	_, p, err := loadInBody(s, r, s.loadPerson)
	if err != nil {
		return err
	}
	v := url.Values{"form_of_address": {p.FormOfAddress}, "title": {p.Title}, "given_name": {p.GivenName},
		"family_name": {p.FamilyName}, "affix": {p.Affix}, "gender": {p.Gender}, "email": {p.Email}, "phone": {p.Phone}}
	return s.personForm(w, r, p.ID, v, nil)
}

func genderOptions() []option {
	return []option{{Value: "", Key: "admin.person.gender_none"}, {Value: "female", Key: "admin.person.gender_female"},
		{Value: "male", Key: "admin.person.gender_male"}, {Value: "other", Key: "admin.person.gender_other"}}
}

func (s *server) personForm(w http.ResponseWriter, r *http.Request, id council.ID, v url.Values, fe council.FieldErrors) error {
	f := form{Title: "admin.person.new", Action: "/admin/persons", Submit: "admin.save", Cancel: "/admin/persons"}
	if id != council.NilID {
		f.Title, f.TitleArg = "admin.person.edit", strings.TrimSpace(v.Get("given_name")+" "+v.Get("family_name"))
		f.Action = "/admin/persons/" + id.String()
	}
	fb := newForm(v, fe).
		set("admin.person.name_legend", "").
		add(field{Type: "text", Name: "form_of_address", Label: "admin.person.form_of_address", List: []string{"Frau", "Herr"}}).
		input("text", "title", "admin.person.title", "admin.person.title_hint", false).
		input("text", "given_name", "admin.person.given_name", "", false).
		input("text", "family_name", "admin.person.family_name", "", true).
		input("text", "affix", "admin.person.affix", "", false).
		choice("select", "gender", "admin.person.gender", "", false, genderOptions()).
		set("admin.person.contact_legend", "admin.person.contact_hint").
		input("email", "email", "admin.person.email", "", false).
		input("tel", "phone", "admin.person.phone", "", false)
	return s.renderForm(w, r, fb.build(f))
}

func (s *server) adminPersonSave(w http.ResponseWriter, r *http.Request) error {
	b, p, err := loadOrNew(s, r, "id", s.loadPerson)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	p.BodyID = b.ID
	p.FormOfAddress, p.Title = strings.TrimSpace(v.Get("form_of_address")), strings.TrimSpace(v.Get("title"))
	p.GivenName, p.FamilyName = strings.TrimSpace(v.Get("given_name")), strings.TrimSpace(v.Get("family_name"))
	p.Affix, p.Gender = strings.TrimSpace(v.Get("affix")), v.Get("gender")
	p.Email, p.Phone = strings.TrimSpace(v.Get("email")), strings.TrimSpace(v.Get("phone"))
	if !known(p.Gender, genderOptions()) {
		fe.Add("gender", council.MsgUnknownKind)
	}
	_, ok, err := saveValid(fe, p.Validate, func() (council.Person, error) { return s.Council.SavePerson(s.Actor(r), p) })
	return afterSave(w, r, ok, err, "/admin/persons", "person_saved", func() error { return s.personForm(w, r, p.ID, v, fe) })
}
