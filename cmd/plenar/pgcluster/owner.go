package pgcluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"syscall"
)

// owner is the operating system user that runs the cluster: the current
// user, or "postgres" (through runuser) when we are root.
type owner struct {
	name     string // "" means the current user; commands run directly
	runuser  string
	uid, gid int
}

func currentOwner() (owner, error) {
	if os.Geteuid() != 0 {
		return owner{uid: os.Geteuid(), gid: os.Getegid()}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return owner{}, fmt.Errorf("running as root, PostgreSQL needs the unprivileged user \"postgres\" "+
			"(created by the Debian package postgresql): %w", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return owner{}, fmt.Errorf("uid of postgres: %w", err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return owner{}, fmt.Errorf("gid of postgres: %w", err)
	}
	ru, err := exec.LookPath("runuser")
	if err != nil {
		return owner{}, fmt.Errorf("running as root, PostgreSQL must run as user postgres, but runuser is missing: %w", err)
	}
	return owner{name: "postgres", runuser: ru, uid: uid, gid: gid}, nil
}

// command prepares name with args to run as the owner. It runs in "/" (the
// owner may not reach our working directory), in its own process group (a
// Ctrl-C in the terminal must not hit PostgreSQL before we stop it in order),
// and without PG* variables that could redirect pg_ctl.
func (o owner) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if o.name == "" {
		cmd = exec.CommandContext(ctx, name, args...)
	} else {
		cmd = exec.CommandContext(ctx, o.runuser, append([]string{"-u", o.name, "--", name}, args...)...)
	}
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

// chown gives path to the owner when we act for another user.
func (o owner) chown(path string) error {
	if o.name == "" {
		return nil
	}
	if err := os.Lchown(path, o.uid, o.gid); err != nil {
		return fmt.Errorf("chown %s to %s: %w", path, o.name, err)
	}
	return nil
}

// canUse reports whether the owner can enter and write dir: every parent
// folder must let it through, which a mode check alone cannot tell (ACLs).
func (o owner) canUse(ctx context.Context, dir string) bool {
	if o.name == "" {
		return true
	}
	return o.command(ctx, "test", "-x", dir, "-a", "-w", dir).Run() == nil
}
