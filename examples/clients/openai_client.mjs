// The official `openai` npm client, pointed at Switchyard (npm install openai).
import OpenAI from "openai";

const client = new OpenAI({
  baseURL: "http://127.0.0.1:10000/v1",
  apiKey: "unused-with-make-run",
  defaultHeaders: { "x-portkey-provider": "openai" },
});

const resp = await client.chat.completions.create({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Say hello" }],
});
console.log(resp.choices[0].message.content);

const stream = await client.chat.completions.create({
  model: "gpt-4o-mini",
  stream: true,
  messages: [{ role: "user", content: "Say hello" }],
});
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? "");
console.log();
