// The server's REST API as the signed-in person, and every failure an ApiError holding the
// server's problem document, whose `detail` says what was wrong.
//
// Credentials: in BASIC mode the browser holds an HttpOnly session cookie (set by POST /login,
// unreadable from here) and the console holds the session's CSRF token, sent in X-CSRF-Token on
// every write; no password stays in memory after sign-in. In OIDC mode the access token lives in
// memory only and goes out as a bearer token.

export class ApiError extends Error {
  constructor(status, problem, text) {
    const detail = problem?.detail || problem?.title || text || `HTTP ${status}`;
    super(detail);
    this.status = status;
    this.problem = problem;
  }
}

export function bearerCredentials(token) {
  return { authorization: `Bearer ${token.trim().replace(/^Bearer\s+/i, '')}` };
}

async function readBody(res) {
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) throw new ApiError(res.status, data, text);
  return data;
}

// A sign-out's answer clears the cookie: a sign-in waits for it, or it would clear the new one.
let signingOut = Promise.resolve();

// BASIC sign-in: {username, csrfToken}; the session cookie comes with the answer.
export async function login(username, password) {
  await signingOut;
  const res = await fetch('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, password }),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  return readBody(res);
}

// The session this browser's cookie names ({username, csrfToken}), or null when none.
export async function currentSession() {
  const res = await fetch('/session', { credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401 || res.status === 409) return null;
  return readBody(res);
}

export function logout(csrfToken) {
  const done = fetch('/logout', {
    method: 'POST',
    headers: { 'X-CSRF-Token': csrfToken },
    credentials: 'same-origin',
    cache: 'no-store',
  }).then(readBody);
  signingOut = done.catch(() => {});
  return done;
}

export async function fetchConsoleConfig() {
  const res = await fetch('/identity/console-config.json', { cache: 'no-store' });
  if (!res.ok) throw new ApiError(res.status, null, await res.text());
  return res.json();
}

// `credentials`: {authorization} (a bearer token) or {csrfToken} (the session cookie's).
export function makeApi(credentials, onUnauthenticated) {
  async function call(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (credentials.authorization) headers.Authorization = credentials.authorization;
    else if (method !== 'GET') headers['X-CSRF-Token'] = credentials.csrfToken;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: credentials.authorization ? 'omit' : 'same-origin',
      cache: 'no-store',
    });
    try {
      return await readBody(res);
    } catch (error) {
      if (error.status === 401 && onUnauthenticated) onUnauthenticated(error);
      throw error;
    }
  }

  // Every item of a /v2 search, page by page (the server answers at most `limit` at a time).
  async function searchAll(path, filter) {
    const items = [];
    for (;;) {
      const body = { page: { from: items.length, limit: 100 } };
      if (filter) body.filter = filter;
      const page = await call('POST', path, body);
      items.push(...page.items);
      if (page.items.length === 0 || items.length >= page.page.totalItems) return items;
    }
  }

  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
    del: (path) => call('DELETE', path),
    searchAll,
  };
}

export const enc = encodeURIComponent;
