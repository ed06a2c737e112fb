package account

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/privacy"
	"github.com/plenar/plenar/web/site"
)

// Privacy (DSGVO; docs/ARCHITECTURE.md, "Privacy"; docs/DOMAIN.md,
// "Retention of personal data"): the privacy page and the record of
// processing activities (Art. 30) generated from the retention rules,
// every user's download of their data and erasure of their account, and
// the administrator's page of the retention periods and erasures. The
// data protection officer's contact (Options.DPOContact) is in the footer
// of every page (web's page.DPO).

func (s *server) privacyRoutes(r chi.Router) {
	r.Get("/datenschutz", s.Handle(s.privacyPage))
	r.Get("/datenschutz/verarbeitung", s.Handle(s.privacyRecord))
	r.Group(func(r chi.Router) {
		r.Use(s.RequireRole(council.Roles...), site.NoStore)
		r.Get("/account/data", s.Handle(s.accountData))
		r.Get("/account/data.json", s.Handle(s.accountDataDownload))
		r.Post("/account/erase", s.Handle(s.accountErase))
	})
	r.Group(func(r chi.Router) {
		r.Use(s.RequireRole(council.RoleAdmin), site.NoStore)
		r.Get("/admin/privacy", s.Handle(s.adminPrivacy))
		r.Post("/admin/privacy/rules", s.Handle(s.adminPrivacyRules))
		r.Post("/admin/privacy/erase", s.Handle(s.adminPrivacyErase))
	})
}

// privacyRow is one data class on the record of processing activities and
// the back office's page.
type privacyRow struct {
	privacy.Rule
	Period string // the period in words
}

// privacyRows are the classes with their periods in words in lang.
func (s *server) privacyRows(r *http.Request) ([]privacyRow, error) {
	rules, err := s.Privacy.Rules(r.Context())
	if err != nil {
		return nil, err
	}
	lang := s.State(r).Lang
	out := make([]privacyRow, len(rules))
	for i, rule := range rules {
		out[i] = privacyRow{Rule: rule, Period: s.periodText(lang, rule)}
	}
	return out, nil
}

// periodText says a class's period in words: days, or for the
// recordings PLENAR_RECORDING_RETENTION's value.
func (s *server) periodText(lang string, r privacy.Rule) string {
	if !r.External {
		return s.I18n.T(lang, "privacy.period.days", r.Days)
	}
	v := s.RecordingRetention
	switch {
	case v == "" || v == "forever":
		return s.I18n.T(lang, "privacy.period.forever")
	case v == "until-minutes":
		return s.I18n.T(lang, "privacy.period.until_minutes")
	}
	n, err := strconv.Atoi(v[:len(v)-1])
	if err != nil {
		return v
	}
	if strings.HasSuffix(v, "y") {
		return s.I18n.T(lang, "privacy.period.years", n)
	}
	return s.I18n.T(lang, "privacy.period.days_after_session", n)
}

func (s *server) privacyPage(w http.ResponseWriter, r *http.Request) error {
	s.Render(w, r, http.StatusOK, "privacy", r.URL.Query().Get("erased") == "1")
	return nil
}

func (s *server) privacyRecord(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.privacyRows(r)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "privacy_record", rows)
	return nil
}

// accountDataPage is the data of account_data.html.
type accountDataPage struct {
	site.Form
	Sections []string
}

func (s *server) accountData(w http.ResponseWriter, r *http.Request) error {
	s.Render(w, r, http.StatusOK, "account_data", &accountDataPage{Form: site.NewForm(nil), Sections: s.exportSections(r)})
	return nil
}

// exportSections names the export's sections in the request's language
// (privacy.section.<name>; a section without a text shows its name).
func (s *server) exportSections(r *http.Request) []string {
	lang := s.State(r).Lang
	names := privacy.ExportSections()
	for i, n := range names {
		if s.I18n.Has(lang, "privacy.section."+n) {
			names[i] = s.I18n.T(lang, "privacy.section."+n)
		}
	}
	return names
}

// accountDataDownload is the export of all of the user's data as one
// JSON file (Art. 15, 20 DSGVO).
func (s *server) accountDataDownload(w http.ResponseWriter, r *http.Request) error {
	now := s.Now()
	ex, err := s.Privacy.Export(r.Context(), s.State(r).User.ID, now)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(ex, "", "  ")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="plenar-daten-%s.json"`, now.In(site.Berlin).Format("2006-01-02")))
	_, _ = w.Write(b)
	return nil
}

// accountErase erases the account of the logged-in user, confirmed by
// the current password and the confirmation box; then the session ends.
func (s *server) accountErase(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	rs := s.State(r)
	password := r.PostForm.Get("password")
	data := &accountDataPage{Form: site.NewForm(r.PostForm), Sections: s.exportSections(r)}
	data.Values.Del("password") // never sent back
	if r.PostForm.Get("confirm") != "yes" {
		data.Errors["confirm"] = "privacy.erase.err_confirm"
	}
	if ok, throttled, err := s.CheckPassword(r, password); err != nil {
		return err
	} else if throttled {
		data.Errors["password"] = "privacy.erase.err_throttled"
	} else if !ok {
		data.Errors["password"] = "privacy.erase.err_password"
	}
	if len(data.Errors) > 0 {
		s.Render(w, r, http.StatusUnprocessableEntity, "account_data", data)
		return nil
	}
	if _, err := s.Privacy.Erase(s.Actor(r), rs.User.ID, s.Now()); err != nil {
		return err
	}
	if err := s.EndSession(r.Context()); err != nil {
		return fmt.Errorf("erase: end session: %w", err)
	}
	s.SessionEnded()
	http.Redirect(w, r, "/datenschutz?erased=1", http.StatusSeeOther)
	return nil
}

// adminPrivacyPage is the data of admin_privacy.html.
type adminPrivacyPage struct {
	site.Form
	Notice  string
	Rows    []privacyRow
	LastRun time.Time
	Counts  privacy.Counts
}

func (s *server) adminPrivacy(w http.ResponseWriter, r *http.Request) error {
	data := &adminPrivacyPage{Form: site.NewForm(nil)}
	if n := r.URL.Query().Get("notice"); n == "rules" || n == "erased" {
		data.Notice = "privacy.notice." + n
	}
	return s.renderAdminPrivacy(w, r, http.StatusOK, data)
}

func (s *server) renderAdminPrivacy(w http.ResponseWriter, r *http.Request, status int, data *adminPrivacyPage) error {
	var err error
	if data.Rows, err = s.privacyRows(r); err != nil {
		return err
	}
	if data.LastRun, data.Counts, err = s.Privacy.LastRun(r.Context()); err != nil {
		return err
	}
	s.Render(w, r, status, "admin_privacy", data)
	return nil
}

// adminPrivacyRules stores the retention periods of the form; a bad one
// is a field error and nothing is stored.
func (s *server) adminPrivacyRules(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	data := &adminPrivacyPage{Form: site.NewForm(r.PostForm)}
	days := map[privacy.Class]int{}
	for _, c := range privacy.Classes {
		if c.External {
			continue
		}
		v := strings.TrimSpace(r.PostForm.Get(string(c.Class)))
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > privacy.MaxDays {
			data.Errors[string(c.Class)] = "privacy.admin.err_days"
			continue
		}
		days[c.Class] = n
	}
	if len(data.Errors) == 0 {
		err := s.Privacy.SetRules(s.Actor(r), days, s.Now())
		var fe council.FieldErrors
		if errors.As(err, &fe) {
			for k := range fe {
				data.Errors[k] = "privacy.admin.err_days"
			}
		} else if err != nil {
			return err
		}
	}
	if len(data.Errors) > 0 {
		return s.renderAdminPrivacy(w, r, http.StatusUnprocessableEntity, data)
	}
	s.back(w, r, "/admin/privacy", "rules")
	return nil
}

// adminPrivacyErase erases the account with the form's address (an
// administrator acting on a request under Art. 17, or on a dead account).
func (s *server) adminPrivacyErase(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	data := &adminPrivacyPage{Form: site.NewForm(r.PostForm)}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	st := s.Privacy
	id, err := st.UserByEmail(r.Context(), email)
	switch {
	case email == "":
		data.Errors["email"] = "err.required"
	case council.KindOf(err) == council.KindNotFound:
		data.Errors["email"] = "privacy.admin.err_unknown"
	case err != nil:
		return err
	case id == s.State(r).User.ID:
		data.Errors["email"] = "privacy.admin.err_self"
	case r.PostForm.Get("confirm") != "yes":
		data.Errors["confirm"] = "privacy.erase.err_confirm"
	}
	if len(data.Errors) > 0 {
		return s.renderAdminPrivacy(w, r, http.StatusUnprocessableEntity, data)
	}
	if _, err := st.Erase(s.Actor(r), id, s.Now()); err != nil {
		return err
	}
	s.SessionEnded()
	s.back(w, r, "/admin/privacy", "erased")
	return nil
}
