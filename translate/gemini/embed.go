package gemini

import (
	"strconv"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/rawjson"
)

// EmbedInput reads an OpenAI embeddings request (a body PrepareBody validated): the input,
// a string or an array of strings, and dimensions. Token-id inputs are refused: Google's
// embedders take text only.
func EmbedInput(body []byte) (input, dims gjson.Result, err error) {
	root := gjson.Parse(str(body))
	input, dims = root.Get("input"), root.Get("dimensions")
	switch {
	case input.Type == gjson.String:
	case input.IsArray():
		n := 0
		input.ForEach(func(_, v gjson.Result) bool {
			if v.Type != gjson.String {
				err = translate.Unsupported("embeddings input must be a string or an array of strings; token arrays are not supported by Google embedding models")
				return false
			}
			n++
			return true
		})
		if err == nil && n == 0 {
			err = translate.Invalid("embeddings input must not be empty")
		}
	default:
		err = translate.Invalid("embeddings input must be a string or an array of strings")
	}
	if err == nil && dims.Exists() && dims.Type != gjson.Null && dims.Type != gjson.Number {
		err = translate.Invalid("dimensions must be a number")
	}
	return input, dims, err
}

// AppendEmbedRequest appends an embedContent body (string input) or a batchEmbedContents body
// (array input, batch = true).
func AppendEmbedRequest(dst []byte, body []byte, model string) ([]byte, bool, error) {
	input, dims, err := EmbedInput(body)
	if err != nil {
		return dst, false, err
	}
	one := func(text gjson.Result) {
		dst = append(dst, `{"model":"models/`...)
		dst = append(dst, model...)
		dst = append(dst, `","content":{"parts":[{"text":`...)
		dst = appendStrRaw(dst, text)
		dst = append(dst, `}]}`...)
		if dims.Type == gjson.Number {
			dst = append(dst, `,"outputDimensionality":`...)
			dst = append(dst, dims.Raw...)
		}
		dst = append(dst, '}')
	}
	if input.Type == gjson.String {
		one(input)
		return dst, false, nil
	}
	dst = append(dst, `{"requests":[`...)
	i := 0
	input.ForEach(func(_, v gjson.Result) bool {
		if i > 0 {
			dst = append(dst, ',')
		}
		i++
		one(v)
		return true
	})
	return append(dst, "]}"...), true, nil
}

// AppendEmbeddings turns an embeddings answer into OpenAI's list. It reads the three shapes
// Google uses: embedContent ({"embedding":{"values"}}), batchEmbedContents
// ({"embeddings":[{"values"}]}) and Vertex AI's predict ({"predictions":[{"embeddings":
// {"values","statistics":{"token_count"}}}]}). The Gemini API reports no token counts, so
// its usage is 0; Vertex's token_count values are summed into prompt_tokens.
func AppendEmbeddings(dst []byte, c *translate.Call, body []byte) ([]byte, translate.Usage, error) {
	var u translate.Usage
	s := str(body)
	if !gjson.Valid(s) {
		return dst, u, &translate.Error{Status: 502, Type: "api_error", Message: "upstream embeddings answer is not valid JSON"}
	}
	root := gjson.Parse(s)
	start := len(dst)
	dst = append(dst, `{"object":"list","data":[`...)
	n := 0
	item := func(values gjson.Result) bool {
		if !values.IsArray() {
			return false
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"object":"embedding","index":`...)
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, `,"embedding":`...)
		dst = rawjson.AppendCompact(dst, values.Raw)
		dst = append(dst, '}')
		n++
		return true
	}
	ok := true
	if e := root.Get("embedding"); e.Exists() {
		ok = item(e.Get("values"))
	} else if es := root.Get("embeddings"); es.IsArray() {
		es.ForEach(func(_, e gjson.Result) bool {
			ok = item(e.Get("values"))
			return ok
		})
	} else if ps := root.Get("predictions"); ps.IsArray() {
		ps.ForEach(func(_, p gjson.Result) bool {
			e := p.Get("embeddings")
			u.PromptTokens += int(e.Get("statistics.token_count").Int())
			ok = item(e.Get("values"))
			return ok
		})
	} else {
		ok = false
	}
	if !ok {
		return dst[:start], u, &translate.Error{Status: 502, Type: "api_error", Message: "upstream embeddings answer has no embedding values"}
	}
	u.TotalTokens = u.PromptTokens
	dst = append(dst, `],"model":`...)
	dst = translate.AppendString(dst, c.Model)
	dst = append(dst, `,"usage":{"prompt_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.PromptTokens), 10)
	dst = append(dst, `,"total_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.TotalTokens), 10)
	return append(dst, "}}"...), u, nil
}
