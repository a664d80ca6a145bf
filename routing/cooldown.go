package routing

import (
	"encoding/binary"
	"sync"
	"time"
)

// Cooldown takes a failing target out of rotation for a while: Failures failures within Window
// make the target skipped for Duration. The zero value is off.
type Cooldown struct {
	Failures int
	Window   time.Duration
	Duration time.Duration
}

func (c Cooldown) enabled() bool { return c.Failures > 0 && c.Duration > 0 }

// CooldownState is what the store keeps per target. Times are unix milliseconds.
type CooldownState struct {
	Failures    uint32
	WindowStart int64
	Until       int64
}

// CooldownStore keeps cool-down state; the plugin backs it with proxy-wasm shared data so every
// VM sees the same state (a lost update under a race only delays a cool-down by one failure).
// key is valid only during the call: a store that keeps it must copy it.
type CooldownStore interface {
	Get(key []byte) (CooldownState, bool)
	Put(key []byte, st CooldownState)
}

// AppendBinary encodes s in 20 bytes, for stores that hold bytes (proxy-wasm shared data).
func (s CooldownState) AppendBinary(dst []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, s.Failures)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(s.WindowStart))
	return binary.LittleEndian.AppendUint64(dst, uint64(s.Until))
}

// DecodeCooldownState reverses AppendBinary.
func DecodeCooldownState(b []byte) (CooldownState, bool) {
	if len(b) != 20 {
		return CooldownState{}, false
	}
	return CooldownState{
		Failures:    binary.LittleEndian.Uint32(b),
		WindowStart: int64(binary.LittleEndian.Uint64(b[4:])),
		Until:       int64(binary.LittleEndian.Uint64(b[12:])),
	}, true
}

// MemoryCooldown is an in-process CooldownStore (tests, single-VM hosts). Values sit behind
// pointers so updating a known key allocates nothing.
type MemoryCooldown struct {
	mu sync.Mutex
	m  map[string]*CooldownState
}

func (s *MemoryCooldown) Get(key []byte) (CooldownState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.m[string(key)]; ok {
		return *st, true
	}
	return CooldownState{}, false
}

func (s *MemoryCooldown) Put(key []byte, st CooldownState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.m[string(key)]; ok {
		*p = st
		return
	}
	if s.m == nil {
		s.m = make(map[string]*CooldownState)
	}
	p := new(CooldownState) // not &st: that would move st to the heap on every call
	*p = st
	s.m[string(key)] = p
}

// record folds one attempt's result into st; it reports whether st changed.
func (c Cooldown) record(st *CooldownState, failed bool, nowMs int64) bool {
	if !failed {
		if st.Failures == 0 {
			return false
		}
		st.Failures, st.WindowStart = 0, 0
		return true
	}
	if st.Failures == 0 || nowMs-st.WindowStart > c.Window.Milliseconds() {
		st.Failures, st.WindowStart = 0, nowMs
	}
	st.Failures++
	if int(st.Failures) >= c.Failures {
		st.Until = nowMs + c.Duration.Milliseconds()
		st.Failures, st.WindowStart = 0, 0
	}
	return true
}
