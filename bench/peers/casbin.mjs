// node-casbin: RBAC with a role hierarchy. g holds every membership (user/client/rule -> group,
// -> role; group -> role) so g(sub, owner) is "owner is in owners(sub)"; g2 holds memberships and
// tenant memberships for the tenant side. One policy line per (authorization, permission):
// p = owner, resource type, resource id or "*", permission. The request is checked for the
// principal and for each matching mapping rule (the same claims front end as every JS peer).
// PROPERTY scopes (user-task assignee / candidates) have no casbin counterpart here: checks that
// carry task properties are skipped and counted (see the report). Casbin answers allow/deny.
import { newEnforcer, newModelFromString } from 'casbin';
import { Front } from './lib.mjs';

const MODEL = `
[request_definition]
r = sub, type, id, act, tenant

[policy_definition]
p = sub, type, id, act

[role_definition]
g = _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && r.type == p.type && r.act == p.act && (p.id == "*" || p.id == r.id)
`;

export async function build(state) {
  const e = await newEnforcer(newModelFromString(MODEL));
  e.enableAutoBuildRoleLinks(false);
  const ent = (type, id) => type + ':' + id;
  const policies = [];
  for (const a of state.authorizations) {
    if (a.matcher === 'PROPERTY') continue;
    for (const p of a.permissions) {
      policies.push([ent(a.owner_type, a.owner_id), a.resource_type, a.matcher === 'ANY' ? '*' : a.resource, p]);
    }
  }
  await e.addPolicies(policies);
  const g = [], g2 = [];
  for (const m of state.memberships) {
    const edge = [ent(m.member_type, m.member_id), ent(m.container_type, m.container_id)];
    if (m.container_type !== 'TENANT') g.push(edge);
    g2.push(edge);
  }
  await e.addNamedGroupingPolicies('g', g);
  await e.addNamedGroupingPolicies('g2', g2);
  await e.buildRoleLinks();
  const rm2 = e.getNamedRoleManager('g2');
  const front = new Front(state);
  const tenantChecks = state.config.tenant_checks_enabled;
  function decide(q) {
    if (q.task) return 'SKIPPED';
    const who = front.resolve(q.claims);
    if (!who) return 'UNAUTHENTICATED';
    const subs = [ent(who.principal.type, who.principal.id), ...who.rules.map((r) => ent('MAPPING_RULE', r))];
    let tenantOk = !tenantChecks || !q.tenant;
    for (const s of subs) if (!tenantOk) tenantOk = rm2.syncedHasLink(s, ent('TENANT', q.tenant));
    if (!tenantOk) return 'DENY';
    for (const s of subs) {
      for (const id of q.ids) if (e.enforceSync(s, q.type, id, q.permission, q.tenant || '')) return 'ALLOW';
    }
    return 'DENY';
  }
  decide.policies = policies.length;
  return decide;
}
