package gemini

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// maxSchemaDepth bounds recursion on client-supplied schemas.
const maxSchemaDepth = 64

// AppendSchema appends a client's JSON Schema as the OpenAPI 3.0 subset Gemini accepts for
// function parameters and responseSchema. Gemini rejects unknown keys with a 400, so only
// these pass: type, format, title, description, nullable, enum, items, properties, required,
// propertyOrdering, anyOf, minItems, maxItems, minLength, maxLength, minProperties,
// maxProperties, minimum, maximum, pattern, example, default. Everything else ($schema, $id,
// $ref, $defs, definitions, additionalProperties, strict, examples, allOf, not, ...) is
// dropped. Rewrites: type names upper case; a type list such as ["string","null"] becomes the
// first non-null type plus nullable:true; a {"type":"null"} member of anyOf becomes
// nullable:true; oneOf becomes anyOf; const becomes a one-value enum; enum values become
// strings (Gemini's enum is a string list) and are dropped on non-string types; a tuple "items" array keeps its first schema.
func AppendSchema(dst []byte, s gjson.Result) ([]byte, error) {
	return appendSchema(dst, s, 0)
}

func appendSchema(dst []byte, s gjson.Result, depth int) ([]byte, error) {
	if depth > maxSchemaDepth {
		return dst, translate.Invalid("JSON schema is nested too deeply")
	}
	if !s.IsObject() {
		// A boolean schema (true) or garbage: the loosest schema Gemini accepts.
		return append(dst, "{}"...), nil
	}
	dst = append(dst, '{')
	n := 0
	key := func(k string) {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, '"')
		dst = append(dst, k...)
		dst = append(dst, `":`...)
	}
	var err error
	nullable, hasNullable, wroteAnyOf, wroteEnum := false, false, false, false
	// Gemini allows enum only on STRING ("enum: only allowed for STRING type"): on any other
	// type the enum (or const) is dropped rather than failing the whole request.
	wroteEnum = !enumAllowed(s.Get("type"))
	s.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "type":
			switch {
			case v.Type == gjson.String:
				key("type")
				dst = appendUpperType(dst, v.Str)
			case v.IsArray():
				first := ""
				v.ForEach(func(_, t gjson.Result) bool {
					if t.Str == "null" {
						nullable = true
					} else if first == "" {
						first = t.Str
					}
					return true
				})
				if first != "" {
					key("type")
					dst = appendUpperType(dst, first)
				}
			}
		case "format", "title", "description", "pattern":
			if v.Type == gjson.String {
				key(k.Str)
				dst = appendStrRaw(dst, v)
			}
		case "example", "default":
			key(k.Str)
			dst = append(dst, v.Raw...)
		case "nullable":
			if v.IsBool() {
				hasNullable = true
				key("nullable")
				dst = append(dst, v.Raw...)
			}
		case "minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties", "minimum", "maximum":
			if v.Type == gjson.Number {
				key(k.Str)
				dst = append(dst, v.Raw...)
			}
		case "required", "propertyOrdering":
			if v.IsArray() {
				key(k.Str)
				dst = appendStringList(dst, v)
			}
		case "enum":
			if v.IsArray() && !wroteEnum {
				wroteEnum = true
				key("enum")
				dst = appendStringList(dst, v)
			}
		case "const":
			if !wroteEnum {
				wroteEnum = true
				key("enum")
				dst = append(dst, '[')
				dst = appendAsString(dst, v)
				dst = append(dst, ']')
			}
		case "properties":
			if !v.IsObject() {
				return true
			}
			key("properties")
			dst = append(dst, '{')
			i := 0
			v.ForEach(func(pk, pv gjson.Result) bool {
				if i > 0 {
					dst = append(dst, ',')
				}
				i++
				dst = appendStrRaw(dst, pk)
				dst = append(dst, ':')
				dst, err = appendSchema(dst, pv, depth+1)
				return err == nil
			})
			dst = append(dst, '}')
		case "items":
			if v.IsArray() {
				v = v.Get("0")
			}
			key("items")
			dst, err = appendSchema(dst, v, depth+1)
		case "anyOf", "oneOf":
			if !v.IsArray() || wroteAnyOf {
				return true
			}
			wroteAnyOf = true
			key("anyOf")
			dst = append(dst, '[')
			i := 0
			v.ForEach(func(_, sub gjson.Result) bool {
				if sub.Get("type").Str == "null" {
					nullable = true
					return true
				}
				if i > 0 {
					dst = append(dst, ',')
				}
				i++
				dst, err = appendSchema(dst, sub, depth+1)
				return err == nil
			})
			dst = append(dst, ']')
		}
		return err == nil
	})
	if err != nil {
		return dst, err
	}
	if nullable && !hasNullable {
		key("nullable")
		dst = append(dst, "true"...)
	}
	return append(dst, '}'), nil
}

func enumAllowed(t gjson.Result) bool {
	switch {
	case !t.Exists():
		return true
	case t.Type == gjson.String:
		return t.Str == "string"
	case t.IsArray():
		ok := false
		t.ForEach(func(_, e gjson.Result) bool {
			if e.Str != "null" {
				ok = e.Str == "string"
				return false
			}
			return true
		})
		return ok
	}
	return false
}

func appendUpperType(dst []byte, t string) []byte {
	switch t {
	case "string":
		return append(dst, `"STRING"`...)
	case "number":
		return append(dst, `"NUMBER"`...)
	case "integer":
		return append(dst, `"INTEGER"`...)
	case "boolean":
		return append(dst, `"BOOLEAN"`...)
	case "array":
		return append(dst, `"ARRAY"`...)
	case "object":
		return append(dst, `"OBJECT"`...)
	case "null":
		return append(dst, `"NULL"`...)
	}
	return translate.AppendString(dst, t)
}

// appendStringList appends an array with every element as a string.
func appendStringList(dst []byte, v gjson.Result) []byte {
	dst = append(dst, '[')
	i := 0
	v.ForEach(func(_, e gjson.Result) bool {
		if e.Type == gjson.Null {
			return true
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		i++
		dst = appendAsString(dst, e)
		return true
	})
	return append(dst, ']')
}

func appendAsString(dst []byte, e gjson.Result) []byte {
	if e.Type == gjson.String {
		return appendStrRaw(dst, e)
	}
	return translate.AppendString(dst, e.Raw)
}
