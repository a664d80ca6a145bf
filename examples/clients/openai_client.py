# The official OpenAI Python client, pointed at Switchyard. Portkey's headers choose the provider.
from openai import OpenAI

client = OpenAI(
    base_url="http://127.0.0.1:10000/v1",
    api_key="unused-with-make-run",  # with a real provider: its key, or configure it in the gateway
    default_headers={"x-portkey-provider": "openai"},
)
resp = client.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hello"}]
)
print(resp.choices[0].message.content)

for chunk in client.chat.completions.create(
    model="gpt-4o-mini", stream=True, messages=[{"role": "user", "content": "Say hello"}]
):
    print(chunk.choices[0].delta.content or "", end="", flush=True) if chunk.choices else None
print()
