package voting

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestBuiltinProfiles(t *testing.T) {
	b := Builtin()
	if len(b) != 4 {
		t.Fatalf("Builtin has %d profiles, want 4", len(b))
	}
	topics := []string{"tie", "abstain", "election", "runoff", "lots", "remote", "hybrid", "digital", "secret"}
	for code, p := range b {
		if p.Code != code {
			t.Errorf("profile under %q has code %q", code, p.Code)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", code, err)
		}
		for _, topic := range topics {
			if p.Sources[topic] == "" {
				t.Errorf("%s: no source for %q", code, topic)
			}
		}
		for _, k := range []Kind{Open, Named, Secret, Election} {
			if p.Remote[k].Source == "" {
				t.Errorf("%s: no remote policy with source for %q", code, k)
			}
		}
	}
	wantAbstain := map[string]bool{"NW": true, "ST": true, "BY": false, "BW": true}
	for code, want := range wantAbstain {
		if b[code].AbstainAllowed != want {
			t.Errorf("%s AbstainAllowed = %v, want %v", code, b[code].AbstainAllowed, want)
		}
	}
	b["NW"].Sources["tie"] = "changed"
	if Builtin()["NW"].Sources["tie"] == "changed" {
		t.Error("Builtin shares maps between calls")
	}
}

func TestAllowsSession(t *testing.T) {
	b := Builtin()
	tests := []struct {
		land string
		m    SessionMode
		b    Basis
		ok   bool
		in   string // part of the error
	}{
		{"NW", Presence, BasisNone, true, ""},
		{"BY", Presence, BasisNone, true, ""},
		{"NW", Hybrid, BasisStatute, true, ""},
		{"NW", Hybrid, BasisEmergency, true, ""},
		{"NW", Digital, BasisEmergency, true, ""},
		{"NW", Digital, BasisStatute, false, "§ 47a"},
		{"ST", Hybrid, BasisEmergency, true, ""},
		{"ST", Digital, BasisEmergency, true, ""},
		{"ST", Hybrid, BasisStatute, false, "§ 56a"},
		{"BY", Hybrid, BasisStatute, true, ""},
		{"BY", Hybrid, BasisEmergency, false, "Art. 47a"},
		{"BY", Digital, BasisEmergency, false, "Art. 47a"},
		{"BW", Digital, BasisSimple, true, ""},
		{"BW", Digital, BasisEmergency, true, ""},
		{"BW", Digital, BasisStatute, false, "§ 37a"},
		// § 37a GemO in force since 1 September 2025: remote participation
		// (hybrid) if the Hauptsatzung allows it, not on the 2020 bases
		// (docs/VOTING.md, "BW — Baden-Württemberg (GemO)").
		{"BW", Hybrid, BasisStatute, true, ""},
		{"BW", Hybrid, BasisSimple, false, "§ 37a"},
		{"BW", Hybrid, BasisEmergency, false, "§ 37a"},
		{"NW", SessionMode("video"), BasisStatute, false, "unknown session mode"},
	}
	for _, tt := range tests {
		err := b[tt.land].AllowsSession(tt.m, tt.b)
		if tt.ok {
			if err != nil {
				t.Errorf("%s %s %q: %v", tt.land, tt.m, tt.b, err)
			}
			continue
		}
		if !errors.Is(err, ErrRule) || !strings.Contains(err.Error(), tt.in) {
			t.Errorf("%s %s %q: err = %v, want ErrRule naming %q", tt.land, tt.m, tt.b, err, tt.in)
		}
	}
}

func TestRemoteForAndChoices(t *testing.T) {
	b := Builtin()
	tests := []struct {
		land    string
		k       Kind
		allowed bool
		follow  string
	}{
		{"NW", Secret, true, ""},
		{"NW", Election, true, ""},
		{"ST", Election, false, FollowUpRefused},
		{"ST", Open, true, ""},
		{"BY", Election, false, FollowUpRoom},
		{"BY", Named, true, ""},
		{"BW", Election, false, FollowUpRoom},
	}
	for _, tt := range tests {
		r := b[tt.land].RemoteFor(tt.k)
		if r.Allowed != tt.allowed || r.FollowUp != tt.follow {
			t.Errorf("%s RemoteFor(%s) = %+v, want allowed %v follow-up %q", tt.land, tt.k, r, tt.allowed, tt.follow)
		}
	}
	if r := (Profile{Code: "XX"}).RemoteFor(Open); r.Allowed || r.FollowUp != FollowUpRoom {
		t.Errorf("unconfigured RemoteFor = %+v, want not allowed, room", r)
	}
	if got := b["BY"].Choices(); !reflect.DeepEqual(got, []Choice{Yes, No}) {
		t.Errorf("BY choices = %v", got)
	}
	if got := b["NW"].Choices(); !reflect.DeepEqual(got, []Choice{Yes, No, Abstain}) {
		t.Errorf("NW choices = %v", got)
	}
}

func TestLoadMissingDir(t *testing.T) {
	ps, err := Load(filepath.Join(t.TempDir(), "nope"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ps, Builtin()) {
		t.Errorf("Load(missing) = %d profiles, want the builtins", len(ps))
	}
}

func TestLoadExample(t *testing.T) {
	ps, err := Load("../../docs/voting-profiles")
	if err != nil {
		t.Fatal(err)
	}
	he, ok := ps["HE"]
	if !ok || len(ps) != 5 {
		t.Fatalf("Load gave %d profiles, HE present %v", len(ps), ok)
	}
	if !he.AbstainAllowed || he.ElectionValid != ValidCandidates || !reflect.DeepEqual(he.Rules, []string{"simple", "absolute", "two_thirds_cast", "two_thirds_statutory"}) {
		t.Errorf("HE = %+v", he)
	}
	if err := he.AllowsSession(Digital, BasisEmergency); !errors.Is(err, ErrRule) {
		t.Errorf("HE digital: %v", err)
	}
	if r := he.RemoteFor(Election); r.Allowed || r.FollowUp != FollowUpRoom {
		t.Errorf("HE election remote = %+v", r)
	}
}

func TestLoadReplacesBuiltin(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "nw.json", `{"code":"NW","name":"NRW local","abstain_allowed":false,"rules":["simple"],"election_valid":"candidates"}`)
	ps, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if nw := ps["NW"]; nw.Name != "NRW local" || nw.AbstainAllowed || len(ps) != 4 {
		t.Errorf("NW = %+v, %d profiles", nw, len(ps))
	}
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadBadFiles(t *testing.T) {
	const ok = `"name":"X","rules":["simple"],"election_valid":"candidates"`
	tests := []struct {
		name, body, field string
	}{
		{"unknown rule", `{"code":"XX","name":"X","rules":["simple","majority"],"election_valid":"candidates"}`, "field rules"},
		{"missing rules", `{"code":"XX","name":"X","election_valid":"candidates"}`, "field rules"},
		{"empty code", `{"code":"",` + ok + `}`, "field code"},
		{"unknown kind", `{"code":"XX",` + ok + `,"remote":{"vote":{"allowed":true}}}`, "field remote"},
		{"bad follow-up", `{"code":"XX",` + ok + `,"remote":{"election":{"allowed":false,"follow_up":"later"}}}`, "field remote"},
		{"unknown mode", `{"code":"XX",` + ok + `,"sessions":{"video":["statute"]}}`, "field sessions"},
		{"unknown basis", `{"code":"XX",` + ok + `,"sessions":{"hybrid":["pandemic"]}}`, "field sessions"},
		{"unknown election_valid", `{"code":"XX","name":"X","rules":["simple"],"election_valid":"most"}`, "field election_valid"},
		{"unknown field", `{"code":"XX",` + ok + `,"abstain":true}`, `unknown field "abstain"`},
		{"not json", `{"code":`, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "bad.json", tt.body)
			_, err := Load(dir)
			if !errors.Is(err, ErrRule) || !strings.Contains(err.Error(), "bad.json") || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Load err = %v, want ErrRule naming bad.json and %q", err, tt.field)
			}
		})
	}
	t.Run("duplicate code", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "a.json", `{"code":"XX",`+ok+`}`)
		write(t, dir, "b.json", `{"code":"XX",`+ok+`}`)
		_, err := Load(dir)
		if !errors.Is(err, ErrRule) || !strings.Contains(err.Error(), "b.json") || !strings.Contains(err.Error(), "a.json") {
			t.Errorf("Load err = %v, want ErrRule naming both files", err)
		}
	})
}
