# Plenar — the two commands: `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
PLENAR_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
# ./web/ goes first: it is the longest package, so it runs beside all the others (go test keeps
# the order of its arguments) instead of starting last.
GOTEST  := $(GO) test -p 2 -timeout 20m -count=1

.PHONY: build run test vet fmt postgresql doctools
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/plenar ./cmd/plenar

# Installs the PostgreSQL server when it is missing and we are root.
postgresql:
	@if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y postgresql; \
	else echo 'PostgreSQL server binaries not found: run "sudo apt-get install postgresql"' >&2; exit 1; fi

# Installs what the documents need when it is missing and we are root:
# poppler-utils (checks stored PDFs, pdftotext), tesseract-ocr with the
# German model (OCR of scans) and the DejaVu fonts of generated PDFs.
# Otherwise it says what is missing and what that costs; Plenar runs anyway.
doctools:
	@missing=; \
	for t in pdfinfo pdftotext pdftoppm; do command -v $$t >/dev/null 2>&1 || { missing=" poppler-utils"; break; }; done; \
	command -v tesseract >/dev/null 2>&1 || missing="$$missing tesseract-ocr"; \
	tesseract --list-langs 2>/dev/null | grep -qx deu || missing="$$missing tesseract-ocr-deu"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || \
		missing="$$missing fonts-dejavu-core"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "installing$$missing"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing && exit 0; \
		echo "could not install$$missing; Plenar runs without them, but:" >&2; \
	else \
		echo "missing Debian packages:$$missing (run \"sudo apt-get install$$missing\"). Plenar runs without them, but:" >&2; \
	fi; \
	case "$$missing" in *poppler*) echo "  without poppler-utils no PDF is stored (the demo city has no documents) and PDFs give no text;" >&2;; esac; \
	case "$$missing" in *tesseract*) echo "  without tesseract-ocr and tesseract-ocr-deu scanned images and scanned PDFs give no text (no OCR);" >&2;; esac; \
	case "$$missing" in *fonts*) echo "  without fonts-dejavu-core Plenar renders no PDFs (papers, invitations, minutes)." >&2;; esac

run: postgresql doctools build
	PLENAR_BASE_URL=http://localhost:8080 ./bin/plenar serve --demo

vet:
	$(GO) vet ./...

# Uses the PostgreSQL at PLENAR_TEST_DATABASE_URL; when none answers, starts
# a throw-away cluster for the run and stops it afterwards, even on failure.
test: vet build
	@url='$(PLENAR_TEST_DATABASE_URL)'; \
	if ./bin/plenar testdb ping --url "$$url" 2>/dev/null; then \
		echo "tests use PostgreSQL at $$url"; \
		PLENAR_TEST_DATABASE_URL="$$url" $(GOTEST) ./web/ ./...; \
	else \
		dir=$$(mktemp -d /tmp/plenar-testdb.XXXXXX) && chmod 755 "$$dir" && \
		trap './bin/plenar testdb stop --remove --dir "$$dir"; rm -rf "$$dir"' EXIT && \
		url=$$(./bin/plenar testdb start --dir "$$dir") && \
		echo "no PostgreSQL at $(PLENAR_TEST_DATABASE_URL); tests use a private one at $$url" && \
		PLENAR_TEST_DATABASE_URL="$$url" $(GOTEST) ./web/ ./...; \
	fi

fmt:
	gofmt -l -w .

# Full-page PNGs of the key pages, at desktop and phone width, in ./screenshots/
# (web/screenshots_test.go). Needs Chromium and the test PostgreSQL.
.PHONY: screenshots
screenshots:
	CI=true PLENAR_SCREENSHOTS='$(CURDIR)/screenshots' PLENAR_TEST_DATABASE_URL='$(PLENAR_TEST_DATABASE_URL)' \
		$(GO) test -count=1 -timeout 5m -run '^(TestScreenshots|TestLiveMediaBrowser|TestLiveDefects|TestSessionToTrailBrowser|TestCitizensMotionBrowser|TestGroupMotionsBrowser)$$' -v ./web/
