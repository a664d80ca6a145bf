package gemini

import (
	"strings"

	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// toolName remembers which function an assistant tool call named, so a later tool result
// (which OpenAI identifies only by tool_call_id) can name its functionResponse.
type toolName struct{ id, name string }

// contentWriter appends Gemini contents, merging consecutive turns of the same role because
// Gemini wants user and model turns to alternate (parallel tool results become one user turn
// with several functionResponse parts).
type contentWriter struct {
	dst   []byte
	role  string // role of the open content, "" when none is open
	n     int    // contents written
	np    int    // parts in the open content
	calls []toolName
	buf   [8]toolName
	// needSig: the model refuses replayed function calls without a thought signature.
	needSig bool
}

// part starts a new part in a content of the given role.
func (w *contentWriter) part(role string) {
	if w.role != role {
		if w.role != "" {
			w.dst = append(w.dst, "]}"...)
		}
		if w.n > 0 {
			w.dst = append(w.dst, ',')
		}
		w.n++
		w.dst = append(w.dst, `{"role":"`...)
		w.dst = append(w.dst, role...)
		w.dst = append(w.dst, `","parts":[`...)
		w.role, w.np = role, 0
	}
	if w.np > 0 {
		w.dst = append(w.dst, ',')
	}
	w.np++
}

func (w *contentWriter) finish() []byte {
	if w.role != "" {
		w.dst = append(w.dst, "]}"...)
		w.role = ""
	}
	return w.dst
}

// message appends one OpenAI message. System and developer messages are not written: their
// role comes back as "system" with the content, for the caller's systemInstruction.
func (w *contentWriter) message(m gjson.Result) (string, gjson.Result, error) {
	if w.calls == nil {
		w.calls = w.buf[:0]
	}
	var role, toolCallID, name gjson.Result
	var content, toolCalls gjson.Result
	eachMember(m.Raw, func(k, v string) bool {
		switch {
		case keyIs(k, "role"):
			role = rawResult(v)
		case keyIs(k, "content"):
			content = rawResult(v)
		case keyIs(k, "tool_calls"):
			toolCalls = rawResult(v)
		case keyIs(k, "tool_call_id"):
			toolCallID = rawResult(v)
		case keyIs(k, "name"):
			name = rawResult(v)
		}
		return true
	})
	switch r := strText(role); r {
	case "system", "developer":
		return "system", content, nil
	case "user":
		return "user", content, w.content("user", content)
	case "assistant":
		if err := w.content("model", content); err != nil {
			return "", content, err
		}
		return "model", content, w.toolCalls(toolCalls)
	case "tool":
		id, fn := strText(toolCallID), ""
		for _, c := range w.calls {
			if c.id == id {
				fn = c.name
			}
		}
		if fn == "" {
			fn = strText(name) // some clients name the function on the tool message itself
		}
		if fn == "" {
			return "", content, translate.Invalid("tool message tool_call_id " + quoteType(id) + " matches no earlier assistant tool call")
		}
		return "user", content, w.functionResponse(fn, content)
	case "function":
		fn := strText(name)
		if fn == "" {
			return "", content, translate.Invalid("function message needs a name")
		}
		return "user", content, w.functionResponse(fn, content)
	default:
		return "", content, translate.Invalid("unsupported message role " + quoteType(r))
	}
}

func (w *contentWriter) content(role string, c gjson.Result) error {
	switch {
	case c.Type == gjson.String:
		if strNonEmpty(c) {
			w.part(role)
			w.dst = append(w.dst, `{"text":`...)
			w.dst = appendStrRaw(w.dst, c)
			w.dst = append(w.dst, '}')
		}
		return nil
	case c.IsArray():
		var err error
		c.ForEach(func(_, p gjson.Result) bool {
			err = w.contentPart(role, p)
			return err == nil
		})
		return err
	case !c.Exists() || c.Type == gjson.Null:
		return nil
	}
	return translate.Invalid("message content must be a string, an array of parts or null")
}

func (w *contentWriter) contentPart(role string, p gjson.Result) error {
	var typ, text, image, audio, file gjson.Result
	eachMember(p.Raw, func(k, v string) bool {
		switch {
		case keyIs(k, "type"):
			typ = rawResult(v)
		case keyIs(k, "text"), keyIs(k, "refusal"):
			text = rawResult(v)
		case keyIs(k, "image_url"):
			image = rawResult(v)
		case keyIs(k, "input_audio"):
			audio = rawResult(v)
		case keyIs(k, "file"):
			file = rawResult(v)
		}
		return true
	})
	switch t := strText(typ); t {
	case "text", "refusal":
		if strNonEmpty(text) {
			w.part(role)
			w.dst = append(w.dst, `{"text":`...)
			w.dst = appendStrRaw(w.dst, text)
			w.dst = append(w.dst, '}')
		}
		return nil
	case "image_url":
		u := image
		if u.IsObject() {
			u = u.Get("url")
		}
		url := strText(u)
		if url == "" {
			return translate.Invalid("image_url part needs a url")
		}
		return w.media(role, url, DefaultImageMIME)
	case "input_audio":
		data, format := audio.Get("data"), audio.Get("format")
		if data.Type != gjson.String || format.Type != gjson.String {
			return translate.Invalid("input_audio part needs data and format")
		}
		w.part(role)
		w.dst = append(w.dst, `{"inlineData":{"mimeType":`...)
		w.dst = translate.AppendString(w.dst, "audio/"+format.Str)
		w.dst = append(w.dst, `,"data":`...)
		w.dst = appendStrRaw(w.dst, data)
		w.dst = append(w.dst, "}}"...)
		return nil
	case "file":
		if fd := file.Get("file_data"); fd.Type == gjson.String && fd.Str != "" {
			return w.media(role, fd.Str, "application/pdf")
		}
		if id := file.Get("file_id"); id.Type == gjson.String && id.Str != "" {
			return w.media(role, id.Str, "application/pdf")
		}
		return translate.Invalid("file part needs file_data or file_id")
	default:
		return translate.Invalid("content part type " + quoteType(t) + " is not supported by Gemini")
	}
}

// media appends a data: URI as inlineData and any other URI (https, gs, Files API) as
// fileData with a mimeType guessed from the extension (def when it says nothing).
func (w *contentWriter) media(role, u, def string) error {
	if strings.HasPrefix(u, "data:") {
		meta, data, ok := strings.Cut(u[len("data:"):], ",")
		if !ok || !strings.HasSuffix(meta, ";base64") {
			return translate.Invalid("data URI must be base64 encoded (data:<mime>;base64,<data>)")
		}
		mime := strings.TrimSuffix(meta, ";base64")
		if i := strings.IndexByte(mime, ';'); i >= 0 {
			mime = mime[:i]
		}
		if mime == "" {
			mime = def
		}
		w.part(role)
		w.dst = append(w.dst, `{"inlineData":{"mimeType":`...)
		w.dst = translate.AppendString(w.dst, mime)
		w.dst = append(w.dst, `,"data":`...)
		w.dst = translate.AppendString(w.dst, data)
		w.dst = append(w.dst, "}}"...)
		return nil
	}
	w.part(role)
	w.dst = append(w.dst, `{"fileData":{"mimeType":`...)
	w.dst = translate.AppendString(w.dst, mimeForURL(u, def))
	w.dst = append(w.dst, `,"fileUri":`...)
	w.dst = translate.AppendString(w.dst, u)
	w.dst = append(w.dst, "}}"...)
	return nil
}

// toolCalls appends an assistant's tool calls as functionCall parts. A thought signature the
// client kept from our earlier answer (extra_content.google.thought_signature, the field
// Google's own OpenAI endpoint uses) goes back on its part, as Gemini 3 requires.
func (w *contentWriter) toolCalls(tc gjson.Result) error {
	if !tc.Exists() || tc.Type == gjson.Null {
		return nil
	}
	if !tc.IsArray() {
		return translate.Invalid("tool_calls must be an array")
	}
	// Gemini 3 wants the signature on the first function call of a step. When the client
	// dropped ours, Google's documented sentinel stands in (it skips the check) so the
	// conversation goes on rather than failing with a 400.
	sentinel := w.needSig && !strings.Contains(tc.Raw, "thought_signature")
	first := true
	var err error
	tc.ForEach(func(_, c gjson.Result) bool {
		var id, name, args, sig gjson.Result
		eachMember(c.Raw, func(k, v string) bool {
			switch {
			case keyIs(k, "id"):
				id = rawResult(v)
			case keyIs(k, "function"):
				eachMember(v, func(k, v string) bool {
					switch {
					case keyIs(k, "name"):
						name = rawResult(v)
					case keyIs(k, "arguments"):
						args = rawResult(v)
					}
					return true
				})
			case keyIs(k, "extra_content"):
				sig = gjson.Get(v, "google.thought_signature")
			}
			return true
		})
		fname := strText(name)
		if fname == "" {
			err = translate.Invalid("tool call needs function.name")
			return false
		}
		w.calls = append(w.calls, toolName{id: strText(id), name: fname})
		w.part("model")
		w.dst = append(w.dst, `{"functionCall":{"name":`...)
		w.dst = appendStrRaw(w.dst, name)
		w.dst = append(w.dst, `,"args":`...)
		switch {
		case args.Type == gjson.String:
			// Decoded straight into the body, then checked there: no copy of the arguments.
			mark := len(w.dst)
			w.dst = appendUnescaped(w.dst, args.Raw)
			a := w.dst[mark:]
			i := 0
			for i < len(a) && (a[i] == ' ' || a[i] == '\t' || a[i] == '\n' || a[i] == '\r') {
				i++
			}
			switch {
			case i == len(a):
				w.dst = append(w.dst[:mark], "{}"...)
			case a[i] != '{' || !gjson.ValidBytes(a):
				err = translate.Invalid("tool call arguments must be a JSON object")
				return false
			}
		case args.IsObject():
			w.dst = append(w.dst, args.Raw...)
		case !args.Exists() || args.Type == gjson.Null:
			w.dst = append(w.dst, "{}"...)
		default:
			err = translate.Invalid("tool call arguments must be a JSON object")
			return false
		}
		w.dst = append(w.dst, '}')
		if sig.Type == gjson.String && sig.Str != "" {
			w.dst = append(w.dst, `,"thoughtSignature":`...)
			w.dst = appendStrRaw(w.dst, sig)
		} else if sentinel && first {
			w.dst = append(w.dst, `,"thoughtSignature":"skip_thought_signature_validator"`...)
		}
		first = false
		w.dst = append(w.dst, '}')
		return true
	})
	return err
}

// functionResponse appends a tool result. Gemini wants an object: content that is a JSON
// object passes as is, anything else is wrapped as {"content": ...}.
func (w *contentWriter) functionResponse(name string, c gjson.Result) error {
	w.part("user")
	w.dst = append(w.dst, `{"functionResponse":{"name":`...)
	w.dst = translate.AppendString(w.dst, name)
	w.dst = append(w.dst, `,"response":`...)
	switch {
	case c.Type == gjson.String:
		// Decoded into the body; kept when it is a JSON object, else replaced by the wrapper.
		mark := len(w.dst)
		w.dst = appendUnescaped(w.dst, c.Raw)
		a := w.dst[mark:]
		i := 0
		for i < len(a) && (a[i] == ' ' || a[i] == '\t' || a[i] == '\n' || a[i] == '\r') {
			i++
		}
		if i == len(a) || a[i] != '{' || !gjson.ValidBytes(a) {
			w.dst = append(w.dst[:mark], `{"content":`...)
			w.dst = appendStrRaw(w.dst, c)
			w.dst = append(w.dst, '}')
		}
	case c.IsArray():
		// Text parts joined, as OpenAI reads an array of text parts as one text.
		w.dst = append(w.dst, `{"content":"`...)
		var err error
		c.ForEach(func(_, p gjson.Result) bool {
			var typ, text string
			eachMember(p.Raw, func(k, v string) bool {
				switch {
				case keyIs(k, "type"):
					typ = v
				case keyIs(k, "text"):
					text = v
				}
				return true
			})
			if typ != `"text"` {
				err = translate.Invalid("tool message content parts must be text")
				return false
			}
			w.dst = appendStrInner(w.dst, rawResult(text))
			return true
		})
		if err != nil {
			return err
		}
		w.dst = append(w.dst, `"}`...)
	case c.IsObject():
		w.dst = append(w.dst, c.Raw...)
	case !c.Exists() || c.Type == gjson.Null:
		w.dst = append(w.dst, `{"content":""}`...)
	default:
		w.dst = append(w.dst, `{"content":`...)
		w.dst = append(w.dst, c.Raw...)
		w.dst = append(w.dst, '}')
	}
	w.dst = append(w.dst, "}}"...)
	return nil
}

// needsThoughtSignature reports whether the model is Gemini 3 or later, which refuses a
// replayed functionCall without a thoughtSignature.
func needsThoughtSignature(model string) bool {
	rest, ok := strings.CutPrefix(model, "gemini-")
	if !ok {
		return false
	}
	n, i := 0, 0
	for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9' && i < 4; i++ {
		n = n*10 + int(rest[i]-'0')
	}
	return i > 0 && n >= 3
}
