package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/plenar/plenar/cmd/plenar/demo"
	"github.com/plenar/plenar/cmd/plenar/pgcluster"
	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/migrations"
	"github.com/plenar/plenar/web"
)

// shutdownTimeout bounds the wait for running requests on SIGINT/SIGTERM.
const shutdownTimeout = 20 * time.Second

func (a *app) serve(ctx context.Context, args []string) error {
	var cfg Config
	fs := a.flagSet("serve")
	a.bind(&cfg, fs, serveSettings()...)
	withDemo := fs.Bool("demo", false, "fill an empty database with the demo city and print its logins")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := a.check(&cfg, fs); err != nil {
		return err
	}
	maxUpload, err := a.maxUpload()
	if err != nil {
		return err
	}
	log := cfg.logger(a.stderr)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// A private PostgreSQL that died and cannot be restarted shuts Plenar
	// down with that error (db.supervise), like a signal but not a success.
	ctx, giveUp := context.WithCancelCause(ctx)
	defer giveUp(nil)

	db, err := openDatabase(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer db.close(ctx)
	db.supervise(ctx, giveUp)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	ix, err := openSearch(cfg.DataDir, log) // reindex.go
	if err != nil {
		return err
	}
	mset, err := a.mediaConfig() // media.go
	if err != nil {
		return err
	}
	retention, err := a.recordingRetention() // recording.go
	if err != nil {
		return err
	}
	mailSet, err := a.mailConfig(cfg.BaseURL) // mail.go
	if err != nil {
		return err
	}
	mset.sfu.RecordDir = recordingDir(cfg.filesDir())
	docs := documents.NewStore(db.Pool, cfg.filesDir(), documents.Limits{})
	profiles, err := votingProfiles(cfg) // voting.go
	if err != nil {
		return err
	}
	hub := live.NewHub(db.Pool, live.Options{Log: log, Profiles: profiles})
	rooms, err := newSFU(mset.sfu, log)
	if err != nil {
		return err
	}
	defer rooms.Close() // after the HTTP server, the media and the hub: every peer closed
	presence := live.NewPresence(hub, mset.grace, log)
	defer presence.Close()
	// The live media orchestration (package meetings/media): the rooms'
	// drivers, members' and viewers' peers, WHIP/WHEP, ICE. Closed after
	// the HTTP server (deferred later, so it runs earlier than the SFU's).
	ms := media.New(media.Deps{SFU: rooms, Live: hub, Pool: db.Pool, Tokens: meetings.NewStore(db.Pool), Presence: presence,
		ICE: mset.browser, Limits: media.Limits{Viewers: media.Admission{Capacity: mset.viewers}},
		Recordings: segmentStore{docs}, Log: log})
	defer ms.Close()
	proxies, err := web.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return usageError{"PLENAR_TRUSTED_PROXIES: " + err.Error()}
	}
	changes := council.NewChanges(db.Pool, log) // the version the page cache keys on; runs below
	h, err := web.New(web.Options{Changes: changes, TrustedProxies: proxies, Pool: db.Pool, Log: log, BaseURL: cfg.BaseURL, MetricsToken: cfg.MetricsToken, DataDir: cfg.DataDir, FilesDir: cfg.filesDir(), SearchIndex: ix,
		MaxUpload: maxUpload, Version: version, InsecureCookies: cfg.insecureCookies(), Live: hub,
		Media: ms, DPOContact: dpoContact(a, *withDemo), RecordingRetention: retention.String()})
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second, // slow-loris
		ReadTimeout:       5 * time.Minute,  // whole request, uploads included
		// No WriteTimeout: live-session websockets and large downloads
		// are long; handlers that need one set it via ResponseController.
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	var wg sync.WaitGroup
	if err := a.prepare(ctx, db, log, *withDemo, cfg.filesDir(), &wg); err != nil {
		return err
	}
	// After the migrations: members a previous run left recorded as
	// connected (it stopped during a grace period, or crashed) leave after
	// the grace period unless they reconnect. This node is the only media
	// owner (see live.Presence).
	if _, err := presence.Recover(ctx); err != nil {
		log.Warn("media presence recovery failed", "err", err)
	}
	defer wg.Wait()

	startExtraction(ctx, &wg, db, cfg.filesDir(), log)  // documents.go: text of uploaded files
	startIndexer(ctx, &wg, db, ix, log)                 // reindex.go: search index follows the outbox
	startImportFiles(ctx, &wg, db, cfg.filesDir(), log) // import.go: files of OParl imports left for later
	startMail(ctx, &wg, db, mailSet, log)               // mail.go: the mail outbox over SMTP
	startPrivacy(ctx, &wg, db, docs, retention, log)    // privacy.go: the daily retention job of every data class, recordings included
	startReminders(ctx, &wg, db, cfg.BaseURL, log)      // mail.go: reminders of groups' motions whose answer falls due
	startAlerts(ctx, &wg, h, log)                       // alerts.go: digests of the follows (instant, daily, weekly)
	// The live hub fans session events out until shutdown, then ends every
	// live websocket with a resync close, so clients reconnect elsewhere.
	wg.Go(func() { _ = hub.Run(ctx) })
	// Every change on any node reaches this node's page cache within a
	// notification (web/httpcache).
	wg.Go(func() { _ = changes.Run(ctx) })

	// Sessions ended on any node (logout, reset, disabled account) close
	// this node's live websockets, and media tokens revoked on any node
	// (the console) the WHIP/WHEP peers of them, at once.
	wg.Go(func() { _ = h.Watch(ctx) })
	wg.Go(func() { _ = ms.Run(ctx) })

	// Expired sessions and old login failures are removed every 10 minutes
	// until shutdown.
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := h.CleanSessions(ctx, 10*time.Minute); err != nil && ctx.Err() == nil {
			log.Error("session cleanup stopped", "err", err)
		}
	}()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("plenar listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "version", version)
	if a.onListen != nil {
		a.onListen(ln.Addr())
	}
	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown: requests still running were cut off", "err", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("http server", "err", err)
	}
	if err := context.Cause(ctx); errors.Is(err, pgcluster.ErrGaveUp) {
		return err
	}
	return nil
}

// prepare migrates the schema and, with withDemo, seeds the demo city and
// starts storing its documents in the background (startDemoDocuments).
// When the database does not answer, serve starts anyway (the web layer
// answers 503) and prepare keeps trying in the background until ctx ends.
// A database that answers but cannot be migrated is fatal.
func (a *app) prepare(ctx context.Context, db *database, log *slog.Logger, withDemo bool, filesDir string, wg *sync.WaitGroup) error {
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := db.Pool.Ping(pctx)
	cancel()
	if err == nil {
		if err := a.migrateAndSeed(ctx, db, log, withDemo); err != nil {
			return err
		}
		if withDemo {
			startDemoDocuments(ctx, wg, db, filesDir, log)
		}
		return nil
	}
	log.Error("database unavailable; serving 503 until it answers", "err", err)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for delay := time.Second; ; delay = min(2*delay, 30*time.Second) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := db.Pool.Ping(pctx)
			cancel()
			if err != nil {
				log.Debug("database still unavailable", "err", err)
				continue
			}
			if err := a.migrateAndSeed(ctx, db, log, withDemo); err != nil {
				log.Error("prepare database", "err", err)
				continue
			}
			if withDemo {
				startDemoDocuments(ctx, wg, db, filesDir, log)
			}
			log.Info("database available again")
			return
		}
	}()
	return nil
}

func (a *app) migrateAndSeed(ctx context.Context, db *database, log *slog.Logger, withDemo bool) error {
	if err := migrations.Up(ctx, db.Pool, log); err != nil {
		return err
	}
	if !withDemo {
		return nil
	}
	res, err := demo.Seed(ctx, db.Pool, log)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	printDemo(a.stdout, res)
	return nil
}

// startDemoDocuments renders the demo city's documents and stores them
// under <data dir>/files in the background (demo.SeedDocuments: the
// missing ones only, newest first), while the server answers. The
// extraction worker and the search indexer pick them up as they come.
func startDemoDocuments(ctx context.Context, wg *sync.WaitGroup, db *database, filesDir string, log *slog.Logger) {
	fs := documents.NewStore(db.Pool, filesDir, documents.Limits{})
	wg.Go(func() {
		if n, err := demo.SeedRecording(ctx, db.Pool, fs); err != nil {
			log.Warn("demo recording", "err", err)
		} else if n > 0 {
			log.Info("demo recording added", "segments", n)
		}
		_, err := demo.SeedDocuments(ctx, db.Pool, fs, log, demo.DocOptions{})
		switch {
		case err == nil || ctx.Err() != nil:
		case errors.Is(err, demo.ErrNoPDFTools):
			log.Warn("demo city without documents", "err", err)
		default:
			log.Error("demo documents stopped; the next start goes on where they stopped", "err", err)
		}
	})
}

// printDemo prints what demo.Seed did and the demo logins.
func printDemo(w io.Writer, res demo.Result) {
	if !res.Seeded {
		fmt.Fprintln(w, "The database already has data; demo data not added.")
	} else {
		fmt.Fprintln(w, "Demo city Musterstadt added.")
	}
	if len(res.Logins) == 0 {
		return
	}
	fmt.Fprintln(w, "Demo logins (demo only; never use them in production):")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROLE\tE-MAIL\tPASSWORD\tTOTP SECRET")
	for _, l := range res.Logins {
		secret := l.TOTPSecret
		if secret == "" {
			secret = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", l.Role, l.Email, l.Password, secret)
	}
	tw.Flush()
}

func (a *app) migrate(ctx context.Context, args []string) error {
	var cfg Config
	db, log, err := a.openWith(ctx, "migrate", args, &cfg) // open migrates
	if err != nil {
		return err
	}
	defer db.close(ctx)
	log.Info("schema is up to date")
	return nil
}

func (a *app) demo(ctx context.Context, args []string) error {
	var cfg Config
	db, log, err := a.openWith(ctx, "demo", args, &cfg)
	if err != nil {
		return err
	}
	defer db.close(ctx)
	res, err := demo.Seed(ctx, db.Pool, log)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	printDemo(a.stdout, res)
	store := documents.NewStore(db.Pool, cfg.filesDir(), documents.Limits{})
	docs, err := demo.SeedDocuments(ctx, db.Pool, store, log, demo.DocOptions{})
	if err != nil {
		return fmt.Errorf("demo documents: %w", err)
	}
	if n := docs.Files(); n > 0 {
		fmt.Fprintf(a.stdout, "%d demo documents stored; plenar serve extracts their text.\n", n)
	}
	return nil
}
