package messages

import (
	"switchyard/translate"
	"switchyard/translate/internal/rawjson"
)

// msgWriter appends OpenAI messages, counting them for separators.
type msgWriter struct {
	n    int  // messages written
	turn bool // a user or assistant message was written (a system prompt alone is not a chat)
}

func (w *msgWriter) open(dst []byte, role string) []byte {
	if w.n > 0 {
		dst = append(dst, ',')
	}
	w.n++
	dst = append(dst, `{"role":"`...)
	dst = append(dst, role...)
	return append(dst, `","content":`...)
}

// Joiner between text blocks merged into one OpenAI string (system prompt, tool result).
const joiner = `\n\n`

// system writes the system prompt as one system message. A list of text blocks (Claude Code
// sends several, with cache_control) becomes one string joined by a blank line: several
// system messages, or an array content, are refused by some OpenAI-compatible servers.
// cache_control is dropped (OpenAI caches prompts on its own and rejects unknown fields).
func (w *msgWriter) system(dst []byte, sys string) ([]byte, error) {
	switch {
	case sys == "":
		return dst, nil
	case isStr(sys):
		if sys == `""` {
			return dst, nil
		}
		dst = w.open(dst, "system")
		dst = append(dst, sys...)
		return append(dst, '}'), nil
	case isArr(sys):
	default:
		return dst, translate.Invalid("system must be a string or an array of text blocks")
	}
	mark, n := len(dst), w.n
	dst = w.open(dst, "system")
	dst = append(dst, '"')
	texts := 0
	var err error
	rawjson.EachElem(sys, func(i int, b string) bool {
		typ, text := field(b, "type"), field(b, "text")
		if typ != `"text"` || !isStr(text) {
			err = translate.Invalid("system[" + itoa(i) + "] must be a text block with a string text")
			return false
		}
		if text == `""` {
			return true
		}
		if texts > 0 {
			dst = append(dst, joiner...)
		}
		texts++
		dst = append(dst, inner(text)...)
		return true
	})
	if err != nil {
		return dst, err
	}
	if texts == 0 {
		w.n = n
		return dst[:mark], nil
	}
	return append(dst, `"}`...), nil
}

func (w *msgWriter) messages(dst []byte, msgs string) ([]byte, error) {
	var err error
	rawjson.EachElem(msgs, func(i int, m string) bool {
		if !isObj(m) {
			err = translate.Invalid("messages[" + itoa(i) + "] must be an object")
			return false
		}
		var role, content string
		rawjson.EachField(m, func(k, v string) bool {
			switch k {
			case "role":
				role = v
			case "content":
				content = v
			}
			return true
		})
		switch role {
		case `"user"`:
			dst, err = w.user(dst, content, i)
		case `"assistant"`:
			dst, err = w.assistant(dst, content, i)
		case "":
			err = translate.Invalid("messages[" + itoa(i) + "].role is required")
		default:
			err = translate.Invalid("messages[" + itoa(i) + "].role must be \"user\" or \"assistant\", got " + clip(role, 40))
		}
		return err == nil
	})
	return dst, err
}

// blockInfo is the part of a content block the conversion reads.
type blockInfo struct {
	typ, text, source, id, name, input, toolUseID, content, isError, title string
}

func readBlock(b string) blockInfo {
	var bi blockInfo
	rawjson.EachField(b, func(k, v string) bool {
		switch k {
		case "type":
			bi.typ = v
		case "text":
			bi.text = v
		case "source":
			bi.source = v
		case "id":
			bi.id = v
		case "name":
			bi.name = v
		case "input":
			bi.input = v
		case "tool_use_id":
			bi.toolUseID = v
		case "content":
			bi.content = v
		case "is_error":
			bi.isError = v
		case "title":
			bi.title = v
		}
		return true
	})
	return bi
}

func where(i, j int) string { return "messages[" + itoa(i) + "].content[" + itoa(j) + "]" }

// user writes a user turn. tool_result blocks become role "tool" messages, written first:
// OpenAI wants them right after the assistant message holding the tool calls (Anthropic
// likewise puts tool_result blocks first in the user turn). The remaining blocks (text,
// images, documents, and the images a tool returned, which an OpenAI tool message cannot
// carry) follow as one user message with an array content.
func (w *msgWriter) user(dst []byte, content string, i int) ([]byte, error) {
	switch {
	case isStr(content):
		dst = w.open(dst, "user")
		w.turn = true
		dst = append(dst, content...)
		return append(dst, '}'), nil
	case isArr(content):
	default:
		return dst, translate.Invalid("messages[" + itoa(i) + "].content must be a string or an array of content blocks")
	}
	var err error
	parts := 0
	rawjson.EachElem(content, func(j int, b string) bool {
		if !isObj(b) {
			err = translate.Invalid(where(i, j) + " must be an object")
			return false
		}
		bi := readBlock(b)
		if bi.typ == `"tool_result"` {
			dst, err = w.toolResult(dst, &bi, i, j)
		} else {
			parts++
		}
		return err == nil
	})
	if err != nil {
		return dst, err
	}
	// Second pass: the user message proper, if anything besides tool results (or an image
	// inside one) is there.
	mark, n := len(dst), w.n
	dst = w.open(dst, "user")
	dst = append(dst, '[')
	written := 0
	rawjson.EachElem(content, func(j int, b string) bool {
		bi := readBlock(b)
		if bi.typ == `"tool_result"` {
			if isArr(bi.content) {
				rawjson.EachElem(bi.content, func(k int, tb string) bool {
					if field(tb, "type") == `"image"` {
						dst, err = appendPart(dst, readBlock(tb), &written, i, j)
					}
					return err == nil
				})
			}
			return err == nil
		}
		dst, err = appendPart(dst, bi, &written, i, j)
		return err == nil
	})
	if err != nil {
		return dst, err
	}
	if written == 0 {
		w.n = n
		return dst[:mark], nil
	}
	w.turn = true
	return append(dst, "]}"...), nil
}

// appendPart writes one user content block as an OpenAI content part.
func appendPart(dst []byte, bi blockInfo, written *int, i, j int) ([]byte, error) {
	sep := func(dst []byte) []byte {
		if *written > 0 {
			dst = append(dst, ',')
		}
		*written++
		return dst
	}
	switch bi.typ {
	case `"text"`:
		if !isStr(bi.text) {
			return dst, translate.Invalid(where(i, j) + ".text must be a string")
		}
		dst = append(sep(dst), `{"type":"text","text":`...)
		dst = append(dst, bi.text...)
		return append(dst, '}'), nil
	case `"image"`:
		var styp, mt, data, url string
		rawjson.EachField(bi.source, func(k, v string) bool {
			switch k {
			case "type":
				styp = v
			case "media_type":
				mt = v
			case "data":
				data = v
			case "url":
				url = v
			}
			return true
		})
		switch styp {
		case `"base64"`:
			if !isStr(mt) || mt == `""` || !isStr(data) {
				return dst, translate.Invalid(where(i, j) + ".source: a base64 image needs media_type and data")
			}
			dst = append(sep(dst), `{"type":"image_url","image_url":{"url":"data:`...)
			dst = append(dst, inner(mt)...)
			dst = append(dst, ";base64,"...)
			dst = append(dst, inner(data)...)
			return append(dst, `"}}`...), nil
		case `"url"`:
			if !isStr(url) || url == `""` {
				return dst, translate.Invalid(where(i, j) + ".source.url is required")
			}
			dst = append(sep(dst), `{"type":"image_url","image_url":{"url":`...)
			dst = append(dst, url...)
			return append(dst, "}}"...), nil
		case "":
			return dst, translate.Invalid(where(i, j) + ".source.type is required")
		}
		return dst, translate.Unsupported(where(i, j) + ": image source type " + clip(styp, 40) + " cannot be sent to a non-Anthropic model; use base64 or url")
	case `"document"`:
		var styp, mt, data string
		rawjson.EachField(bi.source, func(k, v string) bool {
			switch k {
			case "type":
				styp = v
			case "media_type":
				mt = v
			case "data":
				data = v
			}
			return true
		})
		switch styp {
		case `"base64"`:
			if !isStr(mt) || mt == `""` || !isStr(data) {
				return dst, translate.Invalid(where(i, j) + ".source: a base64 document needs media_type and data")
			}
			// OpenAI wants a file name with inline file data.
			dst = append(sep(dst), `{"type":"file","file":{"filename":`...)
			if isStr(bi.title) && bi.title != `""` {
				dst = append(dst, bi.title...)
			} else {
				dst = append(dst, `"document.pdf"`...)
			}
			dst = append(dst, `,"file_data":"data:`...)
			dst = append(dst, inner(mt)...)
			dst = append(dst, ";base64,"...)
			dst = append(dst, inner(data)...)
			return append(dst, `"}}`...), nil
		case `"text"`:
			// A plain-text document is text to the model.
			if !isStr(data) {
				return dst, translate.Invalid(where(i, j) + ".source.data must be a string")
			}
			dst = append(sep(dst), `{"type":"text","text":`...)
			dst = append(dst, data...)
			return append(dst, '}'), nil
		}
		return dst, translate.Unsupported(where(i, j) + ": document source type " + clip(styp, 40) + " cannot be sent to a non-Anthropic model; use base64 or text")
	case "":
		return dst, translate.Invalid(where(i, j) + ".type is required")
	}
	return dst, translate.Unsupported(where(i, j) + ": block type " + clip(bi.typ, 40) + " cannot be sent to a non-Anthropic model in a user message")
}

// toolResult writes a role "tool" message. Text blocks are joined by a blank line (an OpenAI
// tool message holds a string for every provider); images go to the user message after.
// OpenAI has no error flag: is_error prefixes the content with "Error: " so the model still
// learns the call failed.
func (w *msgWriter) toolResult(dst []byte, bi *blockInfo, i, j int) ([]byte, error) {
	if !isStr(bi.toolUseID) || bi.toolUseID == `""` {
		return dst, translate.Invalid(where(i, j) + ".tool_use_id is required")
	}
	dst = w.open(dst, "tool")
	dst = dst[:len(dst)-len(`"content":`)]
	dst = append(dst, `"tool_call_id":`...)
	dst = append(dst, bi.toolUseID...)
	dst = append(dst, `,"content":"`...)
	isErr := bi.isError == "true"
	if isErr {
		dst = append(dst, "Error"...)
	}
	texts := 0
	text := func(raw string) {
		if raw == `""` {
			return
		}
		switch {
		case texts > 0:
			dst = append(dst, joiner...)
		case isErr:
			dst = append(dst, ": "...)
		}
		texts++
		dst = append(dst, inner(raw)...)
	}
	switch {
	case isNull(bi.content):
	case isStr(bi.content):
		text(bi.content)
	case isArr(bi.content):
		var err error
		rawjson.EachElem(bi.content, func(k int, b string) bool {
			switch typ := field(b, "type"); typ {
			case `"text"`:
				t := field(b, "text")
				if !isStr(t) {
					err = translate.Invalid(where(i, j) + ".content[" + itoa(k) + "].text must be a string")
					return false
				}
				text(t)
			case `"image"`:
				// Written into the user message that follows.
			default:
				err = translate.Unsupported(where(i, j) + ".content[" + itoa(k) + "]: block type " + clip(typ, 40) + " in a tool result cannot be sent to a non-Anthropic model")
				return false
			}
			return true
		})
		if err != nil {
			return dst, err
		}
	default:
		return dst, translate.Invalid(where(i, j) + ".content must be a string or an array of content blocks")
	}
	return append(dst, `"}`...), nil
}

// assistant writes an assistant turn: text blocks joined with nothing between them (as
// translate/anthropic joins an Anthropic answer's text blocks), tool_use blocks as
// tool_calls with the input object as the arguments string. thinking and redacted_thinking
// blocks are dropped: the OpenAI chat format has no field to hand reasoning back.
func (w *msgWriter) assistant(dst []byte, content string, i int) ([]byte, error) {
	switch {
	case isStr(content):
		dst = w.open(dst, "assistant")
		w.turn = true
		dst = append(dst, content...)
		return append(dst, '}'), nil
	case isArr(content):
	default:
		return dst, translate.Invalid("messages[" + itoa(i) + "].content must be a string or an array of content blocks")
	}
	mark, n := len(dst), w.n
	dst = w.open(dst, "assistant")
	textAt := len(dst)
	dst = append(dst, '"')
	texts, calls := 0, 0
	var err error
	// Text first, in one string; tool calls after, in a second pass.
	rawjson.EachElem(content, func(j int, b string) bool {
		if !isObj(b) {
			err = translate.Invalid(where(i, j) + " must be an object")
			return false
		}
		bi := readBlock(b)
		switch bi.typ {
		case `"text"`:
			if !isStr(bi.text) {
				err = translate.Invalid(where(i, j) + ".text must be a string")
				return false
			}
			texts++
			dst = append(dst, inner(bi.text)...)
		case `"tool_use"`:
			calls++
		case `"thinking"`, `"redacted_thinking"`:
		case "":
			err = translate.Invalid(where(i, j) + ".type is required")
		default:
			err = translate.Unsupported(where(i, j) + ": block type " + clip(bi.typ, 40) + " cannot be sent to a non-Anthropic model in an assistant message")
		}
		return err == nil
	})
	if err != nil {
		return dst, err
	}
	if texts == 0 && calls == 0 {
		w.n = n
		return dst[:mark], nil
	}
	w.turn = true
	if texts == 0 {
		dst = append(dst[:textAt], "null"...)
	} else {
		dst = append(dst, '"')
	}
	if calls == 0 {
		return append(dst, '}'), nil
	}
	dst = append(dst, `,"tool_calls":[`...)
	c := 0
	rawjson.EachElem(content, func(j int, b string) bool {
		bi := readBlock(b)
		if bi.typ != `"tool_use"` {
			return true
		}
		if !isStr(bi.id) || bi.id == `""` {
			err = translate.Invalid(where(i, j) + ".id is required")
			return false
		}
		if !isStr(bi.name) || bi.name == `""` {
			err = translate.Invalid(where(i, j) + ".name is required")
			return false
		}
		if !isNull(bi.input) && !isObj(bi.input) {
			err = translate.Invalid(where(i, j) + ".input must be an object")
			return false
		}
		if c > 0 {
			dst = append(dst, ',')
		}
		c++
		dst = append(dst, `{"id":`...)
		dst = append(dst, bi.id...)
		dst = append(dst, `,"type":"function","function":{"name":`...)
		dst = append(dst, bi.name...)
		dst = append(dst, `,"arguments":`...)
		in := bi.input
		if isNull(in) {
			in = "{}"
		}
		// The input is valid JSON text: quoting it once more is exactly the arguments string.
		dst = translate.AppendString(dst, in)
		dst = append(dst, "}}"...)
		return true
	})
	if err != nil {
		return dst, err
	}
	return append(dst, "]}"...), nil
}
