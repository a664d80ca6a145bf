#!/usr/bin/env bash
# Against `make run` (mock providers, no key needed). Point GATEWAY elsewhere for a real deployment.
GATEWAY=${GATEWAY:-http://127.0.0.1:10000}
curl -sS "$GATEWAY/v1/chat/completions" \
  -H 'content-type: application/json' \
  -H 'x-portkey-provider: openai' \
  -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}'
echo
curl -sSN "$GATEWAY/v1/chat/completions" \
  -H 'content-type: application/json' \
  -H 'x-portkey-provider: openai' \
  -d '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello"}]}'
