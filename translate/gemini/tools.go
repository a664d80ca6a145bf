package gemini

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// appendTools writes tools and toolConfig.
func appendTools(dst []byte, tools, choice gjson.Result) ([]byte, error) {
	if tools.Exists() && tools.Type != gjson.Null && !tools.IsArray() {
		return dst, translate.Invalid("tools must be an array")
	}
	n := 0
	var err error
	tools.ForEach(func(_, t gjson.Result) bool {
		if typ := t.Get("type").Str; typ != "function" && typ != "" {
			err = translate.Invalid("tool type " + quoteType(typ) + " is not supported by Gemini; only function tools are")
			return false
		}
		fn := t.Get("function")
		name := fn.Get("name")
		if name.Type != gjson.String || name.Str == "" {
			err = translate.Invalid("every tool needs function.name")
			return false
		}
		if n == 0 {
			dst = append(dst, `,"tools":[{"functionDeclarations":[`...)
		} else {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, `{"name":`...)
		dst = appendStrRaw(dst, name)
		if d := fn.Get("description"); d.Type == gjson.String {
			dst = append(dst, `,"description":`...)
			dst = appendStrRaw(dst, d)
		}
		// Gemini rejects an OBJECT schema with no properties, so a function without arguments
		// is declared without parameters.
		if p := fn.Get("parameters"); p.IsObject() && (!p.Get("type").Exists() || p.Get("type").Str != "object" || hasProperties(p)) {
			dst = append(dst, `,"parameters":`...)
			if dst, err = AppendSchema(dst, p); err != nil {
				return false
			}
		}
		dst = append(dst, '}')
		return true
	})
	if err != nil {
		return dst, err
	}
	if n > 0 {
		dst = append(dst, "]}]"...)
	}
	if !choice.Exists() || choice.Type == gjson.Null {
		return dst, nil
	}
	var mode string
	var name gjson.Result
	switch {
	case choice.Type == gjson.String:
		switch choice.Str {
		case "auto":
			mode = "AUTO"
		case "none":
			mode = "NONE"
		case "required":
			mode = "ANY"
		default:
			return dst, translate.Invalid(`tool_choice must be "auto", "none", "required" or a function`)
		}
	case choice.IsObject():
		if name = choice.Get("function.name"); name.Type != gjson.String || name.Str == "" {
			return dst, translate.Invalid("tool_choice object needs function.name")
		}
		mode = "ANY"
	default:
		return dst, translate.Invalid("tool_choice must be a string or an object")
	}
	// Without tools a tool_choice means nothing (OpenAI refuses the combination), so Gemini
	// gets no toolConfig for functions it does not have.
	if n == 0 {
		return dst, nil
	}
	dst = append(dst, `,"toolConfig":{"functionCallingConfig":{"mode":"`...)
	dst = append(dst, mode...)
	if name.Exists() {
		dst = append(dst, `","allowedFunctionNames":[`...)
		dst = appendStrRaw(dst, name)
		dst = append(dst, "]}}"...)
	} else {
		dst = append(dst, `"}}`...)
	}
	return dst, nil
}

func hasProperties(p gjson.Result) bool {
	has := false
	p.Get("properties").ForEach(func(_, _ gjson.Result) bool {
		has = true
		return false
	})
	return has
}
