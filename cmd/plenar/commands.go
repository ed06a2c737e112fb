package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one command of plenar, or one subcommand of a command that
// has some ("plenar user add"). commands() is the only list of them: run
// dispatches from it and "plenar help" is written from it, so the help
// cannot miss a command (TestHelpListsEverything).
type command struct {
	name string
	args string // what follows the name in the synopsis, e.g. "[--demo]"
	help string
	// run runs the command with the arguments after its name; nil when
	// the command only has subcommands.
	run  func(a *app, ctx context.Context, args []string) error
	subs []command // chosen by the first argument
}

// commands lists plenar's commands in the order "plenar help" shows them.
func commands() []command {
	return []command{
		{name: "serve", args: "[--demo]", run: (*app).serve,
			help: "run the web server, the search indexer, text extraction and the live sessions; " +
				"--demo first fills an empty database with the demo city and renders its documents in the background"},
		{name: "migrate", run: (*app).migrate, help: "apply database migrations (serve does it too)"},
		{name: "demo", run: (*app).demo,
			help: "fill an empty database with the demo city and its documents and print its logins"},
		{name: "user", help: "manage accounts", subs: []command{
			{name: "add", args: "--email E --role citizen|member|clerk|admin [--name N] [--password-stdin]", run: (*app).userAdd,
				help: "create an account; prints a generated password (or reads yours) and, for staff, the TOTP secret"},
			{name: "list", run: (*app).userList, help: "list all accounts"},
			{name: "reset-password", args: "--email E [--password-stdin]", run: (*app).userResetPassword,
				help: "set a new password; ends the account's sessions"},
			{name: "reset-2fa", args: "--email E", run: (*app).userReset2FA,
				help: "new TOTP secret; ends the account's sessions"},
			{name: "disable", args: "--email E", run: (*app).userDisable, help: "the account can no longer log in; ends its sessions"},
			{name: "enable", args: "--email E", run: (*app).userEnable, help: "undo disable"},
		}},
		{name: "import", help: "import another council information system's data", subs: []command{
			{name: "oparl", args: "[--full] [--limit N] [--files=now|later|skip] [--deadline D] [--per-host N] <system-URL>", run: (*app).importOParl,
				help: "read an OParl 1.0 or 1.1 endpoint; a re-run fetches only what changed"},
		}},
		{name: "voting", help: "the Land rules of votes in live sessions (docs/VOTING.md)", subs: []command{
			{name: "profiles", run: (*app).votingList,
				help: "list the voting profiles (built in, and JSON files in <data dir>/voting-profiles) and how many bodies use each"},
			{name: "set-profile", args: "--code NW|ST|BY|BW|… [--body ID]", run: (*app).votingSet,
				help: "set the voting profile of a body (default: every body); sessions started afterwards use it"},
		}},
		{name: "reindex", run: (*app).reindex,
			help: "rebuild the search index from the database (a running server switches to it)"},
		{name: "documents", help: "file store maintenance", subs: []command{
			{name: "gc", args: "[--min-age 1h]", run: (*app).documentsGC, help: "remove blobs that no file names, and stale uploads"},
		}},
		{name: "bench", help: "benchmarks (docs/BENCHMARKS.md)", subs: []command{
			{name: "http", args: "[--url U] [--duration 20s] [--concurrency 4|1,4,16,100] [--revalidate] [--path P ...]", run: (*app).benchHTTP,
				help: "load a running Plenar's public pages (this machine's only, unless --allow-remote)"},
			{name: "search", args: "[--papers 20000] [--db URL] [--realistic] [--skip-pg] [--judged]", run: (*app).benchSearch,
				help: "bleve against PostgreSQL full-text search on a generated corpus, in a scratch database"},
			{name: "sfu", args: "[--scenarios a,b,c] [--runs N]", run: (*app).benchSFU,
				help: "the media server under a council's load, with a load generator in a child process"},
			{name: "vote", args: "[--db URL] [--members 60] [--watchers 1000] [--polls 20] [--window 10s] [--meetings 6] [--kill]", run: (*app).benchVote,
				help: "remote voting against a plenar serve child on a scratch database: ack and result latency, ballots/s, and the kill test"},
		}},
		{name: "version", run: (*app).version, help: "print the version"},
		{name: "testdb", help: "a throw-away PostgreSQL for make test", subs: []command{
			{name: "ping", args: "--url URL", run: func(a *app, ctx context.Context, args []string) error { return a.testdb(ctx, "ping", args) },
				help: "exit 0 when a PostgreSQL answers at URL"},
			{name: "start", args: "--dir D [--port P]", run: func(a *app, ctx context.Context, args []string) error { return a.testdb(ctx, "start", args) },
				help: "create and start a cluster in D on 127.0.0.1 and print its URL"},
			{name: "stop", args: "--dir D [--remove]", run: func(a *app, ctx context.Context, args []string) error { return a.testdb(ctx, "stop", args) },
				help: "stop the cluster in D (and delete it)"},
		}},
	}
}

// lookup finds the command named name in list.
func lookup(list []command, name string) (command, bool) {
	for _, c := range list {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// exec runs c with args, choosing the subcommand by the first argument
// when c has subcommands.
func (c command) exec(a *app, ctx context.Context, args []string) error {
	if c.run != nil {
		return c.run(a, ctx, args)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(a.stderr, "usage:\n")
		for _, s := range c.subs {
			writeSynopsis(a.stderr, c.name+" "+s.name, s.args, s.help)
		}
		if len(args) == 0 {
			return usagef("missing subcommand")
		}
		return flag.ErrHelp
	}
	sub, ok := lookup(c.subs, args[0])
	if !ok {
		names := make([]string, len(c.subs))
		for i, s := range c.subs {
			names[i] = s.name
		}
		return usagef("unknown subcommand %q (%s)", args[0], strings.Join(names, ", "))
	}
	return sub.run(a, ctx, args[1:])
}

// writeSynopsis writes one command of a usage list: the command line,
// then what it does, indented.
func writeSynopsis(w io.Writer, name, args, help string) {
	line := "plenar " + name
	if args != "" {
		line += " " + args
	}
	fmt.Fprintf(w, "  %s\n      %s\n", line, help)
}
