// One peer, one workload size: node run.mjs --peer bitmask|cedar|casbin --dir WORKLOAD_DIR
//   [--parse-claims 1] [--time-budget S] [--sample N] [--min-queries N]
// Loads the snapshot, builds the peer (timed: setup), checks its decisions against our engine's
// ("expect" in queries.ndjson) on a sample (a disagreement exits 3 before any time is reported),
// then times every query alone (median, p99) and back to back (decisions/s). Prints one JSON
// line. A peer whose decide has prepare() (bitmask) has each query compiled and its principal
// resolved untimed, like our Check(handle); the decisions verified are those of the path timed
// (decide.prepared, or decide.claims with --parse-claims 1). --time-budget S bounds the timed part for slow peers (fewer queries, said in the line);
// --min-queries N (default 50) is the fewest queries verified and timed whatever the budget (a
// peer taking seconds per decision at large gets a smaller N from run.sh).
import { loadState, loadQueries, rssMb, timeEach } from './lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const peer = args.peer;
const dir = args.dir;
const budget = Number(args['time-budget'] || 20);
const sample = Number(args.sample || 2000);
const minQueries = Number(args['min-queries'] || 50);
const size = args.size || dir;

const t0 = process.hrtime.bigint();
const state = await loadState(`${dir}/state.ndjson`);
const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
const mod = await import(`./${peer}.mjs`);
const t1 = process.hrtime.bigint();
const decide = await mod.build(state);
const setupS = Number(process.hrtime.bigint() - t1) / 1e9;
console.error(`${peer} ${size}: snapshot read in ${loadS.toFixed(2)} s, set up in ${setupS.toFixed(2)} s`);
let queries = loadQueries(`${dir}/queries.ndjson`);
const parseClaims = args['parse-claims'] === '1';
// Prepared peers: the timed function takes the prepared query (which keeps the raw one as .q).
let decideOne = decide;
if (decide.prepare) {
  queries = queries.map((q) => Object.assign(decide.prepare(q), { q }));
  decideOne = parseClaims ? decide.claims : decide.prepared;
}

// Peers that answer allow/deny are compared on ALLOW vs not-ALLOW; the bitmask peer exactly.
const exact = peer === 'bitmask';
let skipped = 0;
let checked = 0;
const verifyStart = process.hrtime.bigint();
// At least minQueries queries, then as many of `sample` as fit half the time budget.
for (const q of queries.slice(0, sample)) {
  if (checked + skipped >= minQueries && Number(process.hrtime.bigint() - verifyStart) / 1e9 > budget / 2) break;
  const got = decideOne(q);
  if (got === 'SKIPPED') { skipped++; continue; }
  const expect = decide.prepare ? q.q.expect : q.expect;
  const want = exact ? expect : (expect === 'ALLOW' ? 'ALLOW' : 'DENY');
  const gotNorm = exact ? got : (got === 'ALLOW' ? 'ALLOW' : 'DENY');
  if (gotNorm !== want) {
    console.error(`error: ${peer} disagrees with clearance on query ${checked + skipped}: ` +
                  `${peer} ${got}, clearance ${expect}\n${JSON.stringify(decide.prepare ? q.q : q)}`);
    process.exit(3);
  }
  checked++;
}
const verifyS = Number(process.hrtime.bigint() - verifyStart) / 1e9;
// Time only queries the peer models; fit the timed part in the budget.
if (skipped) queries = queries.filter((q) => !q.task);
const perQueryS = verifyS / Math.max(1, checked + skipped);
const fit = Math.max(minQueries, Math.floor(budget / 2 / Math.max(perQueryS, 1e-9)));
const timed = queries.slice(0, Math.min(queries.length, fit));
// --parse-claims 1: each timed decision first parses the query's claims from JSON text, as our
// CheckClaims does from bytes (the text is made once, untimed; by default the peer gets the
// claims already parsed).
let timedDecide = decideOne;
if (parseClaims && !decide.prepare) {
  for (const q of timed) q.claims_text = JSON.stringify(q.claims);
  timedDecide = (q) => {
    q.claims = JSON.parse(q.claims_text);
    return decide(q);
  };
}
// The verification pass already decided every timed query once when they are among the verified
// ones (the first `checked` queries the peer models): that is their warm-up, so a peer taking
// seconds per decision does not decide them a third time.
const warmedUp = (decide.prepare || !parseClaims) && timed.length <= checked;
const t = timeEach(timed, timedDecide, { budgetMs: Math.min(500, budget * 250), warmUp: !warmedUp });
console.log(JSON.stringify({
  engine: parseClaims ? `${peer} (claims parsed per decision)` : peer, size, decisions: timed.length, verified: checked, skipped_task_checks: skipped,
  load_s: +loadS.toFixed(3), setup_s: +setupS.toFixed(3), policies: decide.policies,
  median_ns: Math.round(t.median_ns), p99_ns: Math.round(t.p99_ns), per_s: +t.per_s.toPrecision(4),
  cpu_ns: t.cpu_ns === null ? null : Math.round(t.cpu_ns),
  rss_mb: +rssMb().toFixed(1),
}));
