import type { IncomingMessage } from 'node:http';
import { REQUEST_HEADERS_ANSWERS_MAX_KEY_LENGTH } from '../cors.constants.js';
import { checkRequestedHeaders, isToken, type RequestedHeaderRule } from './header-syntax.js';
import type { CompiledPolicy } from './compiled-policy.js';

/** The part of a response the engine writes to (a Node `ServerResponse` is one). */
export interface HeaderTarget {
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: string): unknown;
  removeHeader(name: string): unknown;
}

/** Why a CORS request was refused; `detail` names the offending value when there is one. */
export interface CorsRefusal {
  readonly check: 'disabled' | 'origin' | 'method' | 'headers' | 'private-network';
  readonly detail?: string;
}

export const REFUSED_DISABLED: CorsRefusal = Object.freeze({ check: 'disabled' });
export const REFUSED_ORIGIN: CorsRefusal = Object.freeze({ check: 'origin' });
const REFUSED_PRIVATE_NETWORK: CorsRefusal = Object.freeze({ check: 'private-network' });

/** The CORS response headers this module ever writes. */
export const CORS_RESPONSE_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-max-age',
  'access-control-allow-private-network',
] as const;

/** Adds names to `Vary`, keeping the values already there and never repeating one. */
export function appendVary(target: HeaderTarget, names: string): void {
  const existing = target.getHeader('vary');
  if (existing === undefined || existing === '') {
    target.setHeader('Vary', names);
    return;
  }
  const current = Array.isArray(existing) ? existing.join(', ') : String(existing);
  if (current === names || current.trim() === '*') {
    return;
  }
  const present = new Set(current.split(',').map((name) => name.trim().toLowerCase()));
  const missing = names.split(', ').filter((name) => !present.has(name.toLowerCase()));
  if (missing.length > 0) {
    target.setHeader('Vary', `${current}, ${missing.join(', ')}`);
  }
}

/** Whether `origin` may read responses under `policy` (a promise for asynchronous predicates). */
export function isOriginAllowed(
  policy: CompiledPolicy,
  origin: string,
  request: IncomingMessage,
): boolean | Promise<boolean> {
  return policy.enabled && policy.origins.matches(origin, request);
}

/** Writes the headers of an actual request from an allowed origin. */
export function writeActualHeaders(policy: CompiledPolicy, origin: string, target: HeaderTarget): void {
  target.setHeader('Access-Control-Allow-Origin', policy.wildcardOrigin ? '*' : origin);
  if (policy.credentials) {
    target.setHeader('Access-Control-Allow-Credentials', 'true');
  }
  if (policy.exposeHeadersValue !== undefined) {
    target.setHeader('Access-Control-Expose-Headers', policy.exposeHeadersValue);
  }
  if (policy.varyOnOrigin) {
    appendVary(target, 'Origin');
  }
}

/**
 * Writes what a response to a request without `Origin` (or from a refused
 * origin) needs: `Vary: Origin` when the answer depends on it, and the
 * wildcard headers of a public policy, so that a shared cache can serve the
 * same response to every origin.
 */
export function writeOriginIndependentHeaders(policy: CompiledPolicy, target: HeaderTarget): void {
  if (!policy.enabled) {
    return;
  }
  if (policy.wildcardOrigin) {
    target.setHeader('Access-Control-Allow-Origin', '*');
    if (policy.exposeHeadersValue !== undefined) {
      target.setHeader('Access-Control-Expose-Headers', policy.exposeHeadersValue);
    }
  } else {
    appendVary(target, 'Origin');
  }
}

/** Removes every CORS header this module writes (when a more exact policy says otherwise). */
export function clearCorsHeaders(target: HeaderTarget): void {
  for (const name of CORS_RESPONSE_HEADERS) {
    target.removeHeader(name);
  }
}

/**
 * What an `Access-Control-Request-Headers` value gets under one rule: the
 * refusal, if any, or the value as `Access-Control-Allow-Headers` writes it
 * back (empty for a refused value). Remembered per rule
 * ({@link CompiledPolicy.requestHeadersAnswers}).
 */
export interface RequestedHeadersAnswer {
  readonly refusal: CorsRefusal | undefined;
  readonly allowHeaders: string;
}

const NOTHING_TO_WRITE = '';

function answerRequestedHeaders(value: string, rule: RequestedHeaderRule): RequestedHeadersAnswer {
  const refusal = checkRequestedHeaders(value, rule);
  if (refusal === undefined) return Object.freeze({ refusal: undefined, allowHeaders: cleanNameList(value) });
  // A refused value is never written back, and cleaning one (16 KiB of commas, say) would cost what the check saved.
  if (refusal.reason !== 'not-allowed') return refusal.reason === 'too-long' ? TOO_LONG_ANSWER : MALFORMED_ANSWER;
  return refusedAnswer(refusal.header);
}

function refusedAnswer(detail: string): RequestedHeadersAnswer {
  return Object.freeze({ refusal: Object.freeze({ check: 'headers', detail }), allowHeaders: NOTHING_TO_WRITE });
}

// Values too long to keep get these: no allocation per hostile preflight.
const TOO_LONG_ANSWER = refusedAnswer('(too-long)');
const MALFORMED_ANSWER = refusedAnswer('(malformed)');

/**
 * The answer to a non-empty `Access-Control-Request-Headers` value under
 * `policy`. A page's browser sends the same list on every preflight, and
 * checking it name by name costs several times a lookup (2–3 µs per
 * preflight in place, bench/findings.md section 3e), so answers are kept in
 * the rule's bounded store. Values longer than
 * {@link REQUEST_HEADERS_ANSWERS_MAX_KEY_LENGTH} are checked every time and
 * never kept (hashing one would cost what the store saves).
 */
function requestedHeadersAnswer(policy: CompiledPolicy, value: string): RequestedHeadersAnswer {
  if (value.length > REQUEST_HEADERS_ANSWERS_MAX_KEY_LENGTH)
    return answerRequestedHeaders(value, policy.requestHeaders);
  const answers = policy.requestHeadersAnswers;
  let answer = answers.get(value);
  if (answer === undefined) {
    answer = answerRequestedHeaders(value, policy.requestHeaders);
    answers.set(value, answer);
  }
  return answer;
}

/**
 * Checks a preflight's method, headers and private-network request against a
 * policy whose origin check passed. `undefined` means allowed.
 */
export function checkPreflightRequest(
  policy: CompiledPolicy,
  requestMethod: string,
  requestHeaders: string | undefined,
  privateNetwork: boolean,
): CorsRefusal | undefined {
  if (!(policy.anyMethod ? isToken(requestMethod) : policy.methods.has(requestMethod))) {
    return { check: 'method', detail: isToken(requestMethod) ? requestMethod : '(malformed)' };
  }
  if (requestHeaders !== undefined && requestHeaders !== '') {
    const refusal = requestedHeadersAnswer(policy, requestHeaders).refusal;
    if (refusal !== undefined) return refusal;
  }
  if (privateNetwork && !policy.allowPrivateNetwork) {
    return REFUSED_PRIVATE_NETWORK;
  }
  return undefined;
}

/**
 * Writes the headers of an allowed preflight (the status is the caller's).
 *
 * `Allow-Methods` and `Allow-Headers` name only what this preflight asked for
 * (already checked against the policy), never the whole lists: browsers cache
 * a preflight answer per origin and URL, not per method, so a full list would
 * let a later request to another handler of the same URL (with a narrower
 * policy) skip its own preflight.
 */
export function writePreflightHeaders(
  policy: CompiledPolicy,
  origin: string,
  requestMethod: string,
  requestHeaders: string | undefined,
  privateNetwork: boolean,
  target: HeaderTarget,
): void {
  target.setHeader('Access-Control-Allow-Origin', policy.wildcardOrigin ? '*' : origin);
  if (policy.credentials) {
    target.setHeader('Access-Control-Allow-Credentials', 'true');
  }
  target.setHeader('Access-Control-Allow-Methods', requestMethod);
  if (requestHeaders) {
    // Names checked by checkPreflightRequest; written back as a clean list.
    const names = requestedHeadersAnswer(policy, requestHeaders).allowHeaders;
    if (names !== '') {
      target.setHeader('Access-Control-Allow-Headers', names);
    }
  }
  if (policy.maxAgeValue !== undefined) {
    target.setHeader('Access-Control-Max-Age', policy.maxAgeValue);
  }
  if (privateNetwork) {
    target.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
  appendVary(target, policy.preflightVary);
}

/**
 * `a ,b,, c` → `a, b, c`: the names of a comma-separated list, without
 * empty items or the spaces and tabs around them, joined by `, `. One pass,
 * no arrays (it runs on every allowed preflight that names headers); a list
 * already in that form is returned as it is, with no new string.
 */
export function cleanNameList(value: string): string {
  if (isCleanNameList(value)) return value;
  let out = '';
  let from = 0;
  const length = value.length;
  while (from <= length) {
    let end = value.indexOf(',', from);
    if (end === -1) end = length;
    let start = from;
    let stop = end;
    while (start < stop && isSpaceOrTab(value.charCodeAt(start))) start++;
    while (stop > start && isSpaceOrTab(value.charCodeAt(stop - 1))) stop--;
    if (stop > start) out = out === '' ? value.slice(start, stop) : `${out}, ${value.slice(start, stop)}`;
    from = end + 1;
  }
  return out;
}

/** Whether `value` already reads `name, name, …`: names free of commas, spaces and tabs, separated by exactly `, `. */
function isCleanNameList(value: string): boolean {
  const length = value.length;
  let at = 0;
  while (at < length) {
    const start = at;
    while (at < length && !isNameEnd(value.charCodeAt(at))) at++;
    if (at === start) return false;
    if (at === length) return true;
    if (value.charCodeAt(at) !== 0x2c || value.charCodeAt(at + 1) !== 0x20) return false;
    at += 2;
    if (at === length) return false;
  }
  return true;
}

function isNameEnd(c: number): boolean {
  return c === 0x2c || isSpaceOrTab(c);
}

function isSpaceOrTab(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * The answer to an actual request (or any request that is not a preflight)
 * under `policy`, written to `target`: the one decision function of the
 * module, used by the early layer and by the guard. `origin` is `undefined`
 * for requests without `Origin`; `allowed` is the origin check's result.
 * Returns the `Access-Control-Allow-Origin` value written, if any.
 */
export function answerActualRequest(
  policy: CompiledPolicy,
  origin: string | undefined,
  allowed: boolean,
  target: HeaderTarget,
): string | undefined {
  if (!policy.enabled) return undefined;
  if (origin !== undefined && allowed) {
    writeActualHeaders(policy, origin, target);
    return policy.wildcardOrigin ? '*' : origin;
  }
  writeOriginIndependentHeaders(policy, target);
  return policy.wildcardOrigin ? '*' : undefined;
}
