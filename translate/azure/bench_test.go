package azure

import (
	"bytes"
	"os"
	"testing"
	"time"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
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
	goldentest.BenchBuildRequest(b, Adapter{}, &tg, body, time.Time{})
}
