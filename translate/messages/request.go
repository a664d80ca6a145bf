package messages

import (
	"strings"

	"switchyard/translate"
	"switchyard/translate/internal/rawjson"
)

// Info is what ToChat learned that the answer side needs.
type Info struct {
	Model  string // the client's model (a copy: it outlives the body)
	Stream bool   // the client asked for a stream
}

// req holds the raw top-level values of a Messages request; they are written in a fixed
// order after the one top-level pass, because the system prompt must open "messages" and
// tool_choice depends on tools.
type req struct {
	model, messages, system, maxTokens, stop, temperature, topP, metadata string
	stream, tools, toolChoice, thinking, outputConfig                     string
}

// ToChat appends to dst the OpenAI chat request for an Anthropic Messages request body.
// Field by field (see the package comment for the reasons):
//
//	model                      → model (copied as given; the target may replace it later)
//	system (string or blocks)  → a first system message (blocks joined with "\n\n")
//	messages                   → messages (content.go)
//	max_tokens                 → max_completion_tokens
//	stop_sequences             → stop
//	temperature, top_p         → temperature, top_p
//	top_k                      → dropped
//	thinking / output_config   → reasoning_effort (thinkingEffort)
//	tools, tool_choice         → tools, tool_choice, parallel_tool_calls
//	metadata.user_id           → user
//	stream                     → stream + stream_options.include_usage
//
// Other fields (service_tier, container, context_management, mcp_servers, cache_control,
// anthropic-only betas) are dropped. On error dst may hold a partial body and the error is a
// *translate.Error for the client (400).
func ToChat(body []byte, dst []byte) ([]byte, Info, error) {
	var info Info
	src := strings.TrimLeft(view(body), " \t\r\n")
	if !valid(src) {
		return dst, info, translate.Invalid("request body is not valid JSON")
	}
	if !isObj(src) {
		return dst, info, translate.Invalid("request body must be a JSON object")
	}
	var r req
	rawjson.EachField(src, func(k, v string) bool {
		if v == "null" {
			return true
		}
		switch k {
		case "model":
			r.model = v
		case "messages":
			r.messages = v
		case "system":
			r.system = v
		case "max_tokens":
			r.maxTokens = v
		case "stop_sequences":
			r.stop = v
		case "temperature":
			r.temperature = v
		case "top_p":
			r.topP = v
		case "metadata":
			r.metadata = v
		case "stream":
			r.stream = v
		case "tools":
			r.tools = v
		case "tool_choice":
			r.toolChoice = v
		case "thinking":
			r.thinking = v
		case "output_config":
			r.outputConfig = v
		}
		return true
	})
	if r.model == "" {
		return dst, info, translate.Invalid("model is required")
	}
	if !isStr(r.model) || r.model == `""` {
		return dst, info, translate.Invalid("model must be a non-empty string")
	}
	if r.maxTokens == "" {
		return dst, info, translate.Invalid("max_tokens is required")
	}
	maxTokens, ok := intValue(r.maxTokens)
	if !ok || maxTokens < 1 {
		return dst, info, translate.Invalid("max_tokens must be a positive integer, got " + clip(r.maxTokens, 40))
	}
	if r.messages == "" {
		return dst, info, translate.Invalid("messages is required")
	}
	if !isArr(r.messages) {
		return dst, info, translate.Invalid("messages must be an array")
	}
	switch r.stream {
	case "", "false":
	case "true":
		info.Stream = true
	default:
		return dst, info, translate.Invalid("stream must be a boolean")
	}
	effort, err := thinkingEffort(r.thinking, r.outputConfig, maxTokens)
	if err != nil {
		return dst, info, err
	}

	dst = append(dst, `{"model":`...)
	dst = append(dst, r.model...)
	dst = append(dst, `,"messages":[`...)
	var w msgWriter
	if dst, err = w.system(dst, r.system); err != nil {
		return dst, info, err
	}
	if dst, err = w.messages(dst, r.messages); err != nil {
		return dst, info, err
	}
	if w.n == 0 || !w.turn {
		return dst, info, translate.Invalid("messages must contain at least one user or assistant message")
	}
	dst = append(dst, `],"max_completion_tokens":`...)
	dst = translate.AppendInt(dst, maxTokens)
	if dst, err = appendStop(dst, r.stop); err != nil {
		return dst, info, err
	}
	for _, p := range [2]struct{ name, v string }{{"temperature", r.temperature}, {"top_p", r.topP}} {
		if p.v == "" {
			continue
		}
		if !isNum(p.v) {
			return dst, info, translate.Invalid(p.name + " must be a number")
		}
		dst = append(dst, ',', '"')
		dst = append(dst, p.name...)
		dst = append(dst, '"', ':')
		dst = append(dst, p.v...)
	}
	if effort != "" {
		dst = append(dst, `,"reasoning_effort":"`...)
		dst = append(dst, effort...)
		dst = append(dst, '"')
	}
	if dst, err = appendTools(dst, r.tools, r.toolChoice); err != nil {
		return dst, info, err
	}
	if r.metadata != "" {
		if !isObj(r.metadata) {
			return dst, info, translate.Invalid("metadata must be an object")
		}
		switch u := field(r.metadata, "user_id"); {
		case isNull(u):
		case isStr(u):
			if u != `""` {
				dst = append(dst, `,"user":`...)
				dst = append(dst, u...)
			}
		default:
			return dst, info, translate.Invalid("metadata.user_id must be a string")
		}
	}
	if info.Stream {
		dst = append(dst, `,"stream":true,"stream_options":{"include_usage":true}`...)
	}
	info.Model = strings.Clone(strValue(r.model))
	return append(dst, '}'), info, nil
}

func appendStop(dst []byte, stop string) ([]byte, error) {
	if stop == "" {
		return dst, nil
	}
	if !isArr(stop) {
		return dst, translate.Invalid("stop_sequences must be an array of strings")
	}
	mark := len(dst)
	dst = append(dst, `,"stop":[`...)
	n := 0
	var err error
	rawjson.EachElem(stop, func(i int, s string) bool {
		if !isStr(s) {
			err = translate.Invalid("stop_sequences[" + itoa(i) + "] must be a string")
			return false
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

// minThinkingBudget is Anthropic's smallest accepted thinking.budget_tokens.
const minThinkingBudget = 1024

// thinkingEffort maps Anthropic's thinking settings to OpenAI's reasoning_effort ("" = not
// sent). translate/anthropic maps the other way low → 1024, medium → 2048, high → 4096 budget
// tokens; a budget maps to the largest effort whose budget does not exceed it (1024-2047 low,
// 2048-4095 medium, 4096 and up high), so the two mappings are inverse on those three budgets
// and a round trip never raises the cost. Adaptive thinking (the model chooses its budget)
// takes output_config.effort when given ("max" reads as "high", OpenAI's top effort) and
// otherwise sends nothing, leaving the provider's default. thinking disabled sends nothing.
func thinkingEffort(thinking, outputConfig string, maxTokens int64) (string, error) {
	effortCfg := ""
	if outputConfig != "" {
		if !isObj(outputConfig) {
			return "", translate.Invalid("output_config must be an object")
		}
		switch e := field(outputConfig, "effort"); e {
		case "", "null":
		case `"low"`, `"medium"`, `"high"`:
			effortCfg = inner(e)
		case `"max"`:
			effortCfg = "high"
		default:
			return "", translate.Invalid(`output_config.effort must be "low", "medium", "high" or "max"`)
		}
	}
	if thinking == "" {
		return effortCfg, nil
	}
	if !isObj(thinking) {
		return "", translate.Invalid("thinking must be an object")
	}
	switch typ := field(thinking, "type"); typ {
	case `"enabled"`:
		b, ok := intValue(field(thinking, "budget_tokens"))
		if !ok {
			return "", translate.Invalid("thinking.budget_tokens must be an integer")
		}
		if b < minThinkingBudget {
			return "", translate.Invalid("thinking.budget_tokens must be at least 1024")
		}
		if b >= maxTokens {
			return "", translate.Invalid("max_tokens must be greater than thinking.budget_tokens")
		}
		switch {
		case b < 2048:
			return "low", nil
		case b < 4096:
			return "medium", nil
		}
		return "high", nil
	case `"disabled"`:
		return "", nil
	case `"adaptive"`:
		return effortCfg, nil
	case "":
		return "", translate.Invalid("thinking.type is required")
	default:
		return "", translate.Invalid(`thinking.type must be "enabled", "disabled" or "adaptive", got ` + clip(typ, 40))
	}
}

// appendTools maps custom tools to function tools and tool_choice to OpenAI's form. Anthropic
// server and client tools with a versioned type (web_search_20250305, bash_20250124,
// text_editor_..., computer_...) are run or defined by Anthropic itself; no other provider
// can honour them, so they are refused rather than silently dropped.
func appendTools(dst []byte, tools, choice string) ([]byte, error) {
	n := 0
	if tools != "" {
		if !isArr(tools) {
			return dst, translate.Invalid("tools must be an array")
		}
		mark := len(dst)
		dst = append(dst, `,"tools":[`...)
		var err error
		rawjson.EachElem(tools, func(i int, tool string) bool {
			if !isObj(tool) {
				err = translate.Invalid("tools[" + itoa(i) + "] must be an object")
				return false
			}
			var typ, name, desc, schema, strict string
			rawjson.EachField(tool, func(k, v string) bool {
				switch k {
				case "type":
					typ = v
				case "name":
					name = v
				case "description":
					desc = v
				case "input_schema":
					schema = v
				case "strict":
					strict = v
				}
				return true
			})
			if !isNull(typ) && typ != `"custom"` {
				err = translate.Unsupported("tools[" + itoa(i) + "]: tool type " + clip(typ, 60) + " is an Anthropic server or client tool and cannot be sent to a non-Anthropic model; only custom tools (name, description, input_schema) are supported")
				return false
			}
			if !isStr(name) || name == `""` {
				err = translate.Invalid("tools[" + itoa(i) + "].name is required")
				return false
			}
			if !isObj(schema) {
				err = translate.Invalid("tools[" + itoa(i) + "].input_schema must be a JSON Schema object")
				return false
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			dst = append(dst, `{"type":"function","function":{"name":`...)
			dst = append(dst, name...)
			if isStr(desc) {
				dst = append(dst, `,"description":`...)
				dst = append(dst, desc...)
			}
			dst = append(dst, `,"parameters":`...)
			dst = append(dst, schema...)
			if strict == "true" || strict == "false" {
				dst = append(dst, `,"strict":`...)
				dst = append(dst, strict...)
			}
			dst = append(dst, "}}"...)
			return true
		})
		if err != nil {
			return dst, err
		}
		if n == 0 {
			dst = dst[:mark]
		} else {
			dst = append(dst, ']')
		}
	}
	if choice == "" {
		return dst, nil
	}
	if !isObj(choice) {
		return dst, translate.Invalid(`tool_choice must be an object such as {"type":"auto"}`)
	}
	var typ, name, disable string
	rawjson.EachField(choice, func(k, v string) bool {
		switch k {
		case "type":
			typ = v
		case "name":
			name = v
		case "disable_parallel_tool_use":
			disable = v
		}
		return true
	})
	var oai string
	switch typ {
	case `"auto"`:
		oai = `"auto"`
	case `"any"`:
		oai = `"required"`
	case `"none"`:
		oai = `"none"`
	case `"tool"`:
		if !isStr(name) || name == `""` {
			return dst, translate.Invalid(`tool_choice.name is required when tool_choice.type is "tool"`)
		}
	default:
		return dst, translate.Invalid(`tool_choice.type must be "auto", "any", "tool" or "none"`)
	}
	if n == 0 {
		// OpenAI rejects tool_choice and parallel_tool_calls without tools; "auto" and "none"
		// mean nothing then, but a forced tool call cannot be honoured.
		if typ == `"any"` || typ == `"tool"` {
			return dst, translate.Invalid("tool_choice " + typ + " requires tools")
		}
		return dst, nil
	}
	dst = append(dst, `,"tool_choice":`...)
	if oai != "" {
		dst = append(dst, oai...)
	} else {
		dst = append(dst, `{"type":"function","function":{"name":`...)
		dst = append(dst, name...)
		dst = append(dst, "}}"...)
	}
	if disable == "true" && typ != `"none"` {
		dst = append(dst, `,"parallel_tool_calls":false`...)
	}
	return dst, nil
}
