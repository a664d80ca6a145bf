package host

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// VM is one instance of the module (Envoy: one per worker thread). Every call
// into it is serialised by mu, like a worker thread runs one callback at a time.
type VM struct {
	plugin *Plugin
	index  int
	mod    api.Module
	mem    api.Memory
	ctx    context.Context

	mu     sync.Mutex
	phase  phase
	failed error
	stack  []uint64

	fnAlloc, fnContextCreate, fnVMStart, fnConfigure              api.Function
	fnReqHeaders, fnReqBody, fnReqTrailers                        api.Function
	fnRespHeaders, fnRespBody, fnRespTrailers                     api.Function
	fnLog, fnDone, fnDelete, fnTick, fnHTTPCallResp, fnQueueReady api.Function

	nextContextID uint32
	rootID        uint32
	streams       map[uint32]*Stream
	effective     uint32 // context the current hostcall acts on
	touched       []*Stream

	statusCode uint32
	statusMsg  string

	configAvailable bool
	callout         *calloutResponse
	nextToken       uint32
	calloutsWG      sync.WaitGroup

	metricIDs  map[string]uint32
	metrics    map[uint32]*metric
	nextMetric [3]uint32

	tick tickState

	pollCalls  int
	yieldCalls int
	scratch    []byte
	closed     bool
}

// newVM instantiates, runs _initialize (restricted) and starts the root
// context (on_context_create, on_vm_start, on_configure).
func (p *Plugin) newVM(ctx context.Context, index int) (*VM, error) {
	vm := &VM{plugin: p, index: index, stack: make([]uint64, 8), streams: map[uint32]*Stream{},
		metricIDs: map[string]uint32{}, metrics: map[uint32]*metric{}, nextContextID: 1}
	vm.ctx = context.WithValue(context.Background(), vmKey{}, vm)
	for i := range vm.nextMetric {
		vm.nextMetric[i] = 4 + uint32(i)
	}
	mod, err := p.mod.rt.rt.InstantiateModule(vm.ctx, p.mod.cm,
		wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		return nil, fmt.Errorf("host: instantiate: %w", err)
	}
	vm.mod, vm.mem = mod, mod.Memory()
	if vm.mem == nil {
		mod.Close(ctx)
		return nil, errors.New("host: module exports no memory")
	}
	get := func(name string) api.Function { return mod.ExportedFunction(name) }
	vm.fnAlloc = get("malloc")
	if vm.fnAlloc == nil {
		vm.fnAlloc = get("proxy_on_memory_allocate")
	}
	vm.fnContextCreate, vm.fnVMStart, vm.fnConfigure = get("proxy_on_context_create"), get("proxy_on_vm_start"), get("proxy_on_configure")
	vm.fnReqHeaders, vm.fnReqBody, vm.fnReqTrailers = get("proxy_on_request_headers"), get("proxy_on_request_body"), get("proxy_on_request_trailers")
	vm.fnRespHeaders, vm.fnRespBody, vm.fnRespTrailers = get("proxy_on_response_headers"), get("proxy_on_response_body"), get("proxy_on_response_trailers")
	vm.fnLog, vm.fnDone, vm.fnDelete = get("proxy_on_log"), get("proxy_on_done"), get("proxy_on_delete")
	vm.fnTick, vm.fnHTTPCallResp, vm.fnQueueReady = get("proxy_on_tick"), get("proxy_on_http_call_response"), get("proxy_on_queue_ready")

	vm.mu.Lock()
	defer vm.mu.Unlock()
	if err := vm.startLocked(); err != nil {
		mod.Close(ctx)
		return nil, err
	}
	if err := vm.startRootLocked(); err != nil {
		vm.closeLocked(ctx)
		return nil, err
	}
	return vm, nil
}

// startLocked runs the module's start functions in the restricted phase
// (cpp-host WasmBase::startVm).
func (vm *VM) startLocked() error {
	vm.phase = phaseStart
	defer func() { vm.phase = phaseNormal }()
	if init := vm.mod.ExportedFunction("_initialize"); init != nil {
		if _, err := vm.callLocked(init); err != nil {
			return fmt.Errorf("host: _initialize: %w", err)
		}
		if m := vm.mod.ExportedFunction("main"); m != nil {
			if _, err := vm.callLocked(m, 0, 0); err != nil {
				return fmt.Errorf("host: main: %w", err)
			}
		} else if m := vm.mod.ExportedFunction("__main_void"); m != nil {
			if _, err := vm.callLocked(m); err != nil {
				return fmt.Errorf("host: __main_void: %w", err)
			}
		}
	} else if s := vm.mod.ExportedFunction("_start"); s != nil {
		if _, err := vm.callLocked(s); err != nil {
			return fmt.Errorf("host: _start: %w", err)
		}
	}
	return nil
}

func (vm *VM) startRootLocked() error {
	vm.rootID = vm.nextContextID
	vm.nextContextID++
	cfg := &vm.plugin.cfg
	if _, err := vm.callCtx(vm.fnContextCreate, vm.rootID, uint64(vm.rootID), 0); err != nil {
		return fmt.Errorf("host: proxy_on_context_create(root): %w", err)
	}
	if vm.fnVMStart != nil {
		r, err := vm.callCtx(vm.fnVMStart, vm.rootID, uint64(vm.rootID), uint64(len(cfg.VMConfiguration)))
		if err != nil {
			return fmt.Errorf("host: proxy_on_vm_start: %w", err)
		}
		if uint32(r) == 0 {
			return errors.New("host: Failed to start base Wasm (proxy_on_vm_start returned 0)")
		}
	}
	if vm.fnConfigure != nil {
		vm.configAvailable = true
		r, err := vm.callCtx(vm.fnConfigure, vm.rootID, uint64(vm.rootID), uint64(len(cfg.Configuration)))
		vm.configAvailable = false
		if err != nil {
			return fmt.Errorf("host: proxy_on_configure: %w", err)
		}
		if uint32(r) == 0 {
			return errors.New("host: Failed to configure base Wasm plugin (proxy_on_configure returned 0)")
		}
	}
	return nil
}

// callLocked calls fn with args; a trap marks the VM failed for good.
func (vm *VM) callLocked(fn api.Function, args ...uint64) (uint64, error) {
	if vm.failed != nil {
		return 0, vm.failed
	}
	if fn == nil {
		return 0, nil
	}
	st := vm.stack
	n := len(fn.Definition().ParamTypes())
	if r := len(fn.Definition().ResultTypes()); r > n {
		n = r
	}
	if n > len(st) {
		st = make([]uint64, n)
		vm.stack = st
	}
	copy(st, args)
	if err := fn.CallWithStack(vm.ctx, st); err != nil {
		vm.fail(fmt.Errorf("Function: %s failed: %w", fn.Definition().Name(), err))
		return 0, vm.failed
	}
	var r uint64
	if len(fn.Definition().ResultTypes()) > 0 {
		r = st[0]
	}
	if vm.plugin.cfg.Trace != nil {
		name := fn.Definition().Name()
		if ex := fn.Definition().ExportNames(); len(ex) > 0 {
			name = ex[0] // a stripped module has no name section
		}
		vm.plugin.cfg.Trace(Event{Kind: EventCallback, Name: name, Context: vm.effective,
			Args: append([]uint64(nil), args...), Result: r})
	}
	return r, nil
}

// callCtx calls fn on behalf of context id (sets the effective context for
// the duration of the call, like cpp-host's DeferAfterCallActions scope).
func (vm *VM) callCtx(fn api.Function, id uint32, args ...uint64) (uint64, error) {
	prev := vm.effective
	vm.effective = id
	r, err := vm.callLocked(fn, args...)
	vm.effective = prev
	return r, err
}

// fail marks the VM failed (Envoy: fail-closed; every stream gets 503).
func (vm *VM) fail(err error) {
	if vm.failed != nil {
		return
	}
	vm.failed = err
	vm.plugin.logf(LogCritical, "wasm vm failed: "+err.Error())
	for _, s := range vm.streams {
		s.vmFailed = true
		vm.touch(s)
	}
}

// Failed reports the trap that failed the VM, if any.
func (vm *VM) Failed() error {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	return vm.failed
}

// PollCalls counts poll_oneoff calls (tests check the module never sleeps).
func (vm *VM) PollCalls() int {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	return vm.pollCalls
}

// MemoryPages is the guest's linear memory size in 64 KiB pages.
func (vm *VM) MemoryPages() uint32 { return vm.mem.Size() / 65536 }

func (vm *VM) log(level int, msg string) { vm.plugin.logf(level, msg) }

// allocLocked asks the guest for size bytes in the restricted allocation
// phase; a trap inside the allocator aborts the surrounding guest call.
func (vm *VM) allocLocked(size uint32) (uint32, bool) {
	prev := vm.phase
	vm.phase = phaseAlloc
	// The allocator runs re-entrantly inside a hostcall: use its own stack.
	var local [2]uint64
	local[0] = uint64(size)
	err := vm.fnAlloc.CallWithStack(vm.ctx, local[:])
	vm.phase = prev
	if err != nil {
		panic(err)
	}
	ptr := uint32(local[0])
	return ptr, ptr != 0
}

// copyOut allocates data in the guest and writes (ptr, len) to the two
// out-pointers; empty data is reported as (0, 0) without an allocation.
func (vm *VM) copyOut(data []byte, ptrPtr, lenPtr uint32) uint32 {
	if len(data) == 0 {
		if !vm.mem.WriteUint32Le(ptrPtr, 0) || !vm.mem.WriteUint32Le(lenPtr, 0) {
			return statusInvalidMemoryAccess
		}
		return statusOk
	}
	ptr, ok := vm.allocLocked(uint32(len(data)))
	if !ok || !vm.mem.Write(ptr, data) {
		return statusInvalidMemoryAccess
	}
	if !vm.mem.WriteUint32Le(ptrPtr, ptr) || !vm.mem.WriteUint32Le(lenPtr, uint32(len(data))) {
		return statusInvalidMemoryAccess
	}
	return statusOk
}

func (vm *VM) copyOutString(s string, ptrPtr, lenPtr uint32) uint32 {
	if len(s) == 0 {
		return vm.copyOut(nil, ptrPtr, lenPtr)
	}
	ptr, ok := vm.allocLocked(uint32(len(s)))
	if !ok || !vm.mem.WriteString(ptr, s) {
		return statusInvalidMemoryAccess
	}
	if !vm.mem.WriteUint32Le(ptrPtr, ptr) || !vm.mem.WriteUint32Le(lenPtr, uint32(len(s))) {
		return statusInvalidMemoryAccess
	}
	return statusOk
}

// touch records a stream whose deferred actions must be handed to its
// request goroutine after the current guest call.
func (vm *VM) touch(s *Stream) {
	for _, t := range vm.touched {
		if t == s {
			return
		}
	}
	vm.touched = append(vm.touched, s)
}

// notifyTouchedLocked wakes request goroutines of streams that received
// deferred actions from an asynchronous callback (callout, tick, queue).
func (vm *VM) notifyTouchedLocked() {
	for _, s := range vm.touched {
		s.signal()
	}
	vm.touched = vm.touched[:0]
}

func (vm *VM) close(ctx context.Context) {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	vm.closeLocked(ctx)
}

func (vm *VM) closeLocked(ctx context.Context) {
	if vm.closed {
		return
	}
	vm.closed = true
	vm.tick.stop()
	vm.mod.Close(ctx)
}
