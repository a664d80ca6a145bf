package routing_test

import (
	"fmt"
	"time"

	"switchyard/routing"
)

// The plugin's loop: resolve the config, then Next / wait / call / Report until the plan ends.
func Example() {
	var ps routing.Parser
	cfg, err := ps.Resolve(`{
	  "retry": {"attempts": 1},
	  "strategy": {"mode": "fallback"},
	  "targets": [
	    {"provider": "openai", "override_params": {"model": "gpt-4o"}},
	    {"provider": "anthropic", "override_params": {"model": "claude-sonnet-4"}}
	  ]}`, routing.HeaderProvider{})
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	plan := routing.NewPlan(cfg, routing.RequestInfo{}, routing.Deps{
		Rand: func() float64 { return 0 },
		Now:  func() time.Time { return now },
	})
	statuses := map[string]int{"openai": 503, "anthropic": 200}
	for {
		a, wait, ok := plan.Next()
		if !ok {
			break
		}
		now = now.Add(wait) // the plugin waits on the root context's tick
		fmt.Printf("%s try %d after %v: %s %s\n", a.Path, a.Try, wait, a.Provider, a.OverrideParams)
		plan.Report(routing.Outcome{Status: statuses[a.Provider]})
	}
	path, retries := plan.Result()
	fmt.Printf("x-portkey-last-used-option-index: %s\nx-portkey-retry-attempt-count: %d\n", path, retries)
	// Output:
	// config.targets[0] try 0 after 0s: openai {"model": "gpt-4o"}
	// config.targets[0] try 1 after 500ms: openai {"model": "gpt-4o"}
	// config.targets[1] try 0 after 0s: anthropic {"model": "claude-sonnet-4"}
	// x-portkey-last-used-option-index: config.targets[1]
	// x-portkey-retry-attempt-count: 0
}

// A virtual key stands for provider and credential; the plugin reads the key from the env var.
func ExampleParser_virtualKey() {
	ps := routing.Parser{VirtualKeys: routing.VirtualKeyMap{
		"claude-prod": {Provider: "anthropic", APIKeyEnv: "ANTHROPIC_API_KEY",
			Options: routing.KnownOptions{AnthropicVersion: "2023-06-01"}},
	}}
	cfg, err := ps.Parse([]byte(`{"virtual_key":"claude-prod"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	leaf := cfg.Root()
	fmt.Println(leaf.Provider, leaf.APIKeyEnv, leaf.Options.Known.AnthropicVersion)
	_, err = ps.Parse([]byte(`{"strategy":{"mode":"loadbalance"},"targets":[{"virtual_key":"claude-prod","weight":0}]}`))
	fmt.Println(err)
	// Output:
	// anthropic ANTHROPIC_API_KEY 2023-06-01
	// targets: every weight is 0; a loadbalance needs at least one target with weight > 0
}
