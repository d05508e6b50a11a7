// The console's OIDC sign-in in a real browser: a local OpenID provider (npm oidc-provider, pinned
// in package-lock.json beside this file; `npm ci` here) signs with an RSA key generated for this
// run; `clearance serve` trusts that issuer and offers the console's sign-in at it
// (--console-oidc-client-id). Chromium clicks through the provider's login and consent pages and
// comes back to the console (authorization code flow with PKCE, S256), which lists authorizations
// as the signed-in user. A user who holds no permission sees a clear 403 message. The console's
// Content-Security-Policy is enforced throughout (it must allow the issuer, and only it).
//
// Usage: node oidc_test.mjs CLEARANCE CONSOLE_DIST CONSOLE_NODE_MODULES CHROMIUM OUT_DIR
// Ends with "N passed, N failed".
import crypto from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import {
  Steps, check, initStore, launchBrowser, loadChromium, parseArgs, startServer, stopServer,
} from './harness.mjs';

const args = parseArgs('oidc_test.mjs');
const { clearance, nodeModules, chromiumPath, outDir } = args;
const chromium = loadChromium(nodeModules);
let Provider;
try {
  ({ default: Provider } = await import('oidc-provider'));
} catch (e) {
  console.error(`oidc-provider is missing (npm ci in tests/console/): ${e.message}`);
  process.exit(1);
}

const CLIENT_ID = 'clearance-console';
const AUDIENCE = 'orchestration-api';
const RESOURCE = 'urn:clearance:identity';

const steps = new Steps(outDir, 'oidc-');
const step = (name, page, fn) => steps.step(name, fn, { page });
const screenshot = (page, name) => steps.screenshot(page, name);

// The provider on a free port; its issuer is http://127.0.0.1:PORT.
async function startProvider(privateJwk, consoleOrigin) {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [`${consoleOrigin}/identity/`],
    }],
    jwks: { keys: [privateJwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    // Any login is an account whose subject is the login (the provider's development pages).
    findAccount: (ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    scopes: ['openid', 'identity'],
    features: {
      devInteractions: { enabled: true },
      // Access tokens for the identity API are JWTs the server verifies with the issuer's keys.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'identity',
          audience: AUDIENCE,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });
  server.on('request', provider.callback());
  return { server, issuer };
}

// A free port for clearance serve, so the provider can name the console's redirect URI first.
async function freePort() {
  const s = http.createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

// Signs in through the provider's pages as `login`, from a fresh browser context.
async function signIn(browser, url, login) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 960 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && /Content Security Policy/.test(m.text()) && problems.push(m.text()));
  await page.goto(`${url}/identity/authorizations/GROUP`);
  await page.getByText('Sign in at').waitFor();
  await screenshot(page, `${login}-console-signin`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('input[name=login]').waitFor();
  await screenshot(page, `${login}-provider-login`);
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).waitFor();
  await screenshot(page, `${login}-provider-consent`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Authorizations' }).waitFor();
  return { context, page, problems };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'clearance-oidc-'));
mkdirSync(outDir, { recursive: true });
let server;
let idp;
let browser;
try {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'oidc-test';
  const port = await freePort();
  const consoleOrigin = `http://127.0.0.1:${port}`;
  idp = await startProvider({ ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }, consoleOrigin);
  // The server reads the issuer's public key from a file: its JWKS fetcher takes https:// URLs
  // only, and this provider speaks plain HTTP on the loopback interface.
  writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify({
    keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }],
  }));
  writeFileSync(path.join(dir, 'seed.yaml'), 'defaultRoles:\n  admin: {users: [alice]}\n');
  const db = path.join(dir, 'store');
  initStore(clearance, db, ['--issuer', idp.issuer, '--jwks-file', path.join(dir, 'jwks.json'),
    '--audiences', AUDIENCE, '--algorithms', 'RS256', '--seed', path.join(dir, 'seed.yaml')]);
  server = await startServer(args, db, ['--listen', `127.0.0.1:${port}`, '--console-oidc-client-id', CLIENT_ID,
    '--console-oidc-scopes', 'openid identity']);
  const url = server.url;
  browser = await launchBrowser(chromium, chromiumPath);

  await step('console-config.json names the issuer and client; the CSP allows that issuer only', null, async () => {
    const config = await (await fetch(`${url}/identity/console-config.json`)).json();
    check(config.authMode === 'OIDC' && config.oidc?.issuer === idp.issuer && config.oidc.clientId === CLIENT_ID &&
      config.oidc.scopes === 'openid identity', `the OIDC settings, got ${JSON.stringify(config)}`);
    const csp = (await fetch(`${url}/identity/`)).headers.get('content-security-policy');
    check(csp.includes(`connect-src 'self' ${idp.issuer};`), `connect-src names the issuer, got ${csp}`);
  });

  let alice;
  await step('alice signs in at the provider (code flow with PKCE) and sees Authorizations', null, async () => {
    alice = await signIn(browser, url, 'alice');
    await alice.page.getByRole('button', { name: 'Create authorization' }).waitFor();
    await alice.page.getByText('alice', { exact: true }).waitFor();
    check(/\/identity\/authorizations\/GROUP$/.test(alice.page.url()), `back on the page she asked for, got ${alice.page.url()}`);
    const current = await alice.page.locator('.console-types button[aria-current="true"]').innerText();
    check(current === 'Group', `Group selected after the sign-in, got ${current}`);
    const kept = await alice.page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    check(kept === '{}{}', `no token or verifier left in storage, got ${kept}`);
    check(alice.problems.length === 0, `no page errors or CSP violations, got ${alice.problems.join(' | ')}`);
    await screenshot(alice.page, 'alice-authorizations');
  });

  await step('the authorization request carried an S256 code challenge', alice?.page, async () => {
    // Sign out and in again within the provider's session: the redirect shows the request.
    const requests = [];
    alice.page.on('request', (r) => requests.push(r.url()));
    await alice.page.getByRole('button', { name: 'Sign out' }).click();
    await alice.page.getByRole('button', { name: 'Sign in' }).click();
    await alice.page.getByRole('heading', { name: 'Authorizations' }).waitFor();
    const auth = new URL(requests.find((u) => u.startsWith(`${idp.issuer}/auth?`)));
    check(auth.searchParams.get('code_challenge_method') === 'S256', 'code_challenge_method S256');
    check(/^[A-Za-z0-9_-]{43}$/.test(auth.searchParams.get('code_challenge') || ''), 'a SHA-256 code challenge');
    check(auth.searchParams.get('client_id') === CLIENT_ID, 'the console client id');
    const token = requests.find((u) => u.startsWith(`${idp.issuer}/token`));
    check(token, 'the code was exchanged at the token endpoint by the browser');
  });

  let bob;
  await step('bob, mapped to no permission, sees a clear 403 message', alice?.page, async () => {
    bob = await signIn(browser, url, 'bob');
    await bob.page.getByText('Cannot list authorizations').waitFor();
    await bob.page.getByText(/Insufficient permissions/).first().waitFor();
    check(await bob.page.getByText('No authorizations for this resource type.').count() === 0, 'no empty table');
    await bob.page.getByText('bob', { exact: true }).waitFor();
    await screenshot(bob.page, 'bob-forbidden');
  });
} catch (e) {
  steps.fail('setup', e);
} finally {
  if (browser) await browser.close();
  if (server) await stopServer(server);
  if (idp) idp.server.close();
  rmSync(dir, { recursive: true, force: true });
}
steps.finish();
