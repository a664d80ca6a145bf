package routing

import "sync"

// configCache keeps recently parsed inline configs, keyed by the FNV-1a hash of their JSON and
// confirmed by comparing the JSON itself. Eviction is first-in first-out: configs are few and
// long-lived, so recency bookkeeping would cost more than it saves.
type configCache struct {
	mu   sync.Mutex
	m    map[uint64]*Config
	ring []uint64
	next int
	// byProvider keeps the header-only configs of requests without a key (FromHeaders).
	byProvider map[string]*Config
}

// inline parses an x-portkey-config JSON string, through the cache when it is on. s is a
// header value: an immutable string the config may keep referring to.
func (p *Parser) inline(s string) (*Config, error) {
	if p.CacheSize <= 0 {
		return p.parse(s, "")
	}
	h := fnv64a(s)
	cc := &p.cache
	cc.mu.Lock()
	c, ok := cc.m[h]
	cc.mu.Unlock()
	if ok && c.raw == s {
		return c, nil
	}
	c, err := p.parse(s, "")
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.m == nil {
		cc.m = make(map[uint64]*Config, p.CacheSize)
		cc.ring = make([]uint64, 0, p.CacheSize)
	}
	if _, present := cc.m[h]; present {
		cc.m[h] = c // a hash collision or a racing parse: the newest wins, the ring is unchanged
		return c, nil
	}
	if len(cc.ring) < p.CacheSize {
		cc.ring = append(cc.ring, h)
	} else {
		delete(cc.m, cc.ring[cc.next])
		cc.ring[cc.next] = h
		cc.next = (cc.next + 1) % len(cc.ring)
	}
	cc.m[h] = c
	return c, nil
}
