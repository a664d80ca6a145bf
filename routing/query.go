package routing

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// condition is one compiled entry of strategy.conditions.
type condition struct {
	q    qnode
	then int
}

type qkind uint8

const (
	qAll   qkind = iota // every child holds (a query object, $and)
	qAny                // some child holds ($or)
	qField              // a field check: every op holds
)

type source uint8

const (
	srcMetadata source = iota
	srcParams
	srcPath
)

type opKind uint8

const (
	opEq opKind = iota
	opNe
	opGt
	opGte
	opLt
	opLte
	opIn
	opNin
	opRegex
)

type qnode struct {
	kind     qkind
	children []qnode
	src      source
	path     string // gjson path below the source, special characters escaped
	ops      []qop
}

type qop struct {
	kind opKind
	val  gjson.Result   // $eq, $ne
	list []gjson.Result // $in, $nin
	num  float64        // $gt...$lte
	re   *regexp.Regexp
}

// MaxQueryDepth bounds $and/$or nesting (error paths grow with depth; real queries use 2-3).
const MaxQueryDepth = 16

// compileQuery turns a Portkey query object into a tree evaluated per request without parsing.
func compileQuery(q gjson.Result, p string) (qnode, error) { return compileQueryAt(q, p, 0) }

func compileQueryAt(q gjson.Result, p string, depth int) (qnode, error) {
	if !q.IsObject() {
		return qnode{}, errAt(p, "must be a query object")
	}
	if depth > MaxQueryDepth {
		return qnode{}, errAt(p, "$and/$or nested deeper than 16 levels")
	}
	n := qnode{kind: qAll}
	var err error
	q.ForEach(func(k, v gjson.Result) bool {
		key := k.Str
		var c qnode
		switch {
		case key == "$and" || key == "$or":
			c, err = compileList(v, join(p, key), key == "$or", depth)
		case strings.HasPrefix(key, "$"):
			err = errAt(join(p, key), "unknown operator "+strconv.Quote(key)+" here; only $and and $or may join queries")
		default:
			c, err = compileField(key, v, p)
		}
		if err != nil {
			return false
		}
		n.children = append(n.children, c)
		return true
	})
	return n, err
}

func compileList(v gjson.Result, p string, any bool, depth int) (qnode, error) {
	if !v.IsArray() {
		return qnode{}, errAt(p, "must be an array of query objects")
	}
	n := qnode{kind: qAll}
	if any {
		n.kind = qAny
	}
	i := 0
	var err error
	v.ForEach(func(_, sub gjson.Result) bool {
		var c qnode
		c, err = compileQueryAt(sub, p+"["+strconv.Itoa(i)+"]", depth+1)
		i++
		if err != nil {
			return false
		}
		n.children = append(n.children, c)
		return true
	})
	return n, err
}

// compileField: p is the path of the enclosing query; the field's own path is built on error only.
func compileField(key string, v gjson.Result, qp string) (qnode, error) {
	n := qnode{kind: qField}
	p := func() string { return join(qp, key) }
	root, rest, _ := strings.Cut(key, ".")
	switch root {
	case "metadata":
		n.src = srcMetadata
	case "params":
		n.src = srcParams
	case "url":
		if rest != "pathname" {
			return n, errAt(p(), "unknown field; the url offers only url.pathname")
		}
		n.src = srcPath
	default:
		return n, errAt(p(), "unknown field; use metadata.<key>, params.<key> or url.pathname")
	}
	if n.src != srcPath {
		if rest == "" || strings.HasPrefix(rest, ".") || strings.HasSuffix(rest, ".") || strings.Contains(rest, "..") {
			return n, errAt(p(), "must name a field, e.g. "+root+".user.tier")
		}
		n.path = escapePath(rest)
	}
	switch {
	case v.IsObject():
		var err error
		v.ForEach(func(k, cv gjson.Result) bool {
			var op qop
			op, err = compileOp(k.Str, cv)
			if err != nil {
				err.(*ConfigError).Path = join(p(), k.Str)
			}
			if err != nil {
				return false
			}
			n.ops = append(n.ops, op)
			return true
		})
		return n, err
	case v.IsArray():
		return n, errAt(p(), "must be a value or an operator object such as {\"$in\":[...]}")
	}
	n.ops = []qop{{kind: opEq, val: v}}
	return n, nil
}

// compileOp's errors carry no path; the caller fills it in.
func compileOp(name string, v gjson.Result) (qop, error) {
	const p = ""
	var op qop
	switch name {
	case "$eq", "$ne":
		op.kind = opEq
		if name == "$ne" {
			op.kind = opNe
		}
		if v.IsObject() || v.IsArray() {
			return op, errAt(p, "must be a string, number, boolean or null")
		}
		op.val = v
	case "$gt", "$gte", "$lt", "$lte":
		switch name {
		case "$gt":
			op.kind = opGt
		case "$gte":
			op.kind = opGte
		case "$lt":
			op.kind = opLt
		default:
			op.kind = opLte
		}
		op.num = jsParseFloat(v)
		if math.IsNaN(op.num) {
			return op, errAt(p, "must be a number")
		}
	case "$in", "$nin":
		op.kind = opIn
		if name == "$nin" {
			op.kind = opNin
		}
		if !v.IsArray() {
			return op, errAt(p, "must be an array of values")
		}
		op.list = v.Array()
	case "$regex":
		op.kind = opRegex
		if v.Type != gjson.String {
			return op, errAt(p, "must be a regular expression string")
		}
		re, err := regexp.Compile(v.Str)
		if err != nil {
			return op, errAt(p, "invalid regular expression: "+err.Error())
		}
		op.re = re
	default:
		return op, errAt(p, "unknown operator "+strconv.Quote(name)+"; use $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin or $regex")
	}
	return op, nil
}

// escapePath makes a dotted field name a literal gjson path: each segment is a key (or an
// array index when numeric), never a wildcard, modifier or query.
func escapePath(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c == '.' || c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '.' || c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// queryCtx is what a query reads. Metadata and body are checked for JSON validity on first use
// only, so a plan that never looks at them never scans them; invalid JSON reads as {} (Portkey
// does the same for metadata it cannot parse and for non-JSON bodies).
type queryCtx struct {
	metadata, body   string
	path             string
	metaChk, bodyChk bool
	metaBad, bodyBad bool
}

func (c *queryCtx) doc(src source) string {
	if src == srcMetadata {
		if !c.metaChk {
			c.metaChk, c.metaBad = true, !gjson.Valid(c.metadata)
		}
		if c.metaBad {
			return ""
		}
		return c.metadata
	}
	if !c.bodyChk {
		c.bodyChk, c.bodyBad = true, !gjson.Valid(c.body)
	}
	if c.bodyBad {
		return ""
	}
	return c.body
}

func (n *qnode) eval(ctx *queryCtx) bool {
	switch n.kind {
	case qAll:
		for i := range n.children {
			if !n.children[i].eval(ctx) {
				return false
			}
		}
		return true
	case qAny:
		for i := range n.children {
			if n.children[i].eval(ctx) {
				return true
			}
		}
		return false
	}
	var v gjson.Result
	switch n.src {
	case srcMetadata, srcParams:
		v = gjson.Get(ctx.doc(n.src), n.path)
	default:
		v = gjson.Result{Type: gjson.String, Str: ctx.path, Raw: "-"}
	}
	for i := range n.ops {
		if !n.ops[i].holds(v) {
			return false
		}
	}
	return true
}

func (op *qop) holds(v gjson.Result) bool {
	switch op.kind {
	case opEq:
		return strictEqual(v, op.val)
	case opNe:
		return !strictEqual(v, op.val)
	case opGt:
		return jsParseFloat(v) > op.num
	case opGte:
		return jsParseFloat(v) >= op.num
	case opLt:
		return jsParseFloat(v) < op.num
	case opLte:
		return jsParseFloat(v) <= op.num
	case opIn, opNin:
		in := false
		for i := range op.list {
			if strictEqual(v, op.list[i]) {
				in = true
				break
			}
		}
		return in == (op.kind == opIn)
	case opRegex:
		if !v.Exists() {
			return false // JavaScript would test the string "undefined"
		}
		switch v.Type {
		case gjson.String:
			return op.re.MatchString(v.Str)
		case gjson.Number, gjson.True, gjson.False, gjson.Null:
			return op.re.MatchString(v.Raw)
		}
		return false
	}
	return false
}

// strictEqual is JavaScript's === on JSON scalars: same type and value; a missing field, an
// object or an array equals nothing.
func strictEqual(v, want gjson.Result) bool {
	if !v.Exists() {
		return false
	}
	switch want.Type {
	case gjson.String:
		return v.Type == gjson.String && v.Str == want.Str
	case gjson.Number:
		return v.Type == gjson.Number && v.Num == want.Num
	case gjson.True, gjson.False, gjson.Null:
		return v.Type == want.Type
	}
	return false
}

// jsParseFloat is JavaScript's parseFloat on a JSON value: numbers as they are, strings by
// their longest numeric prefix after leading white space, everything else NaN.
func jsParseFloat(v gjson.Result) float64 {
	switch v.Type {
	case gjson.Number:
		return v.Num
	case gjson.String:
	default:
		return math.NaN()
	}
	s := strings.TrimLeft(v.Str, " \t\n\r\v\f")
	end := 0
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	if strings.HasPrefix(s[end:], "Infinity") {
		if s[0] == '-' {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	digits := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
		digits++
	}
	if end < len(s) && s[end] == '.' {
		end++
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
			digits++
		}
	}
	if digits == 0 {
		return math.NaN()
	}
	if end < len(s) && (s[end] == 'e' || s[end] == 'E') {
		e := end + 1
		if e < len(s) && (s[e] == '+' || s[e] == '-') {
			e++
		}
		ed := e
		for e < len(s) && s[e] >= '0' && s[e] <= '9' {
			e++
		}
		if e > ed {
			end = e
		}
	}
	f, err := strconv.ParseFloat(s[:end], 64)
	if err != nil {
		// Out of range parses to ±Inf with an error, as JavaScript would give.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f
		}
		return math.NaN()
	}
	return f
}
