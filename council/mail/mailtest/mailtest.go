// Package mailtest is a real SMTP server for tests, in process
// (github.com/emersion/go-smtp): it accepts, keeps and parses what Plenar
// sends, and lets a test refuse or hold a transaction at a chosen step.
// Only tests import it.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one accepted message, parsed.
type Received struct {
	From, To  string // envelope
	MessageID string // without angle brackets
	Subject   string // decoded
	Header    mail.Header
	Text      string // the text/plain part, decoded
	HTML      string // the text/html part, decoded; "" without one
	Parts     []Part // the other parts (attachments), decoded
	Raw       []byte
}

// Part is a part of a message other than its text and HTML.
type Part struct {
	Type     string            // the media type, e.g. "text/calendar"
	Params   map[string]string // the Content-Type's parameters, e.g. method
	Filename string            // from Content-Disposition, or the Content-Type's name
	Data     []byte
}

// Server is an SMTP server on 127.0.0.1 that keeps every accepted message.
type Server struct {
	Addr string
	// OnRcpt, when set, answers each RCPT TO (nil: accept); it runs in
	// the connection's goroutine, so it can hold the transaction.
	OnRcpt func(to string) error
	// OnData, when set, answers each complete message before it is kept
	// (nil: keep it); the message is kept only when it returns nil.
	OnData func(r Received) error

	srv      *smtp.Server
	user     string
	password string
	mu       sync.Mutex
	msgs     []Received
	arrived  chan struct{}
}

// Options of a test server.
type Options struct {
	StartTLS bool   // offer STARTTLS with a fresh self-signed certificate (see ClientTLS)
	Implicit bool   // TLS from the first byte (smtps)
	User     string // require AUTH PLAIN with User and Password
	Password string
}

// Start runs a server until the test ends.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	s := &Server{user: opt.User, password: opt.Password, arrived: make(chan struct{}, 1)}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = !opt.StartTLS && !opt.Implicit
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	var ln net.Listener
	var err error
	if opt.StartTLS || opt.Implicit {
		s.srv.TLSConfig = serverTLS(t)
	}
	if opt.Implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", s.srv.TLSConfig)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// URL is a PLENAR_SMTP_URL for the server: plain text unless it offers
// TLS (then the client needs ClientTLS for the certificate).
func (s *Server) URL() string {
	user := ""
	if s.user != "" {
		user = s.user + ":" + s.password + "@"
	}
	switch {
	case s.srv.TLSConfig == nil:
		return "smtp://" + user + s.Addr + "?starttls=none"
	default:
		return "smtp://" + user + s.Addr
	}
}

// SMTPSURL is the smtps:// URL of a server started with Implicit.
func (s *Server) SMTPSURL() string {
	user := ""
	if s.user != "" {
		user = s.user + ":" + s.password + "@"
	}
	return "smtps://" + user + s.Addr
}

// ClientTLS is a TLS configuration that trusts the server's certificate.
func (s *Server) ClientTLS() *tls.Config {
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(s.srv.TLSConfig.Certificates[0].Certificate[0])
	pool.AddCert(leaf)
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// Messages returns the accepted messages so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Wait waits until n messages arrived (or timeout passed) and returns
// them; the test fails if fewer came.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.arrived:
		case <-deadline:
			m := s.Messages()
			t.Fatalf("mailtest: %d message(s) arrived within %s, want %d", len(m), timeout, n)
			return m
		}
	}
}

// CountByMessageID counts the accepted messages per Message-ID.
func (s *Server) CountByMessageID() map[string]int {
	out := map[string]int{}
	for _, m := range s.Messages() {
		out[m.MessageID]++
	}
	return out
}

type session struct {
	s        *Server
	from, to string
	authed   bool
}

func (x *session) AuthMechanisms() []string {
	if x.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, password string) error {
		if user != x.s.user || password != x.s.password {
			return errors.New("invalid credentials")
		}
		x.authed = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.user != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if f := x.s.OnRcpt; f != nil {
		if err := f(to); err != nil {
			return err
		}
	}
	x.to = to
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	rec, err := Parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unparsable message: " + err.Error()}
	}
	rec.From, rec.To = x.from, x.to
	if f := x.s.OnData; f != nil {
		if err := f(rec); err != nil {
			return err
		}
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, rec)
	x.s.mu.Unlock()
	select {
	case x.s.arrived <- struct{}{}:
	default:
	}
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", "" }
func (x *session) Logout() error { return nil }

// Temporary and Permanent are refusals for OnRcpt and OnData.
var (
	Temporary = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	Permanent = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
)

// Parse reads a raw message: headers, and the text and HTML parts of a
// single-part or multipart/alternative (or mixed) body.
func Parse(raw []byte) (Received, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, err
	}
	rec := Received{Header: m.Header, Raw: raw,
		MessageID: strings.Trim(strings.TrimSpace(m.Header.Get("Message-Id")), "<>")}
	if rec.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		return Received{}, err
	}
	err = walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, &rec)
	return rec, err
}

func walk(ctype, cte string, body io.Reader, rec *Received) error {
	return walkPart(ctype, cte, "", body, rec)
}

func walkPart(ctype, cte, disposition string, body io.Reader, rec *Received) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walkPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p, rec); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(cte) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = newBase64(body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("part %s: %w", mt, err)
	}
	disp, dparams, _ := mime.ParseMediaType(disposition)
	switch {
	case mt == "text/plain" && disp != "attachment":
		rec.Text = string(b)
	case mt == "text/html" && disp != "attachment":
		rec.HTML = string(b)
	default:
		name := dparams["filename"]
		if name == "" {
			name = params["name"]
		}
		rec.Parts = append(rec.Parts, Part{Type: mt, Params: params, Filename: name, Data: b})
	}
	return nil
}

// serverTLS makes a self-signed certificate for 127.0.0.1.
func serverTLS(t testing.TB) *tls.Config {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
}
