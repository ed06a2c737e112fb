package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strings"

	"github.com/plenar/plenar/meetings/sfu/sfubench"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if sfubench.ChildMain() { // plenar bench sfu re-runs this executable as its load generator
		return
	}
	a := &app{env: os.LookupEnv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	os.Exit(a.run(context.Background(), os.Args[1:]))
}

// app is one invocation of the command: its environment and output
// streams, passed in so that tests run commands in-process.
type app struct {
	env            func(string) (string, bool)
	stdin          io.Reader // read by --password-stdin; nil: nothing to read
	stdout, stderr io.Writer
	// onListen, when set, is told the address serve listens on (tests).
	onListen func(net.Addr)
}

// usageError is a bad command line or configuration value: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

type command struct {
	run    func(a *app, ctx context.Context, args []string) error
	help   string
	hidden bool
}

func commands() map[string]command {
	return map[string]command{
		"serve":     {run: (*app).serve, help: "run the web server"},
		"migrate":   {run: (*app).migrate, help: "apply database migrations"},
		"demo":      {run: (*app).demo, help: "fill an empty database with the demo city and its documents and print its logins"},
		"user":      {run: (*app).user, help: "manage accounts: add, list, reset-password, reset-2fa, disable, enable"},
		"version":   {run: (*app).version, help: "print the version"},
		"reindex":   {run: (*app).reindex, help: "rebuild the search index from the database (a running server switches to it)"},
		"bench":     {run: (*app).bench, help: "benchmarks: bench http (a running server), bench search, bench sfu"},
		"documents": {run: (*app).documents, help: "file store maintenance: documents gc removes orphaned blobs"},
		"import":    {run: (*app).importCmd, help: "import another RIS's data: import oparl <system-URL>"},
		"testdb":    {run: (*app).testdb, hidden: true},
	}
}

// run executes the command in args and returns the exit status.
func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		a.usage()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(a.stderr, "plenar: unknown command %q\n", args[0])
		a.usage()
		return 2
	}
	err := cmd.run(a, ctx, args[1:])
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "plenar %s: %v\n", args[0], err)
		return 2
	case errors.Is(err, errFlagParse):
		return 2 // the flag package has printed the message and usage
	default:
		fmt.Fprintf(a.stderr, "plenar %s: %v\n", args[0], err)
		return 1
	}
}

func (a *app) usage() {
	var lines []string
	for name, c := range commands() {
		if !c.hidden {
			lines = append(lines, fmt.Sprintf("  %-9s %s", name, c.help))
		}
	}
	sort.Strings(lines)
	fmt.Fprintf(a.stderr, "usage: plenar <command> [flags]\n\ncommands:\n%s\n\nRun \"plenar <command> -h\" for its flags.\n",
		strings.Join(lines, "\n"))
}

func (a *app) version(_ context.Context, args []string) error {
	fs := a.flagSet("version")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "plenar", version)
	return nil
}
