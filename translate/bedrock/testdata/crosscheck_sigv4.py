#!/usr/bin/env python3
"""Independent cross-check of the SigV4 Authorization headers in requests/*.golden.

Recomputes each signature from scratch with Python's hmac/hashlib, following AWS's
"Create a signed AWS API request" steps (non-S3: the canonical URI is the sent path
URI-encoded once more), and compares it with the golden file. Run:
    python3 translate/bedrock/testdata/crosscheck_sigv4.py
"""
import glob, hashlib, hmac, json, re, sys, urllib.parse

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

def h(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()

bad = 0
for path in sorted(glob.glob("translate/bedrock/testdata/requests/*.golden")):
    head, body = open(path).read().split("\n\n", 1)
    lines = head.split("\n")
    method, url = lines[0].split(" ", 1)
    hdrs = dict(l.split(": ", 1) for l in lines[2:])
    if not hdrs.get("authorization", "").startswith("AWS4-HMAC-SHA256"):
        continue
    u = urllib.parse.urlsplit(url)
    payload = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()
    canon_uri = urllib.parse.quote(u.path, safe="/-_.~")
    signed = {"content-type": hdrs["content-type"], "host": u.netloc, "x-amz-date": hdrs["x-amz-date"]}
    if "x-amz-security-token" in hdrs:
        signed["x-amz-security-token"] = hdrs["x-amz-security-token"]
    names = sorted(signed)
    creq = "\n".join([method, canon_uri, "", "".join(f"{n}:{signed[n]}\n" for n in names),
                      ";".join(names), hashlib.sha256(payload).hexdigest()])
    amz = hdrs["x-amz-date"]
    region = re.search(r"Credential=[^/]+/\d+/([^/]+)/", hdrs["authorization"]).group(1)
    scope = f"{amz[:8]}/{region}/bedrock/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = h(h(h(h(("AWS4" + SECRET).encode(), amz[:8]), region), "bedrock"), "aws4_request")
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    want = f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{scope}, SignedHeaders={';'.join(names)}, Signature={sig}"
    ok = want == hdrs["authorization"]
    bad += not ok
    print("ok  " if ok else "BAD ", path)
sys.exit(1 if bad else 0)
