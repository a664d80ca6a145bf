package host

import (
	"errors"
	"fmt"
	"time"
)

// EventKind names what a trace Event reports.
type EventKind string

const (
	// EventCallback: the host called a guest export (Name) on Context with
	// Args; Result is its return value (0 for none).
	EventCallback EventKind = "callback"
	// EventForeign: the guest called proxy_call_foreign_function(Name).
	EventForeign EventKind = "foreign"
	// EventHTTPCall: the guest dispatched proxy_http_call to cluster Name;
	// Token is the id the host returned.
	EventHTTPCall EventKind = "http_call"
	// EventSetEffectiveContext: the guest asked for Context; Result is the
	// status the host answered.
	EventSetEffectiveContext EventKind = "set_effective_context"
)

// Event is one traced interaction (Config.Trace).
type Event struct {
	Kind      EventKind
	Name      string
	Context   uint32
	Args      []uint64
	Result    uint64
	Token     uint32
	Headers   *Headers
	Body      []byte
	TimeoutMs uint32
}

// RootContextID is the id of the VM's root context.
func (vm *VM) RootContextID() uint32 {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	return vm.rootID
}

// SchedYieldCalls counts sched_yield calls answered by Kong's WASI.
func (vm *VM) SchedYieldCalls() int {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	return vm.yieldCalls
}

// TickPeriod is the period the root context last set (0: no tick).
func (vm *VM) TickPeriod() time.Duration {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	return vm.tick.period
}

// Tick fires proxy_on_tick on the root context now (with Config.ManualTicks
// it is the only way ticks happen).
func (vm *VM) Tick() {
	vm.async(func() { vm.callCtx(vm.fnTick, vm.rootID, uint64(vm.rootID)) })
}

// CallGuest calls the guest export name with args, with args[0] as the
// effective context, the way the host calls any callback (a trap fails the
// VM). Envoy never calls a callback on a context it did not create: this is
// for tests of how a module copes with hosts that do.
func (vm *VM) CallGuest(name string, args ...uint64) (uint64, error) {
	vm.mu.Lock()
	defer func() {
		vm.notifyTouchedLocked()
		vm.mu.Unlock()
	}()
	if vm.closed {
		return 0, errors.New("host: VM closed")
	}
	fn := vm.mod.ExportedFunction(name)
	if fn == nil {
		return 0, fmt.Errorf("host: module does not export %s", name)
	}
	id := vm.rootID
	if len(args) > 0 {
		id = uint32(args[0])
	}
	return vm.callCtx(fn, id, args...)
}
