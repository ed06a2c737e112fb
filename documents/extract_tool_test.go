package documents

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A tool that writes without end (pdftotext or Tesseract on a hostile
// file) is stopped as soon as its output fills the cap, and what it wrote
// up to there is the result: its output is capped while it is read, and
// it does not run on until its timeout (which made this an error).
func TestRunToolStopsAtCap(t *testing.T) {
	out := capped{max: 1 << 20}
	if err := runTool(context.Background(), 30*time.Second, &out, "yes", "Haushalt"); err != nil {
		t.Fatalf("runTool(yes) = %v, want the capped output", err)
	}
	if out.Len() != 1<<20 || !strings.HasPrefix(out.String(), "Haushalt\nHaushalt\n") {
		t.Errorf("kept %d bytes starting %q, want 1 MiB of the output", out.Len(), out.String()[:min(out.Len(), 20)])
	}
}
