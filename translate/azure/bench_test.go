package azure

import (
	"bytes"
	"os"
	"testing"

	"switchyard/translate"
)

// The OpenAI family's 2.5 KB streamed chat request, sent to an Azure deployment.
func BenchmarkBuildRequest(b *testing.B) {
	body, err := os.ReadFile("../openai/testdata/chat_request.json")
	if err != nil {
		b.Fatal(err)
	}
	i := bytes.LastIndexByte(body, '}')
	body = append(body[:i:i], `,"stream":true}`...)
	tg := translate.Target{Provider: translate.Lookup("azure-openai"), APIKey: "k",
		Options: translate.Options{AzureResourceName: "acme", AzureDeploymentID: "gpt-4o"}}
	var r translate.UpstreamRequest
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset()
		c := translate.Call{Op: translate.OpChat}
		if err := (Adapter{}).BuildRequest(&c, &tg, body, &r); err != nil {
			b.Fatal(err)
		}
	}
}
