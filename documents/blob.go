package documents

import (
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
)

// Blobs is the content-addressed store under one folder: a blob with
// SHA-512 hex sum h lives at <dir>/<h[0:2]>/<h[2:4]>/<h>; uploads in
// progress live in <dir>/tmp.
type Blobs struct {
	dir string
}

// NewBlobs returns the store in dir (usually <data dir>/files). An empty
// dir gives a store that refuses every operation with ErrUnavailable.
func NewBlobs(dir string) *Blobs { return &Blobs{dir: dir} }

// Blob is a blob that was written: its checksum and size.
type Blob struct {
	SHA512 string
	Size   int64
}

// Temp is a blob being written: a temporary file that becomes a blob
// only with Commit. Discard it when it is not wanted (Discard after
// Commit does nothing).
type Temp struct {
	f    *os.File
	blob Blob
	done bool
	b    *Blobs
}

func (b *Blobs) ready() error {
	if b.dir == "" {
		return fmt.Errorf("%w: no data directory for files", council.ErrUnavailable)
	}
	return nil
}

// Path returns where the blob with sum lives. Errors: ErrInvalid for a
// sum that is not 128 lower-case hex digits.
func (b *Blobs) Path(sum string) (string, error) {
	if !validSum(sum) {
		return "", fmt.Errorf("%w: malformed checksum %q", council.ErrInvalid, sum)
	}
	return filepath.Join(b.dir, sum[0:2], sum[2:4], sum), nil
}

func validSum(s string) bool {
	if len(s) != 128 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Write streams r into a temporary file while hashing it, reading at most
// limit bytes plus one (so the caller can tell "too large"). It returns the
// temporary file, positioned nowhere in particular, and the number of bytes
// read. On error nothing is left behind.
func (b *Blobs) Write(r io.Reader, limit int64) (*Temp, error) {
	if err := b.ready(); err != nil {
		return nil, err
	}
	tmpDir := filepath.Join(b.dir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return nil, fmt.Errorf("blob temp dir: %w", err)
	}
	f, err := os.CreateTemp(tmpDir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("blob temp file: %w", err)
	}
	t := &Temp{f: f, b: b}
	h := sha512.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, limit+1))
	if err != nil {
		t.Discard()
		return nil, fmt.Errorf("write blob: %w", err)
	}
	t.blob = Blob{SHA512: hex.EncodeToString(h.Sum(nil)), Size: n}
	return t, nil
}

// Blob returns the checksum and size of what was written.
func (t *Temp) Blob() Blob { return t.blob }

// File returns the open temporary file, for validation.
func (t *Temp) File() *os.File { return t.f }

// Commit makes the temporary file the blob: fsync, rename into place (or,
// when the blob exists already, keep that one and refresh its time so GC
// leaves it alone while the caller's row commits), fsync the folder.
func (t *Temp) Commit() (Blob, error) {
	if t.done {
		return Blob{}, errors.New("blob temp already committed or discarded")
	}
	defer t.Discard()
	if err := t.f.Sync(); err != nil {
		return Blob{}, fmt.Errorf("sync blob: %w", err)
	}
	if err := t.f.Close(); err != nil {
		return Blob{}, fmt.Errorf("close blob: %w", err)
	}
	dst, err := t.b.Path(t.blob.SHA512)
	if err != nil {
		return Blob{}, err
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Blob{}, fmt.Errorf("blob dir: %w", err)
	}
	if st, err := os.Stat(dst); err == nil && st.Size() == t.blob.Size {
		now := time.Now()
		if err := os.Chtimes(dst, now, now); err != nil {
			return Blob{}, fmt.Errorf("touch blob: %w", err)
		}
		return t.blob, nil
	}
	if err := os.Rename(t.f.Name(), dst); err != nil {
		return Blob{}, fmt.Errorf("place blob: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return Blob{}, err
	}
	return t.blob, nil
}

// Discard removes the temporary file.
func (t *Temp) Discard() {
	if t.done {
		return
	}
	t.done = true
	t.f.Close()
	os.Remove(t.f.Name())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync blob dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync blob dir: %w", err)
	}
	return nil
}

// Open opens the blob with sum for reading. Errors: ErrNotFound when it
// does not exist, ErrInvalid for a malformed sum, ErrUnavailable without a
// data directory.
func (b *Blobs) Open(sum string) (*os.File, error) {
	if err := b.ready(); err != nil {
		return nil, err
	}
	p, err := b.Path(sum)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: blob %s", council.ErrNotFound, sum)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	return f, nil
}

// stored is a blob on disk as GC sees it.
type stored struct {
	sum  string
	path string
	mod  time.Time
}

// walk lists the blobs (and, with temps, the temporary files as sum "").
func (b *Blobs) walk() ([]stored, error) {
	if err := b.ready(); err != nil {
		return nil, err
	}
	var out []stored
	err := filepath.WalkDir(b.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		name := d.Name()
		switch {
		case validSum(name):
			out = append(out, stored{sum: name, path: p, mod: info.ModTime()})
		case strings.HasPrefix(name, "upload-") && filepath.Base(filepath.Dir(p)) == "tmp":
			out = append(out, stored{path: p, mod: info.ModTime()})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk blobs: %w", err)
	}
	return out, nil
}
