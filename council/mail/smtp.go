package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/plenar/plenar/council"
)

// TLS modes of an SMTP connection.
const (
	TLSRequired      = "required"      // STARTTLS, refuse a server without it (smtp://, the default)
	TLSOpportunistic = "opportunistic" // STARTTLS when offered
	TLSNone          = "none"          // plain text: only for a relay on the same host
	TLSImplicit      = "implicit"      // TLS from the first byte (smtps://, port 465)
)

// SMTPConfig is where and how the Sender delivers.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // one of TLSRequired, TLSOpportunistic, TLSNone, TLSImplicit
	// TLSConfig overrides the TLS settings (tests: a private root CA);
	// nil: the system's roots, the host's name.
	TLSConfig *tls.Config
}

// ParseURL reads PLENAR_SMTP_URL: smtp://[user:password@]host[:port]
// [?starttls=required|opportunistic|none] (port 587, STARTTLS required by
// default) or smtps://[user:password@]host[:port] (implicit TLS, port
// 465). User and password are URL-encoded. Errors: ErrInvalid.
func ParseURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("%w: SMTP URL: %w", council.ErrInvalid, err)
	}
	var c SMTPConfig
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		c.Port, c.TLS = 587, TLSRequired
		switch v := u.Query().Get("starttls"); v {
		case "", TLSRequired:
		case TLSOpportunistic, TLSNone:
			c.TLS = v
		default:
			return SMTPConfig{}, fmt.Errorf("%w: SMTP URL: starttls=%q, want required, opportunistic or none", council.ErrInvalid, v)
		}
	case "smtps":
		c.Port, c.TLS = 465, TLSImplicit
	default:
		return SMTPConfig{}, fmt.Errorf("%w: SMTP URL: scheme %q, want smtp:// or smtps://", council.ErrInvalid, u.Scheme)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTPConfig{}, fmt.Errorf("%w: SMTP URL without a host", council.ErrInvalid)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, fmt.Errorf("%w: SMTP URL: port %q", council.ErrInvalid, p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	return c, nil
}

// String is the URL without the password, for the log.
func (c SMTPConfig) String() string {
	scheme, q := "smtp", ""
	if c.TLS == TLSImplicit {
		scheme = "smtps"
	} else if c.TLS != TLSRequired {
		q = "?starttls=" + c.TLS
	}
	user := ""
	if c.Username != "" {
		user = url.User(c.Username).String() + "@"
	}
	return fmt.Sprintf("%s://%s%s%s", scheme, user, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), q)
}

// dial opens an SMTP connection: greeting, TLS as configured, login.
func (c SMTPConfig) dial(ctx context.Context, timeout time.Duration) (*smtp.Client, error) {
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(timeout)}
	switch c.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(c.TLSConfig))
	}
	if c.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	client, err := gomail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("smtp connect %s: %w", net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), err)
	}
	return sc, nil
}

// permanent reports whether err is a permanent refusal by the server
// (a 5xx reply); everything else (4xx, a lost connection, a timeout) is
// worth another attempt.
func permanent(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500 && te.Code < 600
}

// replied reports whether err is a reply of the server (it answered, so
// it did not accept), as opposed to a lost connection or a timeout.
func replied(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te)
}
