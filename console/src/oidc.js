// OIDC sign-in: the authorization code flow with PKCE (RFC 7636, S256) at the issuer the server
// names in console-config.json. The console is a public client: no secret, the code verifier
// proves the code is ours. Only the verifier, the state and the page to return to wait in
// sessionStorage while the browser is at the identity provider; they are removed as the code is
// exchanged. The access token stays in memory.
import { ApiError } from './api.js';

const PENDING = 'clearance.oidc.pending';

function base64url(bytes) {
  let binary = '';
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

function redirectUri() {
  return `${window.location.origin}/identity/`;
}

async function discover(issuer) {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let res;
  try {
    res = await fetch(url, { cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    throw new Error(`Cannot reach the identity provider's discovery document ${url}: ${e.message}`);
  }
  if (!res.ok) throw new ApiError(res.status, null, `${url} answered HTTP ${res.status}`);
  const doc = await res.json();
  if (!doc.authorization_endpoint || !doc.token_endpoint) {
    throw new Error(`${url} names no authorization_endpoint or token_endpoint`);
  }
  return doc;
}

// Leaves for the identity provider's sign-in page; comes back to /identity/?code=...&state=...
export async function startSignIn(oidc) {
  const doc = await discover(oidc.issuer);
  const verifier = randomString();
  const state = randomString();
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const returnTo = window.location.pathname + window.location.search;
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL(doc.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', oidc.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('scope', oidc.scopes || 'openid');
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  window.location.assign(url.toString());
}

let completing = null;

// On the way back from the identity provider: the access token for the code in the address
// bar, or null when this load is not a sign-in's return. Runs once per load.
export function completeSignIn(oidc) {
  if (!completing) completing = exchange(oidc);
  return completing;
}

async function exchange(oidc) {
  const params = new URLSearchParams(window.location.search);
  const raw = sessionStorage.getItem(PENDING);
  if (!raw || (!params.has('code') && !params.has('error'))) return null;
  sessionStorage.removeItem(PENDING);
  const pending = JSON.parse(raw);
  // Back to the page the sign-in started from; the console's router follows (router.js).
  window.history.replaceState(null, '', pending.returnTo || '/identity/');
  window.dispatchEvent(new Event('console-navigate'));
  if (params.get('state') !== pending.state) {
    throw new Error('The identity provider answered with another sign-in state: sign in again.');
  }
  if (params.has('error')) {
    throw new Error(`The identity provider refused: ${params.get('error_description') || params.get('error')}`);
  }
  const doc = await discover(oidc.issuer);
  const res = await fetch(doc.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: redirectUri(),
      client_id: oidc.clientId,
      code_verifier: pending.verifier,
    }),
    credentials: 'omit',
    cache: 'no-store',
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || !body.access_token) {
    throw new Error(`The token endpoint refused the code: ${body.error_description || body.error || `HTTP ${res.status}`}`);
  }
  return body.access_token;
}
