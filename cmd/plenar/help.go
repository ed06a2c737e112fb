package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/meetings/sfu"
)

// envVar is one PLENAR_* environment variable that Plenar reads.
type envVar struct {
	name  string
	flag  string // the flag that overrides it; "" for none
	def   string // the default; "" for empty
	usage string
	test  bool // read by tests and benchmarks only, not by the server
}

// testDatabaseURL is the PostgreSQL server of tests and benchmarks when
// PLENAR_TEST_DATABASE_URL is unset (pgtest.DefaultURL, the Makefile's
// default).
const testDatabaseURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// envVars lists every PLENAR_* variable that Plenar, its tests and its
// benchmarks read, in the order "plenar help" and README.md's
// configuration tables show them. TestHelpListsEverything checks that
// the source reads no other and that both list all of them.
func envVars() []envVar {
	var vars []envVar
	for _, s := range settings() { // config.go: the ones with a flag
		vars = append(vars, envVar{name: s.env, flag: s.flag, def: s.def, usage: s.usage})
	}
	return append(vars, []envVar{
		// serve, without flags: deployment settings (media.go, documents.go).
		{name: "PLENAR_MAX_UPLOAD_MB", def: strconv.Itoa(documents.DefaultMaxSize >> 20),
			usage: "largest accepted upload in MB (1–10240)"},
		{name: "PLENAR_MEDIA_UDP_PORT", def: "0",
			usage: "one UDP port for every WebRTC peer (ICE mux; open it in the firewall; on Linux its fan-out leaves in sendmmsg batches); 0: ephemeral ports"},
		{name: "PLENAR_MEDIA_VIEWERS", def: "500",
			usage: "viewers this node is sized for; new viewers (live page and WHEP) are admitted against budgets that scale with it: the node's (half of it at once), each meeting's (a quarter) and each client address's (half a meeting's)"},
		{name: "PLENAR_STUN",
			usage: "STUN server URLs for ICE, comma-separated (stun:host:port); used by the media server and the browsers"},
		{name: "PLENAR_TURN",
			usage: "TURN server URLs, comma-separated (turn:host:port?transport=udp, turns:…); needs PLENAR_TURN_SECRET and/or PLENAR_TURN_USERNAME with PLENAR_TURN_CREDENTIAL"},
		{name: "PLENAR_TURN_SECRET",
			usage: "coturn's static-auth-secret (use-auth-secret): browsers in a running public session get short-lived TURN credentials (TURN REST API) from /meetings/{id}/live/ice; the secret never reaches a browser"},
		{name: "PLENAR_TURN_TTL", def: shortDuration(media.DefaultTURNTTL),
			usage: "lifetime of a browser's TURN credential (1m to 168h)"},
		{name: "PLENAR_TURN_USERNAME", usage: "static TURN user name, for the media server only (never sent to browsers)"},
		{name: "PLENAR_TURN_CREDENTIAL", usage: "static TURN password, for the media server only (never sent to browsers)"},
		{name: "PLENAR_NAT_IPS",
			usage: "public IP addresses announced as host candidates (server behind 1:1 NAT), comma-separated"},
		{name: "PLENAR_FLOOR_MAX", def: strconv.Itoa(sfu.DefaultMaxFloor),
			usage: "audio slots: at most this many members on the floor are heard at once (1 to 16)"},
		{name: "PLENAR_RECORDING_RETENTION", def: "forever",
			usage: "how long recordings of sessions are kept: forever, until-minutes (until a results protocol is attached to the meeting), <N>y or <N>d after the session; the daily retention job deletes expired ones"},
		{name: "PLENAR_DPO_CONTACT",
			usage: "the data protection officer's contact (name, address, e-mail) shown in the footer of every page and on the privacy pages; empty: the footer says none is named"},
		{name: "PLENAR_SMTP_URL",
			usage: "where mail goes: smtp://user:password@host:587 (STARTTLS required; ?starttls=opportunistic or none for a local relay) or smtps://user:password@host:465 (implicit TLS); user and password URL-encoded. Empty: no mail is sent, the outbox keeps it"},
		{name: "PLENAR_MAIL_FROM", def: "Plenar <noreply@<base URL's host>>",
			usage: "sender of every mail (From and envelope), e.g. \"Ratsinfo Musterstadt <ratsinfo@musterstadt.de>\""},
		{name: "PLENAR_PRESENCE_GRACE", def: shortDuration(defaultPresenceGrace),
			usage: `how long a member whose media connection dropped stays "remote" (up to 10m)`},

		// Tests and benchmarks.
		{name: "PLENAR_TEST_DATABASE_URL", def: testDatabaseURL, test: true,
			usage: "PostgreSQL server of the tests (one database per test) and of plenar bench search; make test starts a throw-away one when none answers"},
		{name: "PLENAR_CHROMIUM", test: true,
			usage: "Chromium of the browser tests; empty: chromium, chromium-browser or google-chrome from PATH"},
		{name: "PLENAR_AXE_JS", test: true,
			usage: "axe-core's axe.min.js for the accessibility tests; empty: ~/.cache/plenar-npm/node_modules/axe-core/axe.min.js, which .ci/run installs"},
		{name: "PLENAR_OPARL_SCHEMAS", test: true,
			usage: "folder of the OParl 1.1 JSON schemas for the conformance test; empty: ../shared/oparl/schema/1.1 beside the repository, else web/oparl/testdata/schema-1.1"},
		{name: "PLENAR_SCREENSHOTS", test: true,
			usage: "folder for the full-page screenshots of make screenshots; empty: none taken"},
		{name: "PLENAR_TEST_LOG", test: true,
			usage: "non-empty: the web tests print the server's log"},
		{name: "PLENAR_SFUBENCH_CHILD", test: true,
			usage: "internal: set by plenar bench sfu on the load generator it starts (the same executable); never set it yourself"},
	}...)
}

// shortDuration formats d without zero minutes and seconds: 12h, 20s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// usage writes the short usage: the command lines.
func (a *app) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: plenar <command> [flags]\n\ncommands:\n")
	writeCommands(w)
	fmt.Fprintf(w, "\nRun \"plenar help\" for the environment variables, \"plenar <command> -h\" for a command's flags.\n")
}

// help writes "plenar help": every command and every environment
// variable, from commands() and envVars().
func (a *app) help(w io.Writer) {
	fmt.Fprintf(w, "Plenar, a council information and hybrid-meeting system: one binary in front of PostgreSQL.\n\n")
	fmt.Fprintf(w, "usage: plenar <command> [flags]\n\ncommands:\n")
	writeCommands(w)
	fmt.Fprintf(w, "\nRun \"plenar <command> -h\" for a command's flags. Bad flags or values exit with status 2, other failures with 1.\n")
	fmt.Fprintf(w, "\nenvironment (a command's flag of the same name wins):\n")
	writeVars(w, false)
	fmt.Fprintf(w, "\ntests and benchmarks (make test, go test, plenar bench; not read by serve):\n")
	writeVars(w, true)
}

func writeCommands(w io.Writer) {
	for _, c := range commands() {
		if c.run != nil {
			writeSynopsis(w, c.name, c.args, c.help)
		}
		for _, s := range c.subs {
			writeSynopsis(w, c.name+" "+s.name, s.args, s.help)
		}
	}
}

func writeVars(w io.Writer, test bool) {
	for _, v := range envVars() {
		if v.test != test {
			continue
		}
		var notes []string
		if v.flag != "" {
			notes = append(notes, "--"+v.flag)
		}
		if v.def != "" {
			notes = append(notes, "default "+v.def)
		}
		line := v.name
		if len(notes) > 0 {
			line += " (" + strings.Join(notes, ", ") + ")"
		}
		fmt.Fprintf(w, "  %s\n      %s\n", line, v.usage)
	}
}
