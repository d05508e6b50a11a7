#!/usr/bin/python3
"""Prints bench/http/run.sh's results (JSON lines) as the markdown of bench/RESULTS.md's "HTTP".

  /usr/bin/python3 bench/http/report.py RESULTS.jsonl COMMAND SETTINGS
  /usr/bin/python3 bench/http/report.py --rate RESULTS.jsonl SERVER   (its requests/s over all rounds)

A server's throughput is its requests over all rounds divided by their seconds; p50 and p99 are
the medians of the rounds' figures.
"""
import json
import sys


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "n/a"


def status(ok):
    return "met" if ok else "**missed**"


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else round((values[n // 2 - 1] + values[n // 2]) / 2, 3)


def throughput(rows):
    """One row per server from its rounds, in the order the servers were first measured."""
    rounds = {}
    for r in rows:
        if r["kind"] == "throughput":
            rounds.setdefault(r["name"], []).append(r)
    out = []
    for name, rs in rounds.items():
        requests = sum(r["requests"] for r in rs)
        rates = [r["requests_per_s"] for r in rs]
        out.append({"name": name, "requests": requests,
                    "requests_per_s": round(requests / sum(r["seconds"] for r in rs)),
                    "rounds": len(rs), "min_rps": min(rates), "max_rps": max(rates),
                    "p50_ms": median([r["p50_ms"] for r in rs]),
                    "p99_ms": median([r["p99_ms"] for r in rs]),
                    "server_cpu_s": round(sum(r["server_cpu_s"] for r in rs), 2),
                    "non_2xx": sum(r["non_2xx"] for r in rs),
                    "socket_errors": sum(r["socket_errors"] for r in rs)})
    return out


def main():
    if sys.argv[1] == "--rate":
        with open(sys.argv[2]) as f:
            rows = [json.loads(line) for line in f if line.strip()]
        print(next(r["requests_per_s"] for r in throughput(rows) if r["name"] == sys.argv[3]))
        return
    path, command, settings = sys.argv[1:4]
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    run = rows[0]
    by = {(r["kind"], r["name"]): r for r in rows[1:] if r["kind"] != "throughput"}
    servers = throughput(rows[1:])
    by.update({("throughput", r["name"]): r for r in servers})
    out = [f"Run {run['date']} UTC, commit `{run['commit']}`, {run['machine']}; load average "
           f"{run['load_before']} before, {run.get('load_after', '?')} after.",
           f"Command: `{settings} {command}`", ""]
    goals = []

    hello = by.get(("throughput", "hello_server"))
    serve = by.get(("throughput", "clearance serve"))
    if servers:
        out += ["POST /clearance/v1/check with a bearer token per caller, 20 000 shuffled bodies; "
                f"every server running, wrk visiting each in turn for {servers[0]['rounds']} "
                "rounds:", "",
                "| server | requests/s | rounds' range | of hello_server | p50 ms | p99 ms | "
                "server CPU s | requests per server CPU-second | non-2xx | socket errors |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in servers:
            per_cpu = r["requests"] / r["server_cpu_s"] if r["server_cpu_s"] else 0
            of_hello = (f"{100 * r['requests_per_s'] / hello['requests_per_s']:.0f} %"
                        if hello else "")
            out.append(f"| {r['name']} | {r['requests_per_s']} | {r['min_rps']}-{r['max_rps']} | "
                       f"{of_hello} | {r['p50_ms']} | "
                       f"{r['p99_ms']} | {r['server_cpu_s']} | {per_cpu:.0f} | {r['non_2xx']} | "
                       f"{r['socket_errors']} |")
        s = by.get(("server", "clearance serve, throughput"))
        if s:
            out += ["", f"Server side (`/metrics` histogram, complete request to response) during "
                    f"the clearance rounds: p50 ≤ {s['server_p50_ms_le']} ms, p99 ≤ "
                    f"{s['server_p99_ms_le']} ms, {100 * s['server_within_1ms']:.2f} % within 1 ms."]
        out.append("")
        if hello and serve:
            share = serve["requests_per_s"] / hello["requests_per_s"]
            goals.append(("check throughput vs hello_server (same stack, same requests)",
                          f"{100 * share:.0f} %", "≥ 50 %", status(share >= 0.5)))
        for workers in ("1 process", "2 processes"):
            node = by.get(("throughput", f"node peer, {workers}"))
            if node and serve:
                x = serve["requests_per_s"] / node["requests_per_s"]
                cpu = ((serve["requests"] / serve["server_cpu_s"]) /
                       (node["requests"] / node["server_cpu_s"]))
                goals.append((f"check requests/s vs node peer, {workers}", f"{x:.2f}× "
                              f"(per server CPU-second {cpu:.2f}×)", "≥ 5×", status(x >= 5)))

    paced = by.get(("latency", "clearance serve, paced"))
    if paced:
        writer = by[("writer", "paced writer")]
        s = by[("server", "clearance serve, paced")]
        max_rate = serve["requests_per_s"] if serve else 0
        out += ["p99 at about half the maximum rate: wrk paced by its `delay()` (1 ms before each "
                "request on each connection; the connection count calibrated toward the target), "
                "latency timed from each request's send (wrk, not wrk2: no coordinated-omission "
                "correction), with the paced writer creating and deleting groups beside it "
                "(synced writes as `bench-admin`):", "",
                "| target requests/s | connections | reached requests/s | of max | p50 ms | p99 ms | "
                "p99.9 ms | server p99 ≤ ms | server within 1 ms | writes/s | write p99 ms | "
                "write non-2xx |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                f"| {writer['target_rps']} | {writer['connections']} | {paced['requests_per_s']} | "
                f"{100 * paced['requests_per_s'] / max_rate:.0f} % | {paced['p50_ms']} | "
                f"{paced['p99_ms']} | {paced['p999_ms']} | {s['server_p99_ms_le']} | "
                f"{100 * s['server_within_1ms']:.2f} % | {writer['writes_per_s']} | "
                f"{writer['p99_ms']} | {writer['non_2xx']} |", ""]
        goals.append((f"check p99 at {paced['requests_per_s']} requests/s with "
                      f"{writer['writes_per_s']} writes/s", f"{paced['p99_ms']} ms (server side "
                      f"≤ {s['server_p99_ms_le']} ms)", "≤ 1 ms", status(paced["p99_ms"] <= 1.0)))

    commits = [r for r in rows[1:] if r["kind"] == "group-commit"]
    if commits:
        out += ["Group commit: every request a new group (POST /v2/groups, fsync on, as "
                "`bench-admin`), one client and sixteen alternating round by round; writes per "
                "batch and apply time from `/metrics`:", "",
                "| --blocking-threads | round | clients | writes/s | p50 ms | p99 ms | batches | "
                "writes per batch | apply s | server CPU µs per write | non-2xx |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in commits:
            s = by[("server", r["name"])]
            out.append(f"| {r['blocking_threads']} | {r['round']} | {r['clients']} | "
                       f"{r['requests_per_s']} | {r['p50_ms']} | {r['p99_ms']} | "
                       f"{s['write_batches']} | {s['writes_per_batch']} | {s['apply_seconds']} | "
                       f"{1e6 * r['server_cpu_s'] / r['requests']:.0f} | {r['non_2xx']} |")
        out.append("")
        for blocking in (4, 16):
            mine = [r for r in commits if r["blocking_threads"] == blocking]
            one = [r for r in mine if r["clients"] == 1]
            many = [r for r in mine if r["clients"] == 16]
            if not one or not many:
                continue
            # The rate over all rounds of each side, and the spread of the round-by-round ratios.
            rate = lambda rs: sum(r["requests"] for r in rs) / sum(r["seconds"] for r in rs)
            x = rate(many) / rate(one)
            rounds = sorted(m["requests_per_s"] / o["requests_per_s"]
                            for o, m in zip(one, many) if o["requests_per_s"])
            spread = (f" (rounds {rounds[0]:.1f}-{rounds[-1]:.1f}×)" if len(rounds) > 1 else "")
            label = " (the default)" if blocking == 16 else ""
            goals.append((f"synced writes/s, 16 clients vs 1, --blocking-threads {blocking}{label}",
                          f"{x:.1f}×{spread}", "≥ 10×", status(x >= 10)))

    if goals:
        out += ["| figure | measured | goal | status |", "|---|---|---|---|"]
        out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in goals]
    print("\n".join(out))


if __name__ == "__main__":
    main()
