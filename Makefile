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

# Unit and e2e tests together: e2e tests load $(WASM) (SWITCHYARD_WASM overrides the path).
unit: build
	SWITCHYARD_WASM=$(CURDIR)/$(WASM) $(GO) test -count=1 ./...

run: build
	$(GO) run ./e2e/cmd/gateway -wasm $(WASM)

bench: build
	SWITCHYARD_WASM=$(CURDIR)/$(WASM) $(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf dist
