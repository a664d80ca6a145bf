package providers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"switchyard/e2e/providers"
)

// A test scripts the next answers, sends requests (through the gateway, in e2e tests) and
// asserts what reached the provider.
func ExampleOpenAI() {
	m := providers.NewOpenAI()
	m.Script(
		providers.Reply{Status: 429, RetryAfter: "1"},     // first request: rate limited
		providers.Reply{Content: "Paris is the capital."}, // second: a normal answer
	)
	s := httptest.NewServer(m)
	defer s.Close()

	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest("POST", s.URL+"/v1/chat/completions", strings.NewReader(`{"model":"gpt-4o-mini","messages":[]}`))
		req.Header.Set("x-mock-tag", "example") // groups requests for Tagged
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"), strings.Contains(string(body), "Paris"))
	}
	last, _ := m.Last()
	fmt.Println(len(m.Tagged("example")), last.Method, last.Path, string(last.Body))
	// Output:
	// 429 1 false
	// 200  true
	// 2 POST /v1/chat/completions {"model":"gpt-4o-mini","messages":[]}
}
