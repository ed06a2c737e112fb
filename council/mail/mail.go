package mail

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
)

// Kind says whether a message answers a person's own action
// (transactional: a verification, a password reset) or goes to many
// (bulk: notifications, newsletters), which must offer unsubscribing.
type Kind string

// Kinds of message.
const (
	Transactional Kind = "transactional"
	Bulk          Kind = "bulk"
)

// State is where a message is on its way (docs/ARCHITECTURE.md, "Mail").
type State string

// States of an outbox row.
const (
	Queued     State = "queued"     // waiting for its next attempt
	Sending    State = "sending"    // claimed; the SMTP transaction runs, the message is not yet complete
	Committing State = "committing" // the message is written, the final dot is on its way
	Sent       State = "sent"       // the SMTP server accepted it
	Failed     State = "failed"     // refused for good, or out of attempts
)

// Languages a message can be written in; German is the default.
const (
	German  = "de"
	English = "en"
)

// Message is one e-mail to one recipient.
type Message struct {
	To      string
	Lang    string // German or English; "" means German
	Kind    Kind
	List    string // bulk only: the list an opt-out applies to, e.g. "notifications"
	Subject string
	Text    string
	HTML    string            // optional alternative part
	Headers map[string]string // extra headers; bulk messages get List-Unsubscribe from Enqueue
	// Attachments are sent as files with the message (e.g. an .ics).
	Attachments []Attachment
	// Coalesce, when set, makes Enqueue queue nothing while a message with
	// the same key still waits for its first attempt (that one will say
	// it all): a burst of changes sends one message.
	Coalesce string
	// NotBefore delays the first attempt (zero: at once).
	NotBefore time.Time
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name string `json:"name"` // the file name, e.g. "sitzung.ics"
	Type string `json:"type"` // the content type, e.g. "text/calendar; charset=utf-8; method=PUBLISH"
	Data []byte `json:"data"`
}

// Outgoing is a row of the outbox as the Sender and tests see it.
type Outgoing struct {
	Message
	ID        council.ID
	MessageID string // without angle brackets
	State     State
	Attempts  int
	NextAt    time.Time
	LastError string
	Created   time.Time
	SentAt    time.Time
}

// Limits of a message's fields.
const (
	maxSubject = 300
	maxBody    = 256 << 10
	maxList    = 64
	maxAttach  = 256 << 10 // all attachments together
)

// validate normalises m and checks it. Errors: ErrInvalid.
func (m *Message) validate() error {
	m.To = strings.TrimSpace(m.To)
	if m.Lang == "" {
		m.Lang = German
	}
	if m.Kind == "" {
		m.Kind = Transactional
	}
	addr, err := ParseAddress(m.To)
	if err != nil {
		return err
	}
	m.To = addr
	switch {
	case m.Lang != German && m.Lang != English:
		return fmt.Errorf("%w: mail language %q", council.ErrInvalid, m.Lang)
	case m.Kind != Transactional && m.Kind != Bulk:
		return fmt.Errorf("%w: mail kind %q", council.ErrInvalid, m.Kind)
	case m.Kind == Bulk && (m.List == "" || len(m.List) > maxList):
		return fmt.Errorf("%w: a bulk message needs a list", council.ErrInvalid)
	case m.Subject == "" || len(m.Subject) > maxSubject || strings.ContainsAny(m.Subject, "\r\n"):
		return fmt.Errorf("%w: mail subject", council.ErrInvalid)
	case m.Text == "" || len(m.Text) > maxBody || len(m.HTML) > maxBody:
		return fmt.Errorf("%w: mail body", council.ErrInvalid)
	}
	size := 0
	for _, a := range m.Attachments {
		size += len(a.Data)
		if a.Name == "" || a.Type == "" || strings.ContainsAny(a.Name, "\r\n\"/\\") || strings.ContainsAny(a.Type, "\r\n") {
			return fmt.Errorf("%w: mail attachment %q", council.ErrInvalid, a.Name)
		}
	}
	if size > maxAttach || len(m.Coalesce) > 200 {
		return fmt.Errorf("%w: mail attachments or key too large", council.ErrInvalid)
	}
	for k, v := range m.Headers {
		if k == "" || strings.ContainsAny(k, ": \r\n") || strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("%w: mail header %q", council.ErrInvalid, k)
		}
	}
	return nil
}

// ParseAddress returns the bare address of a single e-mail address
// ("a@example.org"; no display name, no list), or ErrInvalid.
func ParseAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || len(s) > 254 || strings.ContainsAny(s, "\r\n<>,;\"") {
		return "", fmt.Errorf("%w: %q is not an e-mail address", council.ErrInvalid, s)
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") && s[at+1:] != "localhost" {
		return "", fmt.Errorf("%w: %q is not an e-mail address", council.ErrInvalid, s)
	}
	return s, nil
}
