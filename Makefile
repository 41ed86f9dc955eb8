# OneCode — the two commands a newcomer needs are `make run` and `make test`.
BUF     := go run github.com/bufbuild/buf/cmd/buf@v1.75.0
BIN     := bin/onecode
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: run test build generate lint vet fmt clean web web-test

## run: build and start a single-node switch with a demo school (REST :8080, gRPC :9090)
run: build
	./$(BIN) serve --demo

## test: go vet and the whole suite (race detector on), on real PostgreSQL and Redis
test:
	bash scripts/test.sh

build:
	go build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/onecode

## generate: regenerate protobuf code (committed) and lint the protos
generate:
	$(BUF) lint
	$(BUF) generate --template buf.gen.api.yaml --path protos/onecode/api
	$(BUF) generate --template buf.gen.grain.yaml --path protos/onecode/grain
	$(BUF) generate --template buf.gen.events.yaml --path protos/onecode/events

## web: rebuild the web pages (web/ → gateway/webui/dist, committed) with npm ci + build
web:
	cd web && npm ci --no-audit --no-fund && npm run build && npm test

## web-test: the browser tests alone (Chromium + a demo switch), as scripts/test.sh runs them
web-test: build
	cd web && npm ci --no-audit --no-fund && ONECODE_BIN=../$(BIN) node e2e/run.mjs

vet:
	go vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin data
