package cohere

import (
	"fmt"
	"strings"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// benchRequest is the perf-floor workload shape: a system prompt, six turns including a tool
// call, a tool result and a content array, and two tools (~2.5 KB).
var benchRequest = []byte(`{"model":"command-a-03-2025","messages":[` +
	`{"role":"system","content":"You are a helpful assistant for an online electronics store. Answer briefly, cite prices in USD, and call tools whenever live data is needed. Never invent stock levels."},` +
	`{"role":"user","content":"Hi! Can you tell me what the sales were on 29 September 2023, and whether the Electronics category had any items low on stock?"},` +
	`{"role":"assistant","content":"I will look up the daily sales report first.","tool_calls":[{"id":"call_sales_01","type":"function","function":{"name":"query_daily_sales_report","arguments":"{\"day\":\"2023-09-29\"}"}}]},` +
	`{"role":"tool","tool_call_id":"call_sales_01","content":"{\"date\":\"2023-09-29\",\"summary\":\"Total Sales Amount: 10000, Total Units Sold: 250\",\"top_category\":\"Electronics\",\"returns\":4}"},` +
	`{"role":"assistant","content":"On 29 September 2023 the store sold 250 units for a total of 10,000 USD. Electronics was the top category. Shall I check its stock levels now?"},` +
	`{"role":"user","content":[{"type":"text","text":"Yes please, and here is a photo of the shelf so you can compare what the system says with reality."},{"type":"image_url","image_url":{"url":"https://example.com/images/shelf-electronics-aisle-7.jpg","detail":"low"}}]}],` +
	`"tools":[{"type":"function","function":{"name":"query_daily_sales_report","description":"Connects to a database to retrieve overall sales volumes and sales information for a given day.","parameters":{"type":"object","properties":{"day":{"description":"Retrieves sales data for this day, formatted as YYYY-MM-DD.","type":"string"}},"required":["day"]}}},` +
	`{"type":"function","function":{"name":"query_product_catalog","description":"Connects to a product catalog with information about all the products being sold, including categories, prices, and stock levels.","parameters":{"type":"object","properties":{"category":{"description":"Retrieves product information data for all products in this category.","type":"string"},"min_stock":{"type":"integer","description":"Only list products with at most this many units in stock."}},"required":["category"]}}}],` +
	`"tool_choice":"auto","temperature":0.3,"top_p":1,"max_tokens":512,"stop":["\n\nUser:"],"seed":7,"user":"customer-1234","stream":false}`)

// benchResponse is a ~930 B Cohere chat answer with text and usage.
var benchResponse = []byte(`{"id":"c14c80c3-18eb-4519-9460-6c92edd8cfb4","message":{"role":"assistant","content":[{"type":"text","text":"LLMs stand for Large Language Models, which are a type of neural network model specialized in processing and generating human language. They are designed to understand and respond to natural language input and have become increasingly popular and valuable in recent years.\n\nLLMs are trained on vast amounts of text data, enabling them to learn patterns, grammar, and semantic meanings present in the language. These models can then be used for various natural language processing tasks, such as text generation, summarization, question answering, machine translation, sentiment analysis, and even some aspects of natural language understanding.\n\nSome well-known examples of LLMs include GPT-3, BERT, T5 and RoBERTa, each with its own strengths."}]},"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":5,"output_tokens":418},"tokens":{"input_tokens":71,"output_tokens":418}}}`)

// benchStream is 50 Cohere events: start, content-start, 46 deltas, content-end, message-end.
var benchStream = func() []byte {
	var b strings.Builder
	b.WriteString("event: message-start\ndata: {\"type\":\"message-start\",\"id\":\"29f14a5a-11de-4cae-9800-25e4747408ea\",\"delta\":{\"message\":{\"role\":\"assistant\",\"content\":[],\"tool_plan\":\"\",\"tool_calls\":[],\"citations\":[]}}}\n\n")
	b.WriteString("event: content-start\ndata: {\"type\":\"content-start\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"type\":\"text\",\"text\":\"\"}}}}\n\n")
	for i := 0; i < 46; i++ {
		fmt.Fprintf(&b, "event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\" token%d\"}}}}\n\n", i)
	}
	b.WriteString("event: content-end\ndata: {\"type\":\"content-end\",\"index\":0}\n\n")
	b.WriteString("event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\",\"usage\":{\"billed_units\":{\"input_tokens\":5,\"output_tokens\":46},\"tokens\":{\"input_tokens\":71,\"output_tokens\":46}}}}\n\n")
	return []byte(b.String())
}()

func BenchmarkBuildRequest(b *testing.B) {
	tg := target()
	var r translate.UpstreamRequest
	c := translate.Call{Op: translate.OpChat}
	b.SetBytes(int64(len(benchRequest)))
	b.ReportAllocs()
	defer goldentest.CPUMetric(b)()
	for b.Loop() {
		r.Reset()
		if err := (Adapter{}).BuildRequest(&c, tg, benchRequest, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTranslateResponse(b *testing.B) {
	c := call(translate.OpChat)
	var out []byte
	b.SetBytes(int64(len(benchResponse)))
	b.ReportAllocs()
	defer goldentest.CPUMetric(b)()
	for b.Loop() {
		var err error
		if out, _, err = (Adapter{}).TranslateResponse(c, benchResponse, out[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStream50 feeds the 50 events in network-sized chunks (512 B), as a proxy does.
func BenchmarkStream50(b *testing.B) {
	c := call(translate.OpChat)
	c.Stream, c.IncludeUsage = true, true
	goldentest.BenchStream(b, func() translate.Stream { return NewStream(c) }, benchStream, 512, nil)
}
