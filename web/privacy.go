package web

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
// of every page (page.DPO).

func (s *Server) privacyRoutes(r chi.Router) {
	r.Get("/datenschutz", s.h(s.privacyPage))
	r.Get("/datenschutz/verarbeitung", s.h(s.privacyRecord))
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(council.Roles...), site.NoStore)
		r.Get("/account/data", s.h(s.accountData))
		r.Get("/account/data.json", s.h(s.accountDataDownload))
		r.Post("/account/erase", s.h(s.accountErase))
	})
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(council.RoleAdmin), site.NoStore)
		r.Get("/admin/privacy", s.h(s.adminPrivacy))
		r.Post("/admin/privacy/rules", s.h(s.adminPrivacyRules))
		r.Post("/admin/privacy/erase", s.h(s.adminPrivacyErase))
	})
}

// DPO is the data protection officer's contact for the footer; "" when
// none is configured.
func (p *page) DPO() string { return p.s.opt.DPOContact }

func (s *Server) privacyStore() *privacy.Store { return privacy.NewStore(s.pool) }

// privacyRow is one data class on the record of processing activities and
// the back office's page.
type privacyRow struct {
	privacy.Rule
	Period string // the period in words
}

// privacyRows are the classes with their periods in words in lang.
func (s *Server) privacyRows(r *http.Request) ([]privacyRow, error) {
	rules, err := s.privacyStore().Rules(r.Context())
	if err != nil {
		return nil, err
	}
	lang := requestStateOf(r).lang
	out := make([]privacyRow, len(rules))
	for i, rule := range rules {
		out[i] = privacyRow{Rule: rule, Period: s.periodText(lang, rule)}
	}
	return out, nil
}

// periodText says a class's period in words: days, or for the
// recordings PLENAR_RECORDING_RETENTION's value.
func (s *Server) periodText(lang string, r privacy.Rule) string {
	if !r.External {
		return s.i18n.T(lang, "privacy.period.days", r.Days)
	}
	v := s.opt.RecordingRetention
	switch {
	case v == "" || v == "forever":
		return s.i18n.T(lang, "privacy.period.forever")
	case v == "until-minutes":
		return s.i18n.T(lang, "privacy.period.until_minutes")
	}
	n, err := strconv.Atoi(v[:len(v)-1])
	if err != nil {
		return v
	}
	if strings.HasSuffix(v, "y") {
		return s.i18n.T(lang, "privacy.period.years", n)
	}
	return s.i18n.T(lang, "privacy.period.days_after_session", n)
}

func (s *Server) privacyPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "privacy", r.URL.Query().Get("erased") == "1")
	return nil
}

func (s *Server) privacyRecord(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.privacyRows(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "privacy_record", rows)
	return nil
}

// accountDataPage is the data of account_data.html.
type accountDataPage struct {
	formState
	Sections []string
}

func (s *Server) accountData(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "account_data", &accountDataPage{formState: newFormState(nil), Sections: s.exportSections(r)})
	return nil
}

// exportSections names the export's sections in the request's language
// (privacy.section.<name>; a section without a text shows its name).
func (s *Server) exportSections(r *http.Request) []string {
	lang := requestStateOf(r).lang
	names := privacy.ExportSections()
	for i, n := range names {
		if _, ok := s.i18n[langs[0]]["privacy.section."+n]; ok {
			names[i] = s.i18n.T(lang, "privacy.section."+n)
		}
	}
	return names
}

// accountDataDownload is the export of all of the user's data as one
// JSON file (Art. 15, 20 DSGVO).
func (s *Server) accountDataDownload(w http.ResponseWriter, r *http.Request) error {
	now := s.opt.Now()
	ex, err := s.privacyStore().Export(r.Context(), requestStateOf(r).user.ID, now)
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
func (s *Server) accountErase(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	rs := requestStateOf(r)
	start := time.Now()
	password := r.PostForm.Get("password")
	data := &accountDataPage{formState: newFormState(r.PostForm), Sections: s.exportSections(r)}
	data.Values.Del("password") // never sent back
	if r.PostForm.Get("confirm") != "yes" {
		data.Errors["confirm"] = "privacy.erase.err_confirm"
	}
	if t, err := s.throttled(r.Context(), rs.user.Email, s.clientAddr(r)); err != nil {
		return err
	} else if t {
		data.Errors["password"] = "privacy.erase.err_throttled"
	} else if !council.CheckPassword(password, rs.user.PasswordHash) {
		if err := s.council.RecordLoginFailure(r.Context(), rs.user.Email, s.clientAddr(r), s.opt.Now()); err != nil {
			return err
		}
		s.pause(r.Context(), start)
		data.Errors["password"] = "privacy.erase.err_password"
	}
	if len(data.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "account_data", data)
		return nil
	}
	if _, err := s.privacyStore().Erase(actor(r), rs.user.ID, s.opt.Now()); err != nil {
		return err
	}
	if err := s.auth.sessions.Destroy(r.Context()); err != nil {
		return fmt.Errorf("erase: end session: %w", err)
	}
	s.sessionEnded()
	http.Redirect(w, r, "/datenschutz?erased=1", http.StatusSeeOther)
	return nil
}

// adminPrivacyPage is the data of admin_privacy.html.
type adminPrivacyPage struct {
	formState
	Notice  string
	Rows    []privacyRow
	LastRun time.Time
	Counts  privacy.Counts
}

func (s *Server) adminPrivacy(w http.ResponseWriter, r *http.Request) error {
	data := &adminPrivacyPage{formState: newFormState(nil)}
	if n := r.URL.Query().Get("notice"); n == "rules" || n == "erased" {
		data.Notice = "privacy.notice." + n
	}
	return s.renderAdminPrivacy(w, r, http.StatusOK, data)
}

func (s *Server) renderAdminPrivacy(w http.ResponseWriter, r *http.Request, status int, data *adminPrivacyPage) error {
	var err error
	if data.Rows, err = s.privacyRows(r); err != nil {
		return err
	}
	if data.LastRun, data.Counts, err = s.privacyStore().LastRun(r.Context()); err != nil {
		return err
	}
	s.render(w, r, status, "admin_privacy", data)
	return nil
}

// adminPrivacyRules stores the retention periods of the form; a bad one
// is a field error and nothing is stored.
func (s *Server) adminPrivacyRules(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	data := &adminPrivacyPage{formState: newFormState(r.PostForm)}
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
		err := s.privacyStore().SetRules(actor(r), days, s.opt.Now())
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
	http.Redirect(w, r, privacyAdminPath(r, "rules"), http.StatusSeeOther)
	return nil
}

// adminPrivacyErase erases the account with the form's address (an
// administrator acting on a request under Art. 17, or on a dead account).
func (s *Server) adminPrivacyErase(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	data := &adminPrivacyPage{formState: newFormState(r.PostForm)}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	st := s.privacyStore()
	id, err := st.UserByEmail(r.Context(), email)
	switch {
	case email == "":
		data.Errors["email"] = "err.required"
	case council.KindOf(err) == council.KindNotFound:
		data.Errors["email"] = "privacy.admin.err_unknown"
	case err != nil:
		return err
	case id == requestStateOf(r).user.ID:
		data.Errors["email"] = "privacy.admin.err_self"
	case r.PostForm.Get("confirm") != "yes":
		data.Errors["confirm"] = "privacy.erase.err_confirm"
	}
	if len(data.Errors) > 0 {
		return s.renderAdminPrivacy(w, r, http.StatusUnprocessableEntity, data)
	}
	if _, err := st.Erase(actor(r), id, s.opt.Now()); err != nil {
		return err
	}
	s.sessionEnded()
	http.Redirect(w, r, privacyAdminPath(r, "erased"), http.StatusSeeOther)
	return nil
}

func privacyAdminPath(r *http.Request, notice string) string {
	to := "/admin/privacy?notice=" + notice
	if l := requestStateOf(r).lang; l != langs[0] {
		to += "&lang=" + l
	}
	return to
}
