package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"

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

// run executes the command in args and returns the exit status. The
// commands are those of commands() (commands.go), the one list that
// "plenar help" is written from.
func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		a.usage(a.stderr)
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		a.help(a.stdout)
		return 0
	}
	cmd, ok := lookup(commands(), args[0])
	if !ok {
		fmt.Fprintf(a.stderr, "plenar: unknown command %q\n", args[0])
		a.usage(a.stderr)
		return 2
	}
	err := cmd.exec(a, ctx, args[1:])
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

func (a *app) version(_ context.Context, args []string) error {
	fs := a.flagSet("version")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "plenar", version)
	return nil
}
