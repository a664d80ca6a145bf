// Command switchyard is the proxy-wasm module: build it with
// GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared ./plugin/cmd/switchyard.
package main

import (
	"switchyard/plugin"
	"switchyard/plugin/abi"
)

// Registration only records the constructor: init runs inside _initialize, where Envoy traps
// every proxy_* call except proxy_log.
func init() { abi.RegisterVMContext(plugin.NewVMContext) }

// main never runs in a c-shared (reactor) module; the host drives it through the exports.
func main() {}
