package oparlimport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/cmd/plenar/oparlimport"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
	"github.com/plenar/plenar/migrations/pgtest"
)

// benchCity serves an OParl 1.1 city of papers papers (three files each:
// mainFile and two auxiliaryFile), meetings meetings (five agenda items,
// an invitation and a results protocol each, every other one an
// auxiliaryFile; 2,000 papers and 400 meetings make 7,000 files) in pages
// of 100; every paper is consulted in
// an agenda item. File URLs point at fileHost.
func benchCity(papers, meetings int, fileHost func() string) http.Handler {
	const page = 100
	ts := "2024-01-01T00:00:00+01:00"
	file := func(b string, id, role string) string {
		return fmt.Sprintf(`{"id": "%s/file/%s", "type": "`+t11+`File", "name": "%s", "fileName": "%s.pdf",
			"mimeType": "application/pdf", "accessUrl": "%s/blob/%s", "modified": "%s"}`, b, id, role, id, fileHost(), id, ts)
	}
	list := func(w http.ResponseWriter, r *http.Request, n int, item func(b string, i int) string) {
		b := "http://" + r.Host
		from, _ := strconv.Atoi(r.URL.Query().Get("from"))
		var items []string
		for i := from; i < min(from+page, n); i++ {
			items = append(items, item(b, i))
		}
		next := ""
		if from+page < n {
			next = fmt.Sprintf(`"next": "%s%s?from=%d"`, b, r.URL.Path, from+page)
		}
		fmt.Fprintf(w, `{"data": [%s], "links": {%s}}`, strings.Join(items, ","), next)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/system", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"id": "http://%s/system", "type": "`+t11+`System", "body": "http://%s/bodies"}`, r.Host, r.Host)
	})
	mux.HandleFunc("/bodies", func(w http.ResponseWriter, r *http.Request) {
		b := "http://" + r.Host
		fmt.Fprintf(w, `{"data": [{"id": "%s/body/1", "type": "`+t11+`Body", "name": "Benchstadt", "modified": "%s",
			"organization": "%s/orgs", "meeting": "%s/meetings", "paper": "%s/papers"}], "links": {}}`, b, ts, b, b, b)
	})
	mux.HandleFunc("/orgs", func(w http.ResponseWriter, r *http.Request) {
		list(w, r, 10, func(b string, i int) string {
			return fmt.Sprintf(`{"id": "%s/org/%d", "type": "`+t11+`Organization", "name": "Ausschuss %d",
				"organizationType": "Gremium", "classification": "Ausschuss", "modified": "%s"}`, b, i, i, ts)
		})
	})
	mux.HandleFunc("/meetings", func(w http.ResponseWriter, r *http.Request) {
		list(w, r, meetings, func(b string, i int) string {
			aux := "" // every other meeting has an attachment: 2,000 papers and 400 meetings make 7,000 files
			if i%2 == 0 {
				aux = `, "auxiliaryFile": [` + file(b, fmt.Sprintf("m%d-aux", i), "Anwesenheitsliste") + `]`
			}
			var items []string
			for k := range 5 {
				items = append(items, fmt.Sprintf(`{"id": "%s/item/%d-%d", "type": "`+t11+`AgendaItem", "order": %d,
					"number": "%d", "name": "Tagesordnungspunkt %d", "public": true, "modified": "%s"}`, b, i, k, k, k+1, k+1, ts))
			}
			return fmt.Sprintf(`{"id": "%s/meeting/%d", "type": "`+t11+`Meeting", "name": "Sitzung %d",
				"start": "2024-%02d-%02dT17:00:00+01:00", "organization": ["%s/org/%d"], "modified": "%s",
				"agendaItem": [%s], "invitation": %s, "resultsProtocol": %s%s}`, b, i, i, i%12+1, i%28+1, b, i%10, ts,
				strings.Join(items, ","), file(b, fmt.Sprintf("m%d-inv", i), "Einladung"), file(b, fmt.Sprintf("m%d-prot", i), "Niederschrift"),
				aux)
		})
	})
	mux.HandleFunc("/papers", func(w http.ResponseWriter, r *http.Request) {
		list(w, r, papers, func(b string, i int) string {
			return fmt.Sprintf(`{"id": "%s/paper/%d", "type": "`+t11+`Paper", "name": "Vorlage %d", "reference": "VO/%05d",
				"paperType": "Beschlussvorlage", "modified": "%s", "mainFile": %s, "auxiliaryFile": [%s, %s],
				"consultation": [{"id": "%s/consultation/%d", "type": "`+t11+`Consultation", "agendaItem": "%s/item/%d-%d",
				  "organization": ["%s/org/%d"], "role": "Vorberatung", "modified": "%s"}]}`,
				b, i, i, i, ts, file(b, fmt.Sprintf("p%d-main", i), "Vorlage"), file(b, fmt.Sprintf("p%d-a", i), "Anlage 1"),
				file(b, fmt.Sprintf("p%d-b", i), "Anlage 2"), b, i, b, i%meetings, i%5, b, (i%meetings)%10, ts)
		})
	})
	return mux
}

// BenchmarkImportCity imports a fixture city of 2,000 papers, 400
// meetings and 7,000 files (docs/BENCHMARKS.md, "OParl import"):
//
//   - dead file host: it accepts connections and never answers. Target:
//     the objects complete in ≤ 3 minutes, the files reported deferred.
//
//   - fast file host: the files are downloaded by the file phase
//     (FileJob, as serve runs it after --files=later). Target: ≥ 20 files/s.
//
//     go test -run '^$' -bench ImportCity -benchtime 1x ./cmd/plenar/oparlimport
func BenchmarkImportCity(b *testing.B) {
	const papers, meetings = 2000, 400
	for range b.N {
		b.Run("dead-file-host", func(b *testing.B) {
			pool := pgtest.New(b)
			dead := deadHost(b)
			srv := httptest.NewServer(benchCity(papers, meetings, func() string { return dead }))
			defer srv.Close()
			opt := oparlimport.Options{DB: pool, Backoff: 100 * time.Millisecond,
				Client: &http.Client{Timeout: 10 * time.Second},
				Docs:   documents.NewStore(pool, filepath.Join(b.TempDir(), "files"), documents.Limits{})}
			start := time.Now()
			sum, err := oparlimport.Run(context.Background(), opt, srv.URL+"/system")
			elapsed := time.Since(start)
			if !errors.Is(err, oparlimport.ErrFilesPending) || !sum.Complete {
				b.Fatalf("err %v, complete %v\n%s", err, sum.Complete, sum)
			}
			b.Logf("dead file host: %s for the run\n%s", elapsed.Round(time.Second), sum)
			b.ReportMetric(elapsed.Seconds(), "s/run")
			b.ReportMetric(float64(sum.Files.Deferred+sum.Files.Failed), "files-pending")
			b.ReportMetric(float64(sum.Imported["paper"]+sum.Imported["meeting"]), "papers+meetings")
		})
		b.Run("fast-file-host", func(b *testing.B) {
			pool := pgtest.New(b)
			blobs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				id := strings.TrimPrefix(r.URL.Path, "/blob/")
				w.Header().Set("Content-Type", "application/pdf")
				_, _ = w.Write(doctest.TextPDF("Datei " + id))
			}))
			defer blobs.Close()
			srv := httptest.NewServer(benchCity(papers, meetings, func() string { return blobs.URL }))
			defer srv.Close()
			opt := oparlimport.Options{DB: pool, Files: oparlimport.FilesLater,
				Docs: documents.NewStore(pool, filepath.Join(b.TempDir(), "files"), documents.Limits{})}
			start := time.Now()
			sum, err := oparlimport.Run(context.Background(), opt, srv.URL+"/system")
			objects := time.Since(start)
			if err != nil || sum.Files.Deferred != 7000 {
				b.Fatalf("objects: err %v, deferred %d\n%s", err, sum.Files.Deferred, sum)
			}
			start = time.Now()
			sum, err = oparlimport.FileJob{Options: opt}.Once(context.Background())
			files := time.Since(start)
			if err != nil || sum.Files.Downloaded != 7000 {
				b.Fatalf("files: err %v\n%s", err, sum)
			}
			b.Logf("fast file host: objects %s, %d files in %s: %.1f files/s", objects.Round(time.Second),
				sum.Files.Downloaded, files.Round(time.Second), float64(sum.Files.Downloaded)/files.Seconds())
			b.ReportMetric(objects.Seconds(), "s/objects")
			b.ReportMetric(float64(sum.Files.Downloaded)/files.Seconds(), "files/s")
		})
	}
}
