import { METHODS, type IncomingMessage } from 'node:http';
import { parse, pathToRegexp, type PathToRegexpOptions, type Token, type TokenData } from 'path-to-regexp';
import parseUrl from 'parseurl';
import { hostnameFromHeader, servesHost, type RequestHostname } from './host-patterns.js';
import type { RouteCandidate } from './route-candidate.js';

/** How the Express app's router matches paths (its `case sensitive routing` and `strict routing` settings). */
export interface ExpressMatching {
  readonly caseSensitive: boolean;
  readonly strict: boolean;
  /** The hostname Nest's host filter reads (`req.hostname`: `X-Forwarded-Host` with `trust proxy`); by default the `Host` header's. */
  readonly hostname?: RequestHostname;
}

/** A route as Express holds it: tried in declaration order. */
interface ExpressRoute {
  readonly order: number;
  /** The lower-case method name, or `undefined` for `@All()` (`router.all`). */
  readonly method: string | undefined;
  readonly path: string;
  /** The route's regular expression, compiled on the first lookup that needs it ({@link matchesRoute}). */
  regexp: RegExp | undefined;
  readonly candidate: RouteCandidate;
}

/**
 * One node of the segment trie: an index of the routes whose pattern can
 * match a path, never a verdict. Its map and lists exist once something is
 * put in them: most nodes of a large app are leaves holding one route.
 */
class TrieNode {
  literal?: Map<string, TrieNode>;
  dynamic?: TrieNode;
  /** Routes whose pattern ends at this node. */
  ends?: ExpressRoute[];
  /** Routes with a wildcard from here on: any rest of the path may match. */
  rest?: ExpressRoute[];
}

/** A segment of a route pattern, for the trie: plain text, or something a parameter is in. */
export type PatternSegment = { readonly literal: string } | { readonly dynamic: true } | { readonly rest: true };

const NO_ROUTES: readonly RouteCandidate[] = [];

/**
 * Methods Node's HTTP parser accepts (case-sensitive), each with the lower-case
 * name Express's routes use: a request with any other never reaches a route.
 */
const LOWER_CASE_METHODS: ReadonlyMap<string, string> = new Map(METHODS.map((name) => [name, name.toLowerCase()]));

/**
 * The routes of an Express app, answering "which handler serves this request"
 * the way Express 5's router does: the first declared route whose path
 * matches the raw (undecoded) pathname and that handles the method; `HEAD`
 * goes to the first route that handles `GET` or `HEAD`; `@All()` handles
 * every method.
 *
 * Exactness: every answer is confirmed with the regular expression
 * path-to-regexp builds for the route with the options Express uses, from
 * the pattern as its router reads it (trailing slashes taken off unless
 * routing is strict). Speed: a trie over path
 * segments, built at boot, narrows the routes to those that can match at all
 * (a handful), so a lookup never scans the route list.
 *
 * Routes that decide at run time whether they serve a request (header
 * versioning) cannot be settled here: the lookup returns them all, in order,
 * up to the first that always serves. Host-bound routes are settled with the
 * hostname Nest's host filter reads.
 */
export class ExpressRouteTable {
  private readonly root = new TrieNode();
  private readonly found: ExpressRoute[] = [];
  private count = 0;
  /** path-to-regexp's options as Express 5's router passes them. */
  private readonly regexpOptions: PathToRegexpOptions;
  private readonly hostname: RequestHostname;

  constructor(private readonly matching: ExpressMatching) {
    this.regexpOptions = { sensitive: matching.caseSensitive, trailing: !matching.strict, end: true };
    this.hostname = matching.hostname ?? hostnameFromHeader;
  }

  get routeCount(): number {
    return this.count;
  }

  /** Adds a route in declaration order. `method` is the adapter method (`get`, `all`, …). */
  add(method: string, declared: string, candidate: RouteCandidate): void {
    const path = this.matching.strict ? declared : loosened(declared);
    const plain = PLAIN_PATH.test(path);
    const variants = plain ? undefined : parsedPatternSegments(path, this.matching.caseSensitive);
    // Express would have refused the same path when Nest registered it.
    if (!plain && variants === undefined) return;
    const lower = method.toLowerCase();
    const route: ExpressRoute = {
      order: this.count++,
      method: lower === 'all' ? undefined : lower,
      path,
      regexp: undefined,
      candidate,
    };
    if (plain) this.insertPlain(path, route);
    else for (const segments of variants!) this.insert(segments, route);
  }

  /** {@link insert} for a {@link PLAIN_PATH}, read in place: no segment list is built (boot work per route). */
  private insertPlain(path: string, route: ExpressRoute): void {
    let node = this.root;
    eachPlainSegment(path, this.matching.caseSensitive, (literal) => {
      node = literal === undefined ? dynamicChild(node) : literalChild(node, literal);
    });
    (node.ends ??= []).push(route);
  }

  private insert(segments: readonly PatternSegment[], route: ExpressRoute): void {
    let node = this.root;
    for (const segment of segments) {
      if ('rest' in segment) {
        (node.rest ??= []).push(route);
        return;
      }
      node = 'dynamic' in segment ? dynamicChild(node) : literalChild(node, segment.literal);
    }
    (node.ends ??= []).push(route);
  }

  private literal(segment: string): string {
    return this.matching.caseSensitive ? segment : segment.toLowerCase();
  }

  /**
   * The handlers that may serve `request` (its method, target and host), in
   * the order Express tries them: one for almost every request, several only
   * where a later route serves what an earlier one turns down at run time;
   * empty when no route serves it (the 404 handler does).
   */
  lookup(request: IncomingMessage, method: string = request.method ?? 'GET'): readonly RouteCandidate[] {
    const lowerMethod = LOWER_CASE_METHODS.get(method);
    if (lowerMethod === undefined) return NO_ROUTES;
    const pathname = parseUrl(request)?.pathname;
    if (pathname === undefined || pathname === null) return NO_ROUTES;
    // One array for every lookup (a lookup runs to its end synchronously), emptied before it returns.
    const found = this.found;
    try {
      this.collect(this.root, pathname, firstSegment(pathname), found);
      if (found.length === 0) return NO_ROUTES;
      if (!inOrder(found)) found.sort(byOrder);
      return this.serving(found, lowerMethod, pathname, request);
    } finally {
      found.length = 0;
    }
  }

  /** The first of `found` (in declaration order) that serves the request, or all that may, up to one that surely does. */
  private serving(
    found: readonly ExpressRoute[],
    lowerMethod: string,
    pathname: string,
    request: IncomingMessage,
  ): readonly RouteCandidate[] {
    let hostname: string | undefined; // read on the first route bound to hosts
    let result: RouteCandidate[] | undefined;
    let previous: ExpressRoute | undefined;
    for (const route of found) {
      if (route === previous) continue; // reached through two optional-group variants
      previous = route;
      if (!handlesMethod(route, lowerMethod) || !this.matchesRoute(route, pathname)) continue;
      const { candidate } = route;
      if (candidate.hosts !== undefined) {
        hostname ??= this.hostname(request);
        if (!servesHost(candidate.hosts, hostname)) continue;
      }
      const settled = !candidate.conditional;
      if (result === undefined && settled) return candidate.alone;
      (result ??= []).push(candidate);
      if (settled) break;
    }
    return result ?? NO_ROUTES;
  }

  /**
   * Whether a pathname matches the route: the regular expression
   * path-to-regexp builds for it with Express's options (what `match()` runs,
   * without building its result), compiled on the first request that needs
   * it: most routes of a large app never do, and compiling them all at boot
   * was the largest part of the module's boot time. Until then the route keeps
   * its path only, not the parsed tokens (a dozen objects per route, kept for
   * the life of the app). One that cannot be compiled matches nothing (Express
   * would have refused the route).
   */
  private matchesRoute(route: ExpressRoute, pathname: string): boolean {
    if (route.regexp === undefined) {
      try {
        route.regexp = pathToRegexp(route.path, this.regexpOptions).regexp;
      } catch {
        route.regexp = /(?!)/;
      }
    }
    return route.regexp.test(pathname);
  }

  /**
   * Adds the routes under `node` that can match the rest of `pathname`, from
   * the segment that starts at `start` (-1: no segment is left). Reads the
   * segments in place: splitting the pathname was the largest part of a lookup.
   */
  private collect(node: TrieNode, pathname: string, start: number, found: ExpressRoute[]): void {
    if (node.rest !== undefined) for (const route of node.rest) found.push(route);
    if (start < 0) {
      if (node.ends !== undefined) for (const route of node.ends) found.push(route);
      return;
    }
    const slash = pathname.indexOf('/', start);
    const end = slash < 0 ? pathname.length : slash;
    const next = slash < 0 ? -1 : slash + 1;
    if (end === start && next < 0 && node.ends !== undefined) {
      // A trailing slash: the pattern's own matcher decides whether it may be there.
      for (const route of node.ends) found.push(route);
    }
    if (node.literal !== undefined) {
      const literal = node.literal.get(this.literal(pathname.slice(start, end)));
      if (literal !== undefined) this.collect(literal, pathname, next, found);
    }
    if (node.dynamic !== undefined && end !== start) this.collect(node.dynamic, pathname, next, found);
  }
}

/**
 * A route pattern as Express's router matches it without strict routing:
 * its trailing slashes taken off (the root `/` kept), so that `/users/` matches
 * `/users` as well as `/users/`.
 */
function loosened(path: string): string {
  if (path === '/') return path;
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === SLASH) end--;
  return end === path.length ? path : path.slice(0, end);
}

const SLASH = 0x2f;

/**
 * Where the first segment the trie reads begins: after the pathname's first
 * "/" (the text before it, "" for every pathname Express routes, is not a
 * segment), or -1 when it has none.
 */
function firstSegment(pathname: string): number {
  const slash = pathname.indexOf('/');
  return slash < 0 ? -1 : slash + 1;
}

function inOrder(routes: readonly ExpressRoute[]): boolean {
  for (let i = 1; i < routes.length; i++) if (routes[i - 1].order > routes[i].order) return false;
  return true;
}

function byOrder(a: ExpressRoute, b: ExpressRoute): number {
  return a.order - b.order;
}

function dynamicChild(node: TrieNode): TrieNode {
  return (node.dynamic ??= new TrieNode());
}

function literalChild(node: TrieNode, literal: string): TrieNode {
  const children = (node.literal ??= new Map());
  let child = children.get(literal);
  if (child === undefined) children.set(literal, (child = new TrieNode()));
  return child;
}

function handlesMethod(route: ExpressRoute, method: string): boolean {
  // Express: a route without its own HEAD handler serves HEAD with its GET handler.
  return route.method === undefined || route.method === method || (method === 'head' && route.method === 'get');
}

/**
 * A path of plain segments only, each ASCII text or one whole `:name`
 * parameter: what Nest registers for almost every route. Its segments are
 * read without path-to-regexp's parser (which gives the same segments, and
 * was most of the module's boot work per route).
 */
const PLAIN_PATH = /^(?:\/(?:[A-Za-z0-9._~%-]*|:[A-Za-z_$][A-Za-z0-9_$]*))*$/;

/**
 * The trie segments of a route pattern, one list per variant its optional
 * groups give; `undefined` for a pattern path-to-regexp refuses.
 * @internal exported for the unit test that checks both ways agree.
 */
export function patternSegments(path: string, caseSensitive: boolean): PatternSegment[][] | undefined {
  if (!PLAIN_PATH.test(path)) return parsedPatternSegments(path, caseSensitive);
  const segments: PatternSegment[] = [];
  eachPlainSegment(path, caseSensitive, (literal) =>
    segments.push(literal === undefined ? { dynamic: true } : { literal }),
  );
  return [segments];
}

/**
 * Reads a {@link PLAIN_PATH} segment by segment, after its leading "/":
 * `visit` gets each literal (lower-cased unless routing is case-sensitive),
 * or `undefined` for a `:name` parameter.
 */
function eachPlainSegment(path: string, caseSensitive: boolean, visit: (literal: string | undefined) => void): void {
  for (let start = 1; start <= path.length;) {
    const slash = path.indexOf('/', start);
    const end = slash < 0 ? path.length : slash;
    const segment = path.slice(start, end);
    visit(segment.startsWith(':') ? undefined : caseSensitive ? segment : segment.toLowerCase());
    start = end + 1;
  }
}

/** {@link patternSegments} through path-to-regexp's parser: any pattern Express accepts. */
export function parsedPatternSegments(path: string, caseSensitive: boolean): PatternSegment[][] | undefined {
  let parsed: TokenData;
  try {
    parsed = parse(path);
  } catch {
    return undefined;
  }
  return expandGroups(parsed.tokens).map((variant) => toSegments(variant, caseSensitive));
}

/** Every token list an optional group (`{…}`) can produce: with and without each group. */
function expandGroups(tokens: readonly Token[]): Token[][] {
  let variants: Token[][] = [[]];
  for (const token of tokens) {
    if (token.type === 'group') {
      const inner = expandGroups(token.tokens);
      variants = variants.flatMap((variant) => [variant, ...inner.map((more) => [...variant, ...more])]);
    } else {
      for (const variant of variants) variant.push(token);
    }
  }
  return variants;
}

const PARAM_MARK = '\u0000';
const WILDCARD_MARK = '\u0001';

/**
 * Splits a group-free token list at "/" (after the leading one): a segment
 * is literal text, holds a parameter, or holds a wildcard (which may match
 * any rest of the path, slashes included).
 */
function toSegments(tokens: readonly Token[], caseSensitive: boolean): PatternSegment[] {
  let written = '';
  for (const token of tokens) {
    if (token.type === 'text') written += token.value;
    else if (token.type === 'param') written += PARAM_MARK;
    else if (token.type === 'wildcard') written += WILDCARD_MARK;
  }
  const segments: PatternSegment[] = [];
  for (const part of written.split('/').slice(1)) {
    if (part.includes(WILDCARD_MARK)) {
      segments.push({ rest: true });
      break;
    }
    // Case-insensitive literals beyond ASCII are left to the matcher: RegExp case folding is not toLowerCase().
    const dynamic = part.includes(PARAM_MARK) || (!caseSensitive && /[\u0080-\uffff]/.test(part));
    segments.push(dynamic ? { dynamic: true } : { literal: caseSensitive ? part : part.toLowerCase() });
  }
  return segments;
}
