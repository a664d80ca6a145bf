package anthropic

import (
	"strings"

	"switchyard/translate"
)

// turns tracks the Anthropic message being written. Anthropic wants user and assistant turns
// to alternate, and tool results travel as user-role tool_result blocks, so consecutive turns
// of one role (user text after tool results, two assistant messages) are merged into one
// message: its content array stays open until a turn of the other role arrives.
// Every content is written as an array of blocks (a plain string becomes one text block) so a
// later turn can always be merged in. A turn with no block at all (an empty string) writes
// nothing, because Anthropic rejects empty content; text blocks that are empty or only
// whitespace are dropped everywhere, because Anthropic answers 400 to them ("text content
// blocks must contain non-whitespace text").
type turns struct {
	open byte // 'u' or 'a' while a message's content array is open; 0 before the first
}

// block prepares dst for one more content block of the given role.
func (t *turns) block(dst []byte, role byte) []byte {
	if t.open == role {
		return append(dst, ',')
	}
	if t.open != 0 {
		dst = append(dst, "]},"...)
	}
	t.open = role
	if role == 'u' {
		return append(dst, `{"role":"user","content":[`...)
	}
	return append(dst, `{"role":"assistant","content":[`...)
}

// sink is where content blocks go: the open turn (t != nil), or a plain block list such as a
// tool_result's content or the system array, which counts its blocks for separators.
type sink struct {
	t    *turns
	role byte
	n    int
}

func (s *sink) next(dst []byte) []byte {
	if s.t != nil {
		return s.t.block(dst, s.role)
	}
	if s.n > 0 {
		dst = append(dst, ',')
	}
	s.n++
	return dst
}

// appendMessages writes "messages" from the OpenAI messages array at the start of rest,
// remembering the system and developer messages for appendSystem. It returns the array's
// length.
func appendMessages(dst []byte, rest string, st *reqState) ([]byte, int, error) {
	dst = append(dst, `"messages":[`...)
	var t turns
	var err error
	end := walkElems(rest, func(i int, mrest string) int {
		var role, content, toolCalls, toolCallID string
		n := walkFields(mrest, func(k, r string) int {
			var v string
			switch k {
			case "role":
				role = rawAt(r)
				v = role
			case "content":
				content = rawAt(r)
				v = content
			case "tool_calls":
				toolCalls = rawAt(r)
				v = toolCalls
			case "tool_call_id":
				toolCallID = rawAt(r)
				v = toolCallID
			default:
				return skip
			}
			return len(v)
		})
		if n < 0 {
			err = translate.Invalid("messages[" + itoa(i) + "] must be an object")
			return stop
		}
		switch role {
		case `"system"`, `"developer"`:
			if st.nsys < maxSystem {
				st.sys[st.nsys] = mrest[:n]
				st.sysIdx[st.nsys] = i
			} else {
				st.sysOverflow = true
			}
			st.nsys++
		case `"user"`:
			dst, err = appendContent(dst, &t, 'u', content, i, true)
		case `"assistant"`:
			if dst, err = appendContent(dst, &t, 'a', content, i, false); err == nil {
				dst, err = appendToolCalls(dst, &t, toolCalls, i)
			}
		case `"tool"`:
			dst, err = appendToolResult(dst, &t, toolCallID, content, i)
		case "":
			err = translate.Invalid("messages[" + itoa(i) + "].role is required")
		default:
			err = translate.Invalid("messages[" + itoa(i) + "].role " + role + ` is not supported (use "system", "developer", "user", "assistant" or "tool")`)
		}
		if err != nil {
			return stop
		}
		return n
	})
	if err != nil {
		return dst, 0, err
	}
	if end < 0 {
		return dst, 0, translate.Invalid("messages must be an array of message objects")
	}
	st.messages = rest[:end]
	if t.open == 0 {
		// Anthropic needs at least one user or assistant turn with content.
		return dst, 0, translate.Invalid("messages must contain a user or assistant message with content")
	}
	dst = append(dst, "]}"...)
	return append(dst, ']'), end, nil
}

// appendContent writes the blocks of a user or assistant message's content: a string, an
// array of parts, or null (an assistant turn that only calls tools).
func appendContent(dst []byte, t *turns, role byte, content string, i int, media bool) ([]byte, error) {
	switch {
	case isNull(content):
		return dst, nil
	case isStr(content):
		if blank(content) {
			return dst, nil
		}
		dst = t.block(dst, role)
		return appendText(dst, content, ""), nil
	case isArr(content):
		var err error
		s := sink{t: t, role: role}
		eachElem(content, func(j int, part string) bool {
			dst, err = appendPart(dst, &s, part, i, j, media)
			return err == nil
		})
		return dst, err
	}
	return dst, translate.Invalid("messages[" + itoa(i) + "].content must be a string, an array of content parts or null")
}

func appendText(dst []byte, text, cache string) []byte {
	dst = append(dst, `{"type":"text","text":`...)
	dst = append(dst, text...)
	if isObj(cache) {
		dst = append(dst, `,"cache_control":`...)
		dst = append(dst, cache...)
	}
	return append(dst, '}')
}

// appendPart writes one OpenAI content part. cache_control on a part (Portkey's prompt caching
// extension) is copied onto the block. media is false where only text is allowed.
func appendPart(dst []byte, s *sink, part string, i, j int, media bool) ([]byte, error) {
	var typ, text, image, file, cache, refusal string
	eachField(part, func(k, v string) bool {
		switch k {
		case "type":
			typ = v
		case "text":
			text = v
		case "image_url":
			image = v
		case "file":
			file = v
		case "cache_control":
			cache = v
		case "refusal":
			refusal = v
		}
		return true
	})
	// Built only on error paths: it costs allocations.
	where := func() string { return "messages[" + itoa(i) + "].content[" + itoa(j) + "]" }
	switch typ {
	case `"text"`:
		if !isStr(text) {
			return dst, translate.Invalid(where() + ".text must be a string")
		}
		if blank(text) {
			return dst, nil
		}
		return appendText(s.next(dst), text, cache), nil
	case `"refusal"`:
		// An earlier assistant refusal, kept as text so the conversation stays whole.
		if !isStr(refusal) || blank(refusal) {
			return dst, nil
		}
		return appendText(s.next(dst), refusal, cache), nil
	case `"image_url"`:
		if media {
			return appendImage(s.next(dst), image, cache, where)
		}
	case `"file"`:
		if media {
			return appendFile(s.next(dst), file, cache, where)
		}
	case `"input_audio"`:
		return dst, translate.Unsupported(where() + ": Anthropic does not accept audio input")
	case "":
		return dst, translate.Invalid(where() + ".type is required")
	}
	return dst, translate.Invalid(where() + ": content part type " + typ + " is not supported here")
}

// dataURL splits "data:<media type>[;params];base64,<data>".
func dataURL(u string) (mediaType, data string, ok bool) {
	rest, ok := strings.CutPrefix(u, "data:")
	if !ok {
		return "", "", false
	}
	meta, data, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return "", "", false
	}
	mediaType, _, _ = strings.Cut(meta, ";")
	return mediaType, data, mediaType != ""
}

// appendImage maps image_url: a base64 data URL becomes a base64 source, an http(s) URL a url
// source (Anthropic fetches it). "detail" has no Anthropic equivalent and is dropped.
func appendImage(dst []byte, image, cache string, where func() string) ([]byte, error) {
	urlRaw := image
	if isObj(image) {
		urlRaw = field(image, "url")
	}
	if !isStr(urlRaw) || isEmptyStr(urlRaw) {
		return dst, translate.Invalid(where() + ".image_url.url is required")
	}
	u := strValue(urlRaw)
	if strings.HasPrefix(u, "data:") {
		mt, data, ok := dataURL(u)
		if !ok {
			return dst, translate.Invalid(where() + ".image_url.url: a data URL must look like data:<media type>;base64,<data>")
		}
		dst = append(dst, `{"type":"image","source":{"type":"base64","media_type":`...)
		dst = translate.AppendString(dst, mt)
		dst = append(dst, `,"data":`...)
		dst = translate.AppendString(dst, data)
		dst = append(dst, '}')
	} else if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		dst = append(dst, `{"type":"image","source":{"type":"url","url":`...)
		dst = append(dst, urlRaw...)
		dst = append(dst, '}')
	} else {
		return dst, translate.Invalid(where() + ".image_url.url must be an http(s) URL or a base64 data URL")
	}
	return closeMedia(dst, cache), nil
}

// appendFile maps an OpenAI file part with inline file_data (a base64 data URL, typically a
// PDF) to a document block. Uploaded OpenAI file ids mean nothing to Anthropic.
func appendFile(dst []byte, file, cache string, where func() string) ([]byte, error) {
	dataRaw := field(file, "file_data")
	if !isStr(dataRaw) {
		if !isNull(field(file, "file_id")) {
			return dst, translate.Unsupported(where() + ": OpenAI file ids cannot be sent to Anthropic; send file.file_data as a base64 data URL")
		}
		return dst, translate.Invalid(where() + ".file.file_data is required")
	}
	mt, data, ok := dataURL(strValue(dataRaw))
	if !ok {
		return dst, translate.Invalid(where() + ".file.file_data must look like data:<media type>;base64,<data>")
	}
	dst = append(dst, `{"type":"document","source":{"type":"base64","media_type":`...)
	dst = translate.AppendString(dst, mt)
	dst = append(dst, `,"data":`...)
	dst = translate.AppendString(dst, data)
	dst = append(dst, '}')
	return closeMedia(dst, cache), nil
}

func closeMedia(dst []byte, cache string) []byte {
	if isObj(cache) {
		dst = append(dst, `,"cache_control":`...)
		dst = append(dst, cache...)
	}
	return append(dst, '}')
}

// appendToolCalls maps an assistant's tool_calls to tool_use blocks. The arguments string is
// decoded straight into dst and checked there: it must be a JSON object (Anthropic's input),
// and an empty string, which some clients send for argument-less calls, means {}.
func appendToolCalls(dst []byte, t *turns, calls string, i int) ([]byte, error) {
	if isNull(calls) {
		return dst, nil
	}
	if !isArr(calls) {
		return dst, translate.Invalid("messages[" + itoa(i) + "].tool_calls must be an array")
	}
	var err error
	eachElem(calls, func(j int, call string) bool {
		where := func() string { return "messages[" + itoa(i) + "].tool_calls[" + itoa(j) + "]" }
		var id, fn string
		eachField(call, func(k, v string) bool {
			switch k {
			case "id":
				id = v
			case "function":
				fn = v
			}
			return true
		})
		var name, args string
		eachField(fn, func(k, v string) bool {
			switch k {
			case "name":
				name = v
			case "arguments":
				args = v
			}
			return true
		})
		if !isStr(id) || isEmptyStr(id) {
			err = translate.Invalid(where() + ".id is required")
			return false
		}
		if !isStr(name) || isEmptyStr(name) {
			err = translate.Invalid(where() + ".function.name is required")
			return false
		}
		dst = t.block(dst, 'a')
		dst = append(dst, `{"type":"tool_use","id":`...)
		dst = append(dst, id...)
		dst = append(dst, `,"name":`...)
		dst = append(dst, name...)
		dst = append(dst, `,"input":`...)
		switch {
		case isNull(args) || (isStr(args) && blank(args)):
			dst = append(dst, "{}"...)
		case isObj(args):
			// Some clients send the arguments as an object already.
			dst = append(dst, args...)
		case isStr(args):
			mark := len(dst)
			dst = appendUnescaped(dst, inner(args))
			in := view(dst[mark:])
			if !valid(in) {
				err = translate.Invalid(where() + ".function.arguments is not valid JSON: " + clip(strValue(args), 120))
				return false
			}
			if !isObj(in[skipWS(in, 0):]) {
				err = translate.Invalid(where() + ".function.arguments must be a JSON object, got: " + clip(strValue(args), 120))
				return false
			}
		default:
			err = translate.Invalid(where() + ".function.arguments must be a string holding a JSON object")
			return false
		}
		dst = append(dst, '}')
		return true
	})
	return dst, err
}

// appendToolResult maps a tool message to a user-role tool_result block.
func appendToolResult(dst []byte, t *turns, id, content string, i int) ([]byte, error) {
	if !isStr(id) || isEmptyStr(id) {
		return dst, translate.Invalid("messages[" + itoa(i) + "].tool_call_id is required")
	}
	dst = t.block(dst, 'u')
	dst = append(dst, `{"type":"tool_result","tool_use_id":`...)
	dst = append(dst, id...)
	switch {
	case isNull(content) || (isStr(content) && blank(content)):
	case isStr(content):
		dst = append(dst, `,"content":`...)
		dst = append(dst, content...)
	case isArr(content):
		mark := len(dst)
		dst = append(dst, `,"content":[`...)
		var s sink
		var err error
		eachElem(content, func(j int, part string) bool {
			dst, err = appendPart(dst, &s, part, i, j, true)
			return err == nil
		})
		if err != nil {
			return dst, err
		}
		if s.n == 0 {
			dst = dst[:mark]
		} else {
			dst = append(dst, ']')
		}
	default:
		return dst, translate.Invalid("messages[" + itoa(i) + "].content must be a string or an array of content parts")
	}
	return append(dst, '}'), nil
}

// appendSystem writes the system and developer messages as Anthropic's top-level system: a
// plain string when there is one string message (the common case, byte-for-byte the client's
// text), otherwise an array of text blocks, which keeps cache_control and message boundaries.
func appendSystem(dst []byte, st *reqState) ([]byte, error) {
	if st.nsys == 0 {
		return dst, nil
	}
	if st.nsys == 1 {
		if c := field(st.sys[0], "content"); isStr(c) {
			if blank(c) {
				return dst, nil
			}
			dst = append(comma(dst), `"system":`...)
			return append(dst, c...), nil
		}
	}
	mark := len(dst)
	dst = append(comma(dst), `"system":[`...)
	var s sink
	var err error
	one := func(i int, m string) bool {
		c := field(m, "content")
		switch {
		case isNull(c) || (isStr(c) && blank(c)):
		case isStr(c):
			dst = appendText(s.next(dst), c, "")
		case isArr(c):
			eachElem(c, func(j int, part string) bool {
				dst, err = appendPart(dst, &s, part, i, j, false)
				return err == nil
			})
		default:
			err = translate.Invalid("messages[" + itoa(i) + "].content must be a string or an array of text parts")
		}
		return err == nil
	}
	if st.sysOverflow {
		eachElem(st.messages, func(i int, m string) bool {
			if r := field(m, "role"); r == `"system"` || r == `"developer"` {
				return one(i, m)
			}
			return true
		})
	} else {
		for k := 0; k < st.nsys; k++ {
			if !one(st.sysIdx[k], st.sys[k]) {
				break
			}
		}
	}
	if err != nil {
		return dst, err
	}
	if s.n == 0 {
		return dst[:mark], nil
	}
	return append(dst, ']'), nil
}

// clip shortens a client value quoted in an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
