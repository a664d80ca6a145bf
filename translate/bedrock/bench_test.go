package bedrock

import (
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// benchRequest is a ~2.5 KB chat request: system, six turns with a tool call, a tool result
// and a content array, two tools — the perf-floor workload.
var benchRequest = []byte(`{"model":"anthropic.claude-3-5-sonnet-20240620-v1:0","max_tokens":1024,"temperature":0.7,"top_p":0.95,"stream":false,` +
	`"messages":[` +
	`{"role":"system","content":"You are a meticulous travel assistant. Answer concisely and never invent prices."},` +
	`{"role":"user","content":"I am planning a trip from Paris to Tokyo in late March. What will the weather be like, and are there direct flights?"},` +
	`{"role":"assistant","content":"Let me look up the weather forecast for Tokyo in late March and check direct flight options from Paris for you.","tool_calls":[{"id":"tooluse_weather_01","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Tokyo\",\"month\":\"March\",\"unit\":\"celsius\"}"}}]},` +
	`{"role":"tool","tool_call_id":"tooluse_weather_01","content":"{\"city\":\"Tokyo\",\"avg_high_c\":14,\"avg_low_c\":6,\"rain_days\":10,\"notes\":\"Cherry blossom season usually begins in the last week of March; expect crowds in parks.\"}"},` +
	`{"role":"assistant","content":"Tokyo in late March averages highs of about 14°C and lows near 6°C, with roughly ten rainy days in the month. It is also the start of cherry blossom season, so parks will be busy. Shall I search for direct flights next?"},` +
	`{"role":"user","content":[{"type":"text","text":"Yes please. Search for direct flights leaving Paris CDG on a weekday morning in the last week of March, returning ten days later. Economy is fine, but I want a window seat if possible."},{"type":"text","text":"Also, my budget is around 1,200 euros for the round trip."}]}` +
	`],` +
	`"tools":[` +
	`{"type":"function","function":{"name":"get_weather","description":"Get the typical or forecast weather for a city and month.","parameters":{"type":"object","properties":{"city":{"type":"string","description":"City name"},"month":{"type":"string","description":"Month name"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city","month"]}}},` +
	`{"type":"function","function":{"name":"search_flights","description":"Search direct or connecting flights between two airports for given dates.","parameters":{"type":"object","properties":{"from":{"type":"string","description":"IATA code of the departure airport"},"to":{"type":"string","description":"IATA code of the arrival airport"},"depart_date":{"type":"string","format":"date"},"return_date":{"type":"string","format":"date"},"direct_only":{"type":"boolean"},"cabin":{"type":"string","enum":["economy","premium_economy","business","first"]},"max_price_eur":{"type":"number"}},"required":["from","to","depart_date"]}}}` +
	`],"tool_choice":"auto"}`)

// benchResponse is a ~930 B Converse answer with text and a tool use.
var benchResponse = []byte(`{"output":{"message":{"role":"assistant","content":[{"text":"I found several direct options from Paris CDG to Tokyo Haneda in the last week of March. The best fit for your budget departs on Tuesday 24 March at 11:05 and returns on Friday 3 April. Let me check window seat availability on that flight before confirming the price with you, since seat maps can change quickly during cherry blossom season, and the fare class that fits your budget may only have middle seats left on that date."},{"toolUse":{"toolUseId":"tooluse_seatmap_02","name":"get_seat_map","input":{"flight":"AF274","date":"2026-03-24","cabin":"economy","preference":"window"}}}]}},"stopReason":"tool_use","usage":{"inputTokens":1187,"outputTokens":142,"totalTokens":1329,"cacheReadInputTokens":0,"cacheWriteInputTokens":0},"metrics":{"latencyMs":2210},"additionalModelResponseFields":{"trace_id":"b7f3c1de-2a44-4f0e-9d51-0c8e6a7d1f23"}}`)

func BenchmarkBuildRequest(b *testing.B) {
	tgt := translate.Target{Provider: provider(), Options: awsOptions("us-east-1", "")}
	var r translate.UpstreamRequest
	b.SetBytes(int64(len(benchRequest)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r.Reset()
		c := translate.Call{Op: translate.OpChat, Now: signTime}
		if err := (Adapter{}).BuildRequest(&c, &tgt, benchRequest, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTranslateResponse(b *testing.B) {
	c := &translate.Call{Op: translate.OpChat, Model: "anthropic.claude-3-5-sonnet-20240620-v1:0", ID: "chatcmpl-1", Created: 1}
	out := make([]byte, 0, 4096)
	b.SetBytes(int64(len(benchResponse)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var err error
		if out, _, err = (Adapter{}).TranslateResponse(c, benchResponse, out[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStream50Events(b *testing.B) {
	c := &translate.Call{Op: translate.OpChat, Model: "anthropic.claude-3-5-sonnet-20240620-v1:0", ID: "chatcmpl-1", Created: 1, IncludeUsage: true}
	// Upstream arrives in network-sized pieces, not one buffer.
	goldentest.BenchStream(b, func() translate.Stream { return (Adapter{}).NewStream(c) }, fiftyEventStream(), 512, nil)
}

func TestBenchInputs(t *testing.T) {
	t.Logf("request %d B, response %d B, stream %d B", len(benchRequest), len(benchResponse), len(fiftyEventStream()))
	tgt := translate.Target{Provider: provider(), Options: awsOptions("us-east-1", "")}
	var r translate.UpstreamRequest
	c := translate.Call{Op: translate.OpChat, Now: signTime}
	if err := (Adapter{}).BuildRequest(&c, &tgt, benchRequest, &r); err != nil {
		t.Fatal(err)
	}
	if _, _, err := (Adapter{}).TranslateResponse(&c, benchResponse, nil); err != nil {
		t.Fatal(err)
	}
}
