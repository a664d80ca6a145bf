package plugin

import (
	"os"
	"strings"
	"testing"
)

// The plugin configurations shipped in examples/ must be accepted as they are: an operator
// copies them first. The JSON sits in a YAML block scalar; this reads the block's lines (deeper
// indented than its key) without a YAML library.
func TestExampleConfigurationsParse(t *testing.T) {
	for _, tc := range []struct{ file, key string }{
		{"../examples/envoy/envoy.yaml", "value: |"},
		{"../examples/kong/kong.yml", "config: >-"},
	} {
		raw, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(raw), "\n")
		var block []string
		for i, l := range lines {
			if strings.TrimSpace(l) != tc.key {
				continue
			}
			indent := len(l) - len(strings.TrimLeft(l, " "))
			for _, b := range lines[i+1:] {
				if strings.TrimSpace(b) != "" && len(b)-len(strings.TrimLeft(b, " ")) <= indent {
					break
				}
				block = append(block, strings.TrimSpace(b))
			}
			break
		}
		if len(block) == 0 {
			t.Fatalf("%s: no %q block found", tc.file, tc.key)
		}
		cfg, err := parseConfig([]byte(strings.Join(block, "\n")), func(string) string { return "" })
		if err != nil {
			t.Errorf("%s: the example's plugin configuration is rejected: %v", tc.file, err)
			continue
		}
		if len(cfg.providers) == 0 {
			t.Errorf("%s: no providers parsed", tc.file)
		}
	}
}
