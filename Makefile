# Plenar — the two commands: `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test vet fmt
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/plenar ./cmd/plenar

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

fmt:
	gofmt -l -w .
