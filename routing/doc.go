// Package routing reads Portkey's routing config (x-portkey-config) and turns one request into
// a lazily produced sequence of upstream attempts: single, loadbalance (weighted, optionally
// sticky), fallback and conditional strategies, nested to any mix; retries with jittered
// exponential back-off and Retry-After; a request deadline; an optional cool-down of failing
// targets behind a store interface; and the bookkeeping for Portkey's response headers.
//
// It is pure Go (gjson and std): no proxy-wasm ABI, no Go timers; the clock, the random source
// and the cool-down store are injected. See README.md for the config and for where it
// deliberately differs from Portkey.
package routing
