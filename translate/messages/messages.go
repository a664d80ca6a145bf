// Package messages lets clients speak Anthropic's Messages API (POST /v1/messages, JSON and
// streaming: Claude Code, the anthropic SDKs) to a gateway whose pipeline speaks OpenAI chat.
// For targets of the anthropic family the request passes through (Passthrough applies the
// target's model and override_params and nothing else); for every other target it converts:
//
//	Messages request ──ToChat──► OpenAI chat request ──(family adapter)──► provider
//	Anthropic message ◄──FromChatResponse── chat.completion ◄──(family adapter)── provider
//	Anthropic SSE ◄──Stream── chat.completion.chunk SSE ◄──(family stream)── provider
//	Anthropic error ◄──FromChatError / FromError── OpenAI error (or a gateway *translate.Error)
//
// The mapping mirrors translate/anthropic (OpenAI → Anthropic), so ToChat followed by
// anthropic.BuildBody gives back an equivalent Anthropic body (roundtrip_test.go lists where
// it differs). Choices a client can notice, each explained where it is made:
//   - max_tokens becomes max_completion_tokens: OpenAI's current field, the only one its
//     reasoning models accept, and the one every family in translate reads first. Providers
//     that only know max_tokens ignore it (no limit) rather than fail.
//   - top_k is dropped: OpenAI has no such field and rejects unknown fields.
//   - thinking budgets become reasoning_effort low/medium/high (thinkingEffort), the inverse
//     of translate/anthropic's effort budgets.
//   - cache_control is dropped everywhere (OpenAI caches on its own and rejects the field);
//     system blocks are joined into one system string, as are a tool result's text blocks;
//     tool_result is_error has no OpenAI field and prefixes the content with "Error: ".
//   - thinking blocks in the history are dropped (OpenAI has no field to hand them back);
//     reasoning_content in answers comes back as thinking blocks with an empty signature.
//   - Anthropic server/client tools (web search, bash, text editor, computer use), MCP and
//     Files API sources are refused with a precise 400: no other provider can run them.
//   - Answers keep the upstream id (chatcmpl-...) and model; stop_sequence is always null
//     (OpenAI does not say which stop sequence matched; such a stop reads as end_turn).
//   - cache_creation_input_tokens is 0: OpenAI usage has no cache-write count. Streams
//     report usage in message_delta (input tokens included): the OpenAI usage chunk comes
//     last, so message_start carries zeros unless the first chunk had usage.
//   - Errors take the Anthropic type that matches the HTTP status (ErrorType).
//
// Everything is pure Go over gjson validation and translate/internal/rawjson walks: output is
// appended to caller buffers and string values are copied as raw (already escaped) JSON.
package messages
