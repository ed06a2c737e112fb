package documents_test

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
	"github.com/plenar/plenar/meetings"
)

func TestStoreRoundTrip(t *testing.T) {
	e := newEnv(t)
	pdf := doctest.TextPDF(sampleText)
	f := e.upload(t, "../Antrag Radweg.pdf", pdf, true)
	sum := sha512.Sum512(pdf)
	if f.SHA512 != hex.EncodeToString(sum[:]) || f.Size != int64(len(pdf)) || f.MIMEType != documents.MIMEPDF {
		t.Errorf("Upload: sha512 %s size %d type %s, want %x %d %s", f.SHA512, f.Size, f.MIMEType, sum, len(pdf), documents.MIMEPDF)
	}
	if f.FileName != "Antrag Radweg.pdf" || f.Name != "" {
		t.Errorf("Upload: file name %q name %q, want the base name and no title", f.FileName, f.Name)
	}
	got, err := e.docs.File(e.ctx, f.ID)
	if err != nil {
		t.Fatalf("File: %v", err)
	}
	if got.SHA512 != f.SHA512 || got.FileName != f.FileName || !got.Public || got.HasText {
		t.Errorf("File = %+v, want the uploaded metadata without text", got)
	}
	blob, err := e.docs.Open(got)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer blob.Close()
	b, _ := io.ReadAll(blob)
	if !bytes.Equal(b, pdf) {
		t.Errorf("blob content differs from the upload")
	}
	wantPath := filepath.Join(e.dir, f.SHA512[:2], f.SHA512[2:4], f.SHA512)
	if _, err := os.Stat(wantPath); err != nil {
		t.Errorf("blob not at %s: %v", wantPath, err)
	}
	list, err := e.docs.Files(e.ctx, documents.Link{Kind: documents.LinkPaper, ID: e.paper.ID})
	if err != nil || len(list) != 1 || list[0].ID != f.ID || list[0].Role != documents.RoleAuxiliary || list[0].Job.Status != documents.JobPending {
		t.Fatalf("Files = %+v, %v; want the file as attachment with a pending job", list, err)
	}
	// The same content again is a second row on the same blob.
	f2 := e.upload(t, "copy.pdf", pdf, false)
	if f2.ID == f.ID || f2.SHA512 != f.SHA512 {
		t.Errorf("second upload: id %s sha %s", f2.ID, f2.SHA512)
	}
	// Every change writes outbox and audit rows.
	if err := e.docs.SetPublic(e.ctx, f.ID, false); err != nil {
		t.Fatalf("SetPublic: %v", err)
	}
	if err := e.docs.Delete(e.ctx, f.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := e.docs.Delete(e.ctx, f.ID); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("Delete twice: %v, want ErrNotFound", err)
	}
	var ops []string
	rows, _ := e.pool.Query(e.ctx, `SELECT o.op FROM outbox o JOIN audit a ON a.entity = o.entity AND a.entity_id = o.entity_id AND a.op = o.op
		WHERE o.entity = 'file' AND o.entity_id = $1 ORDER BY o.id`, f.ID)
	for rows.Next() {
		var op string
		_ = rows.Scan(&op)
		ops = append(ops, op)
	}
	if strings.Join(ops, ",") != "create,update,delete" {
		t.Errorf("outbox/audit ops = %v, want create,update,delete", ops)
	}
	if got, _ := e.docs.File(e.ctx, f.ID); !got.Deleted {
		t.Errorf("file not marked deleted")
	}
}

// A metadata row is only written after its blob is on disk: when the
// commit fails (here: a link to a paper that does not exist) the blob is
// an orphan that GC removes; a row never lacks its blob.
func TestCrashOrderingAndGC(t *testing.T) {
	e := newEnv(t)
	kept := e.upload(t, "kept.pdf", doctest.TextPDF("Bleibt"), true)
	orphan := doctest.TextPDF("Verwaist")
	_, err := e.docs.Upload(e.ctx, bytes.NewReader(orphan), documents.File{FileName: "orphan.pdf"},
		[]documents.Link{{Kind: documents.LinkPaper, ID: council.NewID()}})
	if !errors.Is(err, council.ErrInvalid) {
		t.Fatalf("Upload linked to a missing paper: %v, want ErrInvalid", err)
	}
	sum := sha512.Sum512(orphan)
	orphanPath := filepath.Join(e.dir, hex.EncodeToString(sum[:1]), hex.EncodeToString(sum[1:2]), hex.EncodeToString(sum[:]))
	if _, err := os.Stat(orphanPath); err != nil {
		t.Fatalf("blob of the failed commit not on disk (blob must be written before the row): %v", err)
	}
	var n int
	_ = e.pool.QueryRow(e.ctx, `SELECT count(*) FROM files`).Scan(&n)
	if n != 1 {
		t.Errorf("%d file rows, want 1 (nothing half-stored)", n)
	}
	// A deleted file keeps its blob (it answers 410, and may be restored).
	deleted := e.upload(t, "deleted.pdf", doctest.TextPDF("Gelöscht"), true)
	if err := e.docs.Delete(e.ctx, deleted.ID); err != nil {
		t.Fatal(err)
	}
	// A stale temporary file from a crashed upload.
	stale := filepath.Join(e.dir, "tmp", "upload-crashed")
	if err := os.WriteFile(stale, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Young blobs are left alone: an upload may be between rename and commit.
	res, err := e.docs.GC(e.ctx, time.Hour)
	if err != nil || res.Removed != 0 {
		t.Fatalf("GC(1h) = %+v, %v; want nothing removed", res, err)
	}
	res, err = e.docs.GC(e.ctx, 0)
	if err != nil {
		t.Fatalf("GC: %v", err)
	}
	if res.Removed != 2 || res.Blobs != 3 {
		t.Errorf("GC = %+v, want 3 blobs seen, 2 removed (orphan, temp)", res)
	}
	if _, err := os.Stat(orphanPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("orphan still there: %v", err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file still there: %v", err)
	}
	for _, f := range []documents.File{kept, deleted} {
		if b, err := e.docs.Open(f); err != nil {
			t.Errorf("blob of %s removed by GC: %v", f.FileName, err)
		} else {
			b.Close()
		}
	}
}

func TestAccess(t *testing.T) {
	e := newEnv(t)
	start := time.Now().Add(24 * time.Hour)
	m, err := e.m.SaveMeeting(e.ctx, meetings.Meeting{BodyID: e.body.ID, Name: "Sitzung", Start: start,
		Organizations: []council.ID{e.org.ID}})
	if err != nil {
		t.Fatal(err)
	}
	item, err := e.m.SaveAgendaItem(e.ctx, meetings.AgendaItem{MeetingID: m.ID, Name: "Geheimes", Public: false})
	if err != nil {
		t.Fatal(err)
	}
	secret := e.newPaper(t, false)
	pdf := doctest.TextPDF("x")
	put := func(public bool, links ...documents.Link) council.ID {
		f, err := e.docs.Upload(e.ctx, bytes.NewReader(pdf), documents.File{FileName: "a.pdf", Public: public}, links)
		if err != nil {
			t.Fatal(err)
		}
		return f.ID
	}
	paperLink := documents.Link{Kind: documents.LinkPaper, ID: e.paper.ID}
	cases := []struct {
		name   string
		id     council.ID
		public bool
	}{
		{"public file of a public paper", put(true, paperLink), true},
		{"non-public file of a public paper", put(false, paperLink), false},
		{"public file of a non-public paper", put(true, documents.Link{Kind: documents.LinkPaper, ID: secret.ID}), false},
		{"public file of a public and a non-public paper", put(true, paperLink, documents.Link{Kind: documents.LinkPaper, ID: secret.ID}), false},
		{"public file of a planned meeting", put(true, documents.Link{Kind: documents.LinkMeeting, ID: m.ID}), false},
		{"public file of a non-public item", put(true, documents.Link{Kind: documents.LinkAgendaItem, ID: item.ID}), false},
		{"public file with no links", put(true), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := e.docs.Access(e.ctx, c.id)
			if err != nil {
				t.Fatal(err)
			}
			if a.Public != c.public {
				t.Errorf("Access.Public = %v, want %v", a.Public, c.public)
			}
			member := council.Viewer{UserID: council.NewID(), Role: council.RoleMember, Orgs: map[council.ID]bool{e.org.ID: true}}
			if len(a.Orgs) > 0 && !member.SeesNonPublicOf(a.Orgs...) {
				t.Errorf("a member of %s does not see it (orgs %v)", e.org.Name, a.Orgs)
			}
		})
	}
	if _, err := e.m.Invite(e.ctx, m.ID, time.Now()); err == nil {
		if a, _ := e.docs.Access(e.ctx, cases[4].id); !a.Public {
			t.Errorf("file of an invited meeting is not public")
		}
	}
}
