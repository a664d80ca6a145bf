package bedrock

import (
	"strings"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/rawjson"
)

type embedKind uint8

const (
	embedUnknown embedKind = iota
	embedTitan
	embedCohere
)

func embeddingKind(model string) embedKind {
	switch {
	case strings.Contains(model, "titan-embed"):
		return embedTitan
	case strings.Contains(model, "cohere.embed"):
		return embedCohere
	}
	return embedUnknown
}

// buildEmbeddings writes the InvokeModel body for an OpenAI embeddings request.
//
//   - Titan text embeddings take one text per call: input must be a string or an array of
//     exactly one string (more → 400 unsupported_operation). dimensions is passed through;
//     a non-OpenAI "normalize" boolean too.
//   - Cohere embed takes a batch: input may be a string or an array of strings; input_type
//     (a Cohere field clients may add) defaults to "search_document"; truncate is passed
//     through; dimensions becomes output_dimension for embed-v4 models.
//   - Token-array inputs are rejected: neither model family accepts token ids.
//   - encoding_format is not forwarded: answers always carry float arrays, which the OpenAI
//     SDKs accept whatever format they asked for (they decode only string embeddings).
func buildEmbeddings(model string, root gjson.Result, b []byte) ([]byte, error) {
	input := root.Get("input")
	kind := embeddingKind(model)
	if kind == embedUnknown {
		return b, translate.Unsupported("bedrock: embeddings support Amazon Titan (amazon.titan-embed-*) and Cohere (cohere.embed-*) models, not \"" + model + "\"")
	}
	count := 0
	switch {
	case input.Type == gjson.String:
		count = 1
	case input.IsArray():
		bad := false
		input.ForEach(func(_, v gjson.Result) bool {
			if v.Type != gjson.String {
				bad = true
				return false
			}
			count++
			return true
		})
		if bad {
			return b, translate.Invalid("bedrock: embeddings input must be a string or an array of strings (token arrays are not supported)")
		}
	default:
		return b, translate.Invalid("input must be a string or an array of strings")
	}
	if count == 0 {
		return b, translate.Invalid("input must not be empty")
	}
	dims := root.Get("dimensions")
	if present(dims) && dims.Type != gjson.Number {
		return b, translate.Invalid("dimensions must be a number")
	}

	if kind == embedTitan {
		if count > 1 {
			return b, translate.Unsupported("bedrock: Titan embedding models take one input per request; send one string")
		}
		text := input
		if input.IsArray() {
			text = input.Get("0")
		}
		b = append(b, `{"inputText":`...)
		b = append(b, text.Raw...)
		if present(dims) {
			b = append(b, `,"dimensions":`...)
			b = append(b, dims.Raw...)
		}
		if nz := root.Get("normalize"); nz.IsBool() {
			b = append(b, `,"normalize":`...)
			b = append(b, nz.Raw...)
		}
		return append(b, '}'), nil
	}

	b = append(b, `{"texts":`...)
	if input.Type == gjson.String {
		b = append(b, '[')
		b = append(b, input.Raw...)
		b = append(b, ']')
	} else {
		b = rawjson.AppendCompact(b, input.Raw)
	}
	b = append(b, `,"input_type":`...)
	if it := root.Get("input_type"); it.Type == gjson.String {
		b = append(b, it.Raw...)
	} else {
		b = append(b, `"search_document"`...)
	}
	if tr := root.Get("truncate"); tr.Type == gjson.String {
		b = append(b, `,"truncate":`...)
		b = append(b, tr.Raw...)
	}
	if present(dims) && strings.Contains(model, "embed-v4") {
		b = append(b, `,"output_dimension":`...)
		b = append(b, dims.Raw...)
	}
	return append(b, '}'), nil
}

// translateEmbeddings turns a Titan or Cohere InvokeModel answer into an OpenAI embeddings
// list. The shape of the answer decides (so ARNs and profiles work): "embedding" is Titan,
// "embeddings" is Cohere (an array, or {"float": [...]} when embedding_types was used).
// Cohere answers carry no token count, so their usage is zero.
func translateEmbeddings(c *translate.Call, root gjson.Result, b []byte) ([]byte, translate.Usage, error) {
	var u translate.Usage
	b = append(b, `{"object":"list","data":[`...)
	if e := root.Get("embedding"); e.IsArray() {
		b = append(b, `{"object":"embedding","index":0,"embedding":`...)
		b = rawjson.AppendCompact(b, e.Raw)
		b = append(b, '}')
		u.PromptTokens = int(root.Get("inputTextTokenCount").Int())
	} else {
		e := root.Get("embeddings")
		if e.IsObject() {
			e = e.Get("float")
		}
		if !e.IsArray() {
			return b, u, errBadResponse("an embedding answer with neither \"embedding\" nor \"embeddings\"")
		}
		i := 0
		e.ForEach(func(_, v gjson.Result) bool {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"object":"embedding","index":`...)
			b = translate.AppendInt(b, int64(i))
			b = append(b, `,"embedding":`...)
			b = rawjson.AppendCompact(b, v.Raw)
			b = append(b, '}')
			i++
			return true
		})
	}
	u.TotalTokens = u.PromptTokens
	b = append(b, `],"model":`...)
	b = translate.AppendString(b, c.Model)
	b = append(b, `,"usage":{"prompt_tokens":`...)
	b = translate.AppendInt(b, int64(u.PromptTokens))
	b = append(b, `,"total_tokens":`...)
	b = translate.AppendInt(b, int64(u.TotalTokens))
	return append(b, "}}"...), u, nil
}

func errBadResponse(what string) *translate.Error {
	return &translate.Error{Status: 502, Type: "api_error", Code: "bad_upstream_response", Message: "bedrock: unexpected response: " + what}
}
