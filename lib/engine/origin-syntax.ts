import { MAX_ORIGIN_LENGTH } from '../cors.constants.js';

/** An origin split into the parts patterns compare. `port` is `''` when absent. */
export interface ParsedOrigin {
  readonly scheme: string;
  readonly host: string;
  readonly port: string;
}

const enum Char {
  Dot = 0x2e,
  Colon = 0x3a,
  Slash = 0x2f,
  Hyphen = 0x2d,
  Plus = 0x2b,
  Zero = 0x30,
  Nine = 0x39,
  LowerA = 0x61,
  LowerF = 0x66,
  LowerZ = 0x7a,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = {
  http: '80',
  https: '443',
  ws: '80',
  wss: '443',
};

function isDigit(c: number): boolean {
  return c >= Char.Zero && c <= Char.Nine;
}

function isLowerAlpha(c: number): boolean {
  return c >= Char.LowerA && c <= Char.LowerZ;
}

/**
 * Parses a value that must be exactly one serialized origin as browsers send
 * it: lowercase `scheme://host[:port]`, no path, no default port, no
 * whitespace, no second value. Runs in one pass over at most
 * {@link MAX_ORIGIN_LENGTH} characters; anything else is `undefined`.
 */
export function parseSerializedOrigin(value: string): ParsedOrigin | undefined {
  const length = value.length;
  if (length === 0 || length > MAX_ORIGIN_LENGTH || !isLowerAlpha(value.charCodeAt(0))) {
    return undefined;
  }
  let i = 1;
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (!(isLowerAlpha(c) || isDigit(c) || c === Char.Plus || c === Char.Hyphen || c === Char.Dot)) {
      break;
    }
  }
  if (
    value.charCodeAt(i) !== Char.Colon ||
    value.charCodeAt(i + 1) !== Char.Slash ||
    value.charCodeAt(i + 2) !== Char.Slash
  ) {
    return undefined;
  }
  const scheme = value.slice(0, i);
  const hostStart = i + 3;
  const hostEnd = scanHost(value, hostStart);
  if (hostEnd === -1) {
    return undefined;
  }
  const host = value.slice(hostStart, hostEnd);
  if (hostEnd === length) {
    return { scheme, host, port: '' };
  }
  if (value.charCodeAt(hostEnd) !== Char.Colon) {
    return undefined;
  }
  const port = value.slice(hostEnd + 1);
  if (!isValidPort(port) || DEFAULT_PORTS[scheme] === port) {
    return undefined;
  }
  return { scheme, host, port };
}

/** Returns the index after the host, or -1 when the host is malformed. */
function scanHost(value: string, start: number): number {
  const length = value.length;
  if (value.charCodeAt(start) === Char.OpenBracket) {
    let i = start + 1;
    for (; i < length; i++) {
      const c = value.charCodeAt(i);
      if (c === Char.CloseBracket) {
        break;
      }
      if (!(isDigit(c) || (c >= Char.LowerA && c <= Char.LowerF) || c === Char.Colon || c === Char.Dot)) {
        return -1;
      }
    }
    return i < length && i > start + 2 ? i + 1 : -1;
  }
  let i = start;
  let labelLength = 0;
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c === Char.Dot) {
      if (labelLength === 0) {
        return -1;
      }
      labelLength = 0;
      continue;
    }
    if (!(isLowerAlpha(c) || isDigit(c) || c === Char.Hyphen || c === 0x5f /* _ */)) {
      break;
    }
    labelLength++;
  }
  return labelLength === 0 ? -1 : i;
}

function isValidPort(port: string): boolean {
  if (port.length === 0 || port.length > 5 || port.charCodeAt(0) === Char.Zero) {
    return false;
  }
  for (let i = 0; i < port.length; i++) {
    if (!isDigit(port.charCodeAt(i))) {
      return false;
    }
  }
  return Number(port) <= 65535;
}

/** Loopback hosts are "potentially trustworthy" (Secure Contexts): `http` is fine there. */
export function isLoopbackHost(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

const SPECIAL_SCHEMES: ReadonlySet<string> = new Set(['http', 'https', 'ws', 'wss']);

/**
 * Why an http(s)/ws(s) origin written in a policy is not what browsers send
 * (the WHATWG URL serialization: `http://127.1` is sent as
 * `http://127.0.0.1`), or `undefined` when it is. Config-time only.
 */
function nonCanonical(origin: string, scheme: string): string | undefined {
  if (!SPECIAL_SCHEMES.has(scheme)) return undefined;
  let serialized: string | undefined;
  try {
    serialized = new URL(origin).origin;
  } catch {
    serialized = undefined;
  }
  if (serialized === origin) return undefined;
  return serialized === undefined || serialized === 'null'
    ? `${JSON.stringify(origin)} is not a host a browser can load a page from, so no request comes from it`
    : `${JSON.stringify(origin)} is not how browsers send this origin: "${serialized}"`;
}

/** What an origin entry written in a policy means, once checked. */
export type OriginSpec =
  | { readonly kind: 'any' }
  | { readonly kind: 'null' }
  | { readonly kind: 'exact'; readonly origin: string; readonly parsed: ParsedOrigin }
  | {
      readonly kind: 'subdomains';
      readonly scheme: string;
      /** The domain the pattern's labels sit under, e.g. `example.com`. */
      readonly base: string;
      /** `'*'` for any port, `''` for none. */
      readonly port: string;
    }
  | { readonly kind: 'any-port'; readonly scheme: string; readonly host: string };

/** Either the meaning of an origin entry, or why it is not one. */
export type OriginSpecResult = { spec: OriginSpec } | { problem: string };

const SUBDOMAIN_PATTERN = /^([a-z][a-z0-9+.-]*):\/\/\*\.([^:/?#*]+)(?::(\*|[0-9]+))?$/;
const PORT_PATTERN = /^([a-z][a-z0-9+.-]*):\/\/([^:/?#*]+):\*$/;

/** Checks one string entry of a policy's `origin` field and says what it means. */
export function classifyOriginEntry(entry: string): OriginSpecResult {
  if (entry === '*') {
    return { spec: { kind: 'any' } };
  }
  if (entry === 'null') {
    return { spec: { kind: 'null' } };
  }
  if (entry.includes('*')) {
    return classifyPattern(entry);
  }
  const parsed = parseSerializedOrigin(entry);
  if (parsed) {
    const problem = nonCanonical(entry, parsed.scheme);
    return problem ? { problem } : { spec: { kind: 'exact', origin: entry, parsed } };
  }
  return { problem: explainInvalidOrigin(entry) };
}

function classifyPattern(entry: string): OriginSpecResult {
  if (!entry.includes('://')) {
    return { problem: `"${entry}" has no scheme; write it as "https://${entry.replace(/^\/*/, '')}"` };
  }
  const subdomains = SUBDOMAIN_PATTERN.exec(entry);
  if (subdomains) {
    const [, scheme, base, port = ''] = subdomains;
    if (DEFAULT_PORTS[scheme] === port) {
      return {
        problem: `"${entry}" names the default port, which browsers leave out: "${scheme}://*.${base}"`,
      };
    }
    const probeOrigin = `${scheme}://${base}${port && port !== '*' ? `:${port}` : ''}`;
    const probe = parseSerializedOrigin(probeOrigin);
    if (!probe || base.startsWith('[') || /^[0-9.]+$/.test(base) || nonCanonical(probeOrigin, scheme)) {
      return { problem: `"${entry}": the part after "*." must be a lowercase domain name` };
    }
    if (!base.includes('.') && base !== 'localhost') {
      return {
        problem: `"${entry}" would match every domain under ".${base}"; name the domain, e.g. "${scheme}://*.example.${base}"`,
      };
    }
    return { spec: { kind: 'subdomains', scheme, base, port } };
  }
  const anyPort = PORT_PATTERN.exec(entry);
  if (anyPort) {
    const [, scheme, host] = anyPort;
    if (!parseSerializedOrigin(`${scheme}://${host}`) || nonCanonical(`${scheme}://${host}`, scheme)) {
      return { problem: `"${entry}": the host of a port pattern must be a lowercase host name` };
    }
    return { spec: { kind: 'any-port', scheme, host } };
  }
  return {
    problem:
      `"${entry}" is not a valid origin pattern: "*" may only stand for the subdomains ` +
      `("https://*.example.com") or the port ("http://localhost:*"), or alone for any origin`,
  };
}

function explainInvalidOrigin(entry: string): string {
  const quoted = JSON.stringify(entry);
  if (entry.trim() !== entry || /[\s,]/.test(entry)) {
    return `${quoted} contains whitespace or a comma; list each origin as its own entry`;
  }
  const schemeEnd = entry.indexOf('://');
  if (schemeEnd <= 0) {
    return `${quoted} has no scheme; write it as "https://${entry.replace(/^\/*/, '')}"`;
  }
  if (entry !== entry.toLowerCase()) {
    return `${quoted} must be lowercase, as browsers send it: "${entry.toLowerCase()}"`;
  }
  const rest = entry.slice(schemeEnd + 3);
  const slash = rest.search(/[/?#]/);
  if (slash !== -1) {
    const authority = entry.slice(0, schemeEnd + 3 + slash);
    if (rest.slice(slash) === '/') {
      return `${quoted} ends with a slash; an origin has none: "${authority}"`;
    }
    return `${quoted} has a path, query or fragment; an origin is only scheme, host and port: "${authority}"`;
  }
  const port = /:(\d+)$/.exec(rest)?.[1];
  const scheme = entry.slice(0, schemeEnd);
  if (port !== undefined && DEFAULT_PORTS[scheme] === port) {
    return `${quoted} names the default port, which browsers leave out: "${entry.slice(0, -port.length - 1)}"`;
  }
  return `${quoted} is not a serialized origin (scheme://host[:port], lowercase, ASCII/punycode)`;
}
