package routing

import (
	"fmt"
	"reflect"
	"testing"
)

func TestConfigCache(t *testing.T) {
	ps := &Parser{CacheSize: 2}
	cfgA := `{"provider":"a"}`
	a1, err := ps.Resolve(cfgA, HeaderProvider{})
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := ps.Resolve(" "+cfgA+"\t", HeaderProvider{}) // trimmed: the same config
	if a1 != a2 {
		t.Fatal("same JSON parsed twice")
	}
	b, _ := ps.Resolve(`{"provider":"b"}`, HeaderProvider{})
	if b == a1 || b.Root().Provider != "b" {
		t.Fatal("different JSON shared a config")
	}
	// A third config evicts the oldest (a).
	ps.Resolve(`{"provider":"c"}`, HeaderProvider{})
	if a3, _ := ps.Resolve(cfgA, HeaderProvider{}); a3 == a1 || a3.Root().Provider != "a" {
		t.Fatal("evicted config still served, or wrong config")
	}
	if len(ps.cache.m) != 2 || len(ps.cache.ring) != 2 {
		t.Fatalf("cache holds %d/%d entries", len(ps.cache.m), len(ps.cache.ring))
	}
	// Errors are not cached, and are reported every time.
	for i := 0; i < 2; i++ {
		if _, err := ps.Resolve(`{"provider":1}`, HeaderProvider{}); err == nil || err.Error() != "provider: must be a non-empty string" {
			t.Fatal(err)
		}
	}
	// A hash hit with different JSON (a collision) is a miss.
	x := `{"provider":"x"}`
	ps.cache.m[fnv64a(x)] = b
	if got, _ := ps.Resolve(x, HeaderProvider{}); got == b || got.Root().Provider != "x" {
		t.Fatal("hash collision served the wrong config")
	}
	// A provider-less cached config still takes the provider of each request.
	r1, _ := ps.Resolve(`{"retry":{"attempts":1}}`, HeaderProvider{Provider: "openai"})
	r2, _ := ps.Resolve(`{"retry":{"attempts":1}}`, HeaderProvider{Provider: "groq"})
	if r1.Root().Provider != "openai" || r2.Root().Provider != "groq" {
		t.Fatal(r1.Root().Provider, r2.Root().Provider)
	}
}

func TestConfigCacheOff(t *testing.T) {
	var ps Parser
	a1, _ := ps.Resolve(`{"provider":"a"}`, HeaderProvider{})
	a2, _ := ps.Resolve(`{"provider":"a"}`, HeaderProvider{})
	if a1 == a2 || ps.cache.m != nil {
		t.Fatal("cache used with CacheSize 0")
	}
}

func TestConfigCacheConcurrent(t *testing.T) {
	ps := &Parser{CacheSize: 4}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func(g int) {
			for i := 0; i < 200; i++ {
				c, err := ps.Resolve(fmt.Sprintf(`{"provider":"p%d"}`, (g+i)%6), HeaderProvider{})
				if err != nil || c.Root().Provider != fmt.Sprintf("p%d", (g+i)%6) {
					t.Error(err)
				}
			}
			done <- true
		}(g)
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}

func TestHeaderConfigCache(t *testing.T) {
	ps := &Parser{CacheSize: 2, KnownProvider: func(n string) bool { return n != "nope" }}
	a1, err := ps.Resolve("", HeaderProvider{Provider: "openai"})
	if err != nil {
		t.Fatal(err)
	}
	if a2, _ := ps.Resolve("", HeaderProvider{Provider: "openai"}); a2 != a1 {
		t.Fatal("key-less header config built twice")
	}
	fresh, _ := (&Parser{}).FromHeaders(HeaderProvider{Provider: "openai"})
	if !reflect.DeepEqual(fresh, a1) {
		t.Fatal("cached header config differs from a fresh one")
	}
	// A client's key, a virtual key or options make the config the request's own.
	for _, hp := range []HeaderProvider{{Provider: "openai", APIKey: "sk-1"}, {Provider: "openai", Options: KnownOptions{AWSRegion: "x"}}} {
		c1, _ := ps.Resolve("", hp)
		c2, _ := ps.Resolve("", hp)
		if c1 == c2 || c1 == a1 || c1.Root().APIKey != hp.APIKey || c1.Root().Options.Known != hp.Options {
			t.Fatalf("%+v: shared or wrong config", hp)
		}
	}
	for i := 0; i < 2; i++ {
		if _, err := ps.Resolve("", HeaderProvider{Provider: "nope"}); err == nil {
			t.Fatal("unknown provider accepted")
		}
	}
	if len(ps.cache.byProvider) != 1 {
		t.Fatalf("%d header configs kept", len(ps.cache.byProvider))
	}
}
