// The Node.js peer for bench/http/run.sh: node's own `http` server answering the same decision
// checks with the bitmask evaluator of bench/peers (imported, not copied), so wrk measures a
// careful JavaScript service end to end, HTTP included.
//
//   node bench/http/node_peer.mjs --dir WORKLOAD_DIR [--port 8082] [--workers N]
//
// WORKLOAD_DIR holds state.ndjson (clearance-workload's snapshot). Routes:
//   POST /check  body: one line of queries.ndjson ({claims, type, permission, ids, tenant?,
//                new, task?}); answers {"decision":"ALLOW"|"FORBIDDEN"|"NOT_FOUND"|
//                "UNAUTHENTICATED"}. The claims path: JSON.parse of the body, principal and
//                mapping rules from the claims, the profile, the bit test.
//   GET  /hello  a constant JSON document (the node stack's own ceiling, like hello_server).
// --workers N (default 1) forks N processes sharing the port (node:cluster); node runs
// JavaScript on one thread per process. When a body carries "expect" (our engine's decision),
// disagreements are counted and reported on exit.
import cluster from 'node:cluster';
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
  console.error('usage: node node_peer.mjs --dir WORKLOAD_DIR [--port 8082] [--workers N]');
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

  const server = http.createServer((req, res) => {
    if (req.url === '/hello') return send(res, 200, hello);
    if (req.url !== '/check') return problem(res, 404, 'NOT_FOUND', `no route ${req.url}`);
    if (req.method !== 'POST') return problem(res, 405, 'METHOD_NOT_ALLOWED', 'expected POST');
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
      let q;
      try {
        q = JSON.parse(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      } catch (e) {
        return problem(res, 400, 'INVALID_ARGUMENT', `body is not JSON: ${e.message}`);
      }
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
