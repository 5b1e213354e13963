/**
 * A small router for Fastify preflights: which route find-my-way (Fastify's
 * router) would pick for a method and URL, for routes made of literal
 * segments, whole-segment parameters (`:id`) and a final wildcard (`*`),
 * which is what Nest registers. It holds a few objects per route where
 * find-my-way compiles functions per node and per route (2 KB a route: with
 * this trie and one hidden class for the handler entries, the module's heap
 * at 1,000 Fastify routes went from 5.1 to 2.6 MB; bench/findings.md, section 1).
 *
 * It answers as find-my-way 9 does for those routes (checked against
 * find-my-way itself by test/unit/segment-route-trie.spec.ts and by the
 * divergence suite): the URL is read as find-my-way reads it (absolute-form
 * targets, `?`, `#`, `;` with `useSemicolonDelimiter`, percent-decoding that
 * keeps reserved characters encoded, duplicate and trailing slashes per the
 * options, case per `caseSensitive`); at each segment a literal beats a
 * parameter, which beats the wildcard, backtracking when a branch fails; a
 * parameter may be empty and may not be longer than `maxParamLength`. With
 * {@link SegmentMatching.emptyParamsFindNoHandler}, a route reached through an
 * empty parameter is found, and then serves nothing. A
 * route of any other shape is refused by {@link SegmentRouteTrie.slot},
 * and the caller keeps find-my-way for the app.
 */

/** The options of find-my-way that change which route a URL reaches. */
export interface SegmentMatching {
  readonly caseSensitive: boolean;
  readonly ignoreTrailingSlash: boolean;
  readonly ignoreDuplicateSlashes: boolean;
  readonly maxParamLength: number;
  readonly useSemicolonDelimiter: boolean;
  /**
   * Nest's adapter answers a route whose parameter matched an empty segment
   * with its not-found handler (`emptyParamsFindNoHandler()`): the route is
   * still the one find-my-way picks (no other is tried), but no handler serves.
   */
  readonly emptyParamsFindNoHandler?: boolean;
}

/** What `visit()` found when the route it reached takes an empty parameter that no handler serves. */
const NO_HANDLER: unique symbol = Symbol('no handler');

class TrieNode<T> {
  literal?: Map<string, TrieNode<T>>;
  param?: TrieNode<T>;
  /** The slot of a route ending in `*` here: matches any rest of the path. */
  wildcard?: T;
  /** The slot of a route ending exactly here. */
  slot?: T;
}

/** `%XX` sequences that find-my-way leaves encoded in the path (they differ between decodeURI and decodeURIComponent). */
const RESERVED_ESCAPE = /%(?:2[3-6BbCcFf]|3[AaBbDdFf]|40)/;
const RESERVED_ESCAPES = /%(?:2[3-6BbCcFf]|3[AaBbDdFf]|40)/g;
const PERCENT_25 = /%25/g;
const DUPLICATE_SLASHES = /\/\/+/g;
/** A whole-segment parameter: `:` and a name without the characters that make find-my-way build a regex node. */
const PLAIN_PARAM = /^:[^:().\-/]*$/;

const STAR = 0x2a;
const COLON = 0x3a;

export class SegmentRouteTrie<T> {
  private readonly trees = new Map<string, TrieNode<T>>();

  constructor(private readonly matching: SegmentMatching) {}

  /**
   * Stores `merge(current, value)` as the slot of `method url` (one slot for
   * patterns find-my-way treats as one route: `:id` and `:name` at the same
   * place; `current` is `undefined` the first time) and returns it;
   * `undefined` (and nothing stored) for a pattern of another shape, which
   * this trie cannot match exactly.
   */
  update<V>(method: string, url: string, value: V, merge: (current: T | undefined, value: V) => T): T | undefined {
    const pattern = this.patternOf(url);
    if (pattern === undefined) return undefined;
    let node: TrieNode<T> | undefined = this.trees.get(method);
    if (node === undefined) {
      node = new TrieNode<T>();
      this.trees.set(method, node);
    }
    // Read in place, segment by segment (no segment list: boot work per route); patternOf() checked the shape.
    for (let start = 1; start <= pattern.length;) {
      const slash = pattern.indexOf('/', start);
      const end = slash < 0 ? pattern.length : slash;
      const first = pattern.charCodeAt(start);
      if (first === STAR) return (node.wildcard = merge(node.wildcard, value));
      if (first === COLON) {
        node = node.param ??= new TrieNode<T>();
      } else {
        const text = pattern.slice(start, end);
        const key = this.matching.caseSensitive ? text : text.toLowerCase();
        const literal: Map<string, TrieNode<T>> = (node.literal ??= new Map());
        let next: TrieNode<T> | undefined = literal.get(key);
        if (next === undefined) {
          next = new TrieNode<T>();
          literal.set(key, next);
        }
        node = next;
      }
      start = end + 1;
    }
    return (node.slot = merge(node.slot, value));
  }

  /** The slot of the route find-my-way would pick for `method url`, or `undefined`. */
  find(method: string, url: string): T | undefined {
    const root = this.trees.get(method);
    if (root === undefined) return undefined;
    const read = this.readPath(url);
    if (read === undefined) return undefined;
    const found = this.visit(root, read.path, read.origin, 1, read.decodeParams);
    return found === NO_HANDLER ? undefined : found;
  }

  /**
   * Every slot find-my-way may try for `method url`, in the order it tries
   * them, passed to `take` until it returns `true`. find-my-way goes on past
   * a route whose constraints (a version, say) the request does not meet:
   * `take` says whether the slot it got serves every request (its route has
   * a handler without constraints), which ends the walk. `emptyParam`: the
   * slot was reached through an empty parameter, with
   * {@link SegmentMatching.emptyParamsFindNoHandler} (it serves nothing).
   */
  collect(method: string, url: string, take: (slot: T, emptyParam: boolean) => boolean): void {
    const root = this.trees.get(method);
    if (root === undefined) return;
    const read = this.readPath(url);
    if (read !== undefined) this.visitAll(root, read.path, read.origin, 1, read.decodeParams, take, false);
  }

  /** {@link visit}, going on past each slot until `take` returns `true` (then returns `true`). */
  private visitAll(
    node: TrieNode<T>,
    path: string,
    origin: string,
    from: number,
    decodeParams: boolean,
    take: (slot: T, emptyParam: boolean) => boolean,
    emptyParam: boolean,
  ): boolean {
    const length = path.length;
    if (node.literal !== undefined) {
      let end = path.indexOf('/', from);
      if (end === -1) end = length;
      const next = node.literal.get(path.slice(from, end));
      if (next !== undefined) {
        if (end === length) {
          if (next.slot !== undefined && take(next.slot, emptyParam)) return true;
        } else if (this.visitAll(next, path, origin, end + 1, decodeParams, take, emptyParam)) return true;
      }
    }
    if (node.param !== undefined) {
      let end = origin.indexOf('/', from);
      if (end === -1) end = length;
      if (paramLength(origin.slice(from, end), decodeParams) <= this.matching.maxParamLength) {
        const next = node.param;
        const empty = emptyParam || (end === from && this.matching.emptyParamsFindNoHandler === true);
        if (end >= length) {
          if (next.slot !== undefined && take(next.slot, empty)) return true;
        } else if (this.visitAll(next, path, origin, end + 1, decodeParams, take, empty)) return true;
      }
    }
    return node.wildcard !== undefined && take(node.wildcard, emptyParam);
  }

  /**
   * Depth first, a literal before the parameter before the wildcard. `from`
   * is where the segment to match starts (just after a `/`). Literals are
   * compared on `path` (lower-cased when matching is case-insensitive);
   * parameters end at the next `/` of `origin` and are measured there, as
   * find-my-way does.
   */
  private visit(
    node: TrieNode<T>,
    path: string,
    origin: string,
    from: number,
    decodeParams: boolean,
  ): T | typeof NO_HANDLER | undefined {
    const length = path.length;
    if (node.literal !== undefined) {
      let end = path.indexOf('/', from);
      if (end === -1) end = length;
      const next = node.literal.get(path.slice(from, end));
      if (next !== undefined) {
        const found = end === length ? next.slot : this.visit(next, path, origin, end + 1, decodeParams);
        if (found !== undefined) return found;
      }
    }
    if (node.param !== undefined) {
      let end = origin.indexOf('/', from);
      if (end === -1) end = length;
      if (paramLength(origin.slice(from, end), decodeParams) <= this.matching.maxParamLength) {
        const next = node.param;
        const found = end >= length ? next.slot : this.visit(next, path, origin, end + 1, decodeParams);
        if (found !== undefined) return end === from && this.matching.emptyParamsFindNoHandler ? NO_HANDLER : found;
      }
    }
    return node.wildcard;
  }

  /** The path find-my-way matches for a request target, or `undefined` for one it rejects as a bad URL. */
  private readPath(url: string): { path: string; origin: string; decodeParams: boolean } | undefined {
    let path = url;
    if (path.charCodeAt(0) !== 0x2f) {
      const absolute = pathOfAbsoluteUrl(path);
      if (absolute === undefined) return undefined;
      path = absolute;
    }
    path = path.slice(0, this.pathEnd(path));
    let decodeParams = false;
    if (path.includes('%', 1)) {
      decodeParams = RESERVED_ESCAPE.test(path);
      const encodedPercent = path.includes('%25');
      if (encodedPercent || path.replace(RESERVED_ESCAPES, '').includes('%')) {
        try {
          path = decodeURI(encodedPercent ? path.replace(PERCENT_25, '%2525') : path);
        } catch {
          return undefined;
        }
      }
    }
    if (this.matching.ignoreDuplicateSlashes && path.includes('//')) path = path.replace(DUPLICATE_SLASHES, '/');
    if (this.matching.ignoreTrailingSlash) path = trimLastSlash(path);
    return { path: this.matching.caseSensitive ? path : path.toLowerCase(), origin: path, decodeParams };
  }

  /** Where the path ends: the first `?`, `#` (or `;` with `useSemicolonDelimiter`) after the first character. */
  private pathEnd(path: string): number {
    let end = firstFrom(path, '?', path.length);
    end = firstFrom(path, '#', end);
    return this.matching.useSemicolonDelimiter ? firstFrom(path, ';', end) : end;
  }

  /**
   * The route pattern as the trie reads it (duplicate and trailing slashes
   * per the options), or `undefined` when a segment has a shape other than
   * literal text, a whole `:name` parameter or a final `*`.
   */
  private patternOf(url: string): string | undefined {
    if (url.charCodeAt(0) !== 0x2f || url.includes('%') || url.includes('::') || url.includes('?')) return undefined;
    let pattern = url;
    if (this.matching.ignoreDuplicateSlashes) pattern = pattern.replace(DUPLICATE_SLASHES, '/');
    if (this.matching.ignoreTrailingSlash) pattern = trimLastSlash(pattern);
    if (!pattern.includes('*') && !pattern.includes(':')) return pattern;
    for (let start = 1; start <= pattern.length;) {
      const slash = pattern.indexOf('/', start);
      const end = slash < 0 ? pattern.length : slash;
      const star = pattern.indexOf('*', start);
      if (star !== -1 && star < end) {
        if (end - start !== 1 || slash !== -1) return undefined;
      } else {
        const colon = pattern.indexOf(':', start);
        if (colon !== -1 && colon < end && !PLAIN_PARAM.test(pattern.slice(start, end))) return undefined;
      }
      start = end + 1;
    }
    return pattern;
  }
}

/** A parameter's length as find-my-way measures it: reserved escapes count as the character they stand for. */
function paramLength(raw: string, decodeParams: boolean): number {
  if (!decodeParams || !raw.includes('%')) return raw.length;
  const escapes = raw.match(RESERVED_ESCAPES);
  return escapes === null ? raw.length : raw.length - 2 * escapes.length;
}

/** The first `char` after the first character of `path`, if before `end`; else `end`. */
function firstFrom(path: string, char: string, end: number): number {
  const at = path.indexOf(char, 1);
  return at !== -1 && at < end ? at : end;
}

function trimLastSlash(path: string): string {
  return path.length > 1 && path.charCodeAt(path.length - 1) === 0x2f ? path.slice(0, -1) : path;
}

/**
 * The path of an absolute-form request target (`http://host/path?query`),
 * the target itself when it is not one, `undefined` when find-my-way would
 * reject it (a fragment, no host, a URL that does not parse).
 */
function pathOfAbsoluteUrl(url: string): string | undefined {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd === -1) return url;
  const scheme = url.slice(0, schemeEnd).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return url;
  const authorityStart = schemeEnd + 3;
  const pathStart = url.indexOf('/', authorityStart);
  const queryStart = url.indexOf('?', authorityStart);
  let authorityEnd = pathStart === -1 ? url.length : pathStart;
  if (queryStart !== -1 && queryStart < authorityEnd) authorityEnd = queryStart;
  if (url.includes('#', authorityStart) || authorityEnd === authorityStart) return undefined;
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || parsed.protocol !== `${scheme}:` || parsed.host.length === 0) return undefined;
  if (authorityEnd === url.length) return '/';
  if (authorityEnd === queryStart) return `/${url.slice(queryStart)}`;
  return url.slice(pathStart);
}
