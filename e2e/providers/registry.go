package providers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"sync"
)

// Handler is what every mock provides besides http.Handler: the shared core.
type Handler interface {
	http.Handler
	Core() *Mock
}

// Core returns the shared recording and scripting core.
func (m *Mock) Core() *Mock { return m }

var (
	regMu     sync.Mutex
	factories = map[string]func() Handler{}
	instances = map[string]Handler{}
)

func register(name string, f func() Handler) { factories[name] = f }

// Lookup returns the process-wide mock for a provider id ("openai", "anthropic"), nil when
// there is none. Every call returns the same instance, so a test running the gateway in its own
// process can read what the gateway sent (Lookup("openai").(*OpenAI).Tagged(...)). Tests that
// want a mock of their own use NewOpenAI, NewAnthropic.
func Lookup(name string) http.Handler {
	regMu.Lock()
	defer regMu.Unlock()
	if h, ok := instances[name]; ok {
		return h
	}
	f, ok := factories[name]
	if !ok {
		return nil
	}
	h := f()
	instances[name] = h
	return h
}

// Names lists the provider ids Lookup knows.
func Names() []string {
	regMu.Lock()
	defer regMu.Unlock()
	out := make([]string, 0, len(factories))
	for n := range factories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// jsonString is s as a JSON string with <, > and & kept literal, as provider APIs send them.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
