package messages

import (
	"strconv"
	"unsafe"

	"github.com/tidwall/gjson"

	"switchyard/translate/internal/rawjson"
)

// Readers over JSON text that gjson.Valid has accepted, on translate/internal/rawjson: raw
// spans of the input, never decoded copies, so string values are copied already escaped.

// view returns b as a string without copying. The result must not outlive b's contents.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func valid(s string) bool { return gjson.Valid(s) }

// field returns the raw value of key in obj (keys compared decoded), "" when absent.
func field(obj, key string) string {
	var out string
	rawjson.EachField(obj, func(k, v string) bool {
		if k == key {
			out = v
			return false
		}
		return true
	})
	return out
}

func isStr(raw string) bool  { return len(raw) >= 2 && raw[0] == '"' }
func isObj(raw string) bool  { return len(raw) >= 2 && raw[0] == '{' }
func isArr(raw string) bool  { return len(raw) >= 2 && raw[0] == '[' }
func isNull(raw string) bool { return raw == "" || raw == "null" }
func isNum(raw string) bool {
	return raw != "" && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))
}

// inner is a string literal's characters between the quotes, still escaped.
func inner(raw string) string { return rawjson.Inner(raw) }

// strValue decodes a string literal; it allocates only when the literal has escapes.
func strValue(raw string) string { return rawjson.Unescape(rawjson.Inner(raw)) }

// intValue parses a raw JSON number holding an integer (1024, 1024.0, 1e3).
func intValue(raw string) (int64, bool) {
	if raw == "" {
		return 0, false
	}
	i := 0
	if raw[0] == '-' {
		i++
	}
	var n int64
	j := i
	for ; j < len(raw) && j-i < 18 && raw[j] >= '0' && raw[j] <= '9'; j++ {
		n = n*10 + int64(raw[j]-'0')
	}
	if j == len(raw) && j > i {
		if i == 1 {
			n = -n
		}
		return n, true
	}
	if !isNum(raw) {
		return 0, false
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}

func itoa(i int) string { return strconv.Itoa(i) }

// clip shortens a value quoted in an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
