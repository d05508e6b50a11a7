// Turns run.sh's JSON lines into the markdown tables of bench/RESULTS-peers.md.
// Usage: node report.mjs results.jsonl
import fs from 'node:fs';

const rows = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const fmtNs = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${Math.round(ns)} ns`);
const fmtRate = (r) => (r >= 1e6 ? `${(r / 1e6).toFixed(2)} M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)} k` : r >= 10 ? `${r.toFixed(0)}` : `${r.toPrecision(2)}`);
const ratio = (a, b) => (!(b > 0) || !Number.isFinite(a / b) ? 'n/a' : a / b >= 100 ? `${Math.round(a / b)}×` : `${(a / b).toFixed(1)}×`);
const cpuRatio = (r, ours) => (r.cpu_ns && ours.cpu_ns ? `, ${ratio(r.cpu_ns, ours.cpu_ns)} (cpu)` : '');
const machine = rows.find((r) => r.machine);
if (machine) console.log(`Machine: ${machine.machine}\n`);

const sizes = [...new Set(rows.filter((r) => r.size && !r.alg).map((r) => r.size))];
// CPU / decision: process CPU time of the back-to-back loop per decision (wall-clock rates on
// a shared machine also count other processes' turns); "(cpu)" ratios compare those.
console.log('| size | engine | setup | median / decision | p99 | decisions/s | CPU / decision | RSS | ours (claims) faster by | ours (handle) faster by | notes |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const size of sizes) {
  const gen = rows.find((r) => r.engine === 'generator' && r.size === size);
  const claims = rows.find((r) => r.engine === 'clearance CheckClaims' && r.size === size);
  const handle = rows.find((r) => r.engine === 'clearance Check(handle)' && r.size === size);
  for (const r of rows.filter((x) => x.size === size && !x.alg && x.engine !== 'generator')) {
    if (r.timeout_s || r.failed_exit || r.not_run) {
      const why = r.timeout_s ? `did not finish within ${r.timeout_s} s` : r.not_run ? `not run: ${r.not_run}` : `failed (exit ${r.failed_exit})`;
      console.log(`| ${size} | ${r.engine} | | | | | | | | | ${why} |`);
      continue;
    }
    const ours = r.engine.startsWith('clearance');
    const notes = [];
    if (r.verified !== undefined) notes.push(`${r.verified} decisions checked against ours`);
    if (r.skipped_task_checks) notes.push(`${r.skipped_task_checks} user-task property checks skipped (not modelled)`);
    if (r.policies) notes.push(`${r.policies} policies`);
    if (r.engine === 'reference evaluator' || r.decisions < 1000) notes.push(`${r.decisions} queries timed`);
    if (r.engine === 'clearance CheckClaims' && gen) notes.push(`workload generated in ${gen.seconds.toFixed(1)} s`);
    console.log(`| ${size} | ${r.engine} | ${r.setup_s !== undefined ? r.setup_s.toFixed(2) + ' s' : ''} | ${fmtNs(r.median_ns)} | ${fmtNs(r.p99_ns)} | ${fmtRate(r.per_s)} | ${r.cpu_ns ? fmtNs(r.cpu_ns) : ''} | ${r.rss_mb.toFixed(0)} MB | ${ours || !claims ? '' : `${ratio(r.median_ns, claims.median_ns)} (median), ${ratio(claims.per_s, r.per_s)} (rate)${cpuRatio(r, claims)}`} | ${ours || !handle ? '' : `${ratio(r.median_ns, handle.median_ns)} (median), ${ratio(handle.per_s, r.per_s)} (rate)${cpuRatio(r, handle)}`} | ${notes.join('; ')} |`);
  }
}

console.log('\n| token stage | alg | median / token | p99 | clearance faster by (median) |');
console.log('|---|---|---|---|---|');
// Token figures do not depend on the state's size: the first size that ran the token peers.
const tokenSize = rows.find((r) => r.alg && !r.engine.startsWith('clearance'))?.size;
const tok = rows.filter((r) => r.alg && r.size === tokenSize);
for (const r of tok) {
  const ours = tok.find((x) => x.alg === r.alg && x.engine.startsWith('clearance'));
  const mine = r.engine.startsWith('clearance');
  console.log(`| ${r.engine} | ${r.alg} | ${fmtNs(r.median_ns)} | ${fmtNs(r.p99_ns)} | ${mine || !ours ? '' : ratio(r.median_ns, ours.median_ns)} |`);
}
