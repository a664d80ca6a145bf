package anthropic

import (
	"strings"

	"switchyard/translate"
)

// DefaultMaxTokens is sent as max_tokens when the client gives neither max_tokens nor
// max_completion_tokens: Anthropic rejects a request without it, OpenAI treats it as optional.
// 4096 is the largest value every Claude model accepts (Claude 3 Haiku's output limit), so the
// default never turns a valid OpenAI request into an upstream 400. With thinking enabled the
// default is budget_tokens + 4096, because max_tokens must exceed the thinking budget.
const DefaultMaxTokens = 4096

// minThinkingBudget is Anthropic's smallest accepted thinking.budget_tokens.
const minThinkingBudget = 1024

// effortBudget maps OpenAI's reasoning_effort to an Anthropic thinking budget. OpenAI gives no
// token figure, so the budgets follow the common gateway convention (1k/2k/4k): the minimum
// Anthropic allows for low and doubling per step, which keeps cost predictable. "none" turns
// thinking off. A client that wants a precise budget sends Anthropic's own "thinking" object,
// which wins over reasoning_effort.
func effortBudget(raw string) (int64, bool) {
	switch raw {
	case `"none"`:
		return 0, true
	case `"minimal"`, `"low"`:
		return 1024, true
	case `"medium"`:
		return 2048, true
	case `"high"`:
		return 4096, true
	}
	return 0, false
}

// maxSystem bounds the system/developer messages remembered during the single pass over
// messages; a request with more (unusual) pays for a second scan instead of an allocation.
const maxSystem = 4

// reqState is what the top-level pass learns that is written after it: fields whose Anthropic
// form depends on another field (tool_choice and parallel_tool_calls, max_tokens and thinking)
// or that Anthropic keeps elsewhere (system messages).
type reqState struct {
	model, maxTokens, maxCompletion string
	toolChoice, parallel            string
	effort, thinking                string
	messages                        string
	hasTools                        bool
	sys                             [maxSystem]string
	sysIdx                          [maxSystem]int
	nsys                            int
	sysOverflow                     bool
}

// Fields the OpenAI chat API has and Anthropic does not; they are dropped because Anthropic
// answers 400 to any unknown field: frequency_penalty, presence_penalty, logit_bias, logprobs,
// top_logprobs, seed, response_format, service_tier, store, metadata (OpenAI's stored
// completion tags; Anthropic's metadata takes only user_id, which comes from "user"),
// modalities, audio, prediction, web_search_options, verbosity, prompt_cache_key,
// safety_identifier, functions and function_call (deprecated by OpenAI in favour of tools),
// n (refused when it is not 1: Anthropic answers one choice), stream_options (read for
// include_usage; Anthropic always reports usage). Any other unknown field is dropped too, and
// so are message "name" fields and image "detail".

// BuildBody appends to dst the Anthropic Messages body for an OpenAI chat completion body and
// fills c.Model, c.Stream and c.IncludeUsage. t supplies Model and OverrideParams (t may be nil).
//
// inBodyVersion == "" builds the body for api.anthropic.com, with "model" inside. Otherwise
// "model" is left out (Vertex AI and Bedrock put it in the URL) and "anthropic_version" is set
// to inBodyVersion: VertexVersion for Vertex AI, "bedrock-2023-05-31" for Bedrock InvokeModel.
//
// The body is read once, top level first, and written by appending; string values are copied
// as raw JSON (already escaped), never decoded and re-encoded. On error dst may hold a partial
// body and the returned error is a *translate.Error for the client.
func BuildBody(c *translate.Call, t *translate.Target, body, dst []byte, inBodyVersion string) ([]byte, error) {
	if t != nil && len(t.OverrideParams) > 0 {
		merged, err := applyOverrides(body, t.OverrideParams)
		if err != nil {
			return dst, err
		}
		body = merged
	}
	src := view(body)
	// Merged overrides are new text: only the caller's own body is covered by BodyValid.
	if !(c.BodyValid && (t == nil || len(t.OverrideParams) == 0)) && !valid(src) {
		return dst, translate.Invalid("request body is not valid JSON")
	}
	if !isObj(src[skipWS(src, 0):]) {
		return dst, translate.Invalid("request body must be a JSON object")
	}
	var st reqState
	var err error
	dst = append(dst, '{')
	if inBodyVersion != "" {
		dst = append(dst, `"anthropic_version":`...)
		dst = translate.AppendString(dst, inBodyVersion)
	}
	c.Stream, c.IncludeUsage = false, false
	// messages and tools, most of the body, are walked in place rather than skipped first.
	walkFields(src, func(k, rest string) int {
		if rest[0] == '[' {
			n := 0
			switch k {
			case "messages":
				dst, n, err = appendMessages(comma(dst), rest, &st)
			case "tools":
				dst, n, err = appendTools(dst, rest, &st)
			default:
				n = skip
			}
			if err != nil {
				return stop
			}
			if n != skip {
				return n
			}
		}
		v := rawAt(rest)
		if v == "" {
			return stop
		}
		if isNull(v) {
			return len(v)
		}
		switch k {
		case "model":
			st.model = v
		case "messages":
			err = translate.Invalid("messages must be an array")
		case "tools":
			err = translate.Invalid("tools must be an array")
		case "max_tokens":
			st.maxTokens = v
		case "max_completion_tokens":
			st.maxCompletion = v
		case "temperature", "top_p", "top_k":
			if !isNum(v) {
				err = translate.Invalid(k + " must be a number")
				break
			}
			dst = append(comma(dst), '"')
			dst = append(dst, k...)
			dst = append(dst, `":`...)
			dst = append(dst, v...)
		case "stop":
			dst, err = appendStop(dst, v)
		case "stream":
			if v == "true" {
				c.Stream = true
				dst = append(comma(dst), `"stream":true`...)
			}
		case "stream_options":
			c.IncludeUsage = field(v, "include_usage") == "true"
		case "user":
			if isStr(v) && !isEmptyStr(v) {
				dst = append(comma(dst), `"metadata":{"user_id":`...)
				dst = append(dst, v...)
				dst = append(dst, '}')
			}
		case "tool_choice":
			st.toolChoice = v
		case "parallel_tool_calls":
			st.parallel = v
		case "reasoning_effort":
			st.effort = v
		case "thinking":
			st.thinking = v
		case "n":
			if v != "1" {
				err = translate.Unsupported("n must be 1: Anthropic returns a single choice")
			}
		}
		if err != nil {
			return stop
		}
		return len(v)
	})
	if err != nil {
		return dst, err
	}
	if st.messages == "" {
		return dst, translate.Invalid("messages is required")
	}
	if dst, err = appendSystem(dst, &st); err != nil {
		return dst, err
	}
	if dst, err = appendToolChoice(dst, &st); err != nil {
		return dst, err
	}
	if dst, err = appendLimits(dst, &st); err != nil {
		return dst, err
	}
	model := ""
	if t != nil {
		model = t.Model
	}
	if model == "" {
		if !isStr(st.model) || isEmptyStr(st.model) {
			return dst, translate.Invalid("model is required")
		}
		// A copy: c outlives the request body buffer.
		model = strings.Clone(strValue(st.model))
	}
	c.Model = model
	if inBodyVersion == "" {
		dst = append(dst, `,"model":`...)
		dst = translate.AppendString(dst, model)
	}
	return append(dst, '}'), nil
}

// comma separates a new top-level member from the previous one. The body opens with '{' and
// no member value ends in '{', so the last byte tells whether a member was written.
func comma(dst []byte) []byte {
	if len(dst) > 0 && dst[len(dst)-1] != '{' {
		return append(dst, ',')
	}
	return dst
}

// appendStop maps OpenAI's stop (a string or up to 4 strings) to stop_sequences. Anthropic
// answers 400 to an empty or whitespace-only stop sequence ("\n" is a common OpenAI stop);
// those are dropped instead, so the request still works and only that stop has no effect.
func appendStop(dst []byte, v string) ([]byte, error) {
	switch {
	case isStr(v):
		if blank(v) {
			return dst, nil
		}
		dst = append(comma(dst), `"stop_sequences":[`...)
		dst = append(dst, v...)
		return append(dst, ']'), nil
	case isArr(v):
		mark := len(dst)
		dst = append(comma(dst), `"stop_sequences":[`...)
		n := 0
		var err error
		eachElem(v, func(i int, s string) bool {
			if !isStr(s) {
				err = translate.Invalid("stop must be a string or an array of strings")
				return false
			}
			if blank(s) {
				return true
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, s...)
			n++
			return true
		})
		if err != nil {
			return dst, err
		}
		if n == 0 {
			return dst[:mark], nil
		}
		return append(dst, ']'), nil
	}
	return dst, translate.Invalid("stop must be a string or an array of strings")
}

// blank reports a string literal that is empty or only whitespace once decoded. It reads the
// raw literal, so the common answer (a text that starts with a letter) costs one byte and no
// allocation; only \u escapes take the decoding path.
func blank(raw string) bool {
	in := inner(raw)
	for i := 0; i < len(in); i++ {
		switch in[i] {
		case ' ':
		case '\\':
			if i+1 < len(in) && (in[i+1] == 'n' || in[i+1] == 'r' || in[i+1] == 't') {
				i++
				continue
			}
			return strings.TrimSpace(strValue(raw)) == ""
		default:
			return false
		}
	}
	return true
}

// appendTools maps OpenAI function tools to Anthropic's {name, description, input_schema}.
// rest starts with the tools array; it returns the array's length.
func appendTools(dst []byte, rest string, st *reqState) ([]byte, int, error) {
	mark := len(dst)
	dst = append(comma(dst), `"tools":[`...)
	var err error
	end := walkElems(rest, func(i int, tool string) int {
		var typ, name, desc, params, cache string
		hasFn := false
		n := walkFields(tool, func(k, r string) int {
			switch k {
			case "type":
				typ = rawAt(r)
				return len(typ)
			case "cache_control":
				cache = rawAt(r)
				return len(cache)
			case "function":
				if r[0] != '{' {
					return skip
				}
				hasFn = true
				return walkFields(r, func(k, r string) int {
					var v string
					switch k {
					case "name":
						name = rawAt(r)
						v = name
					case "description":
						desc = rawAt(r)
						v = desc
					case "parameters":
						params = rawAt(r)
						v = params
					case "cache_control":
						if v = rawAt(r); cache == "" {
							cache = v
						}
					default:
						return skip
					}
					return len(v)
				})
			}
			return skip
		})
		if n < 0 {
			err = translate.Invalid("tools[" + itoa(i) + "] must be an object")
			return stop
		}
		if typ != `"function"` && !(typ == "" && hasFn) {
			err = translate.Unsupported("tools[" + itoa(i) + "]: only function tools are supported by Anthropic, got type " + orMissing(typ))
			return stop
		}
		if !isStr(name) || isEmptyStr(name) {
			err = translate.Invalid("tools[" + itoa(i) + "].function.name is required")
			return stop
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"name":`...)
		dst = append(dst, name...)
		if isStr(desc) && !isEmptyStr(desc) {
			dst = append(dst, `,"description":`...)
			dst = append(dst, desc...)
		}
		dst = append(dst, `,"input_schema":`...)
		switch {
		case isObj(params):
			dst = append(dst, params...)
		case isNull(params):
			// OpenAI allows a function without parameters; Anthropic requires a schema.
			dst = append(dst, `{"type":"object","properties":{}}`...)
		default:
			err = translate.Invalid("tools[" + itoa(i) + "].function.parameters must be a JSON Schema object")
			return stop
		}
		if isObj(cache) {
			dst = append(dst, `,"cache_control":`...)
			dst = append(dst, cache...)
		}
		dst = append(dst, '}')
		st.hasTools = true
		return n
	})
	if err != nil {
		return dst, 0, err
	}
	if end < 0 {
		return dst, 0, translate.Invalid("tools must be an array of tool objects")
	}
	if !st.hasTools {
		return dst[:mark], end, nil
	}
	return append(dst, ']'), end, nil
}

// appendToolChoice maps tool_choice and parallel_tool_calls: auto/none/required/named become
// auto/none/any/{type:tool,name}; parallel_tool_calls:false becomes disable_parallel_tool_use
// inside tool_choice (Anthropic has no top-level switch for it; "none" takes no such flag).
func appendToolChoice(dst []byte, st *reqState) ([]byte, error) {
	tc := st.toolChoice
	disable := st.parallel == "false"
	if tc == "" && !disable {
		return dst, nil
	}
	var typ, name string
	switch {
	case tc == "" || tc == `"auto"`:
		typ = "auto"
	case tc == `"none"`:
		typ = "none"
	case tc == `"required"`:
		typ = "any"
	case isObj(tc):
		if field(tc, "type") != `"function"` {
			return dst, translate.Invalid(`tool_choice object must be {"type":"function","function":{"name":...}}`)
		}
		name = field(field(tc, "function"), "name")
		if !isStr(name) || isEmptyStr(name) {
			return dst, translate.Invalid("tool_choice.function.name is required")
		}
		typ = "tool"
	default:
		return dst, translate.Invalid(`tool_choice must be "none", "auto", "required" or a named function`)
	}
	if !st.hasTools {
		// Without tools, "auto", "none" and the parallel flag mean nothing, and Anthropic
		// rejects a tool_choice without tools; forcing a tool call cannot be honoured.
		if typ == "any" || typ == "tool" {
			return dst, translate.Invalid("tool_choice requires tools")
		}
		return dst, nil
	}
	dst = append(comma(dst), `"tool_choice":{"type":"`...)
	dst = append(dst, typ...)
	dst = append(dst, '"')
	if name != "" {
		dst = append(dst, `,"name":`...)
		dst = append(dst, name...)
	}
	if disable && typ != "none" {
		dst = append(dst, `,"disable_parallel_tool_use":true`...)
	}
	return append(dst, '}'), nil
}

// appendLimits writes thinking and max_tokens, which depend on each other: Anthropic requires
// 1024 <= budget_tokens < max_tokens.
func appendLimits(dst []byte, st *reqState) ([]byte, error) {
	raw := st.maxCompletion
	if raw == "" {
		raw = st.maxTokens
	}
	var max int64
	hasMax := raw != ""
	if hasMax {
		n, ok := intValue(raw)
		if !ok || n < 1 {
			return dst, translate.Invalid("max_tokens must be a positive integer")
		}
		max = n
	}
	var budget int64
	switch {
	case st.thinking != "":
		// Anthropic's own object (Portkey clients send it): passed through as given.
		if !isObj(st.thinking) {
			return dst, translate.Invalid("thinking must be an object")
		}
		if field(st.thinking, "type") == `"enabled"` {
			budget, _ = intValue(field(st.thinking, "budget_tokens"))
		}
		dst = append(comma(dst), `"thinking":`...)
		dst = append(dst, st.thinking...)
	case st.effort != "":
		b, ok := effortBudget(st.effort)
		if !ok {
			return dst, translate.Invalid(`reasoning_effort must be one of "none", "minimal", "low", "medium", "high"`)
		}
		if b > 0 && hasMax && b >= max {
			// Keep the client's max_tokens (it bounds cost) and shrink the budget under it.
			if b = max - 1; b < minThinkingBudget {
				return dst, translate.Invalid("reasoning_effort needs max_tokens of at least 1025 on Anthropic: thinking takes at least 1024 tokens")
			}
		}
		if budget = b; b > 0 {
			dst = append(comma(dst), `"thinking":{"type":"enabled","budget_tokens":`...)
			dst = translate.AppendInt(dst, b)
			dst = append(dst, '}')
		}
	}
	if !hasMax {
		max = DefaultMaxTokens + budget
	}
	dst = append(comma(dst), `"max_tokens":`...)
	return translate.AppendInt(dst, max), nil
}

func orMissing(raw string) string {
	if raw == "" {
		return "(missing)"
	}
	return raw
}

func itoa(i int) string { return string(translate.AppendInt(make([]byte, 0, 8), int64(i))) }
