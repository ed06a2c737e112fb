// Package voting is the rules engine of council votes (docs/VOTING.md):
// poll kinds, majority rules with exact integer arithmetic, the Land
// profiles that say which rules apply (abstention, ties, remote
// participation, when a hybrid or digital session is allowed), elections
// with run-offs, and reproducible drawing of lots.
//
// It is pure: no database, no clock, no randomness of its own (a draw takes
// its seed). meetings/live records polls and ballots and calls Decide and
// DecideElection when a poll closes.
package voting

import "errors"

// ErrRule is wrapped by errors about rules, profiles and tallies that do not
// fit together (an unknown rule, abstentions where the profile forbids
// them, negative counts). meetings/live maps it to council.ErrInvalid or
// council.ErrConflict.
var ErrRule = errors.New("voting rule")

// Kind is the kind of a poll.
type Kind string

// Poll kinds (docs/VOTING.md, "Poll kinds").
const (
	Open     Kind = "open"     // show of hands: each member's choice visible to chair, members and public
	Named    Kind = "named"    // roll call: recorded per member
	Secret   Kind = "secret"   // nobody can link a ballot to its voter
	Election Kind = "election" // candidates, seats, rounds, run-off, lots; secret
)

// Valid reports whether k is a poll kind.
func (k Kind) Valid() bool { return k == Open || k == Named || k == Secret || k == Election }

// Choice is a ballot's choice in a yes/no poll.
type Choice string

// Choices.
const (
	Yes     Choice = "yes"
	No      Choice = "no"
	Abstain Choice = "abstain"
)

// Base is what a qualified majority is a share of.
type Base string

// Bases.
const (
	BaseCast      Base = "cast"      // yes + no (abstentions and invalid ballots do not count)
	BasePresent   Base = "present"   // members eligible at opening (present, not conflicted)
	BaseStatutory Base = "statutory" // statutory voting members (gesetzliche Mitgliederzahl)
)

// Rule is a majority rule. Code names it ("simple", "absolute",
// "two_thirds_cast", …; Rules lists them all).
type Rule struct {
	Code string `json:"code"`
	// Simple: more yes than no. Otherwise yes must reach Num/Den of the
	// Base (Strict: more than Num/Den, e.g. the absolute majority "more
	// than half of the statutory members").
	Simple bool `json:"simple,omitempty"`
	Num    int  `json:"num,omitempty"`
	Den    int  `json:"den,omitempty"`
	Base   Base `json:"base,omitempty"`
	Strict bool `json:"strict,omitempty"`
}

// Inputs are the numbers fixed when a poll opens, which a result records.
type Inputs struct {
	Statutory  int `json:"statutory"`  // statutory voting members of the body
	Present    int `json:"present"`    // voting members present (room or remote)
	Conflicted int `json:"conflicted"` // of those present, conflicted for the item
	Eligible   int `json:"eligible"`   // who may vote: present, voting right, not conflicted (remote members excluded where the profile says so)
}

// Tally is the counted ballots of a yes/no poll.
type Tally struct {
	Yes     int `json:"yes"`
	No      int `json:"no"`
	Abstain int `json:"abstain"`
	Invalid int `json:"invalid,omitempty"` // paper ballots that count for nothing
}

// Outcome is a poll's result in one word.
type Outcome string

// Outcomes.
const (
	Accepted Outcome = "accepted"
	Rejected Outcome = "rejected"
	Elected  Outcome = "elected" // election: Result.Elected holds the winners
	Runoff   Outcome = "runoff"  // election: no one elected; Result.Runoff are the next round's candidates
	NoResult Outcome = "none"    // election: nobody can be elected (no valid votes)
)

// Result is the outcome of a yes/no poll with how it was reached.
type Result struct {
	Outcome Outcome `json:"outcome"`
	Base    int     `json:"base"`   // the size of the rule's base
	Needed  int     `json:"needed"` // the smallest number of yes votes that passes
	Tie     bool    `json:"tie,omitempty"`
}

// Candidate is one candidate of an election.
type Candidate struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ElectionTally is the counted ballots of one election round.
type ElectionTally struct {
	Votes   map[string]int `json:"votes"`             // per candidate id
	Abstain int            `json:"abstain,omitempty"` // ballots for nobody (where the profile allows them)
	Invalid int            `json:"invalid,omitempty"`
	Ballots int            `json:"ballots"` // ballots cast, including abstentions and invalid ones
	// No counts "nein" ballots (against every candidate), where ballots
	// offer it; whether they are valid votes is the profile's
	// ElectionValid.
	No int `json:"no,omitempty"`
	// Eligible is the number of members eligible when the round opened;
	// needed only when the profile's ElectionValid is ValidPresent.
	Eligible int `json:"eligible,omitempty"`
}

// ElectionResult is the outcome of one election round.
type ElectionResult struct {
	Outcome Outcome  `json:"outcome"`
	Elected []string `json:"elected,omitempty"` // candidate ids, in order of votes (then lots)
	Runoff  []string `json:"runoff,omitempty"`  // the next round's candidates
	Needed  int      `json:"needed,omitempty"`  // votes a candidate needed in this round (0: most votes wins)
	Lots    *Draw    `json:"lots,omitempty"`    // the draw, when a tie was decided by lot
}

// Draw is a reproducible drawing of lots: Order is Among sorted by
// SHA-256(Seed ":" id) (docs/VOTING.md, "Drawing lots"), so anyone with the
// published seed can check it.
type Draw struct {
	Seed  string   `json:"seed"`
	Among []string `json:"among"`
	Order []string `json:"order"`
}

// SessionMode is how a session is held.
type SessionMode string

// Session modes.
const (
	Presence SessionMode = "presence" // everyone in the room
	Hybrid   SessionMode = "hybrid"   // some members remote
	Digital  SessionMode = "digital"  // no one needs to be in the room
)

// Basis is the legal basis a hybrid or digital session is held on.
type Basis string

// Legal bases.
const (
	BasisNone      Basis = ""          // presence session
	BasisStatute   Basis = "statute"   // the Hauptsatzung/Geschäftsordnung allows it
	BasisEmergency Basis = "emergency" // a declared emergency (epidemic, disaster)
	BasisSimple    Basis = "simple"    // matters of a simple kind (Gegenstände einfacher Art, BW)
)

// RemotePolicy says whether remote members take part in a kind of poll,
// and what happens when they may not.
type RemotePolicy struct {
	Allowed bool `json:"allowed"`
	// FollowUp when not allowed: "room" (the poll is held among those in
	// the room; remote members must come in to vote) or "refused" (the
	// poll cannot be held in this session, e.g. an election in a
	// digital session).
	FollowUp string `json:"follow_up,omitempty"`
	Source   string `json:"source,omitempty"` // the paragraph
}

// Profile is the voting law of one Land (docs/VOTING.md, "Land profiles").
type Profile struct {
	Code string `json:"code"` // "NW", "ST", "BY", "BW", or a configured code
	Name string `json:"name"`
	// AbstainAllowed: members may abstain (not in Bayern).
	AbstainAllowed bool `json:"abstain_allowed"`
	// ChangeBallot: a member may change an open or named ballot until the
	// poll closes. Secret ballots never change.
	ChangeBallot bool `json:"change_ballot"`
	// Remote says per poll kind whether remote members take part.
	Remote map[Kind]RemotePolicy `json:"remote"`
	// Sessions says on which legal bases a hybrid or digital session may
	// be held; a missing mode is not allowed at all.
	Sessions map[SessionMode][]Basis `json:"sessions"`
	// Rules lists the codes of the majority rules offered to the chair;
	// the first is the default.
	Rules []string `json:"rules"`
	// Sources names the paragraph each rule comes from, by topic
	// ("tie", "abstain", "election", "remote", "hybrid", "digital", …).
	Sources map[string]string `json:"sources"`
	// ElectionValid says which votes the majority of a single-seat
	// election's first round is counted from (ValidCandidates,
	// ValidWithNo, ValidBallots, ValidPresent; Sources["election"]).
	ElectionValid string `json:"election_valid"`
	// RepeatIfHalfInvalid: a single-seat election round in which at least
	// half of the ballots are not votes for a candidate has no result and
	// is repeated (Bayern, Art. 51 Abs. 3 GO).
	RepeatIfHalfInvalid bool `json:"repeat_if_half_invalid,omitempty"`
}
