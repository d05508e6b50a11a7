// Camunda's official client (@camunda8/orchestration-cluster-api, pinned in package.json) walks the
// client guide's two recipes (docs/semantics.md §9) against `clearance serve`, unchanged: it gets
// OAuth client-credentials tokens from a token endpoint this test runs, the server verifies them
// (RS256, the JWKS file this test writes), and every answer passes the client's own response
// schemas (CAMUNDA_SDK_VALIDATION res:strict), so a missing or mistyped field fails here. It also
// drives the identity entities and their memberships through the client, and users in basic mode.
//
//   node recipes_test.mjs /path/to/clearance
//
// CLEARANCE_CLIENT_VALIDATION overrides the validation mode (e.g. "req:none,res:fanatical" also
// refuses answer fields the OpenAPI document does not name). Requests are not validated: the
// client's strict request validation rewrites an offset page {from, limit} to {limit} (its schema
// is a union whose first member, {limit}, matches and strips `from`), so paging could not be
// tested.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const clearance = process.argv[2];
if (!clearance || !fs.existsSync(clearance)) {
  console.error(`usage: node recipes_test.mjs /path/to/clearance (got '${clearance ?? ''}')`);
  process.exit(2);
}

// Node 18 has File only in node:buffer; the client uploads with the global one.
if (typeof globalThis.File === 'undefined') globalThis.File = (await import('node:buffer')).File;

let createCamundaClient;
try {
  ({ createCamundaClient } = await import('@camunda8/orchestration-cluster-api'));
} catch (e) {
  console.error(
    `recipes_test: cannot load @camunda8/orchestration-cluster-api (${e.code ?? e.message}); ` +
      `run 'npm ci' in ${path.dirname(new URL(import.meta.url).pathname)} (tools/test.sh does)`);
  process.exit(1);
}

const VALIDATION = process.env.CLEARANCE_CLIENT_VALIDATION || 'req:none,res:strict';
const ISSUER = 'https://idp.clearance.test/realms/camunda';
const AUDIENCE = 'orchestration-api';
const KID = 'test-key-1';
// One request per call: searches and gets never poll for eventual consistency.
const NOW = { consistency: { waitUpToMs: 0 } };

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-client-'));
const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

// ---- the identity provider: JWKS file and a client-credentials token endpoint -----------------
const jwksFile = path.join(work, 'jwks.json');
fs.writeFileSync(jwksFile, JSON.stringify({
  keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }],
}));

const secrets = {
  'admin-client': 'admin-secret',
  'orders-service': 'orders-secret',
  'brand-new-client': 'new-secret',
  'other-client': 'other-secret',
};

function b64url(data) {
  return Buffer.from(data).toString('base64url');
}

function mintToken(claims) {
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: KID }))}.` +
    b64url(JSON.stringify(claims));
  return `${input}.${b64url(crypto.sign('sha256', Buffer.from(input), privateKey))}`;
}

// Keycloak-like: sub and azp carry the client id, `scope` what the client asked for.
function tokenFor(clientId, { audience = AUDIENCE, scope } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: ISSUER, aud: audience, sub: clientId, azp: clientId, iat: now,
                   exp: now + 3600 };
  if (scope) claims.scope = scope;
  return mintToken(claims);
}

const tokenRequests = [];
const idp = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    const form = new URLSearchParams(body);
    const clientId = form.get('client_id');
    tokenRequests.push(Object.fromEntries(form));
    const answer = (status, json) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (req.method !== 'POST' || form.get('grant_type') !== 'client_credentials') {
      return answer(400, { error: 'unsupported_grant_type' });
    }
    if (!clientId || secrets[clientId] !== form.get('client_secret')) {
      return answer(401, { error: 'invalid_client' });
    }
    const token = tokenFor(clientId, { audience: form.get('audience'), scope: form.get('scope') });
    return answer(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
  });
});

// ---- the server under test --------------------------------------------------------------------
function runClearance(args) {
  const r = spawnSync(clearance, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`clearance ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

// Starts `clearance serve` and resolves with its base URL once it says where it listens.
function startServer(db) {
  const child = spawn(clearance, ['--db', db, 'serve', '--listen', '127.0.0.1:0'],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve({ child, url: m[1].replace(/\/+$/, '') });
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(
      `clearance serve exited (${code ?? signal}) before listening: ${stderr}`)));
  });
}

async function stopServer(server) {
  if (!server || server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.on('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

function oauthClient(base, clientId, extra = {}) {
  return createCamundaClient({
    config: {
      CAMUNDA_REST_ADDRESS: base,
      CAMUNDA_AUTH_STRATEGY: 'OAUTH',
      CAMUNDA_OAUTH_URL: `${idpUrl}/oauth/token`,
      CAMUNDA_CLIENT_ID: clientId,
      CAMUNDA_CLIENT_SECRET: secrets[clientId],
      CAMUNDA_TOKEN_AUDIENCE: AUDIENCE,
      CAMUNDA_SDK_VALIDATION: VALIDATION,
      CAMUNDA_SDK_HTTP_RETRY_MAX_ATTEMPTS: '1',
      CAMUNDA_SDK_LOG_LEVEL: 'error',
      ...extra,
    },
  });
}

function basicClient(base, username, password) {
  return createCamundaClient({
    config: {
      CAMUNDA_REST_ADDRESS: base,
      CAMUNDA_AUTH_STRATEGY: 'BASIC',
      CAMUNDA_BASIC_AUTH_USERNAME: username,
      CAMUNDA_BASIC_AUTH_PASSWORD: password,
      CAMUNDA_SDK_VALIDATION: VALIDATION,
      CAMUNDA_SDK_HTTP_RETRY_MAX_ATTEMPTS: '1',
      CAMUNDA_SDK_LOG_LEVEL: 'error',
    },
  });
}

// The call fails with this HTTP status, as the client reports it (HttpSdkError with the problem).
async function refused(call, status, what) {
  let error;
  try {
    await call;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `${what}: expected HTTP ${status}, but the call succeeded`);
  assert.equal(error.name, 'HttpSdkError',
               `${what}: expected HTTP ${status}, got ${error.name}: ${error.message}`);
  assert.equal(error.status, status, `${what}: expected HTTP ${status}, got ${error.status} ` +
               `(${error.title ?? ''}: ${error.detail ?? error.message})`);
  assert.equal(typeof error.title, 'string', `${what}: the problem has a title`);
  return error;
}

// A search the caller may not make: Camunda answers 403, or 200 with the items filtered away.
async function searchShowsNothing(call, what) {
  try {
    const r = await call;
    assert.deepEqual(r.items, [], `${what}: no item is visible`);
    assert.equal(r.page.totalItems, 0, `${what}: totalItems counts only visible items`);
  } catch (e) {
    if (e.name !== 'HttpSdkError' || e.status !== 403) throw e;
  }
}

const ids = (items, field) => items.map((i) => i[field]).sort();
// A group, role or tenant created without a description: the schema allows null, and Camunda's
// records answer "" (their description property defaults to the empty string).
const undescribed = (entity) => ({ ...entity, description: entity.description || null });

let idpUrl;
let oidc;   // { child, url } of the OIDC-mode server
let admin;  // the admin client (a default member of role admin)

before(async () => {
  await new Promise((resolve) => idp.listen(0, '127.0.0.1', resolve));
  idpUrl = `http://127.0.0.1:${idp.address().port}`;
  const db = path.join(work, 'oidc-store');
  const seed = path.join(work, 'seed.json');
  fs.writeFileSync(seed, JSON.stringify({
    camunda: { security: { initialization: {
      defaultRoles: { admin: { clients: ['admin-client'] } },
    } } },
  }));
  runClearance(['--db', db, 'init', '--client-id-claim', 'azp', '--issuer', ISSUER,
                '--jwks-file', jwksFile, '--audiences', AUDIENCE, '--algorithms', 'RS256',
                '--seed', seed]);
  oidc = await startServer(db);
  admin = oauthClient(oidc.url, 'admin-client');
});

after(async () => {
  await stopServer(oidc);
  await new Promise((resolve) => idp.close(resolve));
  fs.rmSync(work, { recursive: true, force: true });
});

test('the client gets its token from the token endpoint and the server accepts it', async () => {
  const me = await admin.getAuthentication();
  const request = tokenRequests.find((r) => r.client_id === 'admin-client');
  assert.ok(request, 'the client asked the token endpoint');
  assert.equal(request.audience, AUDIENCE);
  assert.equal(me.username, 'admin-client', 'a client principal is named by its client id');
  assert.ok(me.roles.includes('admin'), `the admin client is in role admin: ${me.roles}`);
  assert.ok(me.authorizedComponents.includes('*'),
            `role admin reaches every component: ${me.authorizedComponents}`);
});

test('a request without a valid token is 401 with a problem', async () => {
  const none = await fetch(`${oidc.url}/v2/authentication/me`);
  assert.equal(none.status, 401);
  assert.match(none.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = await none.json();
  assert.equal(problem.status, 401);
  const foreign = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const input = `${b64url(JSON.stringify({ alg: 'RS256', kid: KID }))}.` +
    b64url(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, azp: 'admin-client',
                            exp: Math.floor(Date.now() / 1000) + 60 }));
  const forged = `${input}.${b64url(crypto.sign('sha256', Buffer.from(input), foreign))}`;
  const r = await fetch(`${oidc.url}/v2/groups/search`, {
    method: 'POST', body: '{}',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${forged}` },
  });
  assert.equal(r.status, 401, 'a token signed by another key is refused');
});

describe('recipe 1: a client id and a CLIENT authorization', () => {
  test('orders-service reads groups exactly while its authorization exists', async () => {
    const orders = oauthClient(oidc.url, 'orders-service');
    await admin.createGroup({ groupId: 'orders-team', name: 'Orders team' });

    await refused(orders.getGroup({ groupId: 'orders-team' }, NOW), 403, 'before the grant');
    await searchShowsNothing(orders.searchGroups({}, NOW), 'search before the grant');

    const created = await admin.createAuthorization({
      ownerType: 'CLIENT', ownerId: 'orders-service',
      resourceType: 'GROUP', resourceId: '*', permissionTypes: ['READ'],
    });
    assert.match(created.authorizationKey, /^[0-9]+$/, 'the key is a string of digits');
    const key = created.authorizationKey;
    assert.deepEqual(await admin.getAuthorization({ authorizationKey: key }, NOW), {
      authorizationKey: key, ownerType: 'CLIENT', ownerId: 'orders-service',
      resourceType: 'GROUP', resourceId: '*', resourcePropertyName: null,
      permissionTypes: ['READ'],
    });

    assert.deepEqual(undescribed(await orders.getGroup({ groupId: 'orders-team' }, NOW)),
                     { groupId: 'orders-team', name: 'Orders team', description: null });
    const found = await orders.searchGroups({}, NOW);
    assert.ok(ids(found.items, 'groupId').includes('orders-team'),
              `search after the grant: ${JSON.stringify(found.items)}`);
    await refused(orders.createGroup({ groupId: 'not-allowed', name: 'No' }), 403,
                  'READ does not allow CREATE');
    await refused(orders.getRole({ roleId: 'admin' }, NOW), 403, 'GROUP does not cover ROLE');

    const listed = await admin.searchAuthorizations(
      { filter: { ownerType: 'CLIENT', ownerId: 'orders-service' } }, NOW);
    assert.deepEqual(listed.items.map((a) => a.authorizationKey), [key]);
    assert.equal(listed.page.totalItems, 1);

    await admin.deleteAuthorization({ authorizationKey: key });
    await refused(orders.getGroup({ groupId: 'orders-team' }, NOW), 403, 'after the delete');
    await refused(admin.getAuthorization({ authorizationKey: key }, NOW), 404,
                  'a deleted authorization');
  });

  test('an authorization is replaced in place by update', async () => {
    const { authorizationKey } = await admin.createAuthorization({
      ownerType: 'CLIENT', ownerId: 'orders-service',
      resourceType: 'PROCESS_DEFINITION', resourceId: 'order-process',
      permissionTypes: ['CREATE_PROCESS_INSTANCE'],
    });
    await admin.updateAuthorization({
      authorizationKey, ownerType: 'CLIENT', ownerId: 'orders-service',
      resourceType: 'PROCESS_DEFINITION', resourceId: 'order-process',
      permissionTypes: ['CREATE_PROCESS_INSTANCE', 'READ_PROCESS_INSTANCE'],
    });
    const got = await admin.getAuthorization({ authorizationKey }, NOW);
    assert.deepEqual([...got.permissionTypes].sort(),
                     ['CREATE_PROCESS_INSTANCE', 'READ_PROCESS_INSTANCE']);
    await refused(admin.createAuthorization({
      ownerType: 'CLIENT', ownerId: 'orders-service',
      resourceType: 'PROCESS_DEFINITION', resourceId: 'order-process',
      permissionTypes: ['CREATE_PROCESS_INSTANCE'],
    }), 409, 'the same grant twice');
    await refused(admin.createAuthorization({
      ownerType: 'CLIENT', ownerId: 'orders-service',
      resourceType: 'GROUP', resourceId: '*', permissionTypes: ['CREATE_PROCESS_INSTANCE'],
    }), 400, 'a permission the resource type does not have');
    await admin.deleteAuthorization({ authorizationKey });
  });
});

describe('recipe 2: mapping rules on a token claim', () => {
  test('a token with scope "orders" gets access with no per-client setup', async () => {
    // Clients the server has never heard of: only the claim in their token differs.
    const newcomer = oauthClient(oidc.url, 'brand-new-client', { CAMUNDA_OAUTH_SCOPE: 'orders' });
    const other = oauthClient(oidc.url, 'other-client', { CAMUNDA_OAUTH_SCOPE: 'billing' });

    assert.deepEqual(await admin.createMappingRule({
      mappingRuleId: 'orders-scope', claimName: 'scope', claimValue: 'orders', name: 'Orders',
    }), {
      mappingRuleId: 'orders-scope', claimName: 'scope', claimValue: 'orders', name: 'Orders',
    });
    await admin.createRole({ roleId: 'order-auditors', name: 'Order auditors' });
    await admin.createTenant({ tenantId: 'emea', name: 'EMEA' });

    // Owned by the rule itself.
    await admin.createAuthorization({
      ownerType: 'MAPPING_RULE', ownerId: 'orders-scope',
      resourceType: 'ROLE', resourceId: '*', permissionTypes: ['READ'],
    });
    // Through a group the rule is a member of.
    await admin.createGroup({ groupId: 'operators', name: 'Operators' });
    await admin.assignMappingRuleToGroup({ groupId: 'operators', mappingRuleId: 'orders-scope' });
    await admin.createAuthorization({
      ownerType: 'GROUP', ownerId: 'operators',
      resourceType: 'TENANT', resourceId: 'emea', permissionTypes: ['READ'],
    });

    await refused(other.getRole({ roleId: 'order-auditors' }, NOW), 403, 'scope billing, role');
    await refused(other.getTenant({ tenantId: 'emea' }, NOW), 403, 'scope billing, tenant');

    assert.deepEqual(undescribed(await newcomer.getRole({ roleId: 'order-auditors' }, NOW)),
                     { roleId: 'order-auditors', name: 'Order auditors', description: null });
    assert.deepEqual(undescribed(await newcomer.getTenant({ tenantId: 'emea' }, NOW)),
                     { tenantId: 'emea', name: 'EMEA', description: null });
    const me = await newcomer.getAuthentication();
    assert.equal(me.username, 'brand-new-client');
    assert.ok(me.groups.includes('operators'), `the rule's group is the caller's: ${me.groups}`);

    await admin.unassignMappingRuleFromGroup(
      { groupId: 'operators', mappingRuleId: 'orders-scope' });
    await refused(newcomer.getTenant({ tenantId: 'emea' }, NOW), 403,
                  'the group grant is gone with the membership');
    await newcomer.getRole({ roleId: 'order-auditors' }, NOW);

    await admin.deleteMappingRule({ mappingRuleId: 'orders-scope' });
    await refused(newcomer.getRole({ roleId: 'order-auditors' }, NOW), 403,
                  'the rule and its authorizations are gone');
  });

  test('a mapping rule as a member of a role', async () => {
    const newcomer = oauthClient(oidc.url, 'brand-new-client', { CAMUNDA_OAUTH_SCOPE: 'audit' });
    await admin.createMappingRule({
      mappingRuleId: 'audit-scope', claimName: 'scope', claimValue: 'audit', name: 'Audit',
    });
    await admin.createRole({ roleId: 'group-readers', name: 'Group readers' });
    await admin.createAuthorization({
      ownerType: 'ROLE', ownerId: 'group-readers',
      resourceType: 'GROUP', resourceId: '*', permissionTypes: ['READ'],
    });
    await refused(newcomer.getGroup({ groupId: 'operators' }, NOW), 403, 'before the membership');
    await admin.assignRoleToMappingRule({ roleId: 'group-readers', mappingRuleId: 'audit-scope' });
    await newcomer.getGroup({ groupId: 'operators' }, NOW);
    const me = await newcomer.getAuthentication();
    assert.ok(me.roles.includes('group-readers'), `the rule's role is the caller's: ${me.roles}`);
    await admin.unassignRoleFromMappingRule(
      { roleId: 'group-readers', mappingRuleId: 'audit-scope' });
    await refused(newcomer.getGroup({ groupId: 'operators' }, NOW), 403, 'after the membership');
  });
});

describe('identity entities through the client', () => {
  test('groups: create, get, update, search, delete', async () => {
    assert.deepEqual(
      await admin.createGroup({ groupId: 'g-alpha', name: 'Alpha', description: 'first' }),
      { groupId: 'g-alpha', name: 'Alpha', description: 'first' });
    await admin.createGroup({ groupId: 'g-beta', name: 'Beta' });
    await refused(admin.createGroup({ groupId: 'g-alpha', name: 'Again' }), 409, 'duplicate group');
    await refused(admin.getGroup({ groupId: 'g-missing' }, NOW), 404, 'missing group');
    assert.deepEqual(
      await admin.updateGroup({ groupId: 'g-beta', name: 'Beta 2', description: 'second' }),
      { groupId: 'g-beta', name: 'Beta 2', description: 'second' });
    assert.deepEqual(await admin.getGroup({ groupId: 'g-beta' }, NOW),
                     { groupId: 'g-beta', name: 'Beta 2', description: 'second' });
    await refused(admin.updateGroup({ groupId: 'g-missing', name: 'X' }), 404, 'update missing');

    const one = await admin.searchGroups({ filter: { groupId: 'g-alpha' } }, NOW);
    assert.deepEqual(ids(one.items, 'groupId'), ['g-alpha']);
    const sorted = await admin.searchGroups(
      { sort: [{ field: 'groupId', order: 'DESC' }], page: { from: 0, limit: 2 } }, NOW);
    assert.equal(sorted.items.length, 2);
    assert.ok(sorted.items[0].groupId > sorted.items[1].groupId, 'DESC order');
    assert.ok(sorted.page.totalItems >= 4,
              `totalItems counts all matches: ${sorted.page.totalItems}`);
    const next = await admin.searchGroups(
      { sort: [{ field: 'groupId', order: 'DESC' }], page: { from: 2, limit: 2 } }, NOW);
    assert.ok(next.items.length > 0 && next.items[0].groupId < sorted.items[1].groupId,
              'the next page continues the order');

    await admin.deleteGroup({ groupId: 'g-alpha' });
    await refused(admin.getGroup({ groupId: 'g-alpha' }, NOW), 404, 'deleted group');
    await refused(admin.deleteGroup({ groupId: 'g-alpha' }), 404, 'delete twice');
  });

  test('roles: create, get, update, search, delete', async () => {
    assert.deepEqual(undescribed(await admin.createRole({ roleId: 'r-alpha', name: 'Alpha' })),
                     { roleId: 'r-alpha', name: 'Alpha', description: null });
    await refused(admin.createRole({ roleId: 'r-alpha', name: 'Again' }), 409, 'duplicate role');
    assert.deepEqual(
      await admin.updateRole({ roleId: 'r-alpha', name: 'Alpha 2', description: 'd' }),
                     { roleId: 'r-alpha', name: 'Alpha 2', description: 'd' });
    assert.deepEqual(await admin.getRole({ roleId: 'r-alpha' }, NOW),
                     { roleId: 'r-alpha', name: 'Alpha 2', description: 'd' });
    const found = await admin.searchRoles({ filter: { name: 'Alpha 2' } }, NOW);
    assert.deepEqual(ids(found.items, 'roleId'), ['r-alpha']);
    const all = await admin.searchRoles({}, NOW);
    assert.ok(ids(all.items, 'roleId').includes('admin'), 'the default roles are listed');
    await admin.deleteRole({ roleId: 'r-alpha' });
    await refused(admin.getRole({ roleId: 'r-alpha' }, NOW), 404, 'deleted role');
  });

  test('tenants: create, get, update, search, delete', async () => {
    assert.deepEqual(undescribed(await admin.createTenant({ tenantId: 't-alpha', name: 'Alpha' })),
                     { tenantId: 't-alpha', name: 'Alpha', description: null });
    await refused(admin.createTenant({ tenantId: 't-alpha', name: 'Again' }), 409,
                  'duplicate tenant');
    assert.deepEqual(
      undescribed(await admin.updateTenant({ tenantId: 't-alpha', name: 'Alpha 2' })),
                     { tenantId: 't-alpha', name: 'Alpha 2', description: null });
    const found = await admin.searchTenants({ filter: { tenantId: 't-alpha' } }, NOW);
    assert.deepEqual(found.items.map(undescribed),
                     [{ tenantId: 't-alpha', name: 'Alpha 2', description: null }]);
    const all = await admin.searchTenants({ sort: [{ field: 'tenantId' }] }, NOW);
    assert.ok(ids(all.items, 'tenantId').includes('<default>'), 'the default tenant is listed');
    await admin.deleteTenant({ tenantId: 't-alpha' });
    await refused(admin.getTenant({ tenantId: 't-alpha' }, NOW), 404, 'deleted tenant');
  });

  test('mapping rules: create, get, update, search, delete', async () => {
    await admin.createMappingRule({
      mappingRuleId: 'm-alpha', claimName: 'department', claimValue: 'sales', name: 'Sales',
    });
    await refused(admin.createMappingRule({
      mappingRuleId: 'm-beta', claimName: 'department', claimValue: 'sales', name: 'Copy',
    }), 409, 'the same claim name and value twice');
    assert.deepEqual(await admin.updateMappingRule({
      mappingRuleId: 'm-alpha', claimName: 'department', claimValue: 'marketing', name: 'Mkt',
    }), {
      mappingRuleId: 'm-alpha', claimName: 'department', claimValue: 'marketing', name: 'Mkt',
    });
    assert.deepEqual(await admin.getMappingRule({ mappingRuleId: 'm-alpha' }, NOW),
                     { mappingRuleId: 'm-alpha', claimName: 'department', claimValue: 'marketing',
                       name: 'Mkt' });
    const found = await admin.searchMappingRule({ filter: { claimValue: 'marketing' } }, NOW);
    assert.deepEqual(ids(found.items, 'mappingRuleId'), ['m-alpha']);
    await admin.deleteMappingRule({ mappingRuleId: 'm-alpha' });
    await refused(admin.getMappingRule({ mappingRuleId: 'm-alpha' }, NOW), 404, 'deleted rule');
  });

  test('memberships of groups, roles and tenants', async () => {
    await admin.createGroup({ groupId: 'crew', name: 'Crew' });
    await admin.createRole({ roleId: 'captain', name: 'Captain' });
    await admin.createTenant({ tenantId: 'apac', name: 'APAC' });
    await admin.createMappingRule({
      mappingRuleId: 'm-crew', claimName: 'team', claimValue: 'crew', name: 'Crew rule',
    });

    await admin.assignUserToGroup({ groupId: 'crew', username: 'alice' });
    await admin.assignClientToGroup({ groupId: 'crew', clientId: 'orders-service' });
    await admin.assignMappingRuleToGroup({ groupId: 'crew', mappingRuleId: 'm-crew' });
    await admin.assignRoleToGroup({ roleId: 'captain', groupId: 'crew' });
    await refused(admin.assignUserToGroup({ groupId: 'crew', username: 'alice' }), 409,
                  'a member added twice');
    await refused(admin.assignClientToGroup({ groupId: 'no-such-group', clientId: 'x' }), 404,
                  'a missing group');
    assert.deepEqual((await admin.searchUsersForGroup({ groupId: 'crew' }, NOW)).items,
                     [{ username: 'alice' }]);
    assert.deepEqual((await admin.searchClientsForGroup({ groupId: 'crew' }, NOW)).items,
                     [{ clientId: 'orders-service' }]);
    assert.deepEqual(
      ids((await admin.searchMappingRulesForGroup({ groupId: 'crew' }, NOW)).items,
          'mappingRuleId'),
      ['m-crew']);
    assert.deepEqual(
      ids((await admin.searchRolesForGroup({ groupId: 'crew' }, NOW)).items, 'roleId'),
      ['captain']);

    await admin.assignRoleToUser({ roleId: 'captain', username: 'bob' });
    await admin.assignRoleToClient({ roleId: 'captain', clientId: 'orders-service' });
    await admin.assignRoleToMappingRule({ roleId: 'captain', mappingRuleId: 'm-crew' });
    assert.deepEqual((await admin.searchUsersForRole({ roleId: 'captain' }, NOW)).items,
                     [{ username: 'bob' }]);
    assert.deepEqual((await admin.searchClientsForRole({ roleId: 'captain' }, NOW)).items,
                     [{ clientId: 'orders-service' }]);
    assert.deepEqual((await admin.searchGroupsForRole({ roleId: 'captain' }, NOW)).items,
                     [{ groupId: 'crew' }]);
    assert.deepEqual(
      ids((await admin.searchMappingRulesForRole({ roleId: 'captain' }, NOW)).items,
          'mappingRuleId'),
      ['m-crew']);

    await admin.assignUserToTenant({ tenantId: 'apac', username: 'carol' });
    await admin.assignClientToTenant({ tenantId: 'apac', clientId: 'orders-service' });
    await admin.assignGroupToTenant({ tenantId: 'apac', groupId: 'crew' });
    await admin.assignRoleToTenant({ tenantId: 'apac', roleId: 'captain' });
    await admin.assignMappingRuleToTenant({ tenantId: 'apac', mappingRuleId: 'm-crew' });
    assert.deepEqual((await admin.searchUsersForTenant({ tenantId: 'apac' }, NOW)).items,
                     [{ username: 'carol' }]);
    assert.deepEqual((await admin.searchClientsForTenant({ tenantId: 'apac' }, NOW)).items,
                     [{ clientId: 'orders-service' }]);
    assert.deepEqual((await admin.searchGroupIdsForTenant({ tenantId: 'apac' }, NOW)).items,
                     [{ groupId: 'crew' }]);
    assert.deepEqual(
      ids((await admin.searchRolesForTenant({ tenantId: 'apac' }, NOW)).items, 'roleId'),
      ['captain']);
    assert.deepEqual(
      ids((await admin.searchMappingRulesForTenant({ tenantId: 'apac' }, NOW)).items,
          'mappingRuleId'),
      ['m-crew']);

    await admin.unassignUserFromGroup({ groupId: 'crew', username: 'alice' });
    await admin.unassignClientFromGroup({ groupId: 'crew', clientId: 'orders-service' });
    await admin.unassignMappingRuleFromGroup({ groupId: 'crew', mappingRuleId: 'm-crew' });
    await admin.unassignRoleFromGroup({ roleId: 'captain', groupId: 'crew' });
    await admin.unassignRoleFromUser({ roleId: 'captain', username: 'bob' });
    await admin.unassignRoleFromClient({ roleId: 'captain', clientId: 'orders-service' });
    await admin.unassignRoleFromMappingRule({ roleId: 'captain', mappingRuleId: 'm-crew' });
    await admin.unassignUserFromTenant({ tenantId: 'apac', username: 'carol' });
    await admin.unassignClientFromTenant({ tenantId: 'apac', clientId: 'orders-service' });
    await admin.unassignGroupFromTenant({ tenantId: 'apac', groupId: 'crew' });
    await admin.unassignRoleFromTenant({ tenantId: 'apac', roleId: 'captain' });
    await admin.unassignMappingRuleFromTenant({ tenantId: 'apac', mappingRuleId: 'm-crew' });
    await refused(admin.unassignUserFromGroup({ groupId: 'crew', username: 'alice' }), 404,
                  'removing a member that is not there');
    for (const [what, r] of [
      ['group users', await admin.searchUsersForGroup({ groupId: 'crew' }, NOW)],
      ['group clients', await admin.searchClientsForGroup({ groupId: 'crew' }, NOW)],
      ['role groups', await admin.searchGroupsForRole({ roleId: 'captain' }, NOW)],
      ['tenant clients', await admin.searchClientsForTenant({ tenantId: 'apac' }, NOW)],
      ['tenant roles', await admin.searchRolesForTenant({ tenantId: 'apac' }, NOW)],
    ]) {
      assert.deepEqual(r.items, [], `${what} are empty after the unassignments`);
      assert.equal(r.page.totalItems, 0, `${what}: totalItems`);
    }
  });
});

describe('users in basic mode', () => {
  let basic;
  before(async () => {
    const db = path.join(work, 'basic-store');
    const seed = path.join(work, 'basic-seed.json');
    fs.writeFileSync(seed, JSON.stringify({
      users: [{
        username: 'demo', password: 'demo-password', name: 'Demo', email: 'demo@example.com',
      }],
      defaultRoles: { admin: { users: ['demo'] } },
    }));
    runClearance(['--db', db, 'init', '--mode', 'BASIC', '--seed', seed]);
    basic = await startServer(db);
  });
  after(async () => { await stopServer(basic); });

  test('create, get, update, search and delete users; a new user signs in', async () => {
    const demo = basicClient(basic.url, 'demo', 'demo-password');
    const me = await demo.getAuthentication();
    assert.equal(me.username, 'demo');
    assert.equal(me.email, 'demo@example.com');
    assert.ok(me.roles.includes('admin'));

    const created = await demo.createUser({
      username: 'erin', password: 'erin-password', name: 'Erin', email: 'erin@example.com',
    });
    assert.deepEqual(created, { username: 'erin', name: 'Erin', email: 'erin@example.com' });
    await refused(demo.createUser({ username: 'erin', password: 'x' }), 409, 'duplicate user');
    const got = await demo.getUser({ username: 'erin' }, NOW);
    assert.deepEqual(got, { username: 'erin', name: 'Erin', email: 'erin@example.com' },
                     'no password or hash in the answer');
    assert.deepEqual(await demo.updateUser({ username: 'erin', name: 'Erin E.' }),
                     { username: 'erin', name: 'Erin E.', email: 'erin@example.com' });
    const found = await demo.searchUsers({ sort: [{ field: 'username', order: 'ASC' }] }, NOW);
    assert.deepEqual(ids(found.items, 'username'), ['demo', 'erin']);
    assert.ok(found.items.every((u) => Object.keys(u).every((k) => ['username', 'name', 'email']
      .includes(k))), 'search answers carry no password field');

    const erin = basicClient(basic.url, 'erin', 'erin-password');
    assert.equal((await erin.getAuthentication()).username, 'erin');
    await refused(erin.getUser({ username: 'demo' }, NOW), 403,
                  'a user without READ on USER reads no user');
    await searchShowsNothing(erin.searchUsers({}, NOW), 'a user without READ on USER');
    await refused(basicClient(basic.url, 'erin', 'wrong').getAuthentication(), 401,
                  'a wrong password');

    await demo.updateUser({ username: 'erin', password: 'new-password' });
    await refused(erin.getAuthentication(), 401, 'the old password after a change');
    await basicClient(basic.url, 'erin', 'new-password').getAuthentication();

    await demo.deleteUser({ username: 'erin' });
    await refused(demo.getUser({ username: 'erin' }, NOW), 404, 'deleted user');
    await refused(basicClient(basic.url, 'erin', 'new-password').getAuthentication(), 401,
                  'a deleted user cannot sign in');
  });
});
