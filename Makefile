# tradectl: make help lists the targets.
SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin
export PATH := $(BIN):$(PATH)

# Code generators, pinned here and installed into ./bin by `make tools`.
BUF_VERSION := v1.75.0
PROTOC_GEN_GO_VERSION := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.6.2
# govulncheck, installed into ./bin by `make vulncheck` (not a module dependency).
GOVULNCHECK_VERSION := v1.9.0

# make fuzz: how long each fuzz target runs, and which (./pkg:FuzzXxx ...;
# default: all of them, see scripts/fuzz.sh).
FUZZTIME ?= 60s
FUZZ_TARGETS ?=

.PHONY: help build demo dashboard demo-live test soak soak-short bench chaos chaos-short hostile hostile-short fuzz fuzz-short vulncheck generate generate-python check-generate web check-web lint tools clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## build bin/tradingd and bin/tradectl
	$(GO) build -o $(BIN)/ ./cmd/tradingd ./cmd/tradectl ./cmd/venue-emulator

demo: build ## run a paper session end to end: daemon, start, health stream, stop
	./scripts/demo.sh

dashboard: build ## tradingd with a paper session to look at in a browser, until Ctrl-C (prints the address and token)
	./scripts/dashboard.sh

demo-live: build ## a live session on the rehearsal venue (cmd/venue-emulator, loopback): a silent venue, then its ledger next to ours
	./scripts/demo-live.sh

test: ## run every test with the race detector (unit, bufconn, end-to-end)
	$(GO) test -race -count=1 -timeout 8m ./...

soak: ## the kill -9 torture tests (paper and live, 200 kills each), then an hour of a busy grid: store growth, RSS
	TORTURE_KILLS=200 $(GO) test -race -count=1 -timeout 30m -run TestKill9Torture -v ./e2e/
	LIVE_TORTURE_KILLS=200 $(GO) test -race -count=1 -timeout 30m -run TestLiveKill9Torture -v ./e2e/live/
	SOAK_DURATION=1h $(GO) test -count=1 -timeout 80m -run TestGridSoak -v ./e2e/soak/

soak-short: ## three minutes of the busy grid (CI): store growth per order and fill kept
	SOAK_DURATION=3m $(GO) test -count=1 -timeout 10m -run TestGridSoak -v ./e2e/soak/

bench: ## run every benchmark and print a summary table (figures go in BENCHMARKS.md)
	@# -p 1: one package at a time, so that benchmarks do not share the CPU.
	set -o pipefail; { $(GO) test -p 1 -run '^$$' -bench . -benchmem -count=1 -timeout 10m $$($(GO) list ./... | grep -v /e2e) && \
	  $(GO) test -run '^$$' -bench 'BenchmarkPublish' -benchtime 20000x -count=1 ./server/internal/orderfeed/ && \
	  $(GO) test -run '^$$' -bench . -benchtime 1x -count=1 -timeout 15m ./e2e/load/ && \
	  $(GO) test -run '^$$' -bench 'DashboardFirstRender' -benchtime 10x -count=1 ./e2e/webbench/ && \
	  $(GO) test -run '^$$' -bench 'DashboardLoopCost|GetStatusHTTPVsGRPC' -benchtime 1x -count=1 -timeout 15m ./e2e/webbench/; } 2>&1 | $(GO) run ./scripts/benchtable

chaos: ## fault injection through a chaos build of the real daemon (full)
	$(GO) test -tags chaos -race -count=1 -timeout 15m -v ./internal/chaos/ ./e2e/chaos/

chaos-short: ## the same, smaller storms (CI)
	$(GO) test -tags chaos -race -count=1 -short -timeout 10m ./internal/chaos/ ./e2e/chaos/

hostile: ## floods from unauthenticated clients against the real daemon, on loopback (full sizes)
	$(GO) test -tags hostile -count=1 -timeout 15m -v ./e2e/hostile/

hostile-short: ## the same, smaller floods (CI)
	$(GO) test -tags hostile -count=1 -short -timeout 5m ./e2e/hostile/

fuzz: ## run each fuzz target for FUZZTIME (60s); seed corpora are in testdata/fuzz/
	GO=$(GO) FUZZTIME=$(FUZZTIME) FUZZ_TARGETS="$(FUZZ_TARGETS)" ./scripts/fuzz.sh

fuzz-short: FUZZTIME = 10s
fuzz-short: fuzz ## the same, 10s per target (CI)

vulncheck: $(BIN)/govulncheck ## known vulnerabilities in the code we call (govulncheck; reads vuln.go.dev)
	@# Exit 3 is a finding and always fails. VULNCHECK_OFFLINE_OK=1 (CI) lets
	@# an unreachable database pass, loudly, rather than fail every run.
	@out=$$(mktemp); trap 'rm -f "$$out"' EXIT; \
	govulncheck ./... >"$$out" 2>&1 && rc=0 || rc=$$?; cat "$$out"; \
	if [ $$rc -eq 1 ] && [ -n "$(VULNCHECK_OFFLINE_OK)" ] && grep -q '^govulncheck: fetching vulnerabilities' "$$out"; then \
	  echo "vulncheck: SKIPPED: the vulnerability database is unreachable from this machine"; exit 0; \
	fi; exit $$rc

generate: tools ## regenerate the Go code from proto/ (and the Python stubs, if protoc 3.21 is installed)
	buf generate
	./scripts/genpython.sh --if-available

generate-python: ## regenerate the Python SDK's stubs (needs protobuf-compiler and protobuf-compiler-grpc)
	./scripts/genpython.sh

check-generate: generate ## fail if the committed generated code is stale
	@git diff --exit-code -- proto sdk/python/tradectl_strategy/trading || { echo "generated code is stale: run 'make generate' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- proto sdk/python/tradectl_strategy/trading)" || { git status --porcelain -- proto sdk/python/tradectl_strategy/trading; echo "untracked generated files"; exit 1; }

# What make web writes and check-web compares: the report page's and the
# dashboard's bundles, and the browser's TypeScript generated from proto/.
WEB_OUT := internal/report/assets server/internal/web/assets web/src/gen

web: $(BIN)/buf ## rebuild the browser code from web/ and proto/ (npm ci, protoc-gen-es, type check, esbuild) into internal/report/assets and server/internal/web/assets
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	buf generate --template web/buf.gen.yaml
	cd web && npm run build

check-web: web ## fail if the committed browser assets or generated TypeScript differ from what web/ and proto/ build
	@git diff --exit-code -- $(WEB_OUT) || { echo "browser assets are stale: run 'make web' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- $(WEB_OUT))" || { git status --porcelain -- $(WEB_OUT); echo "untracked browser assets"; exit 1; }

lint: tools ## buf lint, gofmt and go vet
	buf lint
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags hostile ./e2e/hostile/

tools: $(BIN)/buf $(BIN)/protoc-gen-go $(BIN)/protoc-gen-go-grpc ## install the code generators into ./bin

$(BIN)/buf:
	GOBIN=$(BIN) GOFLAGS= $(GO) install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
$(BIN)/protoc-gen-go:
	GOBIN=$(BIN) GOFLAGS= $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
$(BIN)/protoc-gen-go-grpc:
	GOBIN=$(BIN) GOFLAGS= $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
$(BIN)/govulncheck:
	GOBIN=$(BIN) GOFLAGS= $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)

clean: ## remove build outputs
	rm -rf $(BIN)
