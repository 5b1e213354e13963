/**
 * A reference model of the BROWSER side of CORS, written from the WHATWG Fetch
 * standard (https://fetch.spec.whatwg.org/) and nothing else: what a browser
 * concludes from a response, given the request it made. It never imports
 * library code, so the property tests can hold the server to it.
 *
 * Section names are Fetch's: "CORS check", "CORS-preflight fetch" (step 7.x),
 * "extract header list values", "get" (a header from a header list).
 */

/** A request's credentials mode (Fetch "request credentials mode"). */
export type CredentialsMode = 'omit' | 'same-origin' | 'include';

/** A response as it came off the wire: the status and the raw header lines, `[name, value, name, value, …]`. */
export interface WireResponse {
  readonly status: number;
  readonly rawHeaders: readonly string[];
}

/** What the browser knows about the request a response answers. */
export interface BrowserRequest {
  /** The serialized request origin, as sent in `Origin` (`'null'` for an opaque origin). */
  readonly origin: string;
  readonly credentials: CredentialsMode;
  /** The request's method, as the script wrote it after Fetch's "normalize a method". */
  readonly method: string;
  /** The CORS-unsafe request-header names, lower-cased (what `Access-Control-Request-Headers` carries). */
  readonly unsafeHeaderNames: readonly string[];
}

/** RFC 9110 `token`: method and field names. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Fetch "CORS-safelisted method". */
const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST']);

/**
 * Fetch "get": `null` when the list has no header of that name, else the values
 * of every header of that name (byte-case-insensitive), joined with ", ".
 * Two `Access-Control-Allow-Origin` lines thus become "a, b", which no origin equals.
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
 * Fetch "extract header list values" for `#method` / `#field-name` headers:
 * `null` when absent, failure (`'failure'`) when an element is not a token,
 * else the list (RFC 9110 list syntax: empty elements and OWS are ignored).
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

/** Fetch "CORS check": may the script read this response? */
export function corsCheck(request: Pick<BrowserRequest, 'origin' | 'credentials'>, response: WireResponse): boolean {
  // Step 1: let origin be the result of getting `Access-Control-Allow-Origin`.
  const origin = getHeader(response, 'Access-Control-Allow-Origin');
  // Step 2: if origin is null, return failure.
  if (origin === null) return false;
  // Step 3: credentials mode is not "include" and origin is `*`: success.
  if (request.credentials !== 'include' && origin === '*') return true;
  // Step 4: the byte-serialized request origin must be origin, byte for byte.
  if (request.origin !== origin) return false;
  // Step 5: credentials mode is not "include": success.
  if (request.credentials !== 'include') return true;
  // Steps 6-8: with credentials, `Access-Control-Allow-Credentials` must be exactly `true`.
  return getHeader(response, 'Access-Control-Allow-Credentials') === 'true';
}

/** Fetch "CORS-preflight fetch", step 7 and 8: does the preflight response let the actual request go? */
export function preflightCheck(request: BrowserRequest, response: WireResponse): boolean {
  // Step 7 (condition): a CORS check for request and response, and an ok status. Step 8: else a network error.
  if (!corsCheck(request, response) || !isOkStatus(response.status)) return false;
  // Steps 7.1-7.3: extract the allowed methods and header names; failure is a network error.
  const methods = extractHeaderListValues(response, 'Access-Control-Allow-Methods');
  const headerNames = extractHeaderListValues(response, 'Access-Control-Allow-Headers');
  if (methods === 'failure' || headerNames === 'failure') return false;
  const allowedMethods = methods ?? [];
  const allowedNames = (headerNames ?? []).map((name) => name.toLowerCase());
  const include = request.credentials === 'include';
  // Step 7.5: the method must be listed (byte-case-sensitive), CORS-safelisted,
  // or covered by `*` when credentials are not included.
  if (
    !allowedMethods.includes(request.method) &&
    !SAFELISTED_METHODS.has(request.method) &&
    (include || !allowedMethods.includes('*'))
  ) {
    return false;
  }
  for (const name of request.unsafeHeaderNames.map((n) => n.toLowerCase())) {
    // Step 7.6: `Authorization` (a "CORS non-wildcard request-header name") must be listed; `*` never covers it.
    if (name === 'authorization' && !allowedNames.includes(name)) return false;
    // Step 7.7: every other unsafe name must be listed (byte-case-insensitive),
    // or covered by `*` when credentials are not included.
    if (!allowedNames.includes(name) && (include || !allowedNames.includes('*'))) return false;
  }
  return true;
}

/**
 * Fetch "main fetch", CORS-exposed header-name list: which non-safelisted
 * response headers a script may read (lower-cased); `'*'` exposes every name
 * only without credentials.
 */
export function exposedHeaderNames(request: Pick<BrowserRequest, 'credentials'>, response: WireResponse): string[] {
  const names = extractHeaderListValues(response, 'Access-Control-Expose-Headers');
  if (names === null || names === 'failure') return [];
  if (request.credentials !== 'include' && names.includes('*')) {
    const all = new Set<string>();
    for (let i = 0; i < response.rawHeaders.length; i += 2) all.add(response.rawHeaders[i].toLowerCase());
    return [...all];
  }
  return names.map((name) => name.toLowerCase());
}
