package cohere

// A minimal reader for JSON that gjson.Valid has already accepted. gjson decodes every string
// value it hands out (an allocation and a copy whenever the string holds an escape, as long
// model answers do); these helpers only find raw spans, which the translators copy as they are.

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string literal starting at s[i] == '"'.
func skipString(s string, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s)
}

// skipValue returns the index just past the value starting at s[i].
func skipValue(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for ; i < len(s); i++ {
			switch s[i] {
			case '"':
				i = skipString(s, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(s)
	}
	for ; i < len(s); i++ {
		switch s[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

// eachMember calls fn with every member of the object obj: the key as written between its
// quotes (escapes not decoded; every key this package looks for is plain ASCII) and the raw
// value. It stops when fn returns false. Anything but an object yields nothing.
func eachMember(obj string, fn func(key, raw string) bool) {
	i := skipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	i++
	for {
		i = skipWS(obj, i)
		if i >= len(obj) || obj[i] == '}' {
			return
		}
		if obj[i] == ',' {
			i++
			continue
		}
		if obj[i] != '"' {
			return
		}
		kEnd := skipString(obj, i)
		key := obj[i+1 : max(i+1, kEnd-1)]
		i = skipWS(obj, kEnd)
		if i >= len(obj) || obj[i] != ':' {
			return
		}
		i = skipWS(obj, i+1)
		vEnd := skipValue(obj, i)
		if !fn(key, obj[i:vEnd]) {
			return
		}
		i = vEnd
	}
}

// eachElem calls fn with every raw element of the array arr until fn returns false.
func eachElem(arr string, fn func(raw string) bool) {
	i := skipWS(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return
	}
	i++
	for {
		i = skipWS(arr, i)
		if i >= len(arr) || arr[i] == ']' {
			return
		}
		if arr[i] == ',' {
			i++
			continue
		}
		end := skipValue(arr, i)
		if end == i || !fn(arr[i:end]) {
			return
		}
		i = end
	}
}

// member returns the raw value of key in obj, "" when absent.
func member(obj, key string) string {
	var out string
	eachMember(obj, func(k, v string) bool {
		if k == key {
			out = v
			return false
		}
		return true
	})
	return out
}

// isStr reports whether raw is a string literal; nonEmpty also wants at least one character.
func isStr(raw string) bool       { return len(raw) >= 2 && raw[0] == '"' }
func nonEmptyStr(raw string) bool { return len(raw) > 2 && raw[0] == '"' }
