#!/usr/bin/python3
"""Identity writes at a fixed rate beside a load run: creates a group, deletes it, repeats.

  /usr/bin/python3 bench/http/paced_writer.py --url http://127.0.0.1:8080 --token-file FILE \
      [--rate 100] [--seconds 10] [--tag NAME]

Each write is sent at its scheduled instant (start + i / rate) over one keep-alive connection;
when one takes longer than the interval, the next ones go out back to back until the schedule is
met again, so the achieved rate reports whether the server kept up. Writes alternate between
POST /v2/groups (group "bench-TAG-N") and DELETE /v2/groups/bench-TAG-N, so the store ends as it
began. Prints one JSON line: writes, seconds, writes_per_s, non_2xx, p50_ms, p99_ms, max_ms.
Exits 1 when any write is answered with something other than 201/204.
"""
import argparse
import http.client
import json
import sys
import time
import urllib.parse


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="the server's base URL")
    parser.add_argument("--token-file", required=True, help="an admin bearer token")
    parser.add_argument("--rate", type=float, default=100.0, help="writes per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--tag", default=str(int(time.time())))
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    with open(args.token_file) as f:
        token = f.read().strip()
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)

    latencies = []
    failures = []
    start = time.monotonic()
    i = 0
    while True:
        due = start + i / args.rate
        if due - start >= args.seconds:
            break
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        group = f"bench-{args.tag}-{i // 2}"
        sent = time.monotonic()
        if i % 2 == 0:
            conn.request("POST", "/v2/groups",
                         body=json.dumps({"groupId": group, "name": group}), headers=headers)
            want = 201
        else:
            conn.request("DELETE", f"/v2/groups/{group}", headers=headers)
            want = 204
        response = conn.getresponse()
        answer = response.read()
        latencies.append((time.monotonic() - sent) * 1000)
        if response.status != want:
            failures.append(f"write {i}: HTTP {response.status} {answer[:200]!r}; expected {want}")
        i += 1
    elapsed = time.monotonic() - start
    latencies.sort()
    print(json.dumps({"writes": i, "seconds": round(elapsed, 3),
                      "writes_per_s": round(i / elapsed, 1), "non_2xx": len(failures),
                      "p50_ms": round(percentile(latencies, 50), 3),
                      "p99_ms": round(percentile(latencies, 99), 3),
                      "max_ms": round(latencies[-1] if latencies else 0, 3)}))
    if failures:
        print("error: " + failures[0], file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
