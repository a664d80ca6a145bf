package routing

import (
	"math/rand/v2"
	"time"
	"unsafe"
)

// RequestInfo is what routing reads from the request.
type RequestInfo struct {
	// Metadata is the x-portkey-metadata JSON object (conditions on metadata.*).
	Metadata []byte
	// Body is the request body JSON (conditions on params.*). It is read lazily, so it must
	// stay unchanged while the plan is in use.
	Body []byte
	// Path is the request's URL path without the query (url.pathname).
	Path    string
	TraceID string
	// Deadline is the request's total deadline; zero = none.
	Deadline time.Time
	// RequestTimeout (x-portkey-request-timeout, ms) beats every target's request_timeout, as
	// in Portkey; 0 = none.
	RequestTimeout int64
}

// Deps are the plan's outside world, injected so routing stays deterministic in tests and never
// arms a Go timer inside the wasm module.
type Deps struct {
	Rand    func() float64   // uniform in [0,1); nil = math/rand/v2
	Now     func() time.Time // nil = time.Now
	Backoff Backoff
	// Cooldown is off unless both the policy and the store are set.
	Cooldown      Cooldown
	CooldownStore CooldownStore
}

// Outcome is the result of one attempt, reported with Plan.Report.
type Outcome struct {
	// Status is the upstream HTTP status (0 with ConnFailure when no response came).
	Status int
	// Header returns a response header by lower-case name; it is only called during Report.
	Header func(name string) string
	// ConnFailure: no usable response (connect error, reset, upstream timeout without status).
	// It counts as a 503: retried by default and a reason to fall back.
	ConnFailure bool
	// GatewayError: the gateway itself failed (bad translation, missing credential). It ends
	// the plan, as Portkey's x-portkey-gateway-exception ends its fallback loop.
	GatewayError bool
}

// ConnFailureStatus is the status a connection failure counts as.
const ConnFailureStatus = 503

// Attempt is one upstream call to make.
type Attempt struct {
	*Target // the leaf: provider, credentials, options, effective settings, Path
	// Try is the call number on this target: 0 first, n the n-th retry.
	Try int
	// Timeout is request_timeout capped by the time left before the deadline; 0 = none.
	Timeout time.Duration
}

type frame struct {
	t       *Target
	entered bool
	child   int
	skip    uint64 // children in cool-down
	// Leaf state.
	tries   int
	final   bool
	readyAt time.Time
	raSpent time.Duration
}

// Plan walks a config for one request. It produces attempts lazily: Next gives an attempt and
// how long to wait before sending it, Report feeds back its outcome, and so on until Next
// reports false. A Plan is not safe for concurrent use.
type Plan struct {
	cfg      *Config
	ctx      queryCtx
	timeout  int64
	traceID  string
	deadline time.Time
	rnd      func() float64
	now      func() time.Time
	backoff  Backoff
	cool     Cooldown
	store    CooldownStore

	stack [MaxDepth + 1]frame
	sp    int

	started, pending, stop, done bool

	lastStatus int
	lastOK     bool
	path       string
	retries    int
	calls      int
	err        error
	keybuf     []byte
}

// NewPlan starts routing one request.
func NewPlan(cfg *Config, req RequestInfo, deps Deps) *Plan {
	p := new(Plan)
	p.Init(cfg, req, deps)
	return p
}

// Init (re)starts p for a request, so a caller can reuse one Plan per VM context.
func (p *Plan) Init(cfg *Config, req RequestInfo, deps Deps) {
	keybuf := p.keybuf[:0]
	*p = Plan{
		cfg:      cfg,
		ctx:      queryCtx{metadata: bytesView(req.Metadata), body: bytesView(req.Body), path: req.Path},
		traceID:  req.TraceID,
		deadline: req.Deadline,
		timeout:  req.RequestTimeout,
		rnd:      deps.Rand,
		now:      deps.Now,
		backoff:  deps.Backoff.withDefaults(),
		keybuf:   keybuf,
	}
	if p.rnd == nil {
		p.rnd = rand.Float64
	}
	if p.now == nil {
		p.now = time.Now
	}
	if deps.Cooldown.enabled() && deps.CooldownStore != nil {
		p.cool, p.store = deps.Cooldown, deps.CooldownStore
	}
}

func bytesView(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Next returns the next attempt and how long to wait before sending it. ok is false when the
// plan is over: the last reported outcome is the answer, or Err says why there is none. Calling
// Next again before reporting the previous attempt returns false.
func (p *Plan) Next() (a Attempt, wait time.Duration, ok bool) {
	if p.done || p.pending {
		return Attempt{}, 0, false
	}
	for {
		if p.sp == 0 {
			if p.started {
				p.done = true
				return Attempt{}, 0, false
			}
			p.started = true
			if p.cfg == nil || p.cfg.root == nil {
				return p.fail(&RouteError{Path: "config", Msg: "no config"})
			}
			if p.cfg.headerProvider && p.cfg.root.Provider == "" {
				return p.fail(&RouteError{Path: "config", Msg: "the config names no provider: set provider, virtual_key, or strategy and targets, or send x-portkey-provider"})
			}
			p.push(p.cfg.root)
			continue
		}
		f := &p.stack[p.sp-1]
		if f.t.Mode == ModeLeaf {
			if f.final || p.stop {
				p.sp--
				continue
			}
			now := p.now()
			if f.tries > 0 {
				if wait = f.readyAt.Sub(now); wait < 0 {
					wait = 0
				}
			}
			start := now.Add(wait)
			if !p.deadline.IsZero() && !start.Before(p.deadline) {
				if f.tries > 0 {
					p.retries = -1
				}
				return p.fail(ErrDeadline)
			}
			f.tries++
			p.pending = true
			p.calls++
			a = Attempt{Target: f.t, Try: f.tries - 1}
			if ms := p.timeout; ms > 0 {
				a.Timeout = time.Duration(ms) * time.Millisecond
			} else if ms = f.t.RequestTimeout; ms > 0 {
				a.Timeout = time.Duration(ms) * time.Millisecond
			}
			if !p.deadline.IsZero() {
				if left := p.deadline.Sub(start); a.Timeout == 0 || left < a.Timeout {
					a.Timeout = left
				}
			}
			return a, wait, true
		}
		if !f.entered {
			f.entered = true
			idx, err := p.first(f)
			if err != nil {
				return p.fail(err)
			}
			f.child = idx
			p.push(f.t.Targets[idx])
			continue
		}
		// A child finished: only a fallback may try another.
		if f.t.Mode == ModeFallback && !p.stop && p.fallsBack(f.t) {
			if idx, ok := nextHealthy(f, f.child+1); ok {
				f.child = idx
				p.push(f.t.Targets[idx])
				continue
			}
		}
		p.sp--
	}
}

func (p *Plan) fail(err error) (Attempt, time.Duration, bool) {
	p.err = err
	p.done = true
	return Attempt{}, 0, false
}

func (p *Plan) push(t *Target) {
	p.stack[p.sp] = frame{t: t}
	p.sp++
}

// fallsBack decides whether a fallback group moves on after the outcome just reported: on a
// listed status when strategy.on_status_codes is set, else on anything but 2xx (Portkey).
func (p *Plan) fallsBack(t *Target) bool {
	if t.hasOnStatus {
		return containsInt(t.onStatusCodes, p.lastStatus)
	}
	return !p.lastOK
}

// first picks a group's first child.
func (p *Plan) first(f *frame) (int, error) {
	t := f.t
	switch t.Mode {
	case ModeSingle:
		return 0, nil
	case ModeConditional:
		for i := range t.conditions {
			if t.conditions[i].q.eval(&p.ctx) {
				return t.conditions[i].then, nil
			}
		}
		if t.defaultIdx >= 0 {
			return t.defaultIdx, nil
		}
		return 0, &RouteError{Path: t.Path, Msg: "no condition matched and strategy.default is not set"}
	}
	p.markCooling(f)
	if t.Mode == ModeFallback {
		idx, _ := nextHealthy(f, 0)
		return idx, nil
	}
	return p.pick(f), nil
}

func nextHealthy(f *frame, from int) (int, bool) {
	for i := from; i < len(f.t.Targets); i++ {
		if f.skip&(1<<uint(i)) == 0 {
			return i, true
		}
	}
	return 0, false
}

// pick is the weighted draw of a loadbalance group over the children not cooling down.
func (p *Plan) pick(f *frame) int {
	t := f.t
	total := t.totalWeight
	if f.skip != 0 {
		total = 0
		for i, c := range t.Targets {
			if f.skip&(1<<uint(i)) == 0 {
				total += c.Weight
			}
		}
		if total <= 0 { // only weight-0 targets are healthy: ignore the cool-down
			f.skip, total = 0, t.totalWeight
		}
	}
	r := -1.0
	if len(t.sticky) > 0 {
		if h, ok := p.stickyHash(t.sticky); ok {
			r = float64(h>>11) / (1 << 53)
		}
	}
	if r < 0 {
		r = p.rnd()
	}
	x := r * total
	last := -1
	for i, c := range t.Targets {
		if f.skip&(1<<uint(i)) != 0 || c.Weight <= 0 {
			continue
		}
		if x < c.Weight {
			return i
		}
		x -= c.Weight
		last = i
	}
	return last // rounding at the top end
}

// Report feeds back the outcome of the attempt Next returned last.
func (p *Plan) Report(o Outcome) {
	if !p.pending {
		return
	}
	p.pending = false
	f := &p.stack[p.sp-1]
	t := f.t
	now := p.now()
	status := o.Status
	if o.ConnFailure && status == 0 {
		status = ConnFailureStatus
	}
	p.lastStatus = status
	p.lastOK = !o.ConnFailure && !o.GatewayError && status >= 200 && status < 300
	p.path = t.Path
	try := f.tries - 1
	if p.store != nil && !o.GatewayError {
		p.recordCooldown(t, !p.lastOK && (o.ConnFailure || status >= 500 || status == 429), now)
	}
	f.final = true
	p.retries = try
	switch {
	case o.GatewayError:
		p.stop = true
		return
	case p.lastOK || !t.Retry.retries(status):
		return
	case try >= t.Retry.Attempts:
		p.retries = -1 // every attempt failed with a retryable status
		return
	}
	var wait time.Duration
	if t.Retry.UseRetryAfterHeader {
		if d, ok := RetryAfter(o.Header, now); ok && d > 0 {
			if d > p.backoff.MaxRetryAfter || f.raSpent+d > p.backoff.MaxRetryAfter {
				p.retries = -1 // the provider asks for longer than we wait: give up this target
				return
			}
			f.raSpent += d
			wait = d
		}
	}
	if wait == 0 {
		wait = p.backoff.Delay(f.tries, p.rnd())
	}
	ready := now.Add(wait)
	if !p.deadline.IsZero() && !ready.Before(p.deadline) {
		p.retries = -1
		return
	}
	f.readyAt = ready
	f.final = false
}

// Result names the target whose answer is final (Portkey's x-portkey-last-used-option-index)
// and the retries made on it (x-portkey-retry-attempt-count): -1 when every attempt on it
// failed with a retryable status or its retries were cut short. Before any report: "", 0.
func (p *Plan) Result() (optionPath string, retryCount int) { return p.path, p.retries }

// Err is why the plan ended without an attempt to answer with: a *RouteError or ErrDeadline.
// nil when the plan ran out normally (the last outcome is the answer).
func (p *Plan) Err() error { return p.err }

// Calls is the number of attempts handed out so far.
func (p *Plan) Calls() int { return p.calls }

// Done reports that Next will return no more attempts.
func (p *Plan) Done() bool { return p.done }
