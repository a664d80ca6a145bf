package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkGatewayPassthrough is one HTTP request through listener, plugin
// (probe guest, no work) and upstream, over loopback keep-alive connections.
func BenchmarkGatewayPassthrough(b *testing.B) {
	g := benchGateway(b)
	body := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`
	b.ReportAllocs()
	for b.Loop() {
		res, err := http.Post(g.URL()+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatal(res.StatusCode)
		}
	}
}

func benchGateway(b *testing.B) *Gateway {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","choices":[]}`)
	}))
	b.Cleanup(srv.Close)
	cfgJSON, _ := json.Marshal("quiet on")
	g, err := Start(context.Background(), Config{
		Listen: "127.0.0.1:0", Workers: 2, Route: RouteConfig{DefaultCluster: "a"},
		Clusters: map[string]string{"a": srv.URL},
		Plugin:   PluginConfig{Name: "probe", Configuration: json.RawMessage(cfgJSON)},
		Wasm:     probe(b), Logger: func(int, string) {},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { g.Close() })
	return g
}
