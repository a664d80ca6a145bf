package host

import (
	"sync"
)

// sharedStore is the shared data and queues of one vm_id, shared by every
// VM (worker) of that vm_id (cpp-host shared_data.cc / shared_queue.cc).
type sharedStore struct {
	mu      sync.Mutex
	data    map[string]sharedValue
	cas     uint32
	queues  map[string]uint32
	byToken map[uint32]*sharedQueue
	nextQ   uint32
}

type sharedValue struct {
	v   []byte
	cas uint32
}

type sharedQueue struct {
	owner *VM
	items [][]byte
}

func newSharedStore() *sharedStore {
	return &sharedStore{data: map[string]sharedValue{}, cas: 1, queues: map[string]uint32{},
		byToken: map[uint32]*sharedQueue{}, nextQ: 1}
}

func (st *sharedStore) nextCas() uint32 {
	c := st.cas
	st.cas++
	if st.cas == 0 {
		st.cas++
	}
	return c
}

func proxyGetSharedData(vm *VM, s []uint64) {
	key, ok := vm.readString(uint32(s[0]), uint32(s[1]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	st := vm.plugin.shared
	st.mu.Lock()
	v, found := st.data[key]
	st.mu.Unlock()
	if !found {
		s[0] = statusNotFound
		return
	}
	if !vm.mem.WriteUint32Le(uint32(s[4]), v.cas) {
		s[0] = statusInvalidMemoryAccess
		return
	}
	s[0] = uint64(vm.copyOut(v.v, uint32(s[2]), uint32(s[3])))
}

func proxySetSharedData(vm *VM, s []uint64) {
	key, ok1 := vm.readString(uint32(s[0]), uint32(s[1]))
	val, ok2 := vm.read(uint32(s[2]), uint32(s[3]))
	if !ok1 || !ok2 {
		s[0] = statusInvalidMemoryAccess
		return
	}
	cas := uint32(s[4])
	st := vm.plugin.shared
	st.mu.Lock()
	defer st.mu.Unlock()
	if cur, found := st.data[key]; found && cas != 0 && cas != cur.cas {
		s[0] = statusCasMismatch
		return
	}
	st.data[key] = sharedValue{v: append([]byte(nil), val...), cas: st.nextCas()}
	s[0] = statusOk
}

func proxyRegisterSharedQueue(vm *VM, s []uint64) {
	name, ok := vm.readString(uint32(s[0]), uint32(s[1]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	st := vm.plugin.shared
	st.mu.Lock()
	tok, found := st.queues[name]
	if !found {
		tok = st.nextQ
		st.nextQ++
		st.queues[name] = tok
		st.byToken[tok] = &sharedQueue{}
	}
	st.byToken[tok].owner = vm
	st.mu.Unlock()
	if !vm.mem.WriteUint32Le(uint32(s[2]), tok) {
		s[0] = statusInvalidMemoryAccess
		return
	}
	s[0] = statusOk
}

func proxyResolveSharedQueue(vm *VM, s []uint64) {
	vmID, ok1 := vm.readString(uint32(s[0]), uint32(s[1]))
	name, ok2 := vm.readString(uint32(s[2]), uint32(s[3]))
	if !ok1 || !ok2 {
		s[0] = statusInvalidMemoryAccess
		return
	}
	st := vm.plugin.mod.rt.sharedFor(vmID)
	if vmID == "" {
		st = vm.plugin.shared
	}
	st.mu.Lock()
	tok, found := st.queues[name]
	st.mu.Unlock()
	if !found {
		s[0] = statusNotFound
		return
	}
	if !vm.mem.WriteUint32Le(uint32(s[4]), tok) {
		s[0] = statusInvalidMemoryAccess
		return
	}
	s[0] = statusOk
}

func proxyDequeueSharedQueue(vm *VM, s []uint64) {
	st := vm.plugin.shared
	st.mu.Lock()
	q, found := st.byToken[uint32(s[0])]
	var item []byte
	empty := true
	if found && len(q.items) > 0 {
		item, q.items, empty = q.items[0], q.items[1:], false
	}
	st.mu.Unlock()
	switch {
	case !found:
		s[0] = statusNotFound
	case empty:
		s[0] = statusEmpty
	default:
		s[0] = uint64(vm.copyOut(item, uint32(s[1]), uint32(s[2])))
	}
}

// proxyEnqueueSharedQueue appends and wakes the registering VM's root
// context with proxy_on_queue_ready, on another goroutine (Envoy posts it to
// the owner's dispatcher).
func proxyEnqueueSharedQueue(vm *VM, s []uint64) {
	val, ok := vm.read(uint32(s[1]), uint32(s[2]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	tok := uint32(s[0])
	st := vm.plugin.shared
	st.mu.Lock()
	q, found := st.byToken[tok]
	if found {
		q.items = append(q.items, append([]byte(nil), val...))
	}
	st.mu.Unlock()
	if !found {
		s[0] = statusNotFound
		return
	}
	owner := q.owner
	go owner.async(func() {
		owner.callCtx(owner.fnQueueReady, owner.rootID, uint64(owner.rootID), uint64(tok))
	})
	s[0] = statusOk
}

// async runs fn with the VM locked on behalf of a host event, then wakes
// streams that got deferred actions.
func (vm *VM) async(fn func()) {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	if vm.closed || vm.failed != nil {
		return
	}
	fn()
	vm.notifyTouchedLocked()
}
