// Shared by every JavaScript peer: reading the generated workload (snapshot, query corpus), the
// claim paths of docs/semantics.md §5, principal extraction and the claim-value index of mapping
// rules.
// Each peer gets the same front end, so what differs between peers is only how they decide.
import fs from 'node:fs';
import readline from 'node:readline';

// The snapshot (NDJSON) written by clearance-workload / `clearance snapshot export`.
export async function loadState(path) {
  const s = { config: null, tenants: [], groups: [], roles: [], rules: [], users: [],
              memberships: [], authorizations: [] };
  const rl = readline.createInterface({ input: fs.createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    const r = JSON.parse(line);
    switch (r.type) {
      case 'header': s.config = r.configuration; break;
      case 'tenant': s.tenants.push(r); break;
      case 'group': s.groups.push(r); break;
      case 'role': s.roles.push(r); break;
      case 'mapping_rule': s.rules.push(r); break;
      case 'user': s.users.push(r); break;
      case 'membership': s.memberships.push(r); break;
      case 'authorization': s.authorizations.push(r); break;
    }
  }
  return s;
}

export function loadQueries(path, limit = Infinity) {
  const out = [];
  for (const line of fs.readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    out.push(JSON.parse(line));
    if (out.length >= limit) break;
  }
  return out;
}

// docs/semantics.md §5: a name starting with '$' is a JSONPath ($, .name, ['name'], ["name"], [n],
// [*]); anything else is one literal top-level key. Returns (claims) => {values, multi}.
export function compileClaimPath(name) {
  if (!name.startsWith('$')) {
    return (claims) => (Object.hasOwn(claims, name) ? { values: [claims[name]], multi: false }
                                                      : { values: [], multi: false });
  }
  const steps = [];
  let i = 1;
  while (i < name.length) {
    if (name[i] === '.') {
      let j = i + 1;
      while (j < name.length && !'.['.includes(name[j])) j++;
      steps.push({ key: name.slice(i + 1, j) });
      i = j;
    } else if (name.startsWith('[*]', i)) {
      steps.push({ all: true });
      i += 3;
    } else if (name[i] === '[' && (name[i + 1] === "'" || name[i + 1] === '"')) {
      const q = name[i + 1];
      let j = i + 2, key = '';
      while (name[j] !== q) { if (name[j] === '\\') j++; key += name[j++]; }
      steps.push({ key });
      i = j + 2;
    } else if (name[i] === '[') {
      const j = name.indexOf(']', i);
      steps.push({ index: Number(name.slice(i + 1, j)) });
      i = j + 1;
    } else {
      throw new Error(`unsupported claim path ${name}`);
    }
  }
  return (claims) => {
    let nodes = [claims];
    let multi = false;
    for (const st of steps) {
      const next = [];
      for (const n of nodes) {
        if (n === null || typeof n !== 'object') continue;
        if (st.all) {
          multi = true;
          for (const v of (Array.isArray(n) ? n : Object.values(n))) next.push(v);
        } else if (st.key !== undefined) {
          if (!Array.isArray(n) && Object.hasOwn(n, st.key)) next.push(n[st.key]);
        } else if (Array.isArray(n) && st.index < n.length) {
          next.push(n[st.index]);
        }
      }
      nodes = next;
    }
    return { values: nodes, multi };
  };
}

// Claims -> principal ({type:'USER'|'CLIENT', id}) and matching rule ids (docs/semantics.md §5).
export class Front {
  constructor(state) {
    const c = state.config;
    this.username = compileClaimPath(c.username_claim);
    this.clientId = c.client_id_claim ? compileClaimPath(c.client_id_claim) : null;
    this.preferUsername = c.prefer_username_claim;
    // The claim-value index: path -> value -> [rule ids]. Only paths some rule uses are read.
    const byPath = new Map();
    for (const r of state.rules) {
      let e = byPath.get(r.claim_name);
      if (!e) byPath.set(r.claim_name, (e = { path: compileClaimPath(r.claim_name), values: new Map() }));
      const list = e.values.get(r.claim_value);
      if (list) list.push(r.id); else e.values.set(r.claim_value, [r.id]);
    }
    this.paths = [...byPath.values()];
  }
  single(path, claims) {
    const { values, multi } = path(claims);
    if (values.length === 0 || values[0] === null) return { ok: true, value: undefined };
    if (multi && values.length > 1) return { ok: false };
    return typeof values[0] === 'string' ? { ok: true, value: values[0] } : { ok: false };
  }
  resolve(claims) {
    const u = this.single(this.username, claims);
    const c = this.clientId ? this.single(this.clientId, claims) : { ok: true, value: undefined };
    if (!u.ok || !c.ok) return null;
    let principal;
    if (c.value !== undefined && !(this.preferUsername && u.value !== undefined)) {
      principal = { type: 'CLIENT', id: c.value };
    } else if (u.value !== undefined) {
      principal = { type: 'USER', id: u.value };
    } else {
      return null;
    }
    const rules = [];
    for (const p of this.paths) {
      const { values, multi } = p.path(claims);
      const candidates = !multi && values.length === 1 && Array.isArray(values[0]) ? values[0] : values;
      const seen = new Set();
      for (const v of candidates) {
        if (typeof v !== 'string' || seen.has(v)) continue;
        seen.add(v);
        const hit = p.values.get(v);
        if (hit) rules.push(...hit);
      }
    }
    return { principal, rules };
  }
}

export function rssMb() { return process.memoryUsage().rss / (1024 * 1024); }

// Times decide(q) for every query: median and p99 per call (process.hrtime.bigint around each
// call), and back-to-back throughput over at least ~0.5 s (or from the timed pass, when that
// alone took longer) with the CPU time per decision of that loop (cpu_ns).
export function timeEach(queries, decide, { budgetMs = 500, warmUp = true } = {}) {
  if (warmUp) for (let i = 0; i < Math.min(queries.length, 2000); i++) decide(queries[i]);
  const ns = new Float64Array(queries.length);
  for (let i = 0; i < queries.length; i++) {
    const t = process.hrtime.bigint();
    decide(queries[i]);
    ns[i] = Number(process.hrtime.bigint() - t);
  }
  const sorted = Array.from(ns).sort((a, b) => a - b);
  const median_ns = sorted[sorted.length >> 1];
  const p99_ns = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
  const timedNs = ns.reduce((sum, v) => sum + v, 0);
  // A peer whose timed pass alone outlasts the loop's budget (seconds per decision at large):
  // decisions/s from that pass rather than from another pass as long.
  if (timedNs > budgetMs * 1e6) return { median_ns, p99_ns, per_s: queries.length / (timedNs / 1e9), cpu_ns: null };
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let loops = 0;
  do {
    for (let i = 0; i < queries.length; i++) decide(queries[i]);
    loops += queries.length;
  } while (Number(process.hrtime.bigint() - start) < budgetMs * 1e6 && queries.length >= 1000);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // CPU time as well as wall time: on a shared machine the wall clock counts other processes'
  // turns too (Google Benchmark's CPU column is the like-for-like figure).
  const cpu = process.cpuUsage(cpuStart);
  return { median_ns, p99_ns, per_s: loops / seconds, cpu_ns: ((cpu.user + cpu.system) * 1e3) / loops };
}
