package meetings

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/voting"
)

// PollState is where a poll stands.
type PollState string

// Poll states. A poll opens, may pause (a Rüge) and resume, and ends
// closed (counted) or cancelled (recorded with the reason).
const (
	PollOpen      PollState = "open"
	PollPaused    PollState = "paused"
	PollClosed    PollState = "closed"
	PollCancelled PollState = "cancelled"
)

// Running reports whether the poll takes or may again take ballots.
func (s PollState) Running() bool { return s == PollOpen || s == PollPaused }

// Poll is a vote on an agenda item in a live session (docs/VOTING.md).
type Poll struct {
	ID         council.ID
	MeetingID  council.ID
	ItemID     council.ID
	Position   int // order within the item
	Kind       voting.Kind
	Question   string
	Rule       string // voting rule code; "" for an election
	Profile    string // the Land profile
	Seats      int    // an election's seats
	Round      int    // an election's round
	PreviousID council.ID
	State      PollState
	Remote     bool // remote members take part
	Inputs     voting.Inputs
	OpenedAt   time.Time
	ClosedAt   time.Time // zero while running
	Reason     string    // why it was cancelled or paused
	Candidates []voting.Candidate
	// The result, once closed.
	Tally    voting.Tally
	Ballots  int
	Outcome  voting.Outcome
	Result   *voting.Result         // yes/no polls
	Election *voting.ElectionResult // elections
	Seed     string                 // an election's published seed for drawing lots
	Progress int                    // ballots last announced
}

// Secret reports whether nobody may link a ballot of p to its voter.
func (p Poll) Secret() bool { return p.Kind == voting.Secret || p.Kind == voting.Election }

// Eligible is a member who may vote in a poll, fixed when it opens.
type Eligible struct {
	PersonID council.ID
	Name     string
	Mode     Mode // room or remote at opening
}

// Via says how a ballot was given.
type Via string

// Ways of voting.
const (
	ViaSelf  Via = "self"  // the member on their own device
	ViaClerk Via = "clerk" // entered by the clerk for a member in the room (open, named)
	ViaPaper Via = "paper" // a paper ballot in the room's urn (secret): the clerk ticks the voter off
)

// Vote is one member's recorded choice in an open or named poll.
type Vote struct {
	PersonID council.ID
	Name     string
	Choice   []string
	Via      Via
}

// SecretBallot is one ballot of a secret poll under its receipt code.
type SecretBallot struct {
	Receipt string
	Choice  []string
}

// receiptEncoding is Crockford-like base32 without padding: digits and
// capitals, easy to read aloud and to compare.
var receiptEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// Receipt returns the receipt code of a secret ballot that the client
// identified by ballotID (a random value of the voter's device) in poll:
// the first 40 bits of SHA-256("plenar-receipt:" poll ":" ballotID) in
// base32, as XXXX-XXXX. The server keeps only the receipt, never the
// ballot id, so a retried ballot finds itself while nobody else can
// link the receipt to the voter (docs/VOTING.md, "Threat model").
func Receipt(poll council.ID, ballotID string) string {
	sum := sha256.Sum256([]byte("plenar-receipt:" + poll.String() + ":" + ballotID))
	s := receiptEncoding.EncodeToString(sum[:5])
	return s[:4] + "-" + s[4:8]
}

// ValidReceipt reports whether s looks like a receipt code.
func ValidReceipt(s string) bool {
	if len(s) != 9 || s[4] != '-' {
		return false
	}
	return strings.Trim(s[:4]+s[5:], "0123456789ABCDEFGHJKMNPQRSTVWXYZ") == ""
}
