package documents_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
	"github.com/plenar/plenar/meetings"
)

func TestSetMeta(t *testing.T) {
	e := newEnv(t)
	f := e.upload(t, "antrag.pdf", doctest.TextPDF(sampleText), true)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if err := e.docs.SetMeta(e.ctx, f.ID, " Antrag ", "CC-BY-4.0", day); err != nil {
		t.Fatalf("SetMeta: %v", err)
	}
	got, err := e.docs.File(e.ctx, f.ID)
	if err != nil || got.Name != "Antrag" || got.License != "CC-BY-4.0" || !got.Date.Equal(day) {
		t.Errorf("after SetMeta: %q %q %v, %v", got.Name, got.License, got.Date, err)
	}
	if err := e.docs.SetMeta(e.ctx, f.ID, "Antrag", "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.docs.File(e.ctx, f.ID); !got.Date.IsZero() || got.License != "" {
		t.Errorf("clearing date and licence: %v %q", got.Date, got.License)
	}
	if err := e.docs.SetMeta(e.ctx, f.ID, strings.Repeat("x", 1001), "", time.Time{}); !errors.Is(err, council.ErrInvalid) {
		t.Errorf("too long title: %v, want ErrInvalid", err)
	}
	if err := e.docs.SetMeta(e.ctx, council.NewID(), "x", "", time.Time{}); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("unknown file: %v, want ErrNotFound", err)
	}
}

func TestFilesOfAndLatest(t *testing.T) {
	e := newEnv(t)
	m, err := e.m.SaveMeeting(e.ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Sitzung",
		Start: time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC), Organizations: []council.ID{e.org.ID}})
	if err != nil {
		t.Fatal(err)
	}
	var items []council.ID
	for _, name := range []string{"Eins", "Zwei", "Drei"} {
		it, err := e.m.SaveAgendaItem(e.ctx, meetings.AgendaItem{MeetingID: m.ID, Name: name, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it.ID)
	}
	put := func(item council.ID, master council.ID) documents.File {
		t.Helper()
		f, err := e.docs.Upload(e.ctx, bytes.NewReader(doctest.TextPDF(sampleText)),
			documents.File{FileName: "a.pdf", MasterID: master, Public: true},
			[]documents.Link{{Kind: documents.LinkAgendaItem, ID: item}})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	a1 := put(items[0], council.NilID)
	a2 := put(items[0], a1.ID)
	b1 := put(items[1], council.NilID)
	got, err := e.docs.FilesOf(e.ctx, documents.LinkAgendaItem, items)
	if err != nil {
		t.Fatal(err)
	}
	if len(got[items[0]]) != 2 || len(got[items[1]]) != 1 || len(got[items[2]]) != 0 || got[items[1]][0].ID != b1.ID {
		t.Fatalf("FilesOf = %v", got)
	}
	latest := documents.Latest(got[items[0]])
	if len(latest) != 1 || latest[0].ID != a2.ID {
		t.Errorf("Latest = %v, want only the new version %s", latest, a2.ID)
	}
	if empty, err := e.docs.FilesOf(e.ctx, documents.LinkPaper, nil); err != nil || len(empty) != 0 {
		t.Errorf("FilesOf(nil) = %v, %v", empty, err)
	}
}
