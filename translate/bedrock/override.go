package bedrock

import (
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"switchyard/translate"
)

// applyOverrides deep-merges a target's override_params object into the client's OpenAI body
// before translation (objects merge key by key, anything else replaces). It runs only when a
// target has overrides, so it may allocate.
func applyOverrides(body, overrides []byte) ([]byte, error) {
	ov := gjson.ParseBytes(overrides)
	if !ov.IsObject() {
		return nil, translate.Invalid("override_params must be a JSON object")
	}
	if !gjson.ValidBytes(body) {
		return nil, translate.Invalid("request body is not valid JSON")
	}
	out := append([]byte(nil), body...)
	var err error
	out, err = mergeInto(out, "", ov)
	if err != nil {
		return nil, translate.Invalid("override_params: " + err.Error())
	}
	return out, nil
}

func mergeInto(doc []byte, prefix string, ov gjson.Result) ([]byte, error) {
	var err error
	ov.ForEach(func(k, v gjson.Result) bool {
		path := prefix + escapePath(k.Str)
		if v.IsObject() && gjson.GetBytes(doc, path).IsObject() {
			doc, err = mergeInto(doc, path+".", v)
		} else {
			doc, err = sjson.SetRawBytes(doc, path, []byte(v.Raw))
		}
		return err == nil
	})
	return doc, err
}

// escapePath escapes the characters gjson/sjson paths give meaning to.
func escapePath(k string) string {
	if !strings.ContainsAny(k, `.*?|#@\:!=<>%"`) {
		return k
	}
	var sb strings.Builder
	for i := 0; i < len(k); i++ {
		if strings.IndexByte(`.*?|#@\:!=<>%"`, k[i]) >= 0 {
			sb.WriteByte('\\')
		}
		sb.WriteByte(k[i])
	}
	return sb.String()
}
