package routing

import (
	"math"
	"testing"

	"github.com/tidwall/gjson"
)

func TestQueryOperators(t *testing.T) {
	meta := `{"tier":"pro","age":"42","score":7.5,"beta":true,"none":null,"user":{"org":{"plan":"enterprise","seats":120}},
	  "weird.key":"w","a*b":"star"}`
	body := `{"model":"gpt-4o-mini","max_tokens":512,"stream":false,"temperature":0.2,
	  "messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],
	  "response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true}}}`
	ctx := &queryCtx{metadata: meta, body: body, path: "/v1/chat/completions"}
	cases := []struct {
		query string
		want  bool
	}{
		// bare value = $eq (JavaScript ===: type and value)
		{`{"metadata.tier":"pro"}`, true},
		{`{"metadata.tier":"Pro"}`, false},
		{`{"metadata.age":42}`, false}, // "42" !== 42
		{`{"metadata.age":"42"}`, true},
		{`{"params.max_tokens":512}`, true},
		{`{"params.max_tokens":512.0}`, true},
		{`{"params.stream":false}`, true},
		{`{"params.stream":null}`, false},
		{`{"metadata.none":null}`, true},
		{`{"metadata.missing":null}`, false},
		{`{"metadata.missing":"x"}`, false},
		// every key must hold
		{`{"metadata.tier":"pro","params.stream":false}`, true},
		{`{"metadata.tier":"pro","params.stream":true}`, false},
		{`{}`, true},
		// $eq / $ne
		{`{"metadata.tier":{"$eq":"pro"}}`, true},
		{`{"metadata.tier":{"$ne":"pro"}}`, false},
		{`{"metadata.tier":{"$ne":"free"}}`, true},
		{`{"metadata.missing":{"$ne":"free"}}`, true},
		{`{"params.response_format":{"$eq":"x"}}`, false}, // an object equals nothing
		// $gt $gte $lt $lte use parseFloat on both sides
		{`{"params.max_tokens":{"$gt":500}}`, true},
		{`{"params.max_tokens":{"$gt":512}}`, false},
		{`{"params.max_tokens":{"$gte":512}}`, true},
		{`{"params.max_tokens":{"$lt":512}}`, false},
		{`{"params.max_tokens":{"$lte":512}}`, true},
		{`{"metadata.age":{"$gte":40,"$lt":50}}`, true}, // numeric string
		{`{"metadata.age":{"$gt":"41.5"}}`, true},       // numeric string on the right too
		{`{"params.temperature":{"$lt":0.5}}`, true},
		{`{"metadata.tier":{"$gt":0}}`, false},    // NaN compares false
		{`{"metadata.missing":{"$lt":1}}`, false}, // missing compares false
		{`{"metadata.beta":{"$gt":0}}`, false},    // parseFloat(true) is NaN
		// $in / $nin
		{`{"metadata.tier":{"$in":["free","pro"]}}`, true},
		{`{"metadata.tier":{"$in":["free"]}}`, false},
		{`{"params.max_tokens":{"$in":[256,512]}}`, true},
		{`{"params.max_tokens":{"$in":["512"]}}`, false},
		{`{"metadata.tier":{"$nin":["free"]}}`, true},
		{`{"metadata.tier":{"$nin":["pro"]}}`, false},
		{`{"metadata.missing":{"$nin":["pro"]}}`, true},
		{`{"metadata.missing":{"$in":["pro"]}}`, false},
		// $regex (RE2 syntax)
		{`{"params.model":{"$regex":"^gpt-4o"}}`, true},
		{`{"params.model":{"$regex":"^claude"}}`, false},
		{`{"params.max_tokens":{"$regex":"^5\\d\\d$"}}`, true},
		{`{"metadata.missing":{"$regex":".*"}}`, false},
		// Every operator of one object must hold (Portkey stops at $regex; we do not).
		{`{"params.model":{"$regex":"^gpt","$ne":"gpt-4o-mini"}}`, false},
		// $and / $or, nested, combined with sibling keys
		{`{"$or":[{"metadata.tier":"free"},{"params.max_tokens":{"$gt":100}}]}`, true},
		{`{"$or":[{"metadata.tier":"free"},{"params.max_tokens":{"$gt":1000}}]}`, false},
		{`{"$and":[{"metadata.tier":"pro"},{"params.stream":false}]}`, true},
		{`{"$and":[{"metadata.tier":"pro"},{"params.stream":true}]}`, false},
		{`{"$or":[],"metadata.tier":"pro"}`, false}, // an empty $or holds for nothing
		{`{"$and":[],"metadata.tier":"pro"}`, true},
		{`{"$or":[{"metadata.tier":"pro"}],"params.stream":true}`, false}, // siblings still count
		{`{"$or":[{"$and":[{"metadata.beta":true},{"metadata.score":{"$gte":7}}]},{"metadata.tier":"free"}]}`, true},
		// deep paths, array indexes, odd key characters
		{`{"metadata.user.org.plan":"enterprise"}`, true},
		{`{"metadata.user.org.seats":{"$gte":100}}`, true},
		{`{"params.messages.0.role":"system"}`, true},
		{`{"params.messages.1.content":{"$regex":"^h"}}`, true},
		{`{"params.messages.5.role":"user"}`, false},
		{`{"params.response_format.json_schema.strict":true}`, true},
		{`{"metadata.a*b":"star"}`, true},
		{`{"metadata.a?b":"star"}`, false}, // no wildcard matching
		// url.pathname
		{`{"url.pathname":"/v1/chat/completions"}`, true},
		{`{"url.pathname":{"$regex":"/embeddings$"}}`, false},
	}
	for _, tc := range cases {
		q, err := compileQuery(gjson.Parse(tc.query), "query")
		if err != nil {
			t.Errorf("%s: %v", tc.query, err)
			continue
		}
		if got := q.eval(ctx); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.query, got, tc.want)
		}
	}
}

func TestQueryWithoutMetadataOrBody(t *testing.T) {
	q, err := compileQuery(gjson.Parse(`{"metadata.tier":{"$ne":"pro"},"params.model":{"$nin":["x"]}}`), "q")
	if err != nil {
		t.Fatal(err)
	}
	if !q.eval(&queryCtx{}) {
		t.Fatal("absent fields must satisfy $ne and $nin")
	}
	q, _ = compileQuery(gjson.Parse(`{"metadata.tier":"pro"}`), "q")
	if q.eval(&queryCtx{metadata: "not json", body: "{"}) {
		t.Fatal("garbage metadata matched")
	}
	// Truncated JSON that gjson alone would still read counts as absent.
	for _, q := range []string{`{"metadata.tier":"pro"}`, `{"params.model":"m"}`} {
		n, _ := compileQuery(gjson.Parse(q), "q")
		if n.eval(&queryCtx{metadata: `{"tier":"pro"`, body: `{"model":"m",`}) {
			t.Fatalf("%s matched truncated JSON", q)
		}
	}
}

func TestJSParseFloat(t *testing.T) {
	cases := map[string]float64{
		`12`: 12, `"12"`: 12, `"  3.5abc"`: 3.5, `"-2e3x"`: -2000, `"1e"`: 1, `".5"`: 0.5, `"1."`: 1,
		`"+7"`: 7, `"Infinity"`: math.Inf(1), `"-Infinity"`: math.Inf(-1), `"1e999"`: math.Inf(1),
	}
	for in, want := range cases {
		if got := jsParseFloat(gjson.Parse(in)); got != want {
			t.Errorf("parseFloat(%s) = %v, want %v", in, got, want)
		}
	}
	for _, in := range []string{`"abc"`, `""`, `"."`, `"-"`, `true`, `null`, `[1]`, `{}`, `"e5"`} {
		if got := jsParseFloat(gjson.Parse(in)); !math.IsNaN(got) {
			t.Errorf("parseFloat(%s) = %v, want NaN", in, got)
		}
	}
}
