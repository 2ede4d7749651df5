"""Which HTTP requests each contender sends for a no-op, read from the registry's access log.

The registry logs one line per request (Apache combined format) once it has answered; a short pause after each
client exits lets the last line land before the next client starts, so each client's lines are its own.
"""
from __future__ import annotations

import os
import re
import time

from contenders import PEERS
from registries import serve
from sections import REPOSITORY, Bench, log

REQUEST_LINE = re.compile(r'"([A-Z]+) (\S+) (HTTP/[0-9.]+)" (\d{3}) ')
DIGEST, SHORT = re.compile(r"(sha256:[0-9a-f]{12})[0-9a-f]{52}"), r"\1..."
LOG_SETTLE_S = 0.3


def clean(text: str) -> str:
    """Printable characters only: a log line is outside data."""
    return "".join(c if c.isprintable() else "?" for c in text)


def record(bench: Bench, key: str, tls: bool) -> None:
    who_all = ["ours", *PEERS]
    image = bench.workloads.tls
    label = f"requests of a no-op {image.label}, loopback {'HTTPS' if tls else 'HTTP'}"
    log(f"{label}: {', '.join(who_all)} (the registry's access log)")
    requests: dict[str, list[str]] = {}
    with serve(bench.work, bench.tls if tls else None, access_log=True) as endpoint:
        bench.runner.run(f"{key}-prepare", bench.contenders.command("ours", image, endpoint, REPOSITORY), endpoint)
        os.sync()
        for who in who_all:
            bench.runner.run(f"{key}-warm-{who}", bench.contenders.command(who, image, endpoint, REPOSITORY), endpoint)
        time.sleep(LOG_SETTLE_S)
        for who in who_all:
            offset = endpoint.registry.log_size()
            bench.runner.run(f"{key}-{who}", bench.contenders.command(who, image, endpoint, REPOSITORY), endpoint)
            time.sleep(LOG_SETTLE_S)
            lines = REQUEST_LINE.findall(endpoint.registry.log_since(offset))
            # Digests shortened to 12 hex digits: enough to tell the blobs apart in a line a person reads.
            requests[who] = [clean(f"{method} {DIGEST.sub(SHORT, path)} {status} {proto}") for method, path, proto, status in lines]
            log(f"  {who:<6} {len(requests[who])} requests")
    bench.results[key] = {"label": label, "unit": "requests", "requests": requests}


def run_requests(bench: Bench) -> None:
    record(bench, "requests-http", False)
    record(bench, "requests-https", True)


def describe(results: dict) -> list[str]:
    """The recorded requests, one contender a line, for below the table."""
    out = []
    for key in ("requests-http", "requests-https"):
        if key in results:
            out.append(f"{results[key]['label']} (registry access log):")
            for who, lines in results[key]["requests"].items():
                out.append(f"  {who:<6} {len(lines)}: " + ("; ".join(lines) or "none"))
    return out
