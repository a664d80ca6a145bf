package bedrock

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// applyOverrides deep-merges a target's override_params object into the client's OpenAI
// body before translation (translate.MergeOverrides).
func applyOverrides(body, overrides []byte) ([]byte, error) {
	out, err := translate.MergeOverrides(nil, body, overrides)
	switch {
	case err == nil:
		return out, nil
	case err == translate.ErrOverridesNotObject:
		return nil, translate.Invalid(err.Error())
	case !gjson.ValidBytes(body):
		return nil, translate.Invalid("request body is not valid JSON")
	}
	return nil, translate.Invalid(err.Error())
}
