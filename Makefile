# Switchyard: `make run` starts the local gateway, `make test` checks everything.
GO        ?= go
WASM      := dist/switchyard.wasm
WASM_PKG  := ./plugin/cmd/switchyard
WASM_SRCS := $(shell find plugin translate routing -name '*.go' -not -name '*_test.go' 2>/dev/null) go.mod go.sum

.PHONY: build test vet fmt-check unit e2e run bench clean

build: $(WASM)

$(WASM): $(WASM_SRCS)
	@mkdir -p dist
	GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -trimpath -ldflags='-s -w' -o $@ $(WASM_PKG)

test: vet fmt-check build unit

vet:
	$(GO) vet ./...
	GOOS=wasip1 GOARCH=wasm $(GO) vet ./plugin/... ./translate/... ./routing/...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# The official openai npm client used by e2e/scenarios (pinned by its package-lock.json); the
# scenario skips when node or the package is missing, so a failed install only warns.
NODE_CLIENT := e2e/scenarios/testdata/openai-client

$(NODE_CLIENT)/node_modules/.package-lock.json: $(NODE_CLIENT)/package-lock.json
	@if command -v npm >/dev/null; then cd $(NODE_CLIENT) && npm ci --no-audit --no-fund --silent || \
	  echo "warning: npm ci failed in $(NODE_CLIENT): the openai npm client scenario will be skipped"; \
	else echo "note: npm not found: the openai npm client scenario will be skipped"; fi

# Unit and e2e tests together: e2e tests load $(WASM) (SWITCHYARD_WASM overrides the path).
unit: build $(NODE_CLIENT)/node_modules/.package-lock.json
	SWITCHYARD_WASM=$(CURDIR)/$(WASM) $(GO) test -count=1 ./...

run: build
	$(GO) run ./e2e/cmd/gateway -wasm $(WASM)

bench: build
	SWITCHYARD_WASM=$(CURDIR)/$(WASM) $(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf dist
