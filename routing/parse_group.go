package routing

import (
	"strconv"

	"github.com/tidwall/gjson"
)

func (ps *parseState) group(t *Target, strategy, targets gjson.Result, path string, depth int) error {
	sp := func() string { return join(path, "strategy") }
	if !strategy.IsObject() {
		return errAt(sp(), "must be an object")
	}
	mode := strategy.Get("mode")
	switch {
	case !mode.Exists():
		return errAt(join(sp(), "mode"), "required (one of single, loadbalance, fallback, conditional)")
	case mode.Type != gjson.String:
		return errAt(join(sp(), "mode"), "must be one of single, loadbalance, fallback, conditional")
	}
	switch mode.Str {
	case "single":
		t.Mode = ModeSingle
	case "loadbalance":
		t.Mode = ModeLoadbalance
	case "fallback":
		t.Mode = ModeFallback
	case "conditional":
		t.Mode = ModeConditional
	default:
		return errAt(join(sp(), "mode"), "must be one of single, loadbalance, fallback, conditional (got "+strconv.Quote(mode.Str)+")")
	}
	if c := strategy.Get("on_status_codes"); c.Exists() {
		codes, err := parseCodes(c, "")
		if err != nil {
			ce := err.(*ConfigError)
			ce.Path = join(sp(), "on_status_codes") + ce.Path
			return err
		}
		if err != nil {
			return err
		}
		t.onStatusCodes, t.hasOnStatus = codes, true
	}

	tp := func() string { return join(path, "targets") }
	if !targets.IsArray() {
		return errAt(tp(), "must be an array of targets")
	}
	arr := targets.Array()
	if len(arr) == 0 {
		return errAt(tp(), "must hold at least one target")
	}
	if len(arr) > MaxGroupTargets {
		return errAt(tp(), "more than "+strconv.Itoa(MaxGroupTargets)+" targets in one group")
	}
	t.Targets = make([]*Target, len(arr))
	for i, v := range arr {
		if !v.IsObject() {
			return errAt(index(path, "targets", i), "must be an object")
		}
		child, err := ps.node(v, t.Path+".targets["+strconv.Itoa(i)+"]", t, depth+1)
		if err != nil {
			return err
		}
		t.Targets[i] = child
		t.totalWeight += child.Weight
	}
	switch t.Mode {
	case ModeLoadbalance:
		if t.totalWeight <= 0 {
			return errAt(tp(), "every weight is 0; a loadbalance needs at least one target with weight > 0")
		}
		if st := strategy.Get("sticky"); st.Exists() {
			f, err := parseSticky(st, join(sp(), "sticky"))
			if err != nil {
				return err
			}
			t.sticky = f
		}
	case ModeConditional:
		return ps.conditional(t, strategy, path)
	}
	return nil
}

func (ps *parseState) conditional(t *Target, strategy gjson.Result, path string) error {
	sp := func() string { return join(path, "strategy") }
	names := make(map[string]int, len(t.Targets))
	for i, c := range t.Targets {
		if c.Name == "" {
			continue
		}
		if _, dup := names[c.Name]; dup {
			return errAt(index(path, "targets", i)+".name", "duplicate target name "+strconv.Quote(c.Name))
		}
		names[c.Name] = i
	}
	find := func(v gjson.Result, p func() string) (int, error) {
		if v.Type != gjson.String || v.Str == "" {
			return 0, errAt(p(), "must be the name of a target")
		}
		i, ok := names[v.Str]
		if !ok {
			return 0, errAt(p(), "no target named "+strconv.Quote(v.Str)+" in "+join(path, "targets"))
		}
		return i, nil
	}
	conds := strategy.Get("conditions")
	cp := func() string { return join(sp(), "conditions") }
	if !conds.Exists() {
		return errAt(cp(), "required for mode conditional")
	}
	if !conds.IsArray() {
		return errAt(cp(), "must be an array of {\"query\":{...},\"then\":\"<target name>\"}")
	}
	list := conds.Array()
	t.conditions = make([]condition, len(list))
	for i, c := range list {
		ip := func() string { return index(sp(), "conditions", i) }
		if !c.IsObject() {
			return errAt(ip(), "must be an object {\"query\":{...},\"then\":\"<target name>\"}")
		}
		q := c.Get("query")
		if !q.Exists() {
			return errAt(join(ip(), "query"), "required")
		}
		node, err := compileQuery(q, join(ip(), "query"))
		if err != nil {
			return err
		}
		then := c.Get("then")
		if !then.Exists() {
			return errAt(join(ip(), "then"), "required")
		}
		idx, err := find(then, func() string { return join(ip(), "then") })
		if err != nil {
			return err
		}
		t.conditions[i] = condition{q: node, then: idx}
	}
	if d := strategy.Get("default"); d.Exists() {
		idx, err := find(d, func() string { return join(sp(), "default") })
		if err != nil {
			return err
		}
		t.defaultIdx = idx
	}
	return nil
}
