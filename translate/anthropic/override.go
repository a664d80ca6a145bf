package anthropic

import "switchyard/translate"

// applyOverrides deep-merges the target's override_params into the client's body before
// translation (translate.MergeOverrides). Overrides are gateway configuration, so a bad one is
// a 500, not the client's fault.
func applyOverrides(body, over []byte) ([]byte, error) {
	out, err := translate.MergeOverrides(nil, body, over)
	switch err {
	case nil:
		return out, nil
	case translate.ErrOverridesNotObject:
		return nil, &translate.Error{Status: 500, Type: "api_error", Code: "invalid_config", Message: err.Error()}
	}
	return nil, translate.Invalid(err.Error())
}
