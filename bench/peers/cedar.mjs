// Cedar (@cedar-policy/cedar-wasm), used the fastest honest way: every authorization becomes one
// permit policy; policies are split per (resource type, permission) and each split is pre-parsed
// once (preparsePolicySet), so a request is evaluated only against the policies of its action;
// the entity slice a request needs (session, principal, its groups, roles, matching rules and
// their ancestors) is built once per (principal, rules) and reused. Per request we pay the claims
// front end (shared with every JS peer), a cache lookup and statefulIsAuthorized.
//
// Translation: owners are entities (User, Client, Group, Role, MappingRule) whose parents are
// their containers (Cedar's `in` is transitive, and memberships are at most two deep, so
// `principal in X` is exactly "X is in owners(principal) ∪ owners(m)"). The request principal is
// a Session whose parents are the principal and the matching rules. Tenants are ancestors too; one
// forbid per split refuses a check naming a tenant the session is not in. PROPERTY scopes read the
// task in the context. Cedar answers allow/deny: we compare ALLOW vs not-ALLOW with our engine.
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { Front } from './lib.mjs';

const NS = 'Camunda';
const T = { USER: `${NS}::User`, CLIENT: `${NS}::Client`, GROUP: `${NS}::Group`, ROLE: `${NS}::Role`,
            MAPPING_RULE: `${NS}::MappingRule`, TENANT: `${NS}::Tenant` };
const str = (s) => JSON.stringify(s);

export function build(state) {
  const sets = new Map();  // "TYPE:PERM" -> policy texts
  const add = (k, text) => { let l = sets.get(k); if (!l) sets.set(k, (l = [])); l.push(text); };
  for (const a of state.authorizations) {
    const who = `principal in ${T[a.owner_type]}::${str(a.owner_id)}`;
    for (const p of a.permissions) {
      const action = `action == ${NS}::Action::${str(a.resource_type + ':' + p)}`;
      let text;
      if (a.matcher === 'ANY') text = `permit(${who}, ${action}, resource);`;
      else if (a.matcher === 'ID') text = `permit(${who}, ${action}, resource == ${NS}::Resource::${str(a.resource_type + '/' + a.resource)});`;
      else if (a.resource === 'assignee') text = `permit(${who}, ${action}, resource) when { context has assignee && principal has user && context.assignee == principal.user };`;
      else if (a.resource === 'candidateUsers') text = `permit(${who}, ${action}, resource) when { context has candidateUsers && principal has user && context.candidateUsers.contains(principal.user) };`;
      else text = `permit(${who}, ${action}, resource) when { context has candidateGroups && context.candidateGroups.containsAny(principal.groups) };`;
      add(a.resource_type + ':' + p, text);
    }
  }
  const forbid = state.config.tenant_checks_enabled
    ? `forbid(principal, action, resource) when { context has tenant && !(principal in context.tenant) };` : '';
  let policies = 0;
  for (const [k, texts] of sets) {
    policies += texts.length;
    // A record of id -> text: Cedar parses it in time linear in the policies, where one text of
    // all of them took superlinear time (32 k policies: 2.2 s as a record, 4.0 s as one text;
    // medium's 184 k took 709 s as text).
    const byId = {};
    texts.forEach((text, i) => { byId[`p${i}`] = text; });
    if (forbid) byId.tenant = forbid;
    const r = cedar.preparsePolicySet(k, { staticPolicies: byId });
    if (r.type !== 'success') throw new Error(`cedar: ${k}: ${JSON.stringify(r.errors).slice(0, 500)}`);
  }
  // Entities: every owner with its containers as parents.
  const parents = new Map();
  for (const m of state.memberships) {
    const k = m.member_type + '\u0000' + m.member_id;
    let l = parents.get(k);
    if (!l) parents.set(k, (l = []));
    l.push({ type: T[m.container_type], id: m.container_id });
  }
  const entityOf = (type, id) => ({ uid: { type: T[type], id }, attrs: {},
                                     parents: parents.get(type + '\u0000' + id) || [] });
  const front = new Front(state);
  const slices = new Map();
  const slice = (who) => {
    const k = who.principal.type + '\u0000' + who.principal.id + '\u0000' + who.rules.join(',');
    let s = slices.get(k);
    if (s) return s;
    const out = new Map();
    const visit = (type, id) => {
      const key = type + '\u0000' + id;
      if (out.has(key)) return;
      const e = entityOf(type, id);
      out.set(key, e);
      for (const p of e.parents) {
        const pt = Object.keys(T).find((x) => T[x] === p.type);
        if (pt !== 'TENANT') visit(pt, p.id);
        else if (!out.has('TENANT\u0000' + p.id)) out.set('TENANT\u0000' + p.id, { uid: p, attrs: {}, parents: [] });
      }
    };
    visit(who.principal.type, who.principal.id);
    for (const r of who.rules) visit('MAPPING_RULE', r);
    const groups = new Set();
    for (const e of [who.principal.type, ...who.rules.map(() => 'MAPPING_RULE')].map((t, i) =>
      out.get(t + '\u0000' + (i === 0 ? who.principal.id : who.rules[i - 1])))) {
      for (const p of e.parents) if (p.type === T.GROUP) groups.add(p.id);
    }
    const attrs = { groups: [...groups] };
    if (who.principal.type === 'USER') attrs.user = who.principal.id;
    const session = { uid: { type: `${NS}::Session`, id: 's' }, attrs,
                      parents: [{ type: T[who.principal.type], id: who.principal.id },
                                ...who.rules.map((r) => ({ type: T.MAPPING_RULE, id: r }))] };
    s = [session, ...out.values()];
    slices.set(k, s);
    return s;
  };
  const sessionUid = { type: `${NS}::Session`, id: 's' };
  function decide(q) {
    const who = front.resolve(q.claims);
    if (!who) return 'UNAUTHENTICATED';
    const id = q.type + ':' + q.permission;
    if (!sets.has(id)) return 'FORBIDDEN';
    const context = {};
    if (q.tenant) context.tenant = { __entity: { type: T.TENANT, id: q.tenant } };
    if (q.task) {
      if (q.task.assignee !== null) context.assignee = q.task.assignee;
      context.candidateUsers = q.task.candidateUsers;
      context.candidateGroups = q.task.candidateGroups;
    }
    // One id per check in our corpus; several ids would be one request each.
    let allowed = false;
    for (const rid of q.ids) {
      const r = cedar.statefulIsAuthorized({
        principal: sessionUid, action: { type: `${NS}::Action`, id },
        resource: { type: `${NS}::Resource`, id: q.type + '/' + rid },
        context, preparsedPolicySetId: id, entities: slice(who),
      });
      if (r.type !== 'success') throw new Error('cedar: ' + JSON.stringify(r.errors).slice(0, 500));
      if (r.response.decision === 'allow') { allowed = true; break; }
    }
    return allowed ? 'ALLOW' : 'DENY';
  }
  decide.policies = policies;
  return decide;
}
