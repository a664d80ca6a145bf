package scenarios

import (
	"context"
	"strings"
	"testing"

	"switchyard/e2e/host"
)

// TestRealModuleStartsOnKongProfile links the real module against Kong
// ngx_wasm_module 0.6's import set and signatures (host.md §1.6: Kong's 18
// WASI functions, NYI traps, no proxy_get_log_level of the spec's shape) and
// serves a request there: a Go timer, a restricted import or a Kong-only
// trap in the request path fails it. Stream semantics stay Envoy's (the
// profile is about linking and the host functions' answers).
func TestRealModuleStartsOnKongProfile(t *testing.T) {
	ctx := context.Background()
	rt, err := host.NewRuntime(ctx, host.ProfileKong)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	m, err := rt.Compile(ctx, realModule(t))
	if err != nil {
		t.Fatalf("does not link on Kong: %v", err)
	}
	var logs strings.Builder
	p, err := m.NewPlugin(ctx, host.Config{Name: "switchyard", RootID: "switchyard", VMID: "switchyard",
		Configuration: pluginConfig(false), AllowOnHeadersStopIteration: true, Logger: func(_ int, msg string) { logs.WriteString(msg + "\n") }})
	if err != nil {
		t.Fatalf("does not start on Kong: %v\n%s", err, logs.String())
	}
	defer p.Close(ctx)
	sink := &nopSink{}
	s := p.NewStream(sink, host.StreamInfo{Protocol: "HTTP/1.1"})
	s.DecodeHeaders(benchHeaders(), false)
	s.DecodeData([]byte(chatBody), true)
	s.Finish()
	vm := p.VMs()[0]
	if !sink.reqH || vm.Failed() != nil || vm.PollCalls() != 0 || vm.SchedYieldCalls() != 0 {
		t.Fatalf("upstream %v, vm %v, poll_oneoff %d, sched_yield %d\n%s", sink.reqH, vm.Failed(), vm.PollCalls(), vm.SchedYieldCalls(), logs.String())
	}
}
