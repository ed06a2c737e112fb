package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrDataDirInUse means another plenar process holds the data directory.
var ErrDataDirInUse = errors.New("data directory is in use by another plenar process")

// dirLock is an exclusive flock(2) on <data dir>/plenar.lock. The kernel
// releases it when the process dies, so a crash leaves no stale lock.
type dirLock struct{ f *os.File }

// lockDataDir creates dir if needed and locks it. Errors: ErrDataDirInUse.
func lockDataDir(dir string) (*dirLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, "plenar.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := ""
			if pid := strings.TrimSpace(string(b)); pid != "" {
				holder = " by pid " + pid
			}
			abs, _ := filepath.Abs(dir)
			return nil, fmt.Errorf("%w: %s is locked%s (is \"plenar serve\" running on it?); "+
				"stop that process or choose another --data-dir", ErrDataDirInUse, abs, holder)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

// Close releases the lock.
func (l *dirLock) Close() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}
