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
    return close !== -1 && isCanonicalIpv6(value, start + 1, close) ? close + 1 : -1;
  }
  let i = start;
  let labelStart = start;
  let punycode = false;
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
    if (i === labelStart && c === 0x78 /* x */ && value.startsWith('xn--', i)) {
      punycode = true;
    }
  }
  if (i === labelStart) {
    return -1;
  }
  // A host whose last label is a number is an IPv4 address to the URL parser
  // (`127.1`, `0x7f.0.0.1`): browsers send it in dotted decimal, or not at all.
  if (
    isDigit(value.charCodeAt(labelStart)) &&
    endsInNumber(value, labelStart, i) &&
    !isCanonicalIpv4(value, start, i)
  ) {
    return -1;
  }
  // Punycode labels are only sent when they decode (domain to ASCII leaves them as they are).
  if (punycode) {
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

/** Four decimal parts of 0–255, without leading zeros: how the URL serializer writes IPv4. One pass. */
function isCanonicalIpv4(value: string, from: number, to: number): boolean {
  let parts = 0;
  let i = from;
  while (i < to) {
    const partStart = i;
    let part = 0;
    for (; i < to && isDigit(value.charCodeAt(i)); i++) {
      part = part * 10 + (value.charCodeAt(i) - Char.Zero);
    }
    const digits = i - partStart;
    if (digits === 0 || digits > 3 || part > 255 || (digits > 1 && value.charCodeAt(partStart) === Char.Zero)) {
      return false;
    }
    if (++parts > 4) return false;
    if (i < to) {
      if (value.charCodeAt(i) !== Char.Dot) return false;
      i++;
      if (i === to) return false;
    }
  }
  return parts === 4;
}

/** Scratch space of {@link isCanonicalIpv6} (synchronous, so one is enough). */
const PIECES = new Uint16Array(8);

/**
 * Whether `value[from, to)` (the text between the brackets) is an IPv6
 * address exactly as the WHATWG URL serializer writes it: lowercase hex
 * pieces without leading zeros, the first longest run of two or more zero
 * pieces written `::` (and no other), never an embedded IPv4 part. One pass,
 * no allocation.
 */
export function isCanonicalIpv6(value: string, from = 0, to = value.length): boolean {
  let count = 0;
  let gapAt = -1;
  let i = from;
  if (to - from < 2) return false;
  if (value.charCodeAt(i) === Char.Colon) {
    if (value.charCodeAt(i + 1) !== Char.Colon) return false;
    gapAt = 0;
    i += 2;
  }
  while (i < to) {
    const pieceStart = i;
    let piece = 0;
    for (; i < to; i++) {
      const c = value.charCodeAt(i);
      if (isDigit(c)) piece = piece * 16 + (c - Char.Zero);
      else if (c >= Char.LowerA && c <= Char.LowerF) piece = piece * 16 + (c - Char.LowerA + 10);
      else break;
    }
    const digits = i - pieceStart;
    if (digits === 0 || digits > 4 || (digits > 1 && value.charCodeAt(pieceStart) === Char.Zero) || count === 8) {
      return false;
    }
    PIECES[count++] = piece;
    if (i === to) break;
    if (value.charCodeAt(i) !== Char.Colon) return false;
    i++;
    if (value.charCodeAt(i) === Char.Colon) {
      if (gapAt !== -1) return false;
      gapAt = count;
      i++;
    } else if (i === to) {
      return false;
    }
  }
  if (gapAt === -1 ? count !== 8 : count > 7) return false;
  // Where the zeros are, in the eight pieces: the gap stands for `8 - count` of them.
  const gapLength = gapAt === -1 ? 0 : 8 - count;
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let k = 0; k <= 8; k++) {
    const inGap = gapAt !== -1 && k >= gapAt && k < gapAt + gapLength;
    const isZero = k < 8 && (inGap || pieceAt(k, gapAt, gapLength) === 0);
    if (isZero) {
      if (runStart === -1) runStart = k;
    } else if (runStart !== -1) {
      if (k - runStart > bestLength) {
        bestStart = runStart;
        bestLength = k - runStart;
      }
      runStart = -1;
    }
  }
  return bestStart === -1 ? gapAt === -1 : gapAt === bestStart && gapLength === bestLength;
}

/** Piece `k` of the eight, when the gap of `gapLength` zeros sits at `gapAt` in the written pieces. */
function pieceAt(k: number, gapAt: number, gapLength: number): number {
  return gapAt === -1 || k < gapAt ? PIECES[k] : PIECES[k - gapLength];
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
