package voting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Load returns Builtin with the profiles configured in dir on top: each
// *.json file holds one Profile in the JSON shape of its struct tags
// (docs/VOTING.md, "Adding a Land by configuration"); a file with a builtin code replaces
// that profile. Each file is validated (Profile.Validate, unknown JSON
// fields, two files with one code); errors wrap ErrRule and name the file
// and the field. A missing dir is not an error.
func Load(dir string) (map[string]Profile, error) {
	out := Builtin()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("voting profiles %s: %w", dir, err)
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	sort.Strings(files)
	from := make(map[string]string)
	for _, f := range files {
		p, err := loadFile(f)
		if err != nil {
			return nil, err
		}
		if prev, ok := from[p.Code]; ok {
			return nil, fmt.Errorf("%s: %w: field code: %q already configured in %s", f, ErrRule, p.Code, prev)
		}
		from[p.Code] = f
		out[p.Code] = p
	}
	return out, nil
}

// loadFile reads and validates one profile file.
func loadFile(name string) (Profile, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return Profile{}, fmt.Errorf("voting profile: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("%s: %w: %v", name, ErrRule, err)
	}
	if err := p.Validate(); err != nil {
		return Profile{}, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}
