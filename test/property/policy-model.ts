/**
 * What a policy, as described in the README ("Policy fields"), allows,
 * computed from the policy object alone: an origin matcher built on the
 * WHATWG URL parser, and the method and header rules. It never imports
 * library code: the property tests compare the library's answers with these.
 */
import { METHODS } from 'node:http';
import type { PreflightCheckRequest } from '../../lib/testing/index.js';

/** The subset of policy fields the generated policies use. */
export interface PolicyDescription {
  readonly origin: string | readonly string[];
  readonly credentials?: boolean;
  readonly methods?: string | readonly string[];
  readonly allowedHeaders?: string | readonly string[];
  readonly exposedHeaders?: readonly string[];
  readonly maxAge?: number;
  readonly optionsSuccessStatus?: number;
}

/** README: `methods` default. */
export const DEFAULT_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'];

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

/** `'a, b'` or `['a', 'b']` as a list of trimmed names. */
export function nameList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const items = typeof value === 'string' ? value.split(',') : [...value];
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

export function originEntries(policy: PolicyDescription): string[] {
  return typeof policy.origin === 'string' ? [policy.origin] : [...policy.origin];
}

/** Serializes an origin the way browsers do: no default port. */
export function serializeOrigin(scheme: string, host: string, port: string | number | undefined): string {
  const p = port === undefined ? '' : String(port);
  return `${scheme}://${host}${p === '' || DEFAULT_PORTS[scheme] === p ? '' : `:${p}`}`;
}

/** The parts of `value` when it is exactly one serialized http(s) origin (URL round-trip), else `undefined`. */
export function parseOrigin(value: string): { scheme: string; host: string; port: string } | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.origin !== value || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
  return { scheme: url.protocol.slice(0, -1), host: url.hostname, port: url.port };
}

const SUBDOMAINS = /^([a-z]+):\/\/\*\.([^:/*]+)(?::(\*|[0-9]+))?$/;
const ANY_PORT = /^([a-z]+):\/\/([^:/*]+):\*$/;

/** What one string entry of `origin` means (README "Policy fields", `origin`). */
export type OriginEntry =
  | { readonly kind: 'any' }
  | { readonly kind: 'exact'; readonly origin: string }
  | { readonly kind: 'subdomains'; readonly scheme: string; readonly base: string; readonly port: string }
  | { readonly kind: 'any-port'; readonly scheme: string; readonly host: string };

export function classifyEntry(entry: string): OriginEntry {
  if (entry === '*') return { kind: 'any' };
  const sub = SUBDOMAINS.exec(entry);
  if (sub) return { kind: 'subdomains', scheme: sub[1], base: sub[2], port: sub[3] ?? '' };
  const anyPort = ANY_PORT.exec(entry);
  if (anyPort) return { kind: 'any-port', scheme: anyPort[1], host: anyPort[2] };
  return { kind: 'exact', origin: entry }; // includes 'null'
}

/** Whether one `origin` entry allows `origin`. */
function entryAllows(entry: string, origin: string): boolean {
  const spec = classifyEntry(entry);
  switch (spec.kind) {
    case 'any':
      return true;
    case 'exact':
      return spec.origin === origin; // byte-equal, 'null' only when listed
    case 'subdomains': {
      // One or more labels under the base, never the apex; same scheme; same port, or any with ':*'.
      const parsed = parseOrigin(origin);
      return (
        parsed !== undefined &&
        parsed.scheme === spec.scheme &&
        parsed.host.endsWith(`.${spec.base}`) &&
        (spec.port === '*' || parsed.port === spec.port)
      );
    }
    case 'any-port': {
      const parsed = parseOrigin(origin);
      return parsed !== undefined && parsed.scheme === spec.scheme && parsed.host === spec.host;
    }
  }
}

export function originAllowed(policy: PolicyDescription, origin: string): boolean {
  return originEntries(policy).some((entry) => entryAllows(entry, origin));
}

/** A public policy: `'*'` without credentials. Its answers do not depend on `Origin`. */
export function isPublic(policy: PolicyDescription): boolean {
  return originEntries(policy).includes('*') && policy.credentials !== true;
}

/** The origins a response may name in `Access-Control-Allow-Origin` for this request origin. */
export function mayNameInAllowOrigin(policy: PolicyDescription, requestOrigin: string | undefined, value: string) {
  if (value === '*') return isPublic(policy);
  return value === requestOrigin && originAllowed(policy, value);
}

/**
 * `'*'` stands for every method an actual request can use. Node's parser
 * only accepts the methods of `http.METHODS` (upper case: a script's
 * `fetch(url, { method: 'patch' })` is sent as `patch` and answered 400 by
 * Node), so a preflight for any other method asks for a request no handler
 * can receive, and refusing it is right.
 */
function methodAllowed(policy: PolicyDescription, method: string): boolean {
  const methods = policy.methods === undefined ? DEFAULT_METHODS : nameList(policy.methods);
  return methods.includes(method) || (methods.includes('*') && policy.credentials !== true && METHODS.includes(method));
}

function headerAllowed(policy: PolicyDescription, name: string): boolean {
  if (policy.allowedHeaders === undefined) return true; // unset: any well-formed name
  const names = nameList(policy.allowedHeaders).map((n) => n.toLowerCase());
  const lower = name.toLowerCase();
  return names.includes(lower) || (names.includes('*') && policy.credentials !== true && lower !== 'authorization');
}

/** Whether the policy lets a script from `request.origin` read an actual response. */
export function policyAllowsRead(
  policy: PolicyDescription,
  request: Pick<PreflightCheckRequest, 'origin' | 'credentials'>,
) {
  return originAllowed(policy, request.origin) && (request.credentials !== 'include' || policy.credentials === true);
}

/** Whether the policy lets the request past its preflight: origin, credentials, method and every header. */
export function policyAllowsPreflight(policy: PolicyDescription, request: PreflightCheckRequest): boolean {
  return (
    policyAllowsRead(policy, request) &&
    methodAllowed(policy, request.method) &&
    request.unsafeHeaderNames.every((name) => headerAllowed(policy, name))
  );
}
