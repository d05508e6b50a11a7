// "A good engineer in a dynamic language": the same model in plain JavaScript, with closures
// (owners and tenants of every entity) precomputed at load and permissions as bitmasks per
// (owner, resource type): a wildcard mask, a Map resource id -> mask and the property masks.
// Exact outcomes (ALLOW / FORBIDDEN / NOT_FOUND / UNAUTHENTICATED), like our engine.
import { Front } from './lib.mjs';

export function build(state) {
  // Masks are Numbers: bits are numbered per resource type (no type has more than 11
  // permissions), so they fit the 53 bits a double holds exactly.
  const typeBits = new Map();
  const permBit = (type, perm) => {
    let m = typeBits.get(type);
    if (!m) typeBits.set(type, (m = new Map()));
    let b = m.get(perm);
    if (b === undefined) m.set(perm, (b = 2 ** m.size));
    return b;
  };
  const key = (type, id) => type + '\u0000' + id;
  // Direct containers of every member.
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
    const owners = [k];
    const tenants = new Set(d.TENANT);
    for (const r of d.ROLE) {
      owners.push(key('ROLE', r));
      for (const t of (direct.get(key('ROLE', r)) || none).TENANT) tenants.add(t);
    }
    for (const g of d.GROUP) {
      owners.push(key('GROUP', g));
      const gd = direct.get(key('GROUP', g)) || none;
      for (const t of gd.TENANT) tenants.add(t);
      for (const r of gd.ROLE) {
        owners.push(key('ROLE', r));
        for (const t of (direct.get(key('ROLE', r)) || none).TENANT) tenants.add(t);
      }
    }
    c = { owners, tenants, groups: d.GROUP };
    closures.set(k, c);
    return c;
  };
  for (const k of direct.keys()) { const i = k.indexOf('\u0000'); closure(k.slice(0, i), k.slice(i + 1)); }
  // Grants: owner -> resource type -> {any, ids, assignee, candidateUsers, candidateGroups}.
  const grants = new Map();
  for (const a of state.authorizations) {
    const ok = key(a.owner_type, a.owner_id);
    let byType = grants.get(ok);
    if (!byType) grants.set(ok, (byType = new Map()));
    let g = byType.get(a.resource_type);
    if (!g) byType.set(a.resource_type, (g = { any: 0, ids: new Map(), assignee: 0, candidateUsers: 0, candidateGroups: 0 }));
    let mask = 0;
    for (const p of a.permissions) mask |= permBit(a.resource_type, p);
    if (a.matcher === 'ANY') g.any |= mask;
    else if (a.matcher === 'ID') g.ids.set(a.resource, (g.ids.get(a.resource) | 0) | mask);
    else g[a.resource] |= mask;
  }
  const front = new Front(state);
  const tenantChecks = state.config.tenant_checks_enabled;

  const permSide = (owners, q, b, principal, groupSet) => {
    for (const o of owners) {
      const g = grants.get(o)?.get(q.type);
      if (!g) continue;
      let mask = g.any;
      for (const id of q.ids) mask |= g.ids.get(id) | 0;
      if (q.task) {
        const user = principal.type === 'USER';
        if (user && q.task.assignee === principal.id) mask |= g.assignee;
        if (user && q.task.candidateUsers.includes(principal.id)) mask |= g.candidateUsers;
        if (g.candidateGroups && q.task.candidateGroups.some((x) => groupSet().has(x))) mask |= g.candidateGroups;
      }
      if (mask & b) return true;
    }
    return false;
  };

  return function decide(q) {
    const who = front.resolve(q.claims);
    if (!who) return 'UNAUTHENTICATED';
    const b = permBit(q.type, q.permission);
    const pc = closure(who.principal.type, who.principal.id);
    const rcs = who.rules.map((r) => closure('MAPPING_RULE', r));
    let groups;
    const groupSet = () => groups || (groups = new Set([pc.groups, ...rcs.map((c) => c.groups)].flat()));
    const rP = permSide(pc.owners, q, b, who.principal, groupSet);
    let rM = false;
    for (const c of rcs) if (!rM) rM = permSide(c.owners, q, b, who.principal, groupSet);
    let tenantOk = true;
    if (tenantChecks && q.tenant) tenantOk = pc.tenants.has(q.tenant) || rcs.some((c) => c.tenants.has(q.tenant));
    if (tenantOk && (rP || rM)) return 'ALLOW';
    if (!rP) return 'FORBIDDEN';
    return q.new ? 'FORBIDDEN' : 'NOT_FOUND';
  };
}
