package council

import (
	"strings"
	"time"
)

// Passkey is a WebAuthn credential a user registered to log in with
// (docs/DOMAIN.md, "Account security"). The web layer speaks WebAuthn;
// this is what it stores: the credential's id and public key and what a
// later login checks against (sign counter, backup flags, attestation
// format), and the name the user gave it.
type Passkey struct {
	ID                ID
	UserID            ID
	CredentialID      []byte
	PublicKey         []byte // COSE key
	SignCount         uint32
	Transports        []string
	AAGUID            []byte
	AttestationFormat string
	UserVerified      bool
	BackupEligible    bool
	BackupState       bool
	Name              string
	Created           time.Time
	LastUsed          time.Time // zero: never used to log in
}

// MaxPasskeyName is the longest name of a passkey, in characters.
const MaxPasskeyName = 100

// Validate checks what a user and an authenticator supply and returns
// FieldErrors (ErrInvalid) or nil.
func (p Passkey) Validate() error {
	fe := FieldErrors{}
	checkText(fe, "name", p.Name, true, MaxPasskeyName)
	if len(p.CredentialID) == 0 || len(p.CredentialID) > 1023 {
		fe.Add("credential", MsgInvalid)
	}
	if len(p.PublicKey) == 0 {
		fe.Add("credential", MsgInvalid)
	}
	return fe.Err()
}

// LoginMethod is how a login was completed: the factors.
type LoginMethod string

// Login methods. A passkey used alone had the user verified (PIN or
// biometrics on the device): two factors in one (docs/DOMAIN.md,
// "Account security").
const (
	LoginPassword        LoginMethod = "password"
	LoginPasswordTOTP    LoginMethod = "password_totp"
	LoginPasswordPasskey LoginMethod = "password_passkey"
	LoginPasskey         LoginMethod = "passkey"
)

// Login is one successful login of a user and, while it stands, the
// session it opened.
type Login struct {
	ID     ID
	UserID ID
	At     time.Time
	Method LoginMethod
	// UserAgent is a summary such as "Firefox, Linux"; Addr the client's
	// network (the address truncated, see TruncateAddr).
	UserAgent string
	Addr      string
	LastSeen  time.Time
	// Active: the session this login opened still stands (only set by
	// Sessions).
	Active bool
}

// LoginInput is what RecordLogin stores: the login and the web session
// it opened (Token, of the user's session epoch Epoch).
type LoginInput struct {
	UserID    ID
	At        time.Time
	Method    LoginMethod
	UserAgent string
	Addr      string
	Token     string
	Epoch     int64
}

// clip returns s cut to at most n runes.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
