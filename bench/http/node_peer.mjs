// The Node.js peer for bench/http/run.sh: node's own `http` server answering the same decision
// checks with the bitmask evaluator of bench/peers (imported, not copied), so wrk measures a
// careful JavaScript service end to end, HTTP included.
//
//   node bench/http/node_peer.mjs --dir WORKLOAD_DIR [--requests DIR] [--port 8082] [--workers N]
//
// WORKLOAD_DIR holds state.ndjson (clearance-workload's snapshot). Routes:
//   POST /check  body: one line of queries.ndjson ({claims, type, permission, ids, tenant?,
//                new, task?}); answers {"decision":"ALLOW"|"FORBIDDEN"|"NOT_FOUND"|
//                "UNAUTHENTICATED"}. The claims path: JSON.parse of the body, principal and
//                mapping rules from the claims, the profile, the bit test.
//   POST /clearance/v1/check  with --requests DIR (make_requests.py's output: jwks.json,
//                issuers.tsv): the decision API's request, as `clearance serve` takes it. The
//                bearer token is verified as a careful node service would (node:crypto RS256,
//                iss, aud, exp/nbf/iat with 60 s leeway, verified tokens cached by their text up
//                to 8192), the body {resourceType, permission, resourceIds, tenantId,
//                newResource, userTask} becomes the evaluator's query; answers
//                {"allowed":bool,"outcome":...}. No token or a refused one: 401.
//   GET  /hello  a constant JSON document (the node stack's own ceiling, like hello_server).
// --workers N (default 1) forks N processes sharing the port (node:cluster); node runs
// JavaScript on one thread per process. When a body carries "expect" (our engine's decision),
// disagreements are counted and reported on exit.
import cluster from 'node:cluster';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { build } from '../peers/bitmask.mjs';
import { loadState } from '../peers/lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const dir = args.dir;
const port = Number(args.port || 8082);
const workers = Number(args.workers || 1);
const kMaxBody = 1 << 20;
if (!dir) {
  console.error('usage: node node_peer.mjs --dir WORKLOAD_DIR [--requests DIR] [--port 8082] ' +
                '[--workers N]');
  process.exit(2);
}

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => { for (const w of Object.values(cluster.workers)) w.kill('SIGTERM'); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const state = await loadState(`${dir}/state.ndjson`);
  const decide = build(state);
  const hello = JSON.stringify({ message: 'hello', ok: true });
  let decisions = 0;
  let disagreements = 0;

  const send = (res, status, body, type = 'application/json') => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const problem = (res, status, title, detail) =>
    send(res, status, JSON.stringify({ type: 'about:blank', title, status, detail }),
         'application/problem+json');

  const verify = args.requests ? tokenVerifier(args.requests) : null;

  // POST /clearance/v1/check: the caller from its bearer token, the question from the body.
  const check = (req, res) => {
    const auth = req.headers.authorization;
    const claims = auth && auth.startsWith('Bearer ') ? verify(auth.slice(7)) : null;
    readBody(req, res, (b) => {
      if (!claims) return problem(res, 401, 'UNAUTHORIZED', 'expected a valid bearer token');
      if (b === null || typeof b !== 'object' || typeof b.resourceType !== 'string' ||
          typeof b.permission !== 'string' ||
          (b.resourceIds != null && !Array.isArray(b.resourceIds))) {
        return problem(res, 400, 'INVALID_ARGUMENT',
                       'expected {resourceType: string, permission: string, resourceIds: array}');
      }
      const decision = decide({ claims, type: b.resourceType, permission: b.permission,
                                ids: b.resourceIds || [], tenant: b.tenantId,
                                new: b.newResource === true, task: b.userTask });
      decisions++;
      send(res, 200, `{"allowed":${decision === 'ALLOW'},"outcome":"${decision}"}`);
    });
  };

  const server = http.createServer((req, res) => {
    if (req.url === '/hello') return send(res, 200, hello);
    if (req.url === '/clearance/v1/check' && verify) {
      if (req.method !== 'POST') return problem(res, 405, 'METHOD_NOT_ALLOWED', 'expected POST');
      return check(req, res);
    }
    if (req.url !== '/check') return problem(res, 404, 'NOT_FOUND', `no route ${req.url}`);
    if (req.method !== 'POST') return problem(res, 405, 'METHOD_NOT_ALLOWED', 'expected POST');
    readBody(req, res, (q) => {
      if (q === null || typeof q !== 'object' || typeof q.claims !== 'object' ||
          typeof q.type !== 'string' || typeof q.permission !== 'string' ||
          !Array.isArray(q.ids)) {
        return problem(res, 400, 'INVALID_ARGUMENT',
                       'expected {claims: object, type: string, permission: string, ids: array}');
      }
      const decision = decide(q);
      decisions++;
      if (q.expect !== undefined && q.expect !== decision) disagreements++;
      send(res, 200, `{"decision":"${decision}"}`);
    });
  });

  // Reads the whole body, parses it as JSON and hands it to `then`; 413 and 400 answered here.
  function readBody(req, res, then) {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > kMaxBody) {
        problem(res, 413, 'PAYLOAD_TOO_LARGE', `body exceeds ${kMaxBody} bytes`);
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      let parsed;
      try {
        parsed = JSON.parse(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      } catch (e) {
        return problem(res, 400, 'INVALID_ARGUMENT', `body is not JSON: ${e.message}`);
      }
      then(parsed);
    });
  }
  server.keepAliveTimeout = 60000;
  server.headersTimeout = 10000;
  server.requestTimeout = 10000;
  server.listen(port, '127.0.0.1', () => {
    console.log(`node_peer listening on port ${port} (pid ${process.pid})`);
  });
  const stop = () => {
    console.error(`node_peer ${process.pid}: ${decisions} decisions, ` +
                  `${disagreements} disagreeing with the expected decision`);
    server.close();
    process.exit(disagreements === 0 ? 0 : 3);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// A verifier for make_requests.py's tokens: RS256 keys of DIR/jwks.json by kid, the issuers and
// audiences of DIR/issuers.tsv. Returns token -> claims, or null when the token is refused.
function tokenVerifier(dir) {
  const kLeeway = 60;
  const kCacheCapacity = 8192;
  const keys = new Map(JSON.parse(fs.readFileSync(`${dir}/jwks.json`, 'utf8')).keys
    .map((k) => [k.kid, crypto.createPublicKey({ key: k, format: 'jwk' })]));
  const audienceOf = new Map(fs.readFileSync(`${dir}/issuers.tsv`, 'utf8').split('\n')
    .filter(Boolean).map((l) => l.split('\t')));
  const cache = new Map();  // token text -> claims; oldest first
  const fresh = (c, now) => typeof c.exp === 'number' && now <= c.exp + kLeeway &&
    (c.nbf === undefined || now >= c.nbf - kLeeway) && (c.iat === undefined || c.iat <= now + kLeeway);
  return (token) => {
    const now = Date.now() / 1000;
    const hit = cache.get(token);
    if (hit) return fresh(hit, now) ? hit : null;
    try {
      const d1 = token.indexOf('.'), d2 = token.indexOf('.', d1 + 1);
      if (d1 < 0 || d2 < 0 || token.indexOf('.', d2 + 1) >= 0) return null;
      const header = JSON.parse(Buffer.from(token.slice(0, d1), 'base64url'));
      const key = keys.get(header.kid);
      if (header.alg !== 'RS256' || !key) return null;
      if (!crypto.verify('sha256', Buffer.from(token.slice(0, d2)), key,
                         Buffer.from(token.slice(d2 + 1), 'base64url'))) {
        return null;
      }
      const c = JSON.parse(Buffer.from(token.slice(d1 + 1, d2), 'base64url'));
      const audience = audienceOf.get(c.iss);
      if (audience === undefined || !fresh(c, now) ||
          !(Array.isArray(c.aud) ? c.aud.includes(audience) : c.aud === audience)) {
        return null;
      }
      if (cache.size >= kCacheCapacity) cache.delete(cache.keys().next().value);
      cache.set(token, c);
      return c;
    } catch {
      return null;
    }
  };
}
