#!/usr/bin/python3
"""What `clearance serve` itself saw during one load run, from two scrapes of GET /metrics.

  /usr/bin/python3 bench/http/metrics.py scrape URL > before.txt
  /usr/bin/python3 bench/http/metrics.py delta before.txt after.txt [ROUTE]

delta prints one JSON line: write batches, applied and refused writes, seconds spent applying
batches, writes per batch, and for ROUTE (a route pattern such as /clearance/v1/check) the
requests counted and the server-side latency histogram's p50/p99 as the bucket bound they fall
under (from a complete request to its response: the time wrk adds on top is the kernel, the
scheduler and wrk itself).
"""
import json
import re
import sys
import urllib.request

LINE = re.compile(r'^([a-z_]+)(\{[^}]*\})? (\S+)$')


def parse(text):
    values = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            values[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return values


def bucket_bound(buckets, count, p):
    """The smallest bucket bound holding p percent of `count`, in ms (None past the last)."""
    for bound, cumulative in buckets:
        if cumulative >= count * p / 100:
            return None if bound == float("inf") else round(bound * 1000, 3)
    return None


def delta(before, after, route):
    d = {k: after[k] - before.get(k, 0.0) for k in after}
    batches = d.get(("clearance_write_batches_total", ""), 0.0)
    applied = d.get(("clearance_write_commands_total", '{result="applied"}'), 0.0)
    out = {"write_batches": int(batches), "writes_applied": int(applied),
           "writes_refused": int(d.get(("clearance_write_commands_total", '{result="refused"}'), 0)),
           "apply_seconds": round(d.get(("clearance_write_apply_seconds_total", ""), 0.0), 3),
           "writes_per_batch": round(applied / batches, 2) if batches else 0}
    if route:
        label = f'route="{route}"'
        buckets = []
        for (name, labels), value in d.items():
            if name == "clearance_http_request_duration_seconds_bucket" and label in labels:
                bound = re.search(r'le="([^"]+)"', labels).group(1)
                buckets.append((float("inf") if bound == "+Inf" else float(bound), value))
        buckets.sort()
        count = d.get(("clearance_http_request_duration_seconds_count", "{" + label + "}"), 0.0)
        within_1ms = next((v for b, v in buckets if b == 0.001), 0.0)
        out.update({"route": route, "server_requests": int(count),
                    "server_p50_ms_le": bucket_bound(buckets, count, 50),
                    "server_p99_ms_le": bucket_bound(buckets, count, 99),
                    "server_within_1ms": round(within_1ms / count, 5) if count else None})
    return out


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "scrape":
        with urllib.request.urlopen(sys.argv[2], timeout=10) as r:
            sys.stdout.write(r.read().decode())
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "delta":
        with open(sys.argv[2]) as b, open(sys.argv[3]) as a:
            print(json.dumps(delta(parse(b.read()), parse(a.read()),
                                   sys.argv[4] if len(sys.argv) == 5 else None)))
    else:
        sys.exit("usage: metrics.py scrape URL | metrics.py delta BEFORE AFTER [ROUTE]")


if __name__ == "__main__":
    main()
