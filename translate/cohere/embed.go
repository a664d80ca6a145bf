package cohere

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// maxTexts is Cohere's documented limit of texts per embed call; refusing more here gives the
// client OpenAI's 400 with a precise message rather than an opaque upstream error.
const maxTexts = 96

// buildEmbed appends the Cohere v2 embed body: {"model","texts","input_type",
// "embedding_types":["float"]}, plus output_dimension (from dimensions) and truncate.
func buildEmbed(c *translate.Call, t *translate.Target, body []byte, b []byte) ([]byte, error) {
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
	c.Model, c.Stream, c.IncludeUsage = model, false, false

	b = append(b, `{"model":`...)
	b = translate.AppendString(b, model)
	b = append(b, `,"texts":[`...)
	input := root.Get("input")
	switch {
	case input.Type == gjson.String:
		b = append(b, input.Raw...)
	case input.IsArray():
		n := 0
		var err error
		input.ForEach(func(_, v gjson.Result) bool {
			if v.Type != gjson.String {
				err = translate.Unsupported("Cohere embeds text only; token-array inputs are not supported")
				return false
			}
			if n == maxTexts {
				err = translate.Invalid("Cohere embeds at most 96 texts per request")
				return false
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = append(b, v.Raw...)
			return true
		})
		if err != nil {
			return b, err
		}
		if n == 0 {
			return b, translate.Invalid("input must not be empty")
		}
	default:
		return b, translate.Invalid("input must be a string or an array of strings")
	}
	b = append(b, `],"input_type":`...)
	if it := root.Get("input_type"); it.Type == gjson.String && it.Str != "" {
		b = append(b, it.Raw...)
	} else {
		b = append(b, `"`+DefaultInputType+`"`...)
	}
	b = append(b, `,"embedding_types":["float"]`...)
	if d := root.Get("dimensions"); d.Type == gjson.Number {
		b = appendMember(b, "output_dimension", d.Raw)
	}
	if tr := root.Get("truncate"); tr.Type == gjson.String {
		b = appendMember(b, "truncate", tr.Raw)
	}
	return append(b, '}'), nil
}

// appendCompact copies a JSON array of numbers without the whitespace Cohere may put between
// them, so answers look like OpenAI's compact ones. Anything holding a string is copied as is.
func appendCompact(dst []byte, raw string) []byte {
	for i := 0; i < len(raw); i++ {
		if raw[i] == '"' {
			return append(dst, raw...)
		}
	}
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case ' ', '\t', '\n', '\r':
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// translateEmbed turns {"id","embeddings":{"float":[[..],..]},"meta":{"billed_units":
// {"input_tokens":N}}} (or the older "embeddings":[[..]] form) into OpenAI's list. The float
// arrays are copied as Cohere wrote them, minus whitespace.
func translateEmbed(c *translate.Call, root gjson.Result, dst []byte) ([]byte, translate.Usage, error) {
	emb := root.Get("embeddings")
	if emb.IsObject() {
		emb = emb.Get("float")
	}
	if !emb.IsArray() {
		return dst, translate.Usage{}, badUpstream("Cohere embed answer has no float embeddings")
	}
	dst = append(dst, `{"object":"list","data":[`...)
	n := 0
	var err error
	emb.ForEach(func(_, v gjson.Result) bool {
		if !v.IsArray() {
			err = badUpstream("Cohere embed answer holds an embedding that is not an array")
			return false
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"object":"embedding","index":`...)
		dst = translate.AppendInt(dst, int64(n))
		dst = append(dst, `,"embedding":`...)
		dst = appendCompact(dst, v.Raw)
		dst = append(dst, '}')
		n++
		return true
	})
	if err != nil {
		return dst, translate.Usage{}, err
	}
	in := root.Get("meta.billed_units.input_tokens").Int()
	u := translate.Usage{PromptTokens: int(in), TotalTokens: int(in)}
	dst = append(dst, `],"model":`...)
	dst = translate.AppendString(dst, c.Model)
	dst = append(dst, `,"usage":{"prompt_tokens":`...)
	dst = translate.AppendInt(dst, in)
	dst = append(dst, `,"total_tokens":`...)
	dst = translate.AppendInt(dst, in)
	return append(dst, "}}"...), u, nil
}
