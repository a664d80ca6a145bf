// Package oaiw writes the parts of OpenAI chat answers that every translating family emits
// the same way: the chat.completion and chat.completion.chunk envelopes, the usage object,
// finish reasons and tool-call deltas. Each function appends to dst and allocates nothing.
//
// Strings given as "raw" are JSON string literals (quotes included) copied from the upstream
// answer as they are; the callers decide when one is usable and pass "" otherwise, so a
// family's own rule (an empty id falls back, or not) stays its own.
package oaiw

import "switchyard/translate"

// appendRawOr appends raw, or text as a JSON string when raw is "".
func appendRawOr(dst []byte, raw, text string) []byte {
	if raw != "" {
		return append(dst, raw...)
	}
	return translate.AppendString(dst, text)
}

// appendLiteral appends raw when it is a string literal, else the empty string "".
func appendLiteral(dst []byte, raw string) []byte {
	if len(raw) >= 2 && raw[0] == '"' {
		return append(dst, raw...)
	}
	return append(dst, `""`...)
}

// AppendCompletionHead opens a chat.completion up to its choices array:
// {"id":..,"object":"chat.completion","created":..,"model":..,"choices":[
// id and model are raw literals, or "" to write fallbackID / fallbackModel.
func AppendCompletionHead(dst []byte, id, fallbackID string, created int64, model, fallbackModel string) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendRawOr(dst, id, fallbackID)
	dst = append(dst, `,"object":"chat.completion","created":`...)
	dst = translate.AppendInt(dst, created)
	dst = append(dst, `,"model":`...)
	dst = appendRawOr(dst, model, fallbackModel)
	return append(dst, `,"choices":[`...)
}

// AssistantMessage opens choice 0's assistant message; its content follows.
const AssistantMessage = `{"index":0,"message":{"role":"assistant","content":`

// AppendMessageEnd closes an assistant message and its choice with finish, a plain token
// (stop, length, tool_calls, content_filter).
func AppendMessageEnd(dst []byte, finish string) []byte {
	dst = append(dst, `,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"`...)
	dst = append(dst, finish...)
	return append(dst, `"}`...)
}

// AppendCompletionEnd closes the choices array and the chat.completion, with usage.
func AppendCompletionEnd(dst []byte, u translate.Usage) []byte {
	dst = append(dst, `],"usage":`...)
	dst = AppendUsage(dst, u)
	return append(dst, `,"service_tier":"default","system_fingerprint":null}`...)
}

// AppendUsage appends OpenAI's usage object with every detail field the OpenAI API sends;
// families whose provider reports no reasoning tokens leave Usage.ReasoningTokens 0.
func AppendUsage(dst []byte, u translate.Usage) []byte {
	dst = append(dst, `{"prompt_tokens":`...)
	dst = translate.AppendInt(dst, int64(u.PromptTokens))
	dst = append(dst, `,"completion_tokens":`...)
	dst = translate.AppendInt(dst, int64(u.CompletionTokens))
	dst = append(dst, `,"total_tokens":`...)
	dst = translate.AppendInt(dst, int64(u.TotalTokens))
	dst = append(dst, `,"prompt_tokens_details":{"cached_tokens":`...)
	dst = translate.AppendInt(dst, int64(u.CachedTokens))
	dst = append(dst, `,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":`...)
	dst = translate.AppendInt(dst, int64(u.ReasoningTokens))
	return append(dst, `,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`...)
}

// AppendToolCallHead opens one tool call of a message up to its arguments value:
// {"id":..,"type":"function","function":{"name":..,"arguments":
// id and name are raw literals (anything else writes ""); the caller appends the arguments
// string and "}}".
func AppendToolCallHead(dst []byte, id, name string) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendLiteral(dst, id)
	dst = append(dst, `,"type":"function","function":{"name":`...)
	dst = appendLiteral(dst, name)
	return append(dst, `,"arguments":`...)
}
