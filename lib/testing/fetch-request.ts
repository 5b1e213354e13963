/**
 * The request side of a cross-origin `fetch()`, from the WHATWG Fetch
 * standard (https://fetch.spec.whatwg.org/): which methods and header lines
 * a script may use, and which of them make the browser send a preflight.
 * Section names in comments are Fetch's. Independent of the library's engine
 * on purpose: it models the browser, so it can judge the server.
 */
import type { HeadersInit } from './cors-fetch.interface.js';

/** RFC 9110 `token`: method and field names. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Fetch "CORS-safelisted method". */
const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST']);

/** Fetch "normalize a method": these are upper-cased, every other method is kept byte for byte. */
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** Fetch "forbidden method". */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** Fetch "forbidden request-header" names (besides `proxy-*` and `sec-*`). */
const FORBIDDEN_HEADER_NAMES = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
]);

/** Names whose value may smuggle a method (Fetch "forbidden request-header", step 2). */
const METHOD_OVERRIDE_NAMES = new Set(['x-http-method', 'x-http-method-override', 'x-method-override']);

/** The printable bytes among Fetch's "CORS-unsafe request-header byte"s; the others are the controls but tab, and DEL. */
const CORS_UNSAFE_PRINTABLE = '"():<>?@[\\]{}';

/** The first CORS-unsafe request-header byte of `value`, or `undefined`. */
function firstCorsUnsafeByte(value: string): string | undefined {
  for (const char of value) {
    const code = char.charCodeAt(0);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f || CORS_UNSAFE_PRINTABLE.includes(char)) return char;
  }
  return undefined;
}

/** The bytes Fetch allows in `Accept-Language` and `Content-Language` values. */
const LANGUAGE_VALUE = /^[0-9A-Za-z *,\-.;=]*$/;

/** MIME type essences a simple request may send (Fetch "CORS-safelisted request-header", `content-type`). */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/** Fetch "simple range header value" (allowWhitespace false): `bytes=N-` or `bytes=N-M`. */
const SIMPLE_RANGE = /^bytes=([0-9]+)-([0-9]*)$/;

/** Fetch's limits on safelisted values: 128 bytes each, 1024 bytes together. */
export const SAFELISTED_VALUE_LIMIT = 128;
export const SAFELISTED_TOTAL_LIMIT = 1024;

/** One header line of a request, as the browser holds it. */
export interface HeaderLine {
  readonly name: string;
  readonly value: string;
}

/** Fetch "normalize a method". Throws, as `fetch()` does, for a method that is not a token or is forbidden. */
export function normalizeMethod(method: string): string {
  if (!TOKEN.test(method)) throw new TypeError(`corsFetch: ${JSON.stringify(method)} is not a valid HTTP method`);
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper))
    throw new TypeError(`corsFetch: ${upper} is a forbidden method; fetch() refuses it`);
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

/** Fetch "CORS-safelisted method": GET, HEAD, POST (byte-case-sensitive, after normalization). */
export function isSafelistedMethod(method: string): boolean {
  return SAFELISTED_METHODS.has(method);
}

/** Fetch "forbidden request-header": a header a script cannot set. */
export function isForbiddenRequestHeader(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (FORBIDDEN_HEADER_NAMES.has(lower) || lower.startsWith('proxy-') || lower.startsWith('sec-')) return true;
  if (!METHOD_OVERRIDE_NAMES.has(lower)) return false;
  return value.split(',').some((method) => FORBIDDEN_METHODS.has(method.trim().toUpperCase()));
}

/**
 * The header lines of `fetch(url, { headers })`: each value normalized (Fetch
 * strips leading and trailing HTTP whitespace), names checked, and a repeated
 * name combined into one line, its values joined with `', '` (the first
 * spelling of the name kept). Chromium sends and judges the combined line:
 * two `Accept` values of 100 bytes make one of 202, over the 128-byte limit,
 * and the request is preflighted (the browser suite checks it).
 *
 * Throws for a line `fetch()` would refuse, and for a forbidden header, which
 * a browser would silently drop: a test that sets `Cookie` expects it sent,
 * and it would not be.
 */
export function toHeaderLines(headers: HeadersInit | undefined): HeaderLine[] {
  const pairs = headers === undefined ? [] : Array.isArray(headers) ? headers : Object.entries(headers);
  const lines = new Map<string, HeaderLine>();
  for (const [name, rawValue] of pairs as ReadonlyArray<readonly [string, string]>) {
    const value = String(rawValue).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
    if (!TOKEN.test(name)) throw new TypeError(`corsFetch: ${JSON.stringify(name)} is not a valid header name`);
    if ([...value].some((char) => char === '\0' || char === '\n' || char === '\r' || char.charCodeAt(0) > 0xff)) {
      throw new TypeError(`corsFetch: the value of header ${name} is not a valid header value`);
    }
    if (isForbiddenRequestHeader(name, value)) {
      const hint = name.toLowerCase() === 'cookie' ? ' (use the `cookie` option for what the cookie jar sends)' : '';
      throw new TypeError(`corsFetch: ${name} is a forbidden request header; a script cannot set it${hint}`);
    }
    const key = name.toLowerCase();
    const seen = lines.get(key);
    lines.set(key, seen ? { name: seen.name, value: `${seen.value}, ${value}` } : { name, value });
  }
  return [...lines.values()];
}

/**
 * The header lines the browser holds for `fetch(url, { headers, body })`:
 * {@link toHeaderLines}, plus the `Content-Type` that "extract a body" gives a
 * string body the script did not type (`text/plain;charset=UTF-8`).
 */
export function requestHeaderLines(headers: HeadersInit | undefined, body?: string | Uint8Array): HeaderLine[] {
  const lines = toHeaderLines(headers);
  if (typeof body === 'string' && !lines.some((line) => line.name.toLowerCase() === 'content-type')) {
    lines.push({ name: 'Content-Type', value: 'text/plain;charset=UTF-8' });
  }
  return lines;
}

/** The essence (`type/subtype`, lower-cased) of a MIME type (WHATWG MIME Sniffing "parse a MIME type"), or `null` on failure. */
export function mimeEssence(value: string): string | null {
  const trimmed = value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  const slash = trimmed.indexOf('/');
  if (slash === -1) return null;
  const type = trimmed.slice(0, slash);
  const rest = trimmed.slice(slash + 1);
  const semicolon = rest.indexOf(';');
  const subtype = (semicolon === -1 ? rest : rest.slice(0, semicolon)).replace(/[\t\n\r ]+$/, '');
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return null;
  return `${type}/${subtype}`.toLowerCase();
}

/**
 * Fetch "CORS-safelisted request-header": why the line is NOT safelisted, or
 * `null` when it is.
 */
export function safelistFailure(line: HeaderLine): string | null {
  const name = line.name.toLowerCase();
  const { value } = line;
  if (!['accept', 'accept-language', 'content-language', 'content-type', 'range'].includes(name)) {
    return `header ${name} is not CORS-safelisted`;
  }
  const prefix = `header ${name} is not CORS-safelisted:`;
  if (value.length > SAFELISTED_VALUE_LIMIT) {
    return `${prefix} its value is ${value.length} bytes, over ${SAFELISTED_VALUE_LIMIT}`;
  }
  const unsafeByte = firstCorsUnsafeByte(value);
  switch (name) {
    case 'accept':
      return unsafeByte ? `${prefix} its value has the CORS-unsafe byte ${JSON.stringify(unsafeByte)}` : null;
    case 'accept-language':
    case 'content-language':
      return LANGUAGE_VALUE.test(value)
        ? null
        : `${prefix} its value has a byte other than 0-9 A-Z a-z space * , - . ; =`;
    case 'content-type': {
      if (unsafeByte) return `${prefix} its value has the CORS-unsafe byte ${JSON.stringify(unsafeByte)}`;
      const essence = mimeEssence(value);
      if (essence === null) return `${prefix} ${JSON.stringify(value)} is not a MIME type`;
      return SIMPLE_CONTENT_TYPES.has(essence)
        ? null
        : `${prefix} ${essence} is not application/x-www-form-urlencoded, multipart/form-data or text/plain`;
    }
    default: {
      // range: a single `bytes=N-` or `bytes=N-M` with N <= M.
      const range = SIMPLE_RANGE.exec(value);
      const ok = range !== null && (range[2] === '' || Number(range[1]) <= Number(range[2]));
      return ok ? null : `${prefix} ${JSON.stringify(value)} is not a single bytes=N- or bytes=N-M range`;
    }
  }
}

/**
 * Fetch "CORS-unsafe request-header names", with the reason for each: every
 * line that is not safelisted, and, when the safelisted values add up to more
 * than 1024 bytes, the safelisted ones too. Names are lower-cased, sorted and
 * unique, in the order `Access-Control-Request-Headers` lists them.
 *
 * The 1024-byte rule can only bite on lines with repeated names (the Fetch
 * standard's header list): five safelisted names of 128 bytes make 640.
 * {@link toHeaderLines} combines repeats first, as Chromium does, so for
 * `corsFetch()` the 128-byte limit of the combined line decides.
 */
export function corsUnsafeRequestHeaders(lines: readonly HeaderLine[]): Array<{ name: string; reason: string }> {
  const unsafe = new Map<string, string>();
  const potentiallyUnsafe: string[] = [];
  let safelistValueSize = 0;
  for (const line of lines) {
    const failure = safelistFailure(line);
    const name = line.name.toLowerCase();
    if (failure !== null) {
      if (!unsafe.has(name)) unsafe.set(name, failure);
    } else {
      potentiallyUnsafe.push(name);
      safelistValueSize += line.value.length;
    }
  }
  if (safelistValueSize > SAFELISTED_TOTAL_LIMIT) {
    for (const name of potentiallyUnsafe) {
      if (!unsafe.has(name)) {
        unsafe.set(
          name,
          `header ${name} is not CORS-safelisted: the safelisted values add up to ${safelistValueSize} bytes, over ${SAFELISTED_TOTAL_LIMIT}`,
        );
      }
    }
  }
  return [...unsafe]
    .map(([name, reason]) => ({ name, reason }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Fetch "CORS-unsafe request-header names": lower-cased, sorted, unique. */
export function corsUnsafeRequestHeaderNames(lines: readonly HeaderLine[]): string[] {
  return corsUnsafeRequestHeaders(lines).map((entry) => entry.name);
}

/**
 * Why the browser sends a CORS preflight before this request (Fetch "main
 * fetch": a method that is not CORS-safelisted, or any CORS-unsafe request
 * header); empty for a simple request. Credentials alone never require one.
 * `method` must be normalized (see {@link normalizeMethod}).
 */
export function preflightReasons(method: string, lines: readonly HeaderLine[]): string[] {
  return [
    ...(isSafelistedMethod(method) ? [] : [`method ${method} is not CORS-safelisted`]),
    ...corsUnsafeRequestHeaders(lines).map((entry) => entry.reason),
  ];
}
