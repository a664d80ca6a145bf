package all

import (
	"testing"

	"switchyard/translate"
)

// TestEveryProviderHasAnAdapter: a catalogue entry whose family no package registers would
// fail every request routed to it at run time.
func TestEveryProviderHasAnAdapter(t *testing.T) {
	ps := translate.Providers()
	if len(ps) == 0 {
		t.Fatal("empty catalogue")
	}
	for _, p := range ps {
		if p.Family == "" {
			t.Errorf("provider %s has no family", p.ID)
			continue
		}
		if a, ok := translate.For(p.Family); !ok || a == nil {
			t.Errorf("provider %s: family %q has no registered adapter", p.ID, p.Family)
		}
	}
}

// TestNoStrayFamilies: every family this package registers serves at least one catalogue
// provider, so a renamed family cannot leave a dead registration behind.
func TestNoStrayFamilies(t *testing.T) {
	used := map[string]bool{}
	for _, p := range translate.Providers() {
		used[p.Family] = true
	}
	for _, f := range []string{"openai", "azure-openai", "anthropic", "google", "vertex-ai", "bedrock", "cohere"} {
		if _, ok := translate.For(f); !ok {
			t.Errorf("family %q not registered", f)
		}
		if !used[f] {
			t.Errorf("family %q serves no catalogue provider", f)
		}
	}
}
