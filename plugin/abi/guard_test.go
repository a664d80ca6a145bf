package abi

import (
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// panicky panics in the callback named by panicIn, but only for stream contexts listed in bad.
type panicky struct {
	types.DefaultVMContext
	types.DefaultPluginContext
	types.DefaultHttpContext
	panicIn string
	bad     map[uint32]bool
	id      uint32
	calls   *[]string
}

func (p *panicky) NewPluginContext(uint32) types.PluginContext { return p }
func (p *panicky) NewHttpContext(id uint32) types.HttpContext {
	c := *p
	c.id = id
	return &c
}

func (p *panicky) maybe(where string) {
	*p.calls = append(*p.calls, where)
	if p.bad[p.id] && p.panicIn == where {
		var m map[string]int
		m["boom"]++ // a runtime error, so its message is logged
	}
}

func (p *panicky) OnHttpRequestHeaders(int, bool) types.Action {
	p.maybe("headers")
	return types.ActionContinue
}

func (p *panicky) OnHttpResponseHeaders(int, bool) types.Action {
	p.maybe("response_headers")
	return types.ActionContinue
}

func (p *panicky) OnHttpStreamDone() { p.maybe("done") }

func newGuardHost(t *testing.T, vm types.VMContext) proxytest.HostEmulator {
	t.Helper()
	host, reset := proxytest.NewHostEmulator(proxytest.NewEmulatorOption().WithVMContext(Guard(vm)))
	t.Cleanup(reset)
	if st := host.StartPlugin(); st != types.OnPluginStartStatusOK {
		t.Fatal("plugin start failed")
	}
	return host
}

func TestGuardAnswers500AndKeepsServing(t *testing.T) {
	var calls []string
	vm := &panicky{panicIn: "headers", bad: map[uint32]bool{}, calls: &calls}
	host := newGuardHost(t, vm)

	id := host.InitializeHttpContext()
	vm.bad[id] = true
	if act := host.CallOnRequestHeaders(id, [][2]string{{":path", "/"}}, true); act != types.ActionPause {
		t.Fatalf("panicking callback returned %v, want Pause", act)
	}
	resp := host.GetSentLocalResponse(id)
	if resp == nil || resp.StatusCode != 500 || string(resp.Data) != InternalErrorBody || resp.GRPCStatus != -1 {
		t.Fatalf("local response %+v", resp)
	}
	if len(resp.Headers) != 1 || resp.Headers[0] != [2]string{"content-type", "application/json"} {
		t.Fatalf("local response headers %q", resp.Headers)
	}
	// The local reply travels through this filter's response path: it must pass untouched and the
	// failed stream's code must not run again.
	if act := host.CallOnResponseHeaders(id, [][2]string{{":status", "500"}}, false); act != types.ActionContinue {
		t.Fatalf("response headers after failure: %v", act)
	}
	host.CompleteHttpContext(id)
	if strings.Join(calls, ",") != "headers" {
		t.Fatalf("callbacks after the panic ran: %q", calls)
	}
	logs := strings.Join(host.GetErrorLogs(), "\n")
	if !strings.Contains(logs, "recovered panic in OnHttpRequestHeaders: assignment to entry in nil map") {
		t.Fatalf("error log %q", logs)
	}

	calls = calls[:0]
	next := host.InitializeHttpContext()
	if act := host.CallOnRequestHeaders(next, [][2]string{{":path", "/"}}, true); act != types.ActionContinue {
		t.Fatalf("next request: %v", act)
	}
	if host.GetSentLocalResponse(next) != nil {
		t.Fatal("next request got a local response")
	}
	host.CompleteHttpContext(next)
	if strings.Join(calls, ",") != "headers,done" {
		t.Fatalf("next request callbacks %q", calls)
	}
}

type plainPanic struct{ types.DefaultVMContext }

func (*plainPanic) OnVMStart(int) types.OnVMStartStatus { panic("secret sk-should-not-be-logged") }

func TestGuardDoesNotLogPanicValues(t *testing.T) {
	host, reset := proxytest.NewHostEmulator(proxytest.NewEmulatorOption().WithVMContext(Guard(&plainPanic{})))
	defer reset()
	if st := host.StartVM(); st != types.OnVMStartStatusFailed {
		t.Fatal("OnVMStart panic must fail the VM start")
	}
	logs := strings.Join(host.GetErrorLogs(), "\n")
	if !strings.Contains(logs, "recovered panic in OnVMStart: non-error value (not logged)") || strings.Contains(logs, "sk-should") {
		t.Fatalf("error log %q", logs)
	}
}

// callouter dispatches an http call from the request headers; the callback panics.
type callouter struct {
	types.DefaultVMContext
	types.DefaultPluginContext
	types.DefaultHttpContext
}

func (c *callouter) NewPluginContext(uint32) types.PluginContext { return c }
func (c *callouter) NewHttpContext(uint32) types.HttpContext     { return c }
func (c *callouter) OnHttpRequestHeaders(int, bool) types.Action {
	_, err := DispatchHttpCall("cluster", [][2]string{{":method", "GET"}, {":path", "/"}, {":authority", "x"}},
		nil, nil, 1000, func(int, int, int) {
			var s []int
			_ = s[3]
		})
	if err != nil {
		panic(err)
	}
	return types.ActionPause
}

func TestGuardCalloutPanicAnswersCaller(t *testing.T) {
	host := newGuardHost(t, &callouter{})
	id := host.InitializeHttpContext()
	if act := host.CallOnRequestHeaders(id, nil, true); act != types.ActionPause {
		t.Fatalf("headers: %v", act)
	}
	callouts := host.GetCalloutAttributesFromContext(id)
	if len(callouts) != 1 {
		t.Fatalf("callouts %+v", callouts)
	}
	host.CallOnHttpCallResponse(callouts[0].CalloutID, [][2]string{{":status", "200"}}, nil, []byte("ok"))
	resp := host.GetSentLocalResponse(id)
	if resp == nil || resp.StatusCode != 500 || string(resp.Data) != InternalErrorBody {
		t.Fatalf("local response %+v", resp)
	}
	if logs := strings.Join(host.GetErrorLogs(), "\n"); !strings.Contains(logs, "recovered panic in http call response: runtime error: index out of range") {
		t.Fatalf("error log %q", logs)
	}
}

type brokenCtor struct {
	types.DefaultVMContext
	types.DefaultPluginContext
	n int
}

func (b *brokenCtor) NewPluginContext(uint32) types.PluginContext { return b }
func (b *brokenCtor) NewHttpContext(uint32) types.HttpContext {
	b.n++
	if b.n == 1 {
		var s []int
		_ = s[b.n]
	}
	return &types.DefaultHttpContext{}
}

func TestGuardConstructorPanicAnswersAtFirstCallback(t *testing.T) {
	host := newGuardHost(t, &brokenCtor{})
	id := host.InitializeHttpContext()
	if host.GetSentLocalResponse(id) != nil {
		t.Fatal("replied while the context was being created")
	}
	if act := host.CallOnRequestHeaders(id, nil, false); act != types.ActionPause {
		t.Fatalf("first callback: %v", act)
	}
	if r := host.GetSentLocalResponse(id); r == nil || r.StatusCode != 500 || string(r.Data) != InternalErrorBody {
		t.Fatalf("reply %+v", r)
	}
	if act := host.CallOnRequestBody(id, []byte("x"), true); act != types.ActionContinue {
		t.Fatalf("later callback: %v", act)
	}
	host.CompleteHttpContext(id)
	next := host.InitializeHttpContext()
	if act := host.CallOnRequestHeaders(next, nil, true); act != types.ActionContinue || host.GetSentLocalResponse(next) != nil {
		t.Fatalf("next stream: %v", act)
	}
}
