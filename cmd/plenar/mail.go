package main

import (
	"context"
	"log/slog"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	plmail "github.com/plenar/plenar/council/mail"
)

// mailSettings are serve's mail settings: where to deliver
// (PLENAR_SMTP_URL) and as whom (PLENAR_MAIL_FROM). An empty URL means
// no delivery: the outbox keeps every message until one is configured.
type mailSettings struct {
	smtp    plmail.SMTPConfig
	from    string
	enabled bool
}

func (a *app) mailConfig(baseURL string) (mailSettings, error) {
	var ms mailSettings
	raw, _ := a.env("PLENAR_SMTP_URL")
	raw = strings.TrimSpace(raw)
	from, _ := a.env("PLENAR_MAIL_FROM")
	ms.from = strings.TrimSpace(from)
	if ms.from == "" {
		host := "localhost"
		if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		ms.from = "Plenar <noreply@" + host + ">"
	}
	if _, err := mail.ParseAddress(ms.from); err != nil {
		return ms, usagef("PLENAR_MAIL_FROM=%q: want an address such as \"Ratsinfo <ratsinfo@example.org>\"", ms.from)
	}
	if raw == "" {
		return ms, nil
	}
	c, err := plmail.ParseURL(raw)
	if err != nil {
		return ms, usagef("PLENAR_SMTP_URL: %v", err)
	}
	ms.smtp, ms.enabled = c, true
	return ms, nil
}

// startMail runs the mail sender until ctx ends (package council/mail),
// or says clearly that mail is not sent.
func startMail(ctx context.Context, wg *sync.WaitGroup, db *database, ms mailSettings, log *slog.Logger) {
	if !ms.enabled {
		log.Warn("PLENAR_SMTP_URL is not set: no e-mail is sent; messages (e-mail verification, notifications) stay in the outbox until it is")
		return
	}
	s := &plmail.Sender{Pool: db.Pool, SMTP: ms.smtp, From: ms.from, Log: log}
	log.Info("mail sender started", "smtp", ms.smtp.String(), "from", ms.from)
	wg.Go(func() { _ = s.Run(ctx) })
}

// startReminders queues, hourly, the staff reminders of groups' motions
// whose answer falls due (docs/DOMAIN.md, "Einwohnerantrag"; each motion
// once, council/mail.Store.RemindDue).
func startReminders(ctx context.Context, wg *sync.WaitGroup, db *database, baseURL string, log *slog.Logger) {
	tpl, err := plmail.ParseTemplates() // embedded; TestRemindDue parses them
	if err != nil {
		log.Error("mail templates: no reminders of due answers", "err", err)
		return
	}
	st := plmail.NewStore(db.Pool, baseURL)
	site := baseURL
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		site = u.Host
	}
	wg.Go(func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if n, err := st.RemindDue(ctx, tpl, site, time.Now()); err != nil && ctx.Err() == nil {
				log.Warn("reminders of due answers", "err", err)
			} else if n > 0 {
				log.Info("reminders of due answers queued", "messages", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
}
