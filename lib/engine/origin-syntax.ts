import { domainToASCII } from 'node:url';
import { MAX_ORIGIN_LENGTH } from '../cors.constants.js';
import { isPublicSuffix } from './public-suffix.js';

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
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = {
  http: '80',
  https: '443',
  ws: '80',
  wss: '443',
  ftp: '21',
};

function isDigit(c: number): boolean {
  return c >= Char.Zero && c <= Char.Nine;
}

function isLowerAlpha(c: number): boolean {
  return c >= Char.LowerA && c <= Char.LowerZ;
}

function isLowerHex(c: number): boolean {
  return isDigit(c) || (c >= Char.LowerA && c <= Char.LowerF);
}

/**
 * Parses a value that must be exactly one serialized origin, in the form the
 * Fetch standard's `Origin` header grammar gives it (2026) and browsers send:
 * `scheme://host[:port]` with a lowercase scheme and host, no default port,
 * an IPv4 address in dotted decimal and an IPv6 address in brackets,
 * compressed and lowercase as the WHATWG URL serializer writes it; no path,
 * no whitespace, no second value. `null` is not an origin here (it is matched
 * as the literal `'null'`, case-sensitive). Hosts are the ASCII (punycode)
 * letters, digits, `-` and `_`, a subset of what URLs allow: a value outside
 * it is refused, never guessed at. Runs in one pass over at most
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

/** Returns the index after the host, or -1 when the host is malformed or not in its canonical form. */
function scanHost(value: string, start: number): number {
  const length = value.length;
  if (value.charCodeAt(start) === Char.OpenBracket) {
    const close = value.indexOf(']', start + 1);
    return close !== -1 && isCanonicalIpv6(value.slice(start + 1, close)) ? close + 1 : -1;
  }
  let i = start;
  let labelStart = start;
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c === Char.Dot) {
      if (i === labelStart) {
        return -1;
      }
      labelStart = i + 1;
      continue;
    }
    if (!(isLowerAlpha(c) || isDigit(c) || c === Char.Hyphen || c === 0x5f /* _ */)) {
      break;
    }
  }
  if (i === labelStart) {
    return -1;
  }
  // A host whose last label is a number is an IPv4 address to the URL parser
  // (`127.1`, `0x7f.0.0.1`): browsers send it in dotted decimal, or not at all.
  if (endsInNumber(value, labelStart, i) && !isCanonicalIpv4(value.slice(start, i))) {
    return -1;
  }
  // Punycode labels are only sent when they decode (domain to ASCII leaves them as they are).
  const punycode = value.indexOf('xn--', start);
  if (punycode !== -1 && punycode < i) {
    const host = value.slice(start, i);
    if (domainToASCII(host) !== host) return -1;
  }
  return i;
}

/** The URL standard's "ends in a number": the last label is all digits, or `0x` and hex digits. */
function endsInNumber(value: string, from: number, to: number): boolean {
  let digits = true;
  for (let i = from; i < to && digits; i++) digits = isDigit(value.charCodeAt(i));
  if (digits) return true;
  if (to - from < 2 || value.charCodeAt(from) !== Char.Zero || value.charCodeAt(from + 1) !== 0x78 /* x */) {
    return false;
  }
  for (let i = from + 2; i < to; i++) {
    if (!isLowerHex(value.charCodeAt(i))) return false;
  }
  return true;
}

/** Four decimal parts of 0–255, without leading zeros: how the URL serializer writes IPv4. */
function isCanonicalIpv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((part) => /^(?:0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255);
}

/**
 * Whether the text between the brackets is an IPv6 address exactly as the
 * WHATWG URL serializer writes it: eight pieces in lowercase hex without
 * leading zeros, the first longest run of two or more zero pieces written
 * `::`, and never an embedded IPv4 part.
 */
export function isCanonicalIpv6(text: string): boolean {
  const pieces = parseIpv6Pieces(text);
  return pieces !== undefined && serializeIpv6(pieces) === text;
}

/** The eight 16-bit pieces of hex-only IPv6 text (`::` allowed once), or `undefined`. */
function parseIpv6Pieces(text: string): number[] | undefined {
  if (text.length < 2 || text.length > 39) return undefined;
  const gap = text.indexOf('::');
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) return undefined;
  const head = gap === -1 ? text : text.slice(0, gap);
  const tail = gap === -1 ? '' : text.slice(gap + 2);
  const headPieces = head === '' ? [] : head.split(':');
  const tailPieces = tail === '' ? [] : tail.split(':');
  const count = headPieces.length + tailPieces.length;
  if (gap === -1 ? count !== 8 : count > 7) return undefined;
  const pieces: number[] = [];
  for (const piece of [...headPieces, ...new Array<string>(8 - count).fill('0'), ...tailPieces]) {
    if (!/^[0-9a-f]{1,4}$/.test(piece)) return undefined;
    pieces.push(parseInt(piece, 16));
  }
  return pieces;
}

function serializeIpv6(pieces: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (pieces[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && pieces[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  if (bestStart === -1) return pieces.map((piece) => piece.toString(16)).join(':');
  const hex = (from: number, to: number) =>
    pieces
      .slice(from, to)
      .map((piece) => piece.toString(16))
      .join(':');
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
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
 * How a browser serializes the origin of `entry` (WHATWG URL), for the
 * special schemes whose origin is a tuple; `'null'` when no page can have it
 * (a host the URL parser refuses), `undefined` for other schemes. Config-time only.
 */
function browserSerialization(entry: string, scheme: string): string | undefined {
  if (!SPECIAL_SCHEMES.has(scheme)) return undefined;
  try {
    return new URL(entry).origin;
  } catch {
    return 'null';
  }
}

/**
 * Why an http(s)/ws(s) origin written in a policy is not what browsers send
 * (the WHATWG URL serialization: `http://127.1` is sent as
 * `http://127.0.0.1`), or `undefined` when it is. Config-time only.
 */
function nonCanonical(origin: string, scheme: string): string | undefined {
  const serialized = browserSerialization(origin, scheme);
  if (serialized === undefined || serialized === origin) return undefined;
  return serialized === 'null'
    ? `${JSON.stringify(origin)} is not an origin a browser can load a page from (the URL parser refuses it), so no request comes from it`
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
      /**
       * The base is itself a public suffix (`github.io`, `co.uk`): anyone can
       * register a subdomain that matches. Refused with credentials.
       */
      readonly publicSuffix: boolean;
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

/** Whether `origin` parses as what browsers send and its host is a domain name (not an IP address). */
function isDomainOrigin(origin: string, scheme: string): boolean {
  const parsed = parseSerializedOrigin(origin);
  return (
    parsed !== undefined &&
    !parsed.host.startsWith('[') &&
    !/^[0-9.]+$/.test(parsed.host) &&
    nonCanonical(origin, scheme) === undefined
  );
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
    const portSuffix = port && port !== '*' ? `:${port}` : '';
    const probeOrigin = `${scheme}://${base}${portSuffix}`;
    if (!isDomainOrigin(probeOrigin, scheme)) {
      const lower = base.toLowerCase();
      const hint = lower !== base && isDomainOrigin(`${scheme}://${lower}${portSuffix}`, scheme);
      return {
        problem:
          `"${entry}": the part after "*." must be a lowercase domain name` +
          (hint ? `: "${scheme}://*.${lower}${port ? `:${port}` : ''}"` : ''),
      };
    }
    if (!base.includes('.') && base !== 'localhost') {
      return {
        problem: `"${entry}" would match every domain under ".${base}"; name the domain, e.g. "${scheme}://*.example.${base}"`,
      };
    }
    return { spec: { kind: 'subdomains', scheme, base, port, publicSuffix: isPublicSuffix(base) } };
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
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(entry)) {
    return `${quoted} contains a control character; no browser sends one in an origin`;
  }
  const schemeEnd = entry.indexOf('://');
  if (schemeEnd <= 0) {
    return `${quoted} has no scheme; write it as "https://${entry.replace(/^\/*/, '')}"`;
  }
  const scheme = entry.slice(0, schemeEnd).toLowerCase();
  const rest = entry.slice(schemeEnd + 3);
  const slash = rest.search(/[/?#]/);
  const authority = slash === -1 ? entry : entry.slice(0, schemeEnd + 3 + slash);
  const canonical = browserSerialization(authority.toLowerCase(), scheme);
  const spelling = canonical && canonical !== 'null' ? canonical : undefined;
  if (entry !== entry.toLowerCase()) {
    return `${quoted} must be lowercase, as browsers send it: "${spelling ?? entry.toLowerCase()}"`;
  }
  if (slash !== -1) {
    if (rest.slice(slash) === '/') {
      return `${quoted} ends with a slash; an origin has none: "${spelling ?? authority}"`;
    }
    return `${quoted} has a path, query or fragment; an origin is only scheme, host and port: "${spelling ?? authority}"`;
  }
  const port = /:(\d+)$/.exec(rest)?.[1];
  if (port !== undefined && DEFAULT_PORTS[scheme] === port) {
    return `${quoted} names the default port, which browsers leave out: "${spelling ?? entry.slice(0, -port.length - 1)}"`;
  }
  if (spelling !== undefined && spelling !== entry) {
    return `${quoted} is not how browsers send this origin: "${spelling}"`;
  }
  if (canonical === 'null') {
    return `${quoted} is not an origin a browser can load a page from (the URL parser refuses it), so no request comes from it`;
  }
  return `${quoted} is not a serialized origin (scheme://host[:port], lowercase, ASCII/punycode)`;
}
