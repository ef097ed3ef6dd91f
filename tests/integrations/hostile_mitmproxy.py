"""Run by ``tests/frontends.py`` with the Python of mitmproxy's environment: each request of
a JSON-lines file through the leakguard addon's ``request`` hook, inside mitmproxy's own test
context, blocking and redacting, as JSON and as text, with and without a Content-Encoding.

    python hostile_mitmproxy.py INDEX REQUESTS.jsonl SEED   # prints {inputs, seconds, slowest, problems}

A problem is an exception out of the hook, or an answer the addon never gives on purpose:
anything but no answer (passed or redacted), 403 (blocked) and 503 for a body whose
Content-Encoding cannot be undone.
"""

from __future__ import annotations

import base64
import gzip
import json
import random
import sys
import time
from pathlib import Path

from mitmproxy.test import taddons, tflow, tutils

from leakguard.integrations.mitmproxy_addon import LeakguardAddon


def main() -> int:
    index, requests, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(seed)
    addon = LeakguardAddon()
    problems: list[tuple[str, str]] = []
    count, seconds, slowest = 0, 0.0, (0.0, "")
    with taddons.context(addon) as context:
        for line in Path(requests).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            name, body = record["name"], base64.b64decode(record["body"])
            action = rng.choice(["block", "redact"])
            context.configure(addon, leakguard_index=index, leakguard_action=action, leakguard_hosts="*")
            headers = {"content-type": rng.choice(["application/json", "text/plain", "", "application/x-ndjson"])}
            encoding = rng.choice(["", "", "gzip", "gzip-broken", "br-broken"])
            if encoding == "gzip":
                headers["content-encoding"], body = "gzip", gzip.compress(body)
            elif encoding:
                headers["content-encoding"] = encoding.split("-")[0]
            request = tutils.treq(
                method=b"POST", content=b"", headers=tuple((k.encode(), v.encode()) for k, v in headers.items() if v)
            )
            request.raw_content = body
            flow = tflow.tflow(req=request)
            start = time.perf_counter()
            try:
                addon.request(flow)
            except Exception as exc:
                problems.append((name, f"{type(exc).__name__}: {exc}"[:300]))
                continue
            finally:
                spent = time.perf_counter() - start
                count, seconds, slowest = count + 1, seconds + spent, max(slowest, (spent, name))
            response = flow.response
            if response is None or response.status_code == 403:
                continue
            if response.status_code == 503 and encoding.endswith("broken"):
                continue
            problems.append((name, f"HTTP {response.status_code}: {response.get_text(strict=False)[:300]}"))
    json.dump({"inputs": count, "seconds": seconds, "slowest": slowest, "problems": problems}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
