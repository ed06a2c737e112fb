package voting

import (
	"fmt"
	"slices"
)

// Follow-ups of a RemotePolicy that does not allow remote members.
const (
	FollowUpRoom    = "room"    // the poll is held among those in the room
	FollowUpRefused = "refused" // the poll cannot be held in this session
)

// Builtin returns the built-in Land profiles by code: NW, ST, BY, BW
// (docs/VOTING.md, "Land profiles", says which sources were checked
// against a stored text). A fresh map on each call: callers may modify it.
func Builtin() map[string]Profile {
	all := []string{"simple", "absolute", "two_thirds_cast", "two_thirds_present", "two_thirds_statutory",
		"three_quarters_cast", "three_quarters_present", "three_quarters_statutory"}
	allow := func(src string) RemotePolicy { return RemotePolicy{Allowed: true, Source: src} }
	deny := func(follow, src string) RemotePolicy { return RemotePolicy{FollowUp: follow, Source: src} }
	return map[string]Profile{
		"NW": {
			Code: "NW", Name: "Nordrhein-Westfalen (GO NRW, DigiSiVO)",
			AbstainAllowed: true, ChangeBallot: true,
			Remote: map[Kind]RemotePolicy{
				Open:     allow("§ 4 Abs. 1 DigiSiVO"),
				Named:    allow("§ 4 Abs. 1 DigiSiVO"),
				Secret:   allow("§ 4 Abs. 2 DigiSiVO: only if the voting system technically ensures secrecy and checkability without special expertise (Plenar's verifiable secret ballot); otherwise by postal ballot after the session"),
				Election: allow("§ 4 Abs. 2, § 5 Abs. 2 DigiSiVO: as secret votes; the same voting system in the room and remote"),
			},
			Sessions: map[SessionMode][]Basis{
				Hybrid:  {BasisStatute, BasisEmergency},
				Digital: {BasisEmergency},
			},
			Rules:         all,
			ElectionValid: ValidWithNo,
			Sources: map[string]string{
				"tie":      "§ 50 Abs. 1 GO NRW (a tie rejects)",
				"abstain":  "§ 50 GO NRW (abstentions allowed, not counted)",
				"election": "§ 50 Abs. 2 GO NRW (more than half of the valid votes; Nein-Stimmen are valid)",
				"runoff":   "§ 50 Abs. 2 GO NRW (engere Wahl between the two highest)",
				"lots":     "§ 50 Abs. 2 GO NRW (a tie in the engere Wahl is decided by lot)",
				"remote":   "§ 4 DigiSiVO",
				"hybrid":   "§ 58a GO NRW (committees by Hauptsatzung, not the committees of § 57 Abs. 2) and § 47a Abs. 1 GO NRW (council in an exceptional case); § 5 DigiSiVO",
				"digital":  "§ 47a Abs. 1 GO NRW (only in a besonderer Ausnahmefall, e.g. epidemic, found by the council)",
				"secret":   "§ 4 Abs. 2 DigiSiVO",
			},
		},
		"ST": {
			Code: "ST", Name: "Sachsen-Anhalt (KVG LSA)",
			AbstainAllowed: true, ChangeBallot: true,
			Remote: map[Kind]RemotePolicy{
				Open:     allow("§ 56a Abs. 2 KVG LSA"),
				Named:    allow("§ 56a Abs. 2 KVG LSA"),
				Secret:   allow("§ 56a Abs. 2 KVG LSA (excludes only Wahlen)"),
				Election: deny(FollowUpRefused, "§ 56a Abs. 2 Satz 4 KVG LSA: no Wahlen (§ 56 Abs. 3) in a video-conference session"),
			},
			Sessions: map[SessionMode][]Basis{
				Hybrid:  {BasisEmergency},
				Digital: {BasisEmergency},
			},
			Rules:         all,
			ElectionValid: ValidCandidates,
			Sources: map[string]string{
				"tie":      "§ 56 KVG LSA (a tie rejects)",
				"abstain":  "§ 56 KVG LSA (abstentions allowed, not counted)",
				"election": "§ 56 Abs. 3 KVG LSA",
				"runoff":   "§ 56 Abs. 3 KVG LSA",
				"lots":     "§ 56 Abs. 3 KVG LSA",
				"remote":   "§ 56a Abs. 2 KVG LSA",
				"hybrid":   "§ 56a Abs. 1, 2 KVG LSA (all or some members by video conference, only in an außergewöhnliche Notsituation found by the supervisory authority or the Landtag)",
				"digital":  "§ 56a Abs. 1, 2 KVG LSA (only in an außergewöhnliche Notsituation)",
				"secret":   "§ 56 KVG LSA",
			},
		},
		"BY": {
			Code: "BY", Name: "Bayern (GO)",
			AbstainAllowed: false, ChangeBallot: true,
			Remote: map[Kind]RemotePolicy{
				Open:     allow("Art. 47a Abs. 1 GO"),
				Named:    allow("Art. 47a Abs. 1 GO"),
				Secret:   deny(FollowUpRefused, "Art. 51 Abs. 1 GO: Beschlüsse are taken openly; secret votes only as Wahlen"),
				Election: deny(FollowUpRoom, "Art. 47a Abs. 1 Satz 6 GO: members connected by Ton-Bild-Übertragung cannot take part in Wahlen"),
			},
			Sessions: map[SessionMode][]Basis{
				Hybrid: {BasisStatute},
			},
			Rules:               all,
			ElectionValid:       ValidCandidates,
			RepeatIfHalfInvalid: true,
			Sources: map[string]string{
				"tie":      "Art. 51 Abs. 1 GO (a tie rejects)",
				"abstain":  "Art. 48 Abs. 1 Satz 2 GO (Kein Mitglied des Gemeinderats darf sich der Stimme enthalten)",
				"election": "Art. 51 Abs. 3 GO (more than half of the valid votes; Neinstimmen and leere Stimmzettel are invalid; at least half invalid: repeat)",
				"runoff":   "Art. 51 Abs. 3 GO (Stichwahl between the two highest)",
				"lots":     "Art. 51 Abs. 3 GO (a tie in the Stichwahl is decided by lot)",
				"remote":   "Art. 47a GO",
				"hybrid":   "Art. 47a Abs. 1 GO (if the Geschäftsordnung allows it, by a two-thirds majority of those voting)",
				"digital":  "Art. 47a GO allows only single members to be connected; no session without a room",
				"secret":   "Art. 51 Abs. 1, 3 GO",
			},
		},
		"BW": {
			Code: "BW", Name: "Baden-Württemberg (GemO)",
			AbstainAllowed: true, ChangeBallot: true,
			Remote: map[Kind]RemotePolicy{
				Open:     allow("§ 37a GemO"),
				Named:    allow("§ 37a GemO"),
				Secret:   allow("§ 37a GemO"),
				Election: deny(FollowUpRoom, "§ 37a GemO (version in force since 1 September 2025): members taking part by Ton- und Bildübertragung are not entitled to vote in (secret) Wahlen"),
			},
			// Hybrid follows the § 37a GemO in force since 1 September 2025
			// (remote participation if the Hauptsatzung allows it); digital
			// still follows the 2020 text. docs/VOTING.md, "BW — Baden-Württemberg (GemO)", says which
			// sources were read and what is still to be checked.
			Sessions: map[SessionMode][]Basis{
				Hybrid:  {BasisStatute},
				Digital: {BasisSimple, BasisEmergency},
			},
			Rules:         all,
			ElectionValid: ValidPresent,
			Sources: map[string]string{
				"tie":      "§ 37 Abs. 6 GemO (a tie rejects)",
				"abstain":  "§ 37 Abs. 6 GemO (abstentions allowed, not counted)",
				"election": "§ 37 Abs. 7 GemO (more than half of the votes of the present members entitled to vote)",
				"runoff":   "§ 37 Abs. 7 GemO (Stichwahl between the two with most votes, simple majority)",
				"lots":     "§ 37 Abs. 7 GemO (a tie is decided by lot)",
				"remote":   "§ 37a GemO",
				"hybrid":   "§ 37a GemO, version in force since 1 September 2025 (members other than the chair may take part by Ton- und Bildübertragung if the Hauptsatzung allows it)",
				"digital":  "§ 37a Abs. 1 GemO in the 2020 version (by Hauptsatzung: Gegenstände einfacher Art, otherwise only for schwerwiegende Gründe such as natural disasters; to be checked against the version in force since 1 September 2025)",
				"secret":   "§ 37 Abs. 7 GemO",
			},
		},
	}
}

// AllowsSession reports whether a session in mode m may be held on basis
// b: nil if so, otherwise an error wrapping ErrRule naming the paragraph.
// A presence session is always allowed.
func (p Profile) AllowsSession(m SessionMode, b Basis) error {
	if m == Presence {
		return nil
	}
	if !validMode(m) {
		return fmt.Errorf("%w: unknown session mode %q", ErrRule, m)
	}
	bases, ok := p.Sessions[m]
	if !ok {
		return fmt.Errorf("%w: %s: no %s sessions (%s)", ErrRule, p.Code, m, p.Sources[string(m)])
	}
	if !slices.Contains(bases, b) {
		return fmt.Errorf("%w: %s: a %s session needs basis %v, not %q (%s)", ErrRule, p.Code, m, bases, b, p.Sources[string(m)])
	}
	return nil
}

// RemoteFor returns whether remote members take part in polls of kind k.
// A kind the profile does not configure is not allowed (FollowUpRoom).
func (p Profile) RemoteFor(k Kind) RemotePolicy {
	if r, ok := p.Remote[k]; ok {
		return r
	}
	return RemotePolicy{FollowUp: FollowUpRoom, Source: "not configured in profile " + p.Code}
}

// Choices returns the choices of a yes/no poll under the profile: yes and
// no, and abstain where abstaining is allowed.
func (p Profile) Choices() []Choice {
	if p.AbstainAllowed {
		return []Choice{Yes, No, Abstain}
	}
	return []Choice{Yes, No}
}

// validMode reports whether m is a session mode.
func validMode(m SessionMode) bool { return m == Presence || m == Hybrid || m == Digital }

// validBasis reports whether b is a legal basis of a hybrid or digital
// session.
func validBasis(b Basis) bool { return b == BasisStatute || b == BasisEmergency || b == BasisSimple }

// Validate checks a profile: a code, at least one rule and only known
// rule codes, known poll kinds and follow-ups, known session modes and
// bases, a known election_valid. The error wraps ErrRule and names the
// field.
func (p Profile) Validate() error {
	bad := func(field, format string, a ...any) error {
		return fmt.Errorf("%w: profile %q: field %s: %s", ErrRule, p.Code, field, fmt.Sprintf(format, a...))
	}
	if p.Code == "" {
		return bad("code", "empty")
	}
	if len(p.Rules) == 0 {
		return bad("rules", "missing")
	}
	for _, c := range p.Rules {
		if _, err := RuleByCode(c); err != nil {
			return bad("rules", "unknown rule code %q", c)
		}
	}
	for k, r := range p.Remote {
		if !k.Valid() {
			return bad("remote", "unknown poll kind %q", k)
		}
		if !r.Allowed && r.FollowUp != FollowUpRoom && r.FollowUp != FollowUpRefused {
			return bad("remote", "kind %q: follow_up must be %q or %q, not %q", k, FollowUpRoom, FollowUpRefused, r.FollowUp)
		}
	}
	for m, bs := range p.Sessions {
		if !validMode(m) {
			return bad("sessions", "unknown session mode %q", m)
		}
		for _, b := range bs {
			if !validBasis(b) {
				return bad("sessions", "mode %q: unknown basis %q", m, b)
			}
		}
	}
	if !slices.Contains(electionValids(), p.ElectionValid) {
		return bad("election_valid", "%q is not one of %v", p.ElectionValid, electionValids())
	}
	return nil
}
