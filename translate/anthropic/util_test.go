package anthropic

import "encoding/json"

// validJSON uses encoding/json, independent of the code under test.
func validJSON(b []byte) bool { return json.Valid(b) }
