// Calls to the HTTP API of the node that served the page. No call throws: each one answers
// {ok, status, body, error}, error being the API's own {"error": ...} text when it refused.

const TOKEN_KEY = 'rekko.adminToken';

export function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(value) {
  try {
    if (value) {
      sessionStorage.setItem(TOKEN_KEY, value);
    } else {
      sessionStorage.removeItem(TOKEN_KEY);
    }
  } catch {
    // Storage disabled: the token lives as long as nothing asks for it again.
  }
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, cache: 'no-store' };
  if (method !== 'GET') {
    // The API takes a mutating call only as JSON, with or without a body (docs/api.md, "Bodies").
    headers['Content-Type'] = 'application/json';
    const t = token();
    if (t) {
      headers.Authorization = 'Bearer ' + t;
    }
    if (body !== undefined) {
      init.body = JSON.stringify(body);
    }
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    return { ok: false, status: 0, body: null, error: 'the node did not answer (' + e.message + ')' };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.ok) {
    return { ok: true, status: response.status, body: data, error: null };
  }
  const error = data && typeof data.error === 'string' ? data.error : 'HTTP ' + response.status;
  return { ok: false, status: response.status, body: data, error };
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);
export const del = (path) => call('DELETE', path);

/**
 * An endpoint that an older node may not have: a 404 marks it missing, and it is asked again only
 * every `retryMs` (a node upgraded under the open page gains it without a reload).
 */
export class OptionalEndpoint {
  constructor(path, everyMs, retryMs = 30000) {
    this.path = path;
    this.everyMs = everyMs;
    this.retryMs = retryMs;
    this.next = 0;
    this.state = 'waiting'; // waiting | ok | missing | error
    this.body = null;
    this.error = null;
  }

  /** Fetches when due; answers whether anything changed. */
  async poll(now) {
    if (now < this.next) {
      return false;
    }
    const r = await get(this.path);
    if (r.ok) {
      this.state = 'ok';
      this.body = r.body;
      this.error = null;
      this.next = now + this.everyMs;
    } else if (r.status === 404) {
      this.state = 'missing';
      this.body = null;
      this.next = now + this.retryMs;
    } else {
      this.state = 'error';
      this.error = r.error;
      this.next = now + this.everyMs;
    }
    return true;
  }

  /** What to show instead of the data, or null when there is data. */
  note() {
    switch (this.state) {
      case 'ok': return null;
      case 'missing': return 'not available on this node (' + this.path.split('?')[0] + ')';
      case 'error': return 'could not read ' + this.path.split('?')[0] + ': ' + this.error;
      default: return 'loading…';
    }
  }
}
