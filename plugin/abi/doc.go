// Package abi is Switchyard's proxy-wasm ABI 0.2.1 binding for standard Go.
//
// The API mirrors the proxy-wasm-go-sdk's proxywasm package (same function names, the SDK's
// types package for contexts and actions) so plugin code reads like an ordinary SDK plugin. There
// are two builds of it:
//
//   - GOOS=wasip1: //go:wasmimport host calls and //go:wasmexport callbacks with our own context
//     dispatcher. The SDK's own host calls only compile under TinyGo, hence this package.
//   - every other GOOS: thin forwards to the SDK's proxywasm package, so the SDK's proxytest
//     emulator drives the plugin in plain `go test`.
//
// Both builds wrap the plugin's contexts in Guard: a panic in any callback is logged, the stream is
// answered with an OpenAI-style 500 and the VM keeps serving.
//
// Rules that keep the module loadable on Envoy and Kong (docs/host.md): no proxy_* call from
// init(); sizes and pointers crossing the ABI are 32-bit; proxy_get_log_level,
// proxy_get_header_map_size and proxy_get_buffer_status are never imported.
package abi
