// Drives a Switchyard gateway with the official openai npm client: one JSON chat completion and
// one streamed one. Prints one JSON line with what the client saw; the Go test compares it.
import OpenAI from "openai";

const client = new OpenAI({
  baseURL: process.env.GATEWAY_URL + "/v1",
  apiKey: "sk-node-client",
  maxRetries: 0,
  timeout: 20000,
  defaultHeaders: { "x-portkey-provider": "openai" },
});

const messages = [{ role: "user", content: "hi" }];
const out = {};

const res = await client.chat.completions.create({ model: "gpt-4o-mini", messages });
out.json = {
  id: res.id,
  object: res.object,
  model: res.model,
  content: res.choices[0].message.content,
  finish_reason: res.choices[0].finish_reason,
  usage: res.usage.total_tokens,
};

const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true });
const s = { chunks: 0, content: "", finish_reason: null, objects: [] };
for await (const chunk of stream) {
  s.chunks++;
  if (!s.objects.includes(chunk.object)) s.objects.push(chunk.object);
  const c = chunk.choices[0];
  if (c?.delta?.content) s.content += c.delta.content;
  if (c?.finish_reason) s.finish_reason = c.finish_reason;
}
out.stream = s;

process.stdout.write(JSON.stringify(out) + "\n");
