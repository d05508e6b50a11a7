// "A careful engineer in a dynamic language": the same model in plain JavaScript, built the way
// one would build it to be fast, so that the ratio to our engine measures the engine and not a
// weak baseline.
//
// At setup: every string (resource type, permission, resource id, tenant, principal, group) is
// interned to a small integer; closures (owners and tenants of every entity) are flattened; and
// each distinct (principal, matching rules) pair gets a profile: per side (the principal's own
// owners, the mapping rules' owners) one Int32Array of wildcard masks per resource type and one
// Map from (type, resource id) to a mask, built by OR-ing the masks of every owner, plus the
// tenants as a Uint8Array. A query is compiled once too (interned ids, permission bit).
//
// Decisions then allocate nothing: prepared(p) is a few typed-array reads, Map.get on small
// integers and a bit test. Two entry points, like our engine's:
//   decide.prepare(q)   -> { q, handle }: the query compiled and its principal resolved to its
//                          profile, untimed (our Check(handle) also resolves before timing)
//   decide.prepared(p)  the resolved path (our Check(handle, request))
//   decide.claims(p)    the claims path (our CheckClaims): JSON.parse of the claims text,
//                        principal and mapping rules from the claims (lib.mjs Front), the profile
//                        looked up by (principal, rules), then the same test
//   decide(q)           raw query -> decision (prepare + prepared), for the generic driver
// Exact outcomes (ALLOW / FORBIDDEN / NOT_FOUND / UNAUTHENTICATED), like our engine.
import { Front } from './lib.mjs';

// Interns strings to 0, 1, 2, ...
class Interner {
  constructor() { this.ids = new Map(); }
  id(s) {
    let i = this.ids.get(s);
    if (i === undefined) this.ids.set(s, (i = this.ids.size));
    return i;
  }
}

// Resource ids of every type share one interner; a (type, id) key is type * kIdSpan + id, a
// small integer V8 keeps unboxed.
const kIdSpan = 1 << 22;

export function build(state) {
  const types = new Interner();
  const resourceIds = new Interner();
  const tenants = new Interner();
  const groupIds = new Interner();
  const userIds = new Interner();
  // Permission bits per resource type (no type has more than 11 permissions: they fit an int).
  const permBits = [];
  const permBit = (type, perm) => {
    const t = types.id(type);
    let m = permBits[t];
    if (!m) permBits[t] = m = new Map();
    let b = m.get(perm);
    if (b === undefined) m.set(perm, (b = 1 << m.size));
    return b;
  };
  for (const t of state.tenants) tenants.id(t.id);
  for (const g of state.groups) groupIds.id(g.id);
  for (const u of state.users) userIds.id(u.id);

  const key = (type, id) => type + '\u0000' + id;
  const direct = new Map();
  for (const m of state.memberships) {
    const k = key(m.member_type, m.member_id);
    let d = direct.get(k);
    if (!d) direct.set(k, (d = { GROUP: [], ROLE: [], TENANT: [] }));
    d[m.container_type].push(m.container_id);
  }
  const none = { GROUP: [], ROLE: [], TENANT: [] };
  // closure(E): owners {E} ∪ groups ∪ roles (incl. roles of groups), tenants of all of them.
  const closures = new Map();
  const closure = (type, id) => {
    const k = key(type, id);
    let c = closures.get(k);
    if (c) return c;
    const d = direct.get(k) || none;
    const owners = new Set([k]);
    const ts = new Set(d.TENANT);
    const addRole = (r) => {
      owners.add(key('ROLE', r));
      for (const t of (direct.get(key('ROLE', r)) || none).TENANT) ts.add(t);
    };
    for (const r of d.ROLE) addRole(r);
    for (const g of d.GROUP) {
      owners.add(key('GROUP', g));
      const gd = direct.get(key('GROUP', g)) || none;
      for (const t of gd.TENANT) ts.add(t);
      for (const r of gd.ROLE) addRole(r);
    }
    c = { owners: [...owners], tenants: [...ts], groups: d.GROUP };
    closures.set(k, c);
    return c;
  };

  // Grants per owner: wildcard masks per type, (type, id) -> mask, task property masks.
  const grants = new Map();
  const taskType = types.id('USER_TASK');
  for (const a of state.authorizations) {
    const ok = key(a.owner_type, a.owner_id);
    let g = grants.get(ok);
    if (!g) grants.set(ok, (g = { any: [], ids: [], assignee: 0, candidateUsers: 0, candidateGroups: 0 }));
    let mask = 0;
    for (const p of a.permissions) mask |= permBit(a.resource_type, p);
    const t = types.id(a.resource_type);
    if (a.matcher === 'ANY') g.any.push(t, mask);
    else if (a.matcher === 'ID') g.ids.push(t * kIdSpan + resourceIds.id(a.resource), mask);
    else if (t === taskType) g[a.resource] |= mask;
  }
  const typeCount = () => types.ids.size;

  // One side of a profile: the OR of its owners' grants. An owner with more than kMergeLimit
  // grants (a popular group or role) keeps its own side, shared by every profile that reaches
  // it, instead of a copy in each (at large, such owners hold tens of thousands).
  const kMergeLimit = 64;
  const merge = (g, side) => {
    side.empty = false;
    for (let i = 0; i < g.any.length; i += 2) side.any[g.any[i]] |= g.any[i + 1];
    for (let i = 0; i < g.ids.length; i += 2) {
      side.ids.set(g.ids[i], (side.ids.get(g.ids[i]) | 0) | g.ids[i + 1]);
    }
    side.assignee |= g.assignee;
    side.candidateUsers |= g.candidateUsers;
    side.candidateGroups |= g.candidateGroups;
  };
  const newSide = () => ({ any: new Int32Array(typeCount() + 1), ids: new Map(), assignee: 0,
                           candidateUsers: 0, candidateGroups: 0, empty: true, shared: [] });
  const sharedSides = new Map();
  const makeSide = (owners) => {
    const side = newSide();
    for (const o of owners) {
      const g = grants.get(o);
      if (!g) continue;
      if (g.ids.length <= 2 * kMergeLimit) { merge(g, side); continue; }
      let s = sharedSides.get(o);
      if (!s) { sharedSides.set(o, (s = newSide())); merge(g, s); }
      side.empty = false;
      side.shared.push(s);
    }
    // The shared sides' task masks fold into this side's: they are per side, not per id.
    for (const s of side.shared) {
      side.assignee |= s.assignee;
      side.candidateUsers |= s.candidateUsers;
      side.candidateGroups |= s.candidateGroups;
    }
    return side;
  };

  const front = new Front(state);
  const tenantChecks = state.config.tenant_checks_enabled;
  // Profiles by principal and rules: "USER\0id\0rule1\0rule2".
  const profiles = new Map();
  const profileOf = (who) => {
    const k = who.rules.length === 0 ? key(who.principal.type, who.principal.id)
                                     : key(who.principal.type, who.principal.id) + '\u0000' + who.rules.join('\u0000');
    let p = profiles.get(k);
    if (p) return p;
    const pc = closure(who.principal.type, who.principal.id);
    const rcs = who.rules.map((r) => closure('MAPPING_RULE', r));
    const ruleOwners = new Set();
    for (const c of rcs) for (const o of c.owners) ruleOwners.add(o);
    const tenantSet = new Uint8Array(tenants.ids.size + 1);
    for (const t of pc.tenants) tenantSet[tenants.id(t)] = 1;
    for (const c of rcs) for (const t of c.tenants) tenantSet[tenants.id(t)] = 1;
    const groupSet = new Uint8Array(groupIds.ids.size + 1);
    for (const g of pc.groups) groupSet[groupIds.id(g)] = 1;
    for (const c of rcs) for (const g of c.groups) groupSet[groupIds.id(g)] = 1;
    p = {
      P: makeSide(pc.owners),
      M: makeSide(ruleOwners),
      tenants: tenantSet,
      groups: groupSet,
      user: who.principal.type === 'USER' ? userIds.id(who.principal.id) : -1,
    };
    profiles.set(k, p);
    return p;
  };

  // A compiled query. Unknown strings intern to ids no grant holds, which answer like the
  // strings would.
  const compile = (q) => {
    const t = types.id(q.type);
    const ids = new Int32Array(q.ids.length);
    for (let i = 0; i < q.ids.length; i++) ids[i] = t * kIdSpan + resourceIds.id(q.ids[i]);
    const c = {
      type: t, bit: permBit(q.type, q.permission), ids, newResource: !!q.new,
      tenant: tenantChecks && q.tenant ? tenants.id(q.tenant) : -2,
      task: null,
    };
    if (q.task) {
      c.task = {
        assignee: q.task.assignee == null ? -1 : userIds.id(q.task.assignee),
        candidateUsers: Int32Array.from(q.task.candidateUsers, (u) => userIds.id(u)),
        candidateGroups: Int32Array.from(q.task.candidateGroups, (g) => groupIds.id(g)),
      };
    }
    return c;
  };

  const sideAllows = (side, c, profile) => {
    if (side.empty) return false;
    let mask = side.any[c.type];
    const ids = c.ids;
    for (let i = 0; i < ids.length; i++) mask |= side.ids.get(ids[i]) | 0;
    const shared = side.shared;
    for (let s = 0; s < shared.length; s++) {
      mask |= shared[s].any[c.type];
      for (let i = 0; i < ids.length; i++) mask |= shared[s].ids.get(ids[i]) | 0;
    }
    const task = c.task;
    if (task !== null) {
      const user = profile.user;
      if (user >= 0 && task.assignee === user) mask |= side.assignee;
      if (user >= 0 && task.candidateUsers.includes(user)) mask |= side.candidateUsers;
      if (side.candidateGroups !== 0) {
        const cg = task.candidateGroups;
        for (let i = 0; i < cg.length; i++) {
          if (profile.groups[cg[i]] === 1) { mask |= side.candidateGroups; break; }
        }
      }
    }
    return (mask & c.bit) !== 0;
  };

  const test = (profile, c) => {
    const rP = sideAllows(profile.P, c, profile);
    const rM = !rP && sideAllows(profile.M, c, profile);
    const tenantOk = c.tenant === -2 || profile.tenants[c.tenant] === 1;
    if (tenantOk && (rP || rM)) return 'ALLOW';
    if (!rP) return 'FORBIDDEN';
    return c.newResource ? 'FORBIDDEN' : 'NOT_FOUND';
  };

  const prepare = (q) => {
    const who = front.resolve(q.claims);
    return { c: compile(q), handle: who ? profileOf(who) : null,
             claimsText: JSON.stringify(q.claims) };
  };
  const prepared = (p) => (p.handle === null ? 'UNAUTHENTICATED' : test(p.handle, p.c));
  const claims = (p) => {
    const who = front.resolve(JSON.parse(p.claimsText));
    return who ? test(profileOf(who), p.c) : 'UNAUTHENTICATED';
  };
  const decide = (q) => prepared(prepare(q));
  decide.prepare = prepare;
  decide.prepared = prepared;
  decide.claims = claims;
  return decide;
}
