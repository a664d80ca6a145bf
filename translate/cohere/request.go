package cohere

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// buildChat appends the Cohere v2 chat body for an OpenAI chat request, walking the client's
// top level once and copying already-escaped values (.Raw) instead of decoding them.
//
// Mapped: model (Target.Model wins), messages, tools, tool_choice, max_tokens and
// max_completion_tokens → max_tokens, temperature, top_p → p, top_k → k, stop →
// stop_sequences, seed, frequency_penalty, presence_penalty, response_format, stream.
// Passed through (Cohere's own): documents, citation_options, safety_mode, thinking, priority,
// strict_tools, k, p. Refused: n > 1 (Cohere returns one answer). Dropped, because Cohere has
// no equivalent: everything else (user, metadata, store, logprobs, top_logprobs, logit_bias,
// parallel_tool_calls, service_tier, reasoning_effort, modalities, audio, prediction, ...).
// temperature and the penalties are passed as given: Cohere documents 0–1 where OpenAI allows
// more, and Cohere's own error is clearer than a silent clamp. top_p above 0.99 becomes 0.99.
func buildChat(c *translate.Call, t *translate.Target, body []byte, b []byte) ([]byte, error) {
	src := view(body)
	if !gjson.Valid(src) {
		return b, translate.Invalid("request body is not valid JSON")
	}
	root := gjson.Parse(src)
	if !root.IsObject() {
		return b, translate.Invalid("request body must be a JSON object")
	}
	model := t.Model
	if model == "" {
		m := root.Get("model")
		if m.Type != gjson.String || m.Str == "" {
			return b, translate.Invalid("model is required (set it in the request or the target)")
		}
		model = m.String()
	}
	c.Model = model
	c.Stream, c.IncludeUsage = false, false

	b = append(b, `{"model":`...)
	b = translate.AppendString(b, model)

	var (
		tools, toolChoice gjson.Result
		maxTokens         string
		wrote             uint8 // Cohere keys already written, so a client's "p" and "top_p" do not both land
		err               error
	)
	const (
		wroteP = 1 << iota
		wroteK
		wroteStrict
	)
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "messages":
			if !v.IsArray() {
				err = translate.Invalid("messages must be an array")
				return false
			}
			b = append(b, `,"messages":`...)
			b, err = appendMessages(b, v)
		case "tools":
			tools = v
		case "tool_choice":
			toolChoice = v
		case "max_tokens":
			if v.Type == gjson.Number && maxTokens == "" {
				maxTokens = v.Raw
			}
		case "max_completion_tokens":
			// The newer name wins over the deprecated one.
			if v.Type == gjson.Number {
				maxTokens = v.Raw
			}
		case "temperature", "seed", "frequency_penalty", "presence_penalty":
			if v.Type == gjson.Number {
				b = appendMember(b, k.Str, v.Raw)
			}
		case "top_p", "p":
			if v.Type == gjson.Number && wrote&wroteP == 0 {
				wrote |= wroteP
				// Cohere documents p in [0.01, 0.99]; top_p 1 (no nucleus cut, a common
				// client default) becomes the nearest value Cohere accepts.
				if v.Num > 0.99 {
					b = appendMember(b, "p", "0.99")
				} else {
					b = appendMember(b, "p", v.Raw)
				}
			}
		case "top_k", "k":
			if v.Type == gjson.Number && wrote&wroteK == 0 {
				wrote |= wroteK
				b = appendMember(b, "k", v.Raw)
			}
		case "stop":
			switch {
			case v.Type == gjson.String:
				b = append(b, `,"stop_sequences":[`...)
				b = append(b, v.Raw...)
				b = append(b, ']')
			case v.IsArray():
				b = appendMember(b, "stop_sequences", v.Raw)
			}
		case "response_format":
			b, err = appendResponseFormat(b, v)
		case "stream":
			if v.Type == gjson.True {
				c.Stream = true
				b = append(b, `,"stream":true`...)
			}
		case "stream_options":
			c.IncludeUsage = v.Get("include_usage").Type == gjson.True
		case "n":
			if v.Type == gjson.Number && v.Int() > 1 {
				err = translate.Unsupported("Cohere returns one choice per request; n > 1 is not supported")
			}
		case "strict_tools":
			if v.IsBool() && wrote&wroteStrict == 0 {
				wrote |= wroteStrict
				b = appendMember(b, k.Str, v.Raw)
			}
		case "documents", "citation_options", "safety_mode", "thinking", "priority":
			if v.Type != gjson.Null {
				b = appendMember(b, k.Str, v.Raw)
			}
		}
		return err == nil
	})
	if err != nil {
		return b, err
	}
	if !root.Get("messages").Exists() {
		return b, translate.Invalid("messages is required")
	}
	if maxTokens != "" {
		b = appendMember(b, "max_tokens", maxTokens)
	}
	if b, err = appendTools(b, tools, toolChoice, wrote&wroteStrict != 0); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

func appendMember(b []byte, key, raw string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return append(b, raw...)
}

// appendResponseFormat maps OpenAI's response_format: json_object stays, json_schema becomes
// json_object with its schema under "json_schema" (Cohere's structured output), text stays.
func appendResponseFormat(b []byte, v gjson.Result) ([]byte, error) {
	if v.Type == gjson.Null {
		return b, nil
	}
	switch v.Get("type").String() {
	case "text":
		return append(b, `,"response_format":{"type":"text"}`...), nil
	case "json_object":
		b = append(b, `,"response_format":{"type":"json_object"`...)
		// A Cohere-style schema given directly is kept.
		if s := v.Get("json_schema"); s.IsObject() {
			b = appendMember(b, "json_schema", s.Raw)
		} else if s := v.Get("schema"); s.IsObject() {
			b = appendMember(b, "json_schema", s.Raw)
		}
		return append(b, '}'), nil
	case "json_schema":
		s := v.Get("json_schema.schema")
		b = append(b, `,"response_format":{"type":"json_object"`...)
		if s.IsObject() {
			b = appendMember(b, "json_schema", s.Raw)
		}
		return append(b, '}'), nil
	}
	return b, translate.Invalid("response_format.type must be text, json_object or json_schema")
}

// appendTools writes tools and tool_choice. OpenAI's function tools are Cohere v2's format
// minus "strict"; a strict tool asks for Cohere's request-wide strict_tools.
func appendTools(b []byte, tools, choice gjson.Result, strictWritten bool) ([]byte, error) {
	mode, only := "", ""
	switch {
	case choice.Type == gjson.String:
		switch choice.Str {
		case "none":
			mode = "NONE"
		case "required":
			mode = "REQUIRED"
		case "auto", "":
		default:
			return b, translate.Invalid("tool_choice must be none, auto, required or a function")
		}
	case choice.IsObject():
		only = choice.Get("function.name").String()
		if only == "" {
			return b, translate.Invalid("tool_choice object must name a function (tool_choice.function.name)")
		}
		mode = "REQUIRED"
	}
	n, strict := 0, false
	if tools.IsArray() {
		var err error
		tools.ForEach(func(_, tool gjson.Result) bool {
			if typ := tool.Get("type").String(); typ != "function" {
				err = translate.Unsupported("Cohere supports function tools only, not \"" + clip(typ, 40) + "\"")
				return false
			}
			fn := tool.Get("function")
			name := fn.Get("name")
			if name.Type != gjson.String || name.Str == "" {
				err = translate.Invalid("every tool needs function.name")
				return false
			}
			if only != "" && name.Str != only {
				return true
			}
			if n == 0 {
				b = append(b, `,"tools":[`...)
			} else {
				b = append(b, ',')
			}
			n++
			b = append(b, `{"type":"function","function":{"name":`...)
			b = append(b, name.Raw...)
			if d := fn.Get("description"); d.Type == gjson.String {
				b = appendMember(b, "description", d.Raw)
			}
			// Cohere requires parameters; a function without arguments gets an empty schema.
			if p := fn.Get("parameters"); p.IsObject() {
				b = appendMember(b, "parameters", p.Raw)
			} else {
				b = append(b, `,"parameters":{"type":"object","properties":{}}`...)
			}
			b = append(b, "}}"...)
			if fn.Get("strict").Type == gjson.True {
				strict = true
			}
			return true
		})
		if err != nil {
			return b, err
		}
		if n > 0 {
			b = append(b, ']')
		}
	}
	if only != "" && n == 0 {
		return b, translate.Invalid("tool_choice names function \"" + clip(only, 60) + "\" which is not in tools")
	}
	if strict && !strictWritten {
		b = append(b, `,"strict_tools":true`...)
	}
	// NONE without tools says nothing; REQUIRED without tools is passed for Cohere to refuse.
	if mode != "" && (n > 0 || mode == "REQUIRED") {
		b = append(b, `,"tool_choice":"`...)
		b = append(b, mode...)
		b = append(b, '"')
	}
	return b, nil
}
