package oaiw

import "switchyard/translate"

// AppendChunkHead opens a chat.completion.chunk SSE event up to its choices array:
// data: {"id":..,"object":"chat.completion.chunk","created":..,"model":..,
// "service_tier":"default","system_fingerprint":null,"choices":[
// id and model are raw literals, or "" to write fallbackID / fallbackModel.
func AppendChunkHead(dst []byte, id, fallbackID string, created int64, model, fallbackModel string) []byte {
	dst = append(dst, `data: {"id":`...)
	dst = appendRawOr(dst, id, fallbackID)
	dst = append(dst, `,"object":"chat.completion.chunk","created":`...)
	dst = translate.AppendInt(dst, created)
	dst = append(dst, `,"model":`...)
	dst = appendRawOr(dst, model, fallbackModel)
	return append(dst, `,"service_tier":"default","system_fingerprint":null,"choices":[`...)
}

// Delta0 opens choice 0 of a chunk; its delta object follows.
const Delta0 = `{"index":0,"delta":`

// AppendChunkEnd closes a choice's delta chunk: finish is a plain token, or "" for null.
// With usageNull every chunk carries "usage":null, as OpenAI's do when the client asked for
// stream_options.include_usage.
func AppendChunkEnd(dst []byte, finish string, usageNull bool) []byte {
	dst = append(dst, `,"logprobs":null,"finish_reason":`...)
	if finish == "" {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '"')
		dst = append(dst, finish...)
		dst = append(dst, '"')
	}
	dst = append(dst, "}]"...)
	if usageNull {
		dst = append(dst, `,"usage":null`...)
	}
	return append(dst, "}\n\n"...)
}

// AppendToolCallStart appends the delta that opens streamed tool call index: id and name are
// raw literals (anything else writes ""), args the raw literal of its first arguments.
func AppendToolCallStart(dst []byte, index int, id, name, args string) []byte {
	dst = append(dst, `{"tool_calls":[{"index":`...)
	dst = translate.AppendInt(dst, int64(index))
	dst = append(dst, `,"id":`...)
	dst = appendLiteral(dst, id)
	dst = append(dst, `,"type":"function","function":{"name":`...)
	dst = appendLiteral(dst, name)
	dst = append(dst, `,"arguments":`...)
	dst = append(dst, args...)
	return append(dst, "}}]}"...)
}

// AppendToolCallArgs appends the delta carrying more arguments (a raw string literal) of
// streamed tool call index.
func AppendToolCallArgs(dst []byte, index int, args string) []byte {
	dst = append(dst, `{"tool_calls":[{"index":`...)
	dst = translate.AppendInt(dst, int64(index))
	dst = append(dst, `,"function":{"arguments":`...)
	dst = append(dst, args...)
	return append(dst, "}}]}"...)
}
