// The server's REST API as the signed-in person: every call carries their credentials (kept in
// memory only, never in storage) and every failure becomes an ApiError holding the server's
// problem document, whose `detail` says what was wrong.

export class ApiError extends Error {
  constructor(status, problem, text) {
    const detail = problem?.detail || problem?.title || text || `HTTP ${status}`;
    super(detail);
    this.status = status;
    this.problem = problem;
  }
}

export function basicCredentials(username, password) {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

export function bearerCredentials(token) {
  return `Bearer ${token.trim().replace(/^Bearer\s+/i, '')}`;
}

export async function fetchConsoleConfig() {
  const res = await fetch('/identity/console-config.json', { cache: 'no-store' });
  if (!res.ok) throw new ApiError(res.status, null, await res.text());
  return res.json();
}

export function makeApi(authorization, onUnauthenticated) {
  async function call(method, path, body) {
    const headers = { Authorization: authorization, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
    const text = res.status === 204 ? '' : await res.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      const error = new ApiError(res.status, data, text);
      if (res.status === 401 && onUnauthenticated) onUnauthenticated(error);
      throw error;
    }
    return data;
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
