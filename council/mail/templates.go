package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/plenar/plenar/council"
)

// The messages Plenar writes, each as templates/<name>.<lang>.txt (the
// first line "Subject: …", a blank line, the plain text) and
// templates/<name>.<lang>.html (the HTML part's content, put into
// templates/layout.html).
//
//go:embed templates
var templateFS embed.FS

// Templates are the parsed message templates.
type Templates struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// Names of the messages.
const (
	TplVerify        = "verify"         // data: VerifyData
	TplAccountExists = "account_exists" // data: VerifyData (Link: the login page)
	TplInitiativeDue = "initiative_due" // data: DueData
	// TplInitiativeReceipt is the receipt of a submitted motion.
	TplInitiativeReceipt = "initiative_receipt" // data: ReceiptData
	// TplQuestionModerated tells an asker what moderation did.
	TplQuestionModerated = "question_moderated" // data: QuestionData
	// The members' messages (member.go), data: MeetingData.
	TplMeetingInvitation = "meeting_invitation"
	TplAgendaChanged     = "agenda_changed"
	TplMinutesReady      = "minutes_ready"
	// TplAlertDigest is the news of one follow (package council/alerts).
	TplAlertDigest = "alert_digest" // data: AlertDigestData
)

// AlertDigestData is what a digest of a follow shows.
type AlertDigestData struct {
	Site      string
	Label     string // what is followed: a paper's title, a body's name, a search's words
	Frequency string // instant, daily, weekly
	Items     []AlertDigestItem
	More      int    // news left out beyond Items
	Manage    string // the account's alerts page
}

// AlertDigestItem is one piece of news of a digest.
type AlertDigestItem struct{ Title, Link string }

// DueData is what the reminder of a group's motion's answer shows.
type DueData struct {
	Site    string
	Title   string // the motion's title
	Group   string // the youth council or community group
	Due     string // the due date, written out
	Link    string // the motion in the back office
	Overdue bool
}

// VerifyData is what the account messages show.
type VerifyData struct {
	Site string // the site's name or host
	Link string // the verification link, or the login page
	Name string // the display name, may be ""
	Days int    // how long the link is valid, in days
}

// ParseTemplates parses the embedded templates; every message exists in
// German and English, with both parts.
func ParseTemplates() (*Templates, error) {
	t := &Templates{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	layout, err := templateFS.ReadFile("templates/layout.html")
	if err != nil {
		return nil, err
	}
	for _, name := range []string{TplVerify, TplAccountExists, TplInitiativeDue, TplInitiativeReceipt, TplQuestionModerated,
		TplMeetingInvitation, TplAgendaChanged, TplMinutesReady, TplAlertDigest} {
		for _, lang := range []string{German, English} {
			key := name + "." + lang
			txt, err := templateFS.ReadFile("templates/" + key + ".txt")
			if err != nil {
				return nil, fmt.Errorf("mail template %s: %w", key, err)
			}
			if t.text[key], err = texttemplate.New(key).Option("missingkey=error").Parse(string(txt)); err != nil {
				return nil, fmt.Errorf("mail template %s: %w", key, err)
			}
			h, err := templateFS.ReadFile("templates/" + key + ".html")
			if err != nil {
				return nil, fmt.Errorf("mail template %s: %w", key, err)
			}
			ht, err := htmltemplate.New("layout").Option("missingkey=error").Parse(string(layout))
			if err == nil {
				_, err = ht.New("content").Parse(string(h))
			}
			if err != nil {
				return nil, fmt.Errorf("mail template %s.html: %w", key, err)
			}
			t.html[key] = ht
		}
	}
	return t, nil
}

// Render writes message name in lang (German when lang is neither) for
// data into m's Subject, Text and HTML. Errors: ErrInvalid for an unknown
// message.
func (t *Templates) Render(m *Message, name, lang string, data any) error {
	if lang != English {
		lang = German
	}
	key := name + "." + lang
	tt, ht := t.text[key], t.html[key]
	if tt == nil || ht == nil {
		return fmt.Errorf("%w: no mail template %s", council.ErrInvalid, key)
	}
	var b bytes.Buffer
	if err := tt.Execute(&b, data); err != nil {
		return fmt.Errorf("mail template %s: %w", key, err)
	}
	head, body, ok := strings.Cut(b.String(), "\n\n")
	subject, found := strings.CutPrefix(head, "Subject: ")
	if !ok || !found {
		return fmt.Errorf("mail template %s: no Subject line", key)
	}
	var h bytes.Buffer
	if err := ht.Execute(&h, struct {
		Lang, Subject string
		Data          any
	}{lang, subject, data}); err != nil {
		return fmt.Errorf("mail template %s.html: %w", key, err)
	}
	m.Lang, m.Subject, m.Text, m.HTML = lang, strings.TrimSpace(subject), strings.TrimSpace(body)+"\n", h.String()
	return nil
}
