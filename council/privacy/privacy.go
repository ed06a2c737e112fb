package privacy

import (
	"context"
	"log/slog"
	"slices"
	"time"
)

// Class is a data class: personal data with one purpose and one
// retention period (docs/DOMAIN.md, "Retention of personal data").
type Class string

// The data classes. A new one is a row of Classes (with its statements in
// retention_store.go), its default in migration 00028's retention_rules
// (or a later one) and its texts privacy.class.<class>.* in
// web/i18n/privacy.*.json (docs/ARCHITECTURE.md, "Privacy").
const (
	UnverifiedAccounts Class = "unverified_accounts"
	NetworkAddresses   Class = "network_addresses"
	Logins             Class = "logins"
	Signatures         Class = "signatures"
	Questions          Class = "questions"
	Moderation         Class = "moderation"
	LivePresence       Class = "live_presence"
	Mail               Class = "mail"
	ChildcareClaims    Class = "childcare_claims"
	Recordings         Class = "recordings"
)

// ClassInfo describes a data class for the retention job and the record
// of processing activities (Art. 30 DSGVO). Purpose, categories of data,
// recipients and the start of the period are texts
// (privacy.class.<class>.purpose …), the legal basis a citation.
type ClassInfo struct {
	Class Class
	// Default is the period in days when retention_rules has no row.
	Default int
	// External: the period is not set in retention_rules but by the
	// caller (the recordings: PLENAR_RECORDING_RETENTION), and the
	// data is expired by a Task of the Job.
	External bool
	// Basis is the legal basis of the processing.
	Basis string
	// Tables are where the class's data lives.
	Tables []string
}

// Classes are all data classes, in the order of the record of processing
// activities.
var Classes = []ClassInfo{
	{Class: UnverifiedAccounts, Default: 3, Basis: "Art. 6 Abs. 1 lit. b, e DSGVO",
		Tables: []string{"users", "email_verifications"}},
	{Class: Logins, Default: 90, Basis: "Art. 6 Abs. 1 lit. e, Art. 32 DSGVO",
		Tables: []string{"logins", "sessions"}},
	{Class: NetworkAddresses, Default: 1, Basis: "Art. 6 Abs. 1 lit. e, Art. 32 DSGVO",
		Tables: []string{"login_failures", "account_requests"}},
	{Class: Signatures, Default: 365, Basis: "Art. 6 Abs. 1 lit. c, e DSGVO i. V. m. dem Einwohnerantrag der Gemeindeordnung (z. B. § 25 GO NRW)",
		Tables: []string{"initiative_signatures"}},
	{Class: Questions, Default: 180, Basis: "Art. 6 Abs. 1 lit. e DSGVO i. V. m. der Geschäftsordnung (Einwohnerfragestunde)",
		Tables: []string{"questions"}},
	{Class: Moderation, Default: 365, Basis: "Art. 6 Abs. 1 lit. e DSGVO",
		Tables: []string{"abuse_reports", "questions.note"}},
	{Class: LivePresence, Default: 30, Basis: "Art. 6 Abs. 1 lit. c, e DSGVO i. V. m. der Gemeindeordnung (Niederschrift)",
		Tables: []string{"live_media"}},
	{Class: Mail, Default: 30, Basis: "Art. 6 Abs. 1 lit. b, e DSGVO",
		Tables: []string{"mail_outbox"}},
	{Class: ChildcareClaims, Default: 3653, Basis: "Art. 6 Abs. 1 lit. c, e DSGVO i. V. m. dem Gemeindehaushaltsrecht (Aufbewahrung von Zahlungsbelegen)",
		Tables: []string{"childcare_claims"}},
	{Class: Recordings, External: true, Basis: "Art. 6 Abs. 1 lit. e DSGVO i. V. m. der Hauptsatzung (Übertragung und Aufzeichnung)",
		Tables: []string{"recordings", "<data dir>/files"}},
}

// Info returns the description of c.
func Info(c Class) (ClassInfo, bool) {
	i := slices.IndexFunc(Classes, func(x ClassInfo) bool { return x.Class == c })
	if i < 0 {
		return ClassInfo{}, false
	}
	return Classes[i], true
}

// Rule is a class's retention period as configured.
type Rule struct {
	ClassInfo
	// Days is the period; 0 for an External class.
	Days int
	// Modified is when the city last changed it (zero: the default).
	Modified time.Time
}

// MaxDays is the longest period a rule may have (100 years).
const MaxDays = 36500

// Counts are how many rows (or files) of each class a run deleted or
// pseudonymised.
type Counts map[Class]int64

// Task expires the data of an External class at now and says how many
// items it removed.
type Task func(ctx context.Context, now time.Time) (int64, error)

// Job is the one daily retention job of plenar serve.
type Job struct {
	Store *Store
	Log   *slog.Logger
	// Every is the interval between runs; 0 means a day.
	Every time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Tasks expire the External classes (the recordings' blobs).
	Tasks map[Class]Task
}

// Run runs the job now and then every Every until ctx ends; it returns
// ctx's error. A failed run is logged and tried again at the next turn.
func (j *Job) Run(ctx context.Context) error {
	every := j.Every
	if every <= 0 {
		every = 24 * time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := j.Once(ctx); err != nil && ctx.Err() == nil {
			j.log().Error("privacy retention", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Once runs the retention of every class at the job's current time: the
// classes in PostgreSQL (one transaction each), then the Tasks; it logs
// the count of every class and records them in one audit row. It returns
// the counts and the first error (the other classes run all the same).
func (j *Job) Once(ctx context.Context) (Counts, error) {
	now := time.Now()
	if j.Now != nil {
		now = j.Now()
	}
	counts, firstErr := j.Store.Expire(ctx, now)
	for _, c := range Classes {
		task, ok := j.Tasks[c.Class]
		if !c.External || !ok {
			continue
		}
		n, err := task(ctx, now)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		counts[c.Class] = n
	}
	for _, c := range Classes {
		if n, ok := counts[c.Class]; ok {
			j.log().Info("privacy retention", "class", c.Class, "count", n)
		}
	}
	if err := j.Store.RecordRun(ctx, now, counts); err != nil && firstErr == nil {
		firstErr = err
	}
	return counts, firstErr
}

func (j *Job) log() *slog.Logger {
	if j.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return j.Log
}
