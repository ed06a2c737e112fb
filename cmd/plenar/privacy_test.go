package main

import (
	"testing"

	"github.com/plenar/plenar/cmd/plenar/demo"
)

// TestDPOContact: PLENAR_DPO_CONTACT names the data protection officer;
// the demo city has one when it is unset, a real city none.
func TestDPOContact(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		env  map[string]string
		demo bool
		want string
	}{
		{map[string]string{}, false, ""},
		{map[string]string{}, true, demo.DPOContact},
		{map[string]string{"PLENAR_DPO_CONTACT": "DSB, Markt 1"}, true, "DSB, Markt 1"},
		{map[string]string{"PLENAR_DPO_CONTACT": "DSB, Markt 1"}, false, "DSB, Markt 1"},
	} {
		if got := dpoContact(&app{env: mapEnv(c.env)}, c.demo); got != c.want {
			t.Errorf("env %v, demo %t: %q, want %q", c.env, c.demo, got, c.want)
		}
	}
}
