package routing

import (
	"strconv"
	"time"
)

// markCooling sets f.skip to the children in cool-down. When every child is cooling the group
// tries them all anyway: a request is better served by a doubtful target than by none
// (Portkey's circuit breaker does the same).
func (p *Plan) markCooling(f *frame) {
	if p.store == nil {
		return
	}
	nowMs := p.now().UnixMilli()
	var skip uint64
	for i, c := range f.t.Targets {
		if p.isDown(c, nowMs) {
			skip |= 1 << uint(i)
		}
	}
	// For 64 children the shift yields 0 and the mask all ones, as wanted.
	if skip == (uint64(1)<<uint(len(f.t.Targets)))-1 {
		skip = 0
	}
	f.skip = skip
}

// isDown: a leaf cooling down, or a group whose every child is down.
func (p *Plan) isDown(t *Target, nowMs int64) bool {
	if t.Mode == ModeLeaf {
		st, ok := p.store.Get(p.coolKey(t))
		return ok && st.Until > nowMs
	}
	for _, c := range t.Targets {
		if !p.isDown(c, nowMs) {
			return false
		}
	}
	return true
}

// coolKey is "<config id>|<target path>" (id "h:<hex hash>" for an inline config), built in a
// reused buffer.
func (p *Plan) coolKey(t *Target) []byte {
	if p.cfg.id != "" {
		p.keybuf = append(p.keybuf[:0], p.cfg.id...)
	} else {
		p.keybuf = append(p.keybuf[:0], 'h', ':')
		p.keybuf = strconv.AppendUint(p.keybuf, p.cfg.hash, 16)
	}
	p.keybuf = append(p.keybuf, '|')
	p.keybuf = append(p.keybuf, t.Path...)
	return p.keybuf
}

func (p *Plan) recordCooldown(t *Target, failed bool, now time.Time) {
	key := p.coolKey(t)
	st, _ := p.store.Get(key)
	if p.cool.record(&st, failed, now.UnixMilli()) {
		p.store.Put(key, st)
	}
}
