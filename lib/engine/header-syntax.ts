import { MAX_REQUEST_HEADER_NAMES, MAX_REQUEST_HEADERS_LENGTH } from '../cors.constants.js';

/** RFC 9110 `token`: the syntax of method and header names. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isToken(value: string): boolean {
  return TOKEN.test(value);
}

/** Methods the Fetch standard forbids scripts to use. */
export const FORBIDDEN_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** Methods Fetch upper-cases before sending; any other method is sent as written. */
const NORMALIZED_METHODS: ReadonlySet<string> = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** The form in which a browser sends `method`: Fetch's "normalize a method". */
export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

/** Request headers scripts cannot set (Fetch "forbidden request-header"), so listing them means nothing. */
const FORBIDDEN_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'access-control-request-private-network',
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

export function isForbiddenRequestHeader(lowerName: string): boolean {
  return (
    FORBIDDEN_REQUEST_HEADERS.has(lowerName) ||
    lowerName.startsWith('proxy-') ||
    lowerName.startsWith('sec-') ||
    lowerName.startsWith('access-control-')
  );
}

/** Response headers a browser never exposes to scripts, whatever the server says. */
export function isForbiddenResponseHeader(lowerName: string): boolean {
  return lowerName === 'set-cookie' || lowerName === 'set-cookie2';
}

/** How the names of an `Access-Control-Request-Headers` value compare with a policy. */
export interface RequestedHeaderRule {
  /** Unset `allowedHeaders`: any well-formed name is allowed. */
  readonly anyWellFormed: boolean;
  /** `'*'` without credentials: any name but `authorization`. */
  readonly wildcard: boolean;
  /** Allowed names, lower-cased. */
  readonly names: ReadonlySet<string>;
}

/** Result of checking `Access-Control-Request-Headers`: `undefined` when allowed, else why not. */
export type RequestedHeadersRefusal =
  | { readonly reason: 'malformed' }
  | { readonly reason: 'too-long' }
  | { readonly reason: 'not-allowed'; readonly header: string };

const TOO_LONG: RequestedHeadersRefusal = { reason: 'too-long' };
const MALFORMED: RequestedHeadersRefusal = { reason: 'malformed' };

const COMMA = 0x2c;

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Checks every name of an `Access-Control-Request-Headers` value against a
 * rule. Bounded: values over {@link MAX_REQUEST_HEADERS_LENGTH} characters or
 * {@link MAX_REQUEST_HEADER_NAMES} names are refused before any work, so a
 * hostile value costs no more than a long legitimate one.
 */
export function checkRequestedHeaders(value: string, rule: RequestedHeaderRule): RequestedHeadersRefusal | undefined {
  const length = value.length;
  if (length > MAX_REQUEST_HEADERS_LENGTH) {
    return TOO_LONG;
  }
  let names = 0;
  let from = 0;
  while (from < length) {
    // Commas and whitespace between names are skipped a character at a time:
    // 2,048 commas cost one pass over them, not 2,049 searches.
    const c = value.charCodeAt(from);
    if (c === COMMA || isOws(c)) {
      from++;
      continue;
    }
    let end = value.indexOf(',', from);
    if (end === -1) {
      end = length;
    }
    let to = end;
    while (to > from && isOws(value.charCodeAt(to - 1))) to--;
    if (++names > MAX_REQUEST_HEADER_NAMES) {
      return TOO_LONG;
    }
    const name = value.slice(from, to);
    if (!TOKEN.test(name)) {
      return MALFORMED;
    }
    if (!rule.anyWellFormed) {
      const lower = name.toLowerCase();
      if (!rule.names.has(lower) && !(rule.wildcard && lower !== 'authorization')) {
        return { reason: 'not-allowed', header: lower };
      }
    }
    from = end + 1;
  }
  return undefined;
}
