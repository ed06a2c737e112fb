package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/plenar/plenar/council"
)

// The participation rules of the municipality in the back office
// (docs/DOMAIN.md, "Einwohnerantrag"): the co-signing threshold (absolute
// or a share of the inhabitants), the co-signers' minimum age, how long a
// published motion collects signatures, the answer period of a group's
// motion, the deadlines before a meeting (a council motion's, and the
// agenda deadline an admitted motion is routed by) and the body
// responsible for each kind of motion. The city sets them here; the store
// validates them (council.ParticipationRules.Validate).

// participationView is the data of admin_participation.html.
type participationView struct {
	Notice string
	Values map[string]string
	Errors council.FieldErrors
	Kinds  []council.InitiativeKind
	Orgs   []council.Organization
	// Groups are the number fields of the form in their fieldsets, with
	// their input and error.
	Groups []numGroup
}

// numGroup is a fieldset of number fields; Legend is a message key.
type numGroup struct {
	Legend string
	Fields []numField
}

// numField is one number input of the form.
type numField struct {
	Name, Min, Max, Step string
	Value, Error         string
}

// fields returns the number fields named, with v's input and errors.
func (v participationView) fields(names ...string) []numField {
	limits := map[string][3]string{"inhabitants": {"0", "100000000", "1"}, "threshold": {"0", "100000000", "1"},
		"threshold_share": {"0", "100", "0.001"}, "min_age": {"0", "100", "1"}, "collect_days": {"1", "3650", "1"},
		"motion_deadline": {"0", "365", "1"}, "agenda_days": {"0", "365", "1"}, "answer_days": {"1", "3650", "1"}}
	var out []numField
	for _, n := range names {
		l := limits[n]
		out = append(out, numField{Name: n, Min: l[0], Max: l[1], Step: l[2], Value: v.Values[n], Error: v.Errors[n]})
	}
	return out
}

func (v *participationView) group() {
	v.Groups = []numGroup{
		{"admin.participation.citizens", v.fields("inhabitants", "threshold", "threshold_share", "min_age", "collect_days")},
		{"admin.participation.deadlines", v.fields("motion_deadline", "agenda_days", "answer_days")},
	}
}

// participationKinds are the kinds of motion a city routes to a body.
var participationKinds = []council.InitiativeKind{council.InitiativeCitizens, council.InitiativeYouth,
	council.InitiativeCommunity, council.InitiativeParty, council.InitiativeCouncillor}

// participationFields are the form's number fields.
var participationFields = []string{"inhabitants", "threshold", "threshold_share", "min_age", "collect_days", "answer_days",
	"motion_deadline", "agenda_days"}

func (s *server) adminParticipation(w http.ResponseWriter, r *http.Request) error {
	b, err := s.body(r.Context())
	if err != nil {
		return err
	}
	rules, err := s.Council.ParticipationRules(r.Context(), b.ID)
	if err != nil {
		return err
	}
	v, err := s.participationView(r, rules)
	if err != nil {
		return err
	}
	v.Notice = s.Notice(r)
	v.group()
	s.Render(w, r, http.StatusOK, "admin_participation", v)
	return nil
}

func (s *server) participationView(r *http.Request, rules council.ParticipationRules) (participationView, error) {
	b, err := s.body(r.Context())
	if err != nil {
		return participationView{}, err
	}
	orgs, err := s.Council.Organizations(r.Context(), b.ID)
	if err != nil {
		return participationView{}, err
	}
	v := participationView{Kinds: participationKinds, Orgs: orgs, Values: map[string]string{
		"inhabitants":     strconv.Itoa(rules.Inhabitants),
		"threshold":       strconv.Itoa(rules.Threshold),
		"threshold_share": strconv.FormatFloat(rules.ThresholdShare*100, 'f', -1, 64),
		"min_age":         strconv.Itoa(rules.MinAge),
		"collect_days":    strconv.Itoa(rules.CollectDays),
		"answer_days":     strconv.Itoa(rules.AnswerDays),
		"motion_deadline": strconv.Itoa(rules.MotionDeadline),
		"agenda_days":     strconv.Itoa(rules.AgendaDays),
	}}
	for k, org := range rules.Routes {
		v.Values["route_"+string(k)] = org.String()
	}
	return v, nil
}

// adminParticipationSave stores the rules. A refused form comes back with
// the input and a message at each field; nothing is stored.
func (s *server) adminParticipationSave(w http.ResponseWriter, r *http.Request) error {
	b, err := s.body(r.Context())
	if err != nil {
		return err
	}
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	rules := council.ParticipationRules{BodyID: b.ID, Routes: map[council.InitiativeKind]council.ID{}}
	fe := council.FieldErrors{}
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(f.Get(name)))
		if err != nil {
			fe.Add(name, council.MsgInvalid)
		}
		return n
	}
	rules.Inhabitants, rules.Threshold, rules.MinAge = num("inhabitants"), num("threshold"), num("min_age")
	rules.CollectDays, rules.AnswerDays = num("collect_days"), num("answer_days")
	rules.MotionDeadline, rules.AgendaDays = num("motion_deadline"), num("agenda_days")
	share, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(f.Get("threshold_share")), ",", "."), 64)
	if err != nil {
		fe.Add("threshold_share", council.MsgInvalid)
	}
	rules.ThresholdShare = share / 100 // the form asks for per cent
	values := map[string]string{}
	for _, name := range participationFields {
		values[name] = f.Get(name)
	}
	orgs, err := s.Council.Organizations(r.Context(), b.ID)
	if err != nil {
		return err
	}
	for _, k := range participationKinds {
		id := f.Get("route_" + string(k))
		values["route_"+string(k)] = id
		if id == "" {
			continue
		}
		org := pick(orgs, id, func(o council.Organization) council.ID { return o.ID })
		if org == nil {
			fe.Add("route_"+string(k), council.MsgUnknownKind)
			continue
		}
		rules.Routes[k] = org.ID
	}
	if len(fe) == 0 {
		err = s.Council.SaveParticipationRules(s.Actor(r), rules)
		if err == nil {
			return Redirect(w, r, "/admin/participation", "participation_saved")
		}
		if !errors.As(err, &fe) {
			return err
		}
	}
	v, err := s.participationView(r, rules)
	if err != nil {
		return err
	}
	v.Values, v.Errors = values, fe
	v.group()
	s.Render(w, r, http.StatusBadRequest, "admin_participation", v)
	return nil
}
