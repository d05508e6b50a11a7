#!/usr/bin/python3
"""Checks that a server answers make_requests.py's requests with the engine's decisions, before
anything is timed, so the load runs measure correct answers.

  /usr/bin/python3 bench/http/validate.py --requests DIR --url http://127.0.0.1:8080/clearance/v1/check [--count N]

Sends the first N (default 2000) bodies of DIR/bodies.ndjson with the bearer tokens of
DIR/tokens.txt over one keep-alive connection and compares each answer's "outcome" with
DIR/expect.txt. Exits 1, naming the first disagreement, if any answer is not a 200 or disagrees.
"""
import argparse
import http.client
import json
import sys
import urllib.parse


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    with open(f"{args.requests}/bodies.ndjson") as b, open(f"{args.requests}/tokens.txt") as t, \
         open(f"{args.requests}/expect.txt") as e:
        lines = zip(b, t, e)
        checked = 0
        outcomes = {}
        for body, token, expect in lines:
            if checked == args.count:
                break
            conn.request("POST", url.path, body=body.strip(),
                         headers={"Content-Type": "application/json",
                                  "Authorization": "Bearer " + token.strip()})
            response = conn.getresponse()
            answer = response.read().decode()
            if response.status != 200:
                sys.exit(f"error: line {checked + 1}: HTTP {response.status} {answer}; expected 200 "
                         f"with outcome {expect.strip()}")
            outcome = json.loads(answer).get("outcome")
            if outcome != expect.strip():
                sys.exit(f"error: line {checked + 1}: outcome {outcome!r} ({answer}); the engine's "
                         f"decision is {expect.strip()!r}; body {body.strip()}")
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            checked += 1
    print(f"validate: {checked} answers from {args.url} agree with the engine {outcomes}")


if __name__ == "__main__":
    main()
