/**
 * The response side of a cross-origin `fetch()`, from the WHATWG Fetch
 * standard: the "CORS check", the "CORS-preflight fetch" checks (step 7),
 * and which response headers the script may read ("CORS-filtered
 * response"). Each check returns why it fails, or `null` when it passes.
 * Independent of the library's engine on purpose.
 */
import type { CorsCheckRequest, PreflightCheckRequest, WireResponse } from './cors-fetch.interface.js';

/** RFC 9110 `token`. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Fetch "CORS-safelisted method". */
const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST']);

/** Fetch "CORS-safelisted response-header name", without an exposed list. */
const SAFELISTED_RESPONSE_HEADERS = new Set([
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
]);

/** Fetch "forbidden response-header name": never readable, even when exposed. */
const FORBIDDEN_RESPONSE_HEADERS = new Set(['set-cookie', 'set-cookie2']);

/**
 * Fetch "get": `null` when the response has no header of that name, else the
 * values of every line of that name (byte-case-insensitive), joined with
 * `', '`. Two `Access-Control-Allow-Origin` lines thus become `'a, b'`, which
 * no origin equals.
 */
export function getHeader(response: WireResponse, name: string): string | null {
  const lower = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    if (response.rawHeaders[i].toLowerCase() === lower) values.push(response.rawHeaders[i + 1]);
  }
  return values.length === 0 ? null : values.join(', ');
}

/**
 * Fetch "extract header list values" for `#method` and `#field-name`
 * headers: `null` when absent, `'failure'` when an element is not a token,
 * else the elements (RFC 9110 list syntax: empty elements and OWS ignored).
 */
export function extractHeaderListValues(response: WireResponse, name: string): string[] | null | 'failure' {
  const value = getHeader(response, name);
  if (value === null) return null;
  const items = value
    .split(',')
    .map((item) => item.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((item) => item !== '');
  return items.every((item) => TOKEN.test(item)) ? items : 'failure';
}

/** Fetch "ok status": 200 to 299. */
export function isOkStatus(status: number): boolean {
  return status >= 200 && status <= 299;
}

/** Fetch "CORS check": why the script may NOT read this response, or `null` when it may. */
export function corsCheck(request: CorsCheckRequest, response: WireResponse): string | null {
  // Steps 1-2: no `Access-Control-Allow-Origin`, failure.
  const allowOrigin = getHeader(response, 'Access-Control-Allow-Origin');
  if (allowOrigin === null) return 'no Access-Control-Allow-Origin header';
  const include = request.credentials === 'include';
  // Step 3: `*` passes without credentials.
  if (!include && allowOrigin === '*') return null;
  if (allowOrigin === '*') return 'Access-Control-Allow-Origin is * but the request includes credentials';
  // Step 4: otherwise the request's origin, byte for byte.
  if (allowOrigin !== request.origin) {
    const what = allowOrigin.includes(',') ? 'has several values' : 'does not match the origin';
    return `Access-Control-Allow-Origin ${JSON.stringify(allowOrigin)} ${what} (${request.origin})`;
  }
  // Step 5: without credentials, that is enough.
  if (!include) return null;
  // Steps 6-8: with credentials, `Access-Control-Allow-Credentials` must be exactly `true`.
  const allowCredentials = getHeader(response, 'Access-Control-Allow-Credentials');
  if (allowCredentials === 'true') return null;
  return allowCredentials === null
    ? 'no Access-Control-Allow-Credentials: true, and the request includes credentials'
    : `Access-Control-Allow-Credentials is ${JSON.stringify(allowCredentials)}, not "true", and the request includes credentials`;
}

/**
 * Fetch "CORS-preflight fetch", steps 7 and 8: why the preflight's answer
 * does NOT let the actual request go, or `null` when it does. The CORS check
 * comes first, then the status, as in Chromium's messages.
 */
export function preflightCheck(request: PreflightCheckRequest, response: WireResponse): string | null {
  const cors = corsCheck(request, response);
  if (cors !== null) return cors;
  if (!isOkStatus(response.status)) return `preflight status ${response.status} is not ok (200-299)`;
  // Steps 7.1-7.3: the allowed methods and header names; a malformed list fails the preflight.
  const methods = extractHeaderListValues(response, 'Access-Control-Allow-Methods');
  if (methods === 'failure') {
    return `Access-Control-Allow-Methods ${JSON.stringify(getHeader(response, 'Access-Control-Allow-Methods'))} is not a list of methods`;
  }
  const headerNames = extractHeaderListValues(response, 'Access-Control-Allow-Headers');
  if (headerNames === 'failure') {
    return `Access-Control-Allow-Headers ${JSON.stringify(getHeader(response, 'Access-Control-Allow-Headers'))} is not a list of header names`;
  }
  const allowedMethods = methods ?? [];
  const allowedNames = (headerNames ?? []).map((name) => name.toLowerCase());
  const include = request.credentials === 'include';
  const starNote = ' (* does not count for a request with credentials)';
  // Step 7.5: the method listed (byte-case-sensitive), CORS-safelisted, or `*` without credentials.
  const { method } = request;
  if (!allowedMethods.includes(method) && !SAFELISTED_METHODS.has(method)) {
    if (include || !allowedMethods.includes('*')) {
      return `method ${method} not allowed${include && allowedMethods.includes('*') ? starNote : ''}`;
    }
  }
  for (const name of request.unsafeHeaderNames.map((n) => n.toLowerCase())) {
    if (allowedNames.includes(name)) continue;
    // Step 7.6: `Authorization` (a "CORS non-wildcard request-header name") must be listed by name.
    if (name === 'authorization') {
      return `header authorization not allowed${allowedNames.includes('*') ? ' (* never covers Authorization)' : ''}`;
    }
    // Step 7.7: every other unsafe name listed (byte-case-insensitive), or `*` without credentials.
    if (include || !allowedNames.includes('*')) {
      return `header ${name} not allowed${include && allowedNames.includes('*') ? starNote : ''}`;
    }
  }
  return null;
}

/**
 * Fetch "CORS-exposed header-name list" (main fetch): the names
 * `Access-Control-Expose-Headers` exposes, lower-cased; `*` exposes every
 * name of the response, only without credentials.
 */
export function exposedHeaderNames(request: Pick<CorsCheckRequest, 'credentials'>, response: WireResponse): string[] {
  const names = extractHeaderListValues(response, 'Access-Control-Expose-Headers');
  if (names === null || names === 'failure') return [];
  if (request.credentials !== 'include' && names.includes('*')) {
    const all = new Set<string>();
    for (let i = 0; i < response.rawHeaders.length; i += 2) all.add(response.rawHeaders[i].toLowerCase());
    return [...all];
  }
  return [...new Set(names.map((name) => name.toLowerCase()))];
}

/**
 * Fetch "CORS-filtered response": the headers a script reads from a response
 * that passed the CORS check (`response.headers`), by lower-cased name, in
 * name order: the CORS-safelisted response headers and the exposed ones,
 * never `Set-Cookie`.
 */
export function readableHeaders(
  request: Pick<CorsCheckRequest, 'credentials'>,
  response: WireResponse,
): Record<string, string> {
  const exposed = new Set(exposedHeaderNames(request, response));
  const names = new Set<string>();
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    const name = response.rawHeaders[i].toLowerCase();
    if (FORBIDDEN_RESPONSE_HEADERS.has(name)) continue;
    if (SAFELISTED_RESPONSE_HEADERS.has(name) || exposed.has(name)) names.add(name);
  }
  return Object.fromEntries([...names].sort().map((name) => [name, getHeader(response, name)!]));
}
