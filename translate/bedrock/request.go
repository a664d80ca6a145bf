package bedrock

import (
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/rawjson"
)

// chatFields are the top-level fields of an OpenAI chat request this family reads, collected
// in one pass over the body.
type chatFields struct {
	messages, maxTokens, maxCompletion, temperature, topP, stop, tools, toolChoice gjson.Result
	stream, streamOptions, topK, n, additional, guardrail                          gjson.Result
}

// buildConverse writes the Converse request body for an OpenAI chat request.
//
// Mapping notes:
//   - system and developer messages, wherever they appear, become the top-level "system"
//     blocks in order; Converse has no positional system turns.
//   - consecutive messages of the same Converse role are merged (tool results are user turns,
//     so a run of tool messages and the user message after them form one user turn).
//   - tool_choice "none": tools are dropped, unless the conversation already holds tool use or
//     tool result blocks — Bedrock then requires toolConfig, so the tools are sent without a
//     toolChoice and the model may still call one.
//   - top_k goes to additionalModelRequestFields.top_k (the name Anthropic models use); a
//     client's own additionalModelRequestFields / additional_model_request_fields object is
//     merged in, and guardrailConfig / guardrail_config is passed through.
//   - ignored: frequency_penalty, presence_penalty, seed, logprobs, user, metadata,
//     parallel_tool_calls, response_format (Converse has no portable equivalent).
func buildConverse(c *translate.Call, root gjson.Result, b []byte) ([]byte, error) {
	var f chatFields
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "messages":
			f.messages = v
		case "max_tokens":
			f.maxTokens = v
		case "max_completion_tokens":
			f.maxCompletion = v
		case "temperature":
			f.temperature = v
		case "top_p":
			f.topP = v
		case "stop":
			f.stop = v
		case "tools":
			f.tools = v
		case "tool_choice":
			f.toolChoice = v
		case "stream":
			f.stream = v
		case "stream_options":
			f.streamOptions = v
		case "top_k":
			f.topK = v
		case "n":
			f.n = v
		case "additionalModelRequestFields", "additional_model_request_fields":
			f.additional = v
		case "guardrailConfig", "guardrail_config":
			f.guardrail = v
		}
		return true
	})
	c.Stream = f.stream.Type == gjson.True
	c.IncludeUsage = c.Stream && f.streamOptions.Get("include_usage").Type == gjson.True
	if f.n.Exists() && f.n.Type != gjson.Null && f.n.Int() != 1 {
		return b, translate.Unsupported("bedrock: n other than 1 is not supported (Converse returns one choice)")
	}
	if !f.messages.IsArray() {
		return b, translate.Invalid("messages must be an array")
	}

	b = append(b, `{"messages":[`...)
	var w msgWriter
	var err error
	b, err = w.writeMessages(b, f.messages)
	if err != nil {
		return b, err
	}
	if w.count == 0 {
		return b, translate.Invalid("messages must contain at least one user, assistant or tool message")
	}
	b = append(b, "]}]"...)

	// System blocks, in order.
	first := true
	var serr error
	f.messages.ForEach(func(_, m gjson.Result) bool {
		role := m.Get("role").Str
		if role != "system" && role != "developer" {
			return true
		}
		serr = forEachText(m.Get("content"), role, func(raw string) {
			if first {
				b = append(b, `,"system":[`...)
				first = false
			} else {
				b = append(b, ',')
			}
			b = append(b, `{"text":`...)
			b = append(b, raw...)
			b = append(b, '}')
		})
		return serr == nil
	})
	if serr != nil {
		return b, serr
	}
	if !first {
		b = append(b, ']')
	}

	// inferenceConfig.
	n := 0
	open := func(key string) {
		if n == 0 {
			b = append(b, `,"inferenceConfig":{`...)
		} else {
			b = append(b, ',')
		}
		n++
		b = append(b, key...)
	}
	maxTok := f.maxCompletion
	if !present(maxTok) {
		maxTok = f.maxTokens
	}
	for _, p := range [...]struct {
		v         gjson.Result
		name, key string
	}{
		{maxTok, "max_tokens", `"maxTokens":`},
		{f.temperature, "temperature", `"temperature":`},
		{f.topP, "top_p", `"topP":`},
	} {
		if !present(p.v) {
			continue
		}
		if p.v.Type != gjson.Number {
			return b, translate.Invalid(p.name + " must be a number")
		}
		open(p.key)
		b = append(b, p.v.Raw...)
	}
	switch {
	case !present(f.stop):
	case f.stop.Type == gjson.String && f.stop.Str == "":
	case f.stop.Type == gjson.String:
		open(`"stopSequences":[`)
		b = append(b, f.stop.Raw...)
		b = append(b, ']')
	case f.stop.IsArray():
		// Empty strings are dropped (Bedrock rejects them); an array of only empty strings
		// still sends an empty list, which means no stop sequences.
		open(`"stopSequences":[`)
		i := 0
		var bad bool
		f.stop.ForEach(func(_, s gjson.Result) bool {
			if s.Type != gjson.String {
				bad = true
				return false
			}
			if s.Str == "" {
				return true
			}
			if i > 0 {
				b = append(b, ',')
			}
			i++
			b = append(b, s.Raw...)
			return true
		})
		if bad {
			return b, translate.Invalid("stop must be a string or an array of strings")
		}
		b = append(b, ']')
	default:
		return b, translate.Invalid("stop must be a string or an array of strings")
	}
	if n > 0 {
		b = append(b, '}')
	}

	b, err = writeToolConfig(b, f.tools, f.toolChoice, w.toolBlocks)
	if err != nil {
		return b, err
	}

	// additionalModelRequestFields: top_k plus the client's own object.
	if present(f.topK) || f.additional.IsObject() {
		b = append(b, `,"additionalModelRequestFields":{`...)
		k := 0
		if present(f.topK) {
			if f.topK.Type != gjson.Number {
				return b, translate.Invalid("top_k must be a number")
			}
			b = append(b, `"top_k":`...)
			b = append(b, f.topK.Raw...)
			k++
		}
		f.additional.ForEach(func(key, v gjson.Result) bool {
			if k > 0 {
				b = append(b, ',')
			}
			k++
			b = append(b, key.Raw...)
			b = append(b, ':')
			b = rawjson.AppendCompact(b, v.Raw)
			return true
		})
		b = append(b, '}')
	}
	if f.guardrail.IsObject() {
		b = append(b, `,"guardrailConfig":`...)
		b = rawjson.AppendCompact(b, f.guardrail.Raw)
	}
	return append(b, '}'), nil
}

// blank reports a text Bedrock refuses as a text block: empty or only whitespace.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

func present(v gjson.Result) bool { return v.Exists() && v.Type != gjson.Null }

// forEachText calls fn with the raw JSON string of every text in an OpenAI content value (a
// string or an array of text parts).
func forEachText(content gjson.Result, role string, fn func(raw string)) error {
	switch {
	case content.Type == gjson.String:
		if !blank(content.Str) {
			fn(content.Raw)
		}
	case content.IsArray():
		var err error
		content.ForEach(func(_, part gjson.Result) bool {
			if t := part.Get("type").Str; t != "text" {
				err = translate.Invalid(role + " message content parts must be text, got \"" + t + "\"")
				return false
			}
			if txt := part.Get("text"); txt.Type == gjson.String && !blank(txt.Str) {
				fn(txt.Raw)
			}
			return true
		})
		return err
	case !present(content):
	default:
		return translate.Invalid(role + " message content must be a string or an array of content parts")
	}
	return nil
}

// msgWriter writes Converse messages, merging consecutive turns of the same role and never
// opening a turn that has no content block.
type msgWriter struct {
	role       string // role of the open turn
	count      int    // turns written
	toolBlocks bool   // a toolUse or toolResult block was written
}

// block opens a content block in a turn of role, starting a new turn if needed.
func (w *msgWriter) block(b []byte, role string) []byte {
	if w.role == role {
		return append(b, ',')
	}
	if w.role != "" {
		b = append(b, "]},"...)
	}
	w.role = role
	w.count++
	b = append(b, `{"role":"`...)
	b = append(b, role...)
	return append(b, `","content":[`...)
}

func (w *msgWriter) writeMessages(b []byte, msgs gjson.Result) ([]byte, error) {
	var err error
	idx := 0
	msgs.ForEach(func(_, m gjson.Result) bool {
		var role, content, toolCalls, toolCallID gjson.Result
		m.ForEach(func(k, v gjson.Result) bool {
			switch k.Str {
			case "role":
				role = v
			case "content":
				content = v
			case "tool_calls":
				toolCalls = v
			case "tool_call_id":
				toolCallID = v
			}
			return true
		})
		switch role.Str {
		case "system", "developer":
		case "user":
			b, err = w.userContent(b, content)
		case "assistant":
			b, err = w.assistant(b, content, toolCalls)
		case "tool":
			b, err = w.toolResult(b, content, toolCallID)
		default:
			err = translate.Invalid("messages[" + strconv.Itoa(idx) + "].role must be system, developer, user, assistant or tool")
		}
		idx++
		return err == nil
	})
	return b, err
}

func (w *msgWriter) userContent(b []byte, content gjson.Result) ([]byte, error) {
	switch {
	case content.Type == gjson.String:
		// Bedrock rejects blank text blocks; an empty turn simply disappears.
		if blank(content.Str) {
			return b, nil
		}
		b = w.block(b, "user")
		b = append(b, `{"text":`...)
		b = append(b, content.Raw...)
		return append(b, '}'), nil
	case content.IsArray():
		var err error
		content.ForEach(func(_, part gjson.Result) bool {
			switch t := part.Get("type").Str; t {
			case "text":
				txt := part.Get("text")
				if txt.Type != gjson.String {
					err = translate.Invalid("user text content parts need a string text")
					break
				}
				if blank(txt.Str) {
					break
				}
				b = w.block(b, "user")
				b = append(b, `{"text":`...)
				b = append(b, txt.Raw...)
				b = append(b, '}')
			case "image_url":
				b, err = w.image(b, part.Get("image_url"))
			default:
				err = translate.Invalid("bedrock: unsupported user content part type \"" + t + "\" (text and image_url are supported)")
			}
			return err == nil
		})
		return b, err
	}
	return b, translate.Invalid("user message content must be a string or an array of content parts")
}

// image writes a Converse image block from an OpenAI image_url part. Converse takes image
// bytes only, so the URL must be a base64 data: URI.
func (w *msgWriter) image(b []byte, iu gjson.Result) ([]byte, error) {
	url := iu.Str
	if iu.IsObject() {
		url = iu.Get("url").Str
	}
	rest, ok := strings.CutPrefix(url, "data:")
	if !ok {
		return b, translate.Invalid("bedrock: image_url must be a base64 data: URI (Converse accepts image bytes only, not remote URLs)")
	}
	mime, data, ok := strings.Cut(rest, ";base64,")
	if !ok {
		return b, translate.Invalid("bedrock: image_url data: URI must be base64-encoded")
	}
	var format string
	switch strings.ToLower(mime) {
	case "image/png":
		format = "png"
	case "image/jpeg", "image/jpg":
		format = "jpeg"
	case "image/gif":
		format = "gif"
	case "image/webp":
		format = "webp"
	default:
		return b, translate.Invalid("bedrock: image type \"" + mime + "\" is not supported (png, jpeg, gif, webp)")
	}
	b = w.block(b, "user")
	b = append(b, `{"image":{"format":"`...)
	b = append(b, format...)
	b = append(b, `","source":{"bytes":`...)
	b = translate.AppendString(b, data)
	return append(b, "}}}"...), nil
}

func (w *msgWriter) assistant(b []byte, content, toolCalls gjson.Result) ([]byte, error) {
	err := forEachText(content, "assistant", func(raw string) {
		b = w.block(b, "assistant")
		b = append(b, `{"text":`...)
		b = append(b, raw...)
		b = append(b, '}')
	})
	if err != nil {
		return b, err
	}
	if !present(toolCalls) {
		return b, nil
	}
	if !toolCalls.IsArray() {
		return b, translate.Invalid("assistant tool_calls must be an array")
	}
	toolCalls.ForEach(func(_, tc gjson.Result) bool {
		fn := tc.Get("function")
		name := fn.Get("name")
		id := tc.Get("id")
		if id.Type != gjson.String || name.Type != gjson.String {
			err = translate.Invalid("assistant tool_calls need a string id and function.name")
			return false
		}
		args := strings.TrimSpace(fn.Get("arguments").String())
		if args == "" {
			args = "{}"
		}
		if !gjson.Valid(args) {
			err = translate.Invalid("tool call " + id.Str + ": function.arguments is not valid JSON")
			return false
		}
		b = w.block(b, "assistant")
		w.toolBlocks = true
		b = append(b, `{"toolUse":{"toolUseId":`...)
		b = append(b, id.Raw...)
		b = append(b, `,"name":`...)
		b = append(b, name.Raw...)
		b = append(b, `,"input":`...)
		b = rawjson.AppendCompact(b, args)
		b = append(b, "}}"...)
		return true
	})
	return b, err
}

// toolResult writes a user toolResult block. Results are sent as text blocks, which every
// Converse model with tool use accepts (json blocks and status are model-specific).
func (w *msgWriter) toolResult(b []byte, content, id gjson.Result) ([]byte, error) {
	if id.Type != gjson.String || id.Str == "" {
		return b, translate.Invalid("tool messages need a tool_call_id")
	}
	b = w.block(b, "user")
	w.toolBlocks = true
	b = append(b, `{"toolResult":{"toolUseId":`...)
	b = append(b, id.Raw...)
	b = append(b, `,"content":[`...)
	n := 0
	err := forEachText(content, "tool", func(raw string) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, `{"text":`...)
		b = append(b, raw...)
		b = append(b, '}')
	})
	if n == 0 {
		b = append(b, `{"text":""}`...)
	}
	return append(b, "]}}"...), err
}

// writeToolConfig writes toolConfig from OpenAI tools and tool_choice.
func writeToolConfig(b []byte, tools, choice gjson.Result, toolBlocks bool) ([]byte, error) {
	if !present(tools) {
		return b, nil
	}
	if !tools.IsArray() {
		return b, translate.Invalid("tools must be an array")
	}
	none := choice.Type == gjson.String && choice.Str == "none"
	if none && !toolBlocks {
		return b, nil
	}
	start := len(b)
	b = append(b, `,"toolConfig":{"tools":[`...)
	var err error
	i := 0
	tools.ForEach(func(_, t gjson.Result) bool {
		if t.Get("type").Str != "function" {
			err = translate.Invalid("bedrock: only function tools are supported")
			return false
		}
		fn := t.Get("function")
		name := fn.Get("name")
		if name.Type != gjson.String || name.Str == "" {
			err = translate.Invalid("tools[" + strconv.Itoa(i) + "].function.name is required")
			return false
		}
		if i > 0 {
			b = append(b, ',')
		}
		i++
		b = append(b, `{"toolSpec":{"name":`...)
		b = append(b, name.Raw...)
		if d := fn.Get("description"); d.Type == gjson.String && d.Str != "" {
			b = append(b, `,"description":`...)
			b = append(b, d.Raw...)
		}
		b = append(b, `,"inputSchema":{"json":`...)
		if p := fn.Get("parameters"); p.IsObject() {
			b = rawjson.AppendCompact(b, p.Raw)
		} else {
			b = append(b, `{"type":"object","properties":{}}`...)
		}
		b = append(b, "}}}"...)
		return true
	})
	if err != nil {
		return b, err
	}
	if i == 0 {
		return b[:start], nil
	}
	b = append(b, ']')
	switch {
	case !present(choice) || none:
	case choice.Type == gjson.String:
		switch choice.Str {
		case "auto":
			b = append(b, `,"toolChoice":{"auto":{}}`...)
		case "required":
			b = append(b, `,"toolChoice":{"any":{}}`...)
		default:
			return b, translate.Invalid("tool_choice must be none, auto, required or a function")
		}
	case choice.IsObject():
		name := choice.Get("function.name")
		if name.Type != gjson.String {
			return b, translate.Invalid("tool_choice.function.name is required")
		}
		b = append(b, `,"toolChoice":{"tool":{"name":`...)
		b = append(b, name.Raw...)
		b = append(b, "}}"...)
	default:
		return b, translate.Invalid("tool_choice must be none, auto, required or a function")
	}
	return append(b, '}'), nil
}
