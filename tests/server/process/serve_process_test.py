#!/usr/bin/python3
"""`clearance serve` as a process, over real HTTP: what an operator and an attacker meet.

Usage: serve_process_test.py PATH_TO_CLEARANCE

- While the server holds the store, CLI writes are refused with a message naming the server;
  reads still work.
- Thousands of malformed requests each get a 4xx problem (or a closed connection for a request
  that never completes), the server stays up, and the store is unchanged: a snapshot export is
  byte-identical before and after.
- 16 concurrent writers, then kill -9 in the middle of the burst: every create that was answered
  201 is in the store afterwards.
- SIGTERM stops the server cleanly (exit 0).
Standard library only (Debian's python3).
"""
import base64
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

CLEARANCE = None

SEED = """
users:
  - username: admin
    password: secret
    name: Admin
  - username: bob
    password: secret
defaultRoles:
  admin:
    users: [admin]
"""


def auth(user="admin", password="secret"):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Server:
    """A `clearance serve` child on a free port over its own store."""

    def __init__(self, db, *extra):
        self.db = db
        self.proc = subprocess.Popen(
            [CLEARANCE, "--db", db, "serve", "--listen", "127.0.0.1:0", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on http://"):
            self.proc.kill()
            raise AssertionError(f"serve did not start: {line!r} {self.proc.stderr.read()}")
        self.host, port = line.split("http://")[1].strip().split(":")
        self.port = int(port)

    def conn(self, timeout=10):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None):
        own = conn is None
        c = conn or self.conn()
        h = {"Content-Type": "application/json"}
        h.update(auth() if headers is None else headers)
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        payload = r.read()
        if own:
            c.close()
        return r.status, r.getheader("Content-Type", ""), payload

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)


def cli(db, *args, check=True):
    r = subprocess.run([CLEARANCE, "--db", db, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"clearance {' '.join(args)}: {r.returncode} {r.stderr}")
    return r


def export(db):
    out = db + f".export-{time.monotonic_ns()}.ndjson"
    cli(db, "snapshot", "export", "--out", out)
    with open(out, "rb") as f:
        return f.read()


class ServeProcessTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="clearance-serve-")
        self.db = os.path.join(self.dir.name, "store")
        seed = os.path.join(self.dir.name, "seed.yaml")
        with open(seed, "w") as f:
            f.write(SEED)
        cli(self.db, "init", "--mode", "BASIC", "--seed", seed)
        self.server = None

    def tearDown(self):
        if self.server is not None and self.server.proc.poll() is None:
            self.server.stop(signal.SIGKILL)
        self.dir.cleanup()

    def test_cli_writes_are_refused_naming_the_server_and_reads_still_work(self):
        self.server = Server(self.db)
        r = cli(self.db, "--lock-timeout", "0", "group", "create", "--id", "g1", "--name", "G",
                check=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("clearance server", r.stderr)
        self.assertIn("stop it", r.stderr)
        listed = cli(self.db, "--output", "json", "user", "list")
        self.assertIn("admin", listed.stdout)
        self.assertEqual(self.server.stop(), 0)

    def test_sigterm_stops_cleanly_and_changes_survive(self):
        self.server = Server(self.db)
        status, _, body = self.server.request("POST", "/v2/groups",
                                              {"groupId": "ops", "name": "Ops"})
        self.assertEqual(status, 201, body)
        self.assertEqual(self.server.stop(), 0)
        self.assertIn("stopped", self.server.proc.stderr.read())
        listed = cli(self.db, "--output", "json", "group", "list")
        self.assertIn("ops", listed.stdout)

    def test_malformed_requests_change_nothing_and_the_server_stays_up(self):
        before = export(self.db)
        self.server = Server(self.db, "--read-timeout-ms", "300", "--max-body-bytes", "65536")
        rng = random.Random(20261206)
        bodies = [b"", b"{", b"[]", b"null", b'"x"', b"{}", b'{"groupId":5,"name":"x"}',
                  b'{"groupId":"a/b","name":"x"}', b'{"groupId":"ok","name":"\xff\xfe"}',
                  b'{"groupId":"' + b"a" * 300 + b'","name":"x"}',
                  b'{"ownerType":"NOPE","ownerId":"x","resourceType":"GROUP",'
                  b'"resourceId":"*","permissionTypes":["READ"]}',
                  b'{"ownerType":"USER","ownerId":"bob","resourceType":"GROUP",'
                  b'"resourceId":"*","permissionTypes":["FLY"]}',
                  b'{"claimName":"","claimValue":"v","name":"n","mappingRuleId":"m"}',
                  b'{"filter":{"ownerId":7}}', b'{"page":{"limit":-1}}',
                  b'{"sort":[{"field":"nope","order":"SIDEWAYS"}]}']
        paths = ["/v2/groups", "/v2/roles", "/v2/tenants", "/v2/mapping-rules", "/v2/users",
                 "/v2/authorizations", "/v2/groups/search", "/v2/authorizations/search",
                 "/v2/groups/..%2F..%2Fetc", "/v2/groups/%2e%2e", "/v2/groups/a%00b/users/x",
                 "/v2/roles/admin/users/%ff", "/v2/nothing", "/clearance/v1/check",
                 "/clearance/v1/explain", "/v2/authorizations/notanumber"]
        methods = ["POST", "PUT", "DELETE", "PATCH", "GET"]
        conn = self.server.conn()
        count = 0
        for i in range(2400):
            method = rng.choice(methods)
            path = rng.choice(paths)
            body = rng.choice(bodies)
            if i % 7 == 0:
                body = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200)))
            headers = auth() if i % 11 else auth("admin", "wrong")
            if i % 13 == 0:
                headers = {"Authorization": "Bearer " + "A" * rng.randint(0, 100)}
            try:
                status, ctype, payload = self.server.request(method, path, body, headers, conn)
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                conn = self.server.conn()
                continue
            count += 1
            # Valid requests that happen to be well-formed but refused are fine (4xx); none
            # may succeed in changing the store, and nothing is a 5xx.
            if method in ("POST", "PUT", "DELETE", "PATCH") and 200 <= status < 300:
                # Only searches (reads) may succeed.
                self.assertTrue(path.endswith("/search") or path.startswith("/clearance/v1/"),
                                f"{method} {path} {body!r} -> {status} {payload!r}")
            self.assertLess(status, 500, f"{method} {path} {body!r} -> {status} {payload!r}")
            if status >= 400:
                self.assertEqual(ctype, "application/problem+json", f"{method} {path}")
                problem = json.loads(payload)
                self.assertEqual(problem["status"], status)
                self.assertTrue(problem["detail"], f"{method} {path}: empty detail")
        conn.close()
        self.assertGreater(count, 2000)

        # Requests that never complete: a truncated body, a slowloris head, an oversize body.
        for raw in [b"POST /v2/groups HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a",
                    b"GET /v2/status HTTP/1.1\r\nHost: x\r\nX-Slow: ",
                    b"NOT HTTP AT ALL\r\n\r\n",
                    b"POST /v2/groups HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999\r\n\r\n"]:
            s = socket.create_connection((self.server.host, self.server.port), timeout=5)
            s.sendall(raw)
            data = b""
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except socket.timeout:
                self.fail(f"the server kept a connection open past its read timeout: {raw[:40]!r}")
            s.close()
            if data:
                self.assertRegex(data.split(b"\r\n")[0], rb"HTTP/1.1 4\d\d", raw[:40])

        status, _, _ = self.server.request("GET", "/v2/status", headers={})
        self.assertEqual(status, 204)
        self.assertEqual(self.server.stop(), 0)
        self.assertEqual(export(self.db), before)

    def test_kill_9_during_a_write_burst_loses_no_answered_write(self):
        self.server = Server(self.db)
        acked = []
        lock = threading.Lock()
        stop = threading.Event()

        def writer(t):
            conn = self.server.conn()
            i = 0
            while not stop.is_set():
                gid = f"w{t}-{i}"
                try:
                    status, _, _ = self.server.request("POST", "/v2/groups",
                                                       {"groupId": gid, "name": gid}, conn=conn)
                except (OSError, http.client.HTTPException):
                    return
                if status == 201:
                    with lock:
                        acked.append(gid)
                i += 1

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(16)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with lock:
                if len(acked) >= 300:
                    break
            time.sleep(0.01)
        self.server.proc.kill()
        self.server.proc.wait()
        stop.set()
        for t in threads:
            t.join()
        self.assertGreater(len(acked), 50)
        listed = json.loads(cli(self.db, "--output", "json", "group", "list", "--limit", "1000000").stdout)
        present = {g.get("id") or g.get("groupId") for g in listed}
        missing = [g for g in acked if g not in present]
        self.assertEqual(missing, [], f"{len(missing)} of {len(acked)} answered writes lost")


if __name__ == "__main__":
    CLEARANCE = os.path.abspath(sys.argv.pop(1))
    unittest.main()
