# Plenar — the two commands: `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
PLENAR_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
GOTEST  := $(GO) test -p 2 -timeout 12m -count=1

.PHONY: build run test vet fmt postgresql
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/plenar ./cmd/plenar

# Installs the PostgreSQL server when it is missing and we are root.
postgresql:
	@if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y postgresql; \
	else echo 'PostgreSQL server binaries not found: run "sudo apt-get install postgresql"' >&2; exit 1; fi

run: postgresql build
	PLENAR_BASE_URL=http://localhost:8080 ./bin/plenar serve --demo

vet:
	$(GO) vet ./...

# Uses the PostgreSQL at PLENAR_TEST_DATABASE_URL; when none answers, starts
# a throw-away cluster for the run and stops it afterwards, even on failure.
test: vet build
	@url='$(PLENAR_TEST_DATABASE_URL)'; \
	if ./bin/plenar testdb ping --url "$$url" 2>/dev/null; then \
		echo "tests use PostgreSQL at $$url"; \
		PLENAR_TEST_DATABASE_URL="$$url" $(GOTEST) ./...; \
	else \
		dir=$$(mktemp -d /tmp/plenar-testdb.XXXXXX) && chmod 755 "$$dir" && \
		trap './bin/plenar testdb stop --remove --dir "$$dir"; rm -rf "$$dir"' EXIT && \
		url=$$(./bin/plenar testdb start --dir "$$dir") && \
		echo "no PostgreSQL at $(PLENAR_TEST_DATABASE_URL); tests use a private one at $$url" && \
		PLENAR_TEST_DATABASE_URL="$$url" $(GOTEST) ./...; \
	fi

fmt:
	gofmt -l -w .

# Full-page PNGs of the key pages, at desktop and phone width, in ./screenshots/
# (web/screenshots_test.go). Needs Chromium and the test PostgreSQL.
.PHONY: screenshots
screenshots:
	CI=true PLENAR_SCREENSHOTS='$(CURDIR)/screenshots' PLENAR_TEST_DATABASE_URL='$(PLENAR_TEST_DATABASE_URL)' \
		$(GO) test -count=1 -timeout 5m -run '^(TestScreenshots|TestLiveMediaBrowser)$$' -v ./web/
