package openai

import (
	"testing"

	"switchyard/translate"
)

func TestRegistered(t *testing.T) {
	a, ok := translate.For("openai")
	if !ok {
		t.Fatal("family openai not registered")
	}
	if _, ok := a.(Adapter); !ok {
		t.Fatalf("wrong adapter %T", a)
	}
}

// Every provider of the family builds each operation it supports to its catalogue URL, with
// its credential, and refuses the others.
func TestEveryProviderOfTheFamily(t *testing.T) {
	body := []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"input":"x","prompt":"p"}`)
	n := 0
	for _, p := range translate.Providers() {
		if p.Family != "openai" {
			continue
		}
		n++
		for _, op := range []translate.Operation{translate.OpChat, translate.OpCompletions, translate.OpEmbeddings} {
			tg := translate.Target{Provider: p, APIKey: "key-" + p.ID}
			if p.ID == "workers-ai" {
				tg.CustomHost = "https://api.cloudflare.com/client/v4/accounts/abc/ai/v1"
			}
			var r translate.UpstreamRequest
			err := (Adapter{}).BuildRequest(&translate.Call{Op: op}, &tg, body, &r)
			if !p.Supports(op) {
				if e, ok := err.(*translate.Error); !ok || e.Code != "unsupported_operation" {
					t.Errorf("%s %s: want unsupported_operation, got %v", p.ID, op, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s %s: %v", p.ID, op, err)
				continue
			}
			wantHost, wantPath := p.Host, p.BasePath+OpPath(op)
			if p.ID == "workers-ai" {
				wantPath = "/client/v4/accounts/abc/ai/v1" + OpPath(op)
			}
			if r.Method != "POST" || r.Scheme != p.Scheme || r.Authority != wantHost || r.Path != wantPath {
				t.Errorf("%s %s: %s %s://%s%s", p.ID, op, r.Method, r.Scheme, r.Authority, r.Path)
			}
			auth := ""
			for _, h := range r.Headers {
				if h.Name == "authorization" {
					auth = h.Value
				}
			}
			if want := "Bearer key-" + p.ID; p.Auth == translate.AuthBearer && auth != want {
				t.Errorf("%s: authorization %q", p.ID, auth)
			}
			if p.Auth == translate.AuthNone && auth != "" {
				t.Errorf("%s: sends a credential", p.ID)
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d openai-family providers", n)
	}
}
