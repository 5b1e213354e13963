import FindMyWay from 'find-my-way';
import { hasEmptyParam, type RequestMatcher } from './route-params-gate.js';
import type { RouteCandidate } from './route-candidate.js';
import { SegmentRouteTrie } from './segment-route-trie.js';

/** The router options of a Fastify instance that decide which route a URL matches. */
export interface FastifyRouterOptions {
  readonly caseSensitive?: boolean;
  readonly ignoreTrailingSlash?: boolean;
  readonly ignoreDuplicateSlashes?: boolean;
  readonly maxParamLength?: number;
  readonly useSemicolonDelimiter?: boolean;
  readonly allowUnsafeRegex?: boolean;
}

const ROUTER_OPTION_KEYS = [
  'caseSensitive',
  'ignoreTrailingSlash',
  'ignoreDuplicateSlashes',
  'maxParamLength',
  'useSemicolonDelimiter',
  'allowUnsafeRegex',
] as const;

/**
 * Reads the router options a Fastify instance was created with
 * (`initialConfig`: `routerOptions` first, then the deprecated top-level
 * keys), so that a second router matches URLs exactly as Fastify's does.
 */
export function readFastifyRouterOptions(initialConfig: unknown): FastifyRouterOptions {
  const config = (initialConfig ?? {}) as Record<string, unknown> & { routerOptions?: Record<string, unknown> };
  const options: Record<string, unknown> = {};
  for (const key of ROUTER_OPTION_KEYS) {
    const value = config.routerOptions?.[key] ?? config[key];
    if (value !== undefined) options[key] = value;
  }
  return options as FastifyRouterOptions;
}

/**
 * The handlers of a route: its one handler (almost every route), its
 * handlers in order, or, where Nest's adapter lets some of them serve only
 * the requests a matcher admits, a {@link GatedSlot}.
 */
type Slot = RouteCandidate | RouteCandidate[] | GatedSlot;

/**
 * Handlers of a route, some of which serve only the requests their matcher
 * admits (`routeParamsMatchers()`: a route path that repeats a parameter
 * name, say). Rare, so its lookup may allocate.
 */
class GatedSlot {
  private readonly candidates: RouteCandidate[] = [];
  private readonly matchers: (RequestMatcher | undefined)[] = [];

  /** A gated slot with the handlers of `slot`, which serve every request. */
  static of(slot: RouteCandidate | RouteCandidate[] | undefined): GatedSlot {
    const gated = new GatedSlot();
    if (slot !== undefined) for (const candidate of Array.isArray(slot) ? slot : [slot]) gated.add(candidate);
    return gated;
  }

  /** Adds `candidate` (once, as {@link withCandidate} does), serving what `matcher` admits, or every request. */
  add(candidate: RouteCandidate, matcher?: RequestMatcher): void {
    if (this.candidates.includes(candidate)) return;
    this.candidates.push(candidate);
    this.matchers.push(matcher);
  }

  /** The handlers that serve `request` (Fastify's request object), or undefined for none. */
  admitted(request: unknown): readonly RouteCandidate[] | undefined {
    const matchers = this.matchers;
    const admitted = this.candidates.filter((_, index) => matchers[index] === undefined || matchers[index](request));
    return admitted.length === 0 ? undefined : admitted;
  }
}

/** A find-my-way route's store (an object find-my-way keeps, so that the slot in it can change). */
interface RouterStore {
  slot: Slot;
}

const NO_ROUTES: readonly RouteCandidate[] = [];

/**
 * The routes of a Fastify app, for preflights: which handler the request a
 * preflight announces (its method, its URL) would reach, as Fastify's router
 * (find-my-way) with the app's own router options would find it.
 *
 * Routes made of literal segments, whole-segment parameters and a final
 * wildcard (what Nest registers) go into a {@link SegmentRouteTrie}: a few
 * objects per route. As soon as one route has another shape (a regex
 * parameter, `:a-:b`, an optional parameter, `*` inside a segment), the
 * table holds a find-my-way router instead, fed with every route, so it
 * matches what Fastify matches whatever the routes are.
 *
 * Actual requests never need it: Fastify has matched their route before the
 * early layer runs. Routes that share a method and URL and differ by
 * constraints (versions, hosts) share a slot: a preflight carries no version
 * header, so each of them may serve the request.
 */
export class FastifyRouteTable {
  private trie: SegmentRouteTrie<Slot>;
  private router?: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
  /**
   * Every route added so far, to feed find-my-way if a route the trie cannot
   * hold comes; dropped by {@link seal} (Nest has added every route by the
   * end of its route registration, before any request).
   */
  private added?: RouteCandidate[] = [];
  private addedRoutes?: string[] = [];
  /** The matchers of the routes in {@link added} that have one, by index; dropped by {@link seal} too. */
  private addedMatchers?: Map<number, RequestMatcher> = new Map();

  /**
   * `headFromGet`: Fastify's `exposeHeadRoutes` (on by default): every GET
   * route answers HEAD too. `emptyParamsFindNoHandler`: Nest's adapter
   * answers a route reached through an empty parameter with its not-found
   * handler (`emptyParamsFindNoHandler()`).
   */
  constructor(
    private readonly options: FastifyRouterOptions,
    private readonly headFromGet = false,
    private readonly emptyParamsFindNoHandler = false,
  ) {
    this.trie = this.emptyTrie();
  }

  /** Whether the table fell back to find-my-way (a route the trie cannot hold). */
  get usesFindMyWay(): boolean {
    return this.router !== undefined;
  }

  /**
   * `matcher`: the handler serves only the requests it admits, of those the
   * route matches (`routeParamsMatchers()`).
   */
  add(method: string, url: string, candidate: RouteCandidate, matcher?: RequestMatcher): void {
    if (this.added !== undefined) {
      // Flat, not a tuple per route: boot work and garbage at every route of every app.
      this.added.push(candidate);
      this.addedRoutes!.push(method, url);
      if (matcher !== undefined) this.addedMatchers!.set(this.added.length - 1, matcher);
    }
    if (this.router !== undefined) return this.addToRouter(method, url, candidate, matcher);
    const merge =
      matcher === undefined ? withCandidate : (slot: Slot | undefined) => withCandidate(slot, candidate, matcher);
    if (this.trieJudges(url, matcher) && this.trie.update(method, url, candidate, merge) !== undefined) return;
    // A route the trie cannot hold: find-my-way takes every route from here on, the earlier ones too
    // (unless the table was sealed, which happens after Nest registered its last route).
    this.router = FindMyWay({ ...this.options });
    if (this.added === undefined) return this.addToRouter(method, url, candidate, matcher);
    this.trie = this.emptyTrie();
    const routes = this.addedRoutes!;
    const matchers = this.addedMatchers!;
    this.added.forEach((each, index) =>
      this.addToRouter(routes[2 * index], routes[2 * index + 1], each, matchers.get(index)),
    );
  }

  /** No more routes come: drops what only adding them needed. */
  seal(): void {
    this.added = undefined;
    this.addedRoutes = undefined;
    this.addedMatchers = undefined;
  }

  /**
   * The handlers that may serve `method url`, or none. `request` (Fastify's
   * request object, whose URL is `url`) is read only by the matchers of
   * routes that have one.
   */
  lookup(method: string, url: string, request?: unknown): readonly RouteCandidate[] {
    let found = this.find(method, url, request);
    if (found === undefined && method === 'HEAD' && this.headFromGet) found = this.find('GET', url, request);
    if (found === undefined) return NO_ROUTES;
    return found.length === 1 ? found[0].alone : found;
  }

  /** The trie first (empty once find-my-way holds every route), then find-my-way if the table has one. */
  private find(method: string, url: string, request: unknown): readonly RouteCandidate[] | undefined {
    const slot = this.trie.find(method, url) ?? this.routerSlot(method, url);
    if (slot === undefined) return undefined;
    if (Array.isArray(slot)) return slot;
    return slot instanceof GatedSlot ? slot.admitted(request) : slot.alone;
  }

  private routerSlot(method: string, url: string): Slot | undefined {
    const found = this.router?.find(method as FindMyWay.HTTPMethod, url);
    if (found === undefined || found === null) return undefined;
    if (this.emptyParamsFindNoHandler && hasEmptyParam(found.params)) return undefined;
    return (found.store as RouterStore).slot;
  }

  /**
   * Whether the trie finds what Nest's adapter serves for this route. With
   * `emptyParamsFindNoHandler`, the trie refuses a request with any empty
   * parameter segment; an adapter that gives the route no matcher (before
   * Nest 12.5) only sees the last value of a name used twice, which
   * find-my-way keeps (`/a//b/1` serves `/a/:id/b/:id`): find-my-way's
   * parameters tell that, so such a route goes to find-my-way.
   */
  private trieJudges(url: string, matcher: RequestMatcher | undefined): boolean {
    return !this.emptyParamsFindNoHandler || matcher !== undefined || !repeatsParamName(url);
  }

  private emptyTrie(): SegmentRouteTrie<Slot> {
    const options = this.options;
    return new SegmentRouteTrie({
      caseSensitive: options.caseSensitive !== false,
      ignoreTrailingSlash: options.ignoreTrailingSlash === true,
      ignoreDuplicateSlashes: options.ignoreDuplicateSlashes === true,
      maxParamLength: options.maxParamLength || 100,
      useSemicolonDelimiter: options.useSemicolonDelimiter === true,
      emptyParamsFindNoHandler: this.emptyParamsFindNoHandler,
    });
  }

  private addToRouter(method: string, url: string, candidate: RouteCandidate, matcher?: RequestMatcher): void {
    const router = this.router!;
    try {
      const slot = matcher === undefined ? candidate : withCandidate(undefined, candidate, matcher);
      router.on(method as FindMyWay.HTTPMethod, url, noop, { slot } satisfies RouterStore);
      return;
    } catch {
      // Declared before (Fastify took both: they differ by constraints), or a route this router cannot hold
      // (a custom method: its preflights get the defaults).
    }
    const declared = this.declaredStore(method, url);
    if (declared !== undefined) declared.slot = withCandidate(declared.slot, candidate, matcher);
  }

  /**
   * The store of the route find-my-way holds for `method url`. `findRoute()`
   * takes the pattern as written, where `on()` first drops duplicate and
   * trailing slashes (with those options) and splits an optional parameter
   * into two routes (one store for both): the pattern is read the same way here.
   */
  private declaredStore(method: string, url: string): RouterStore | undefined {
    let pattern = url.replace(OPTIONAL_PARAMETER, '$1$2');
    if (this.options.ignoreDuplicateSlashes === true) pattern = pattern.replace(DUPLICATE_SLASHES, '/');
    if (this.options.ignoreTrailingSlash === true && pattern.length > 1 && pattern.endsWith('/')) {
      pattern = pattern.slice(0, -1);
    }
    try {
      return this.router!.findRoute(method as FindMyWay.HTTPMethod, pattern)?.store as RouterStore | undefined;
    } catch {
      return undefined; // a pattern find-my-way refused in on() as well
    }
  }
}

/** Whether a route path names a parameter twice, its names read as find-my-way reads them (from `:` to `(`, `-`, `.`, `/`). */
function repeatsParamName(url: string): boolean {
  const names = url.match(PARAMETER_NAME);
  if (names === null || names.length < 2) return false;
  return new Set(names).size < names.length;
}

/** A parameter and its name as find-my-way reads it (`::` is an escaped colon, no parameter). */
const PARAMETER_NAME = /(?<!:):(?!:)[^(\-./]*/g;

/** An optional parameter (`/:name?`), as find-my-way's `on()` finds it; `$1$2` is the pattern with it required. */
const OPTIONAL_PARAMETER = /(\/:[^/()]*?)\?(\/?)/;
const DUPLICATE_SLASHES = /\/\/+/g;

/**
 * A slot with `candidate` added (once: Nest may register one handler twice
 * under one pattern), serving only what `matcher` admits if it has one.
 */
function withCandidate(slot: Slot | undefined, candidate: RouteCandidate, matcher?: RequestMatcher): Slot {
  if (matcher !== undefined || slot instanceof GatedSlot) {
    const gated = slot instanceof GatedSlot ? slot : GatedSlot.of(slot);
    gated.add(candidate, matcher);
    return gated;
  }
  if (slot === undefined || slot === candidate) return candidate;
  if (!Array.isArray(slot)) return [slot, candidate];
  if (!slot.includes(candidate)) slot.push(candidate);
  return slot;
}

function noop(): void {}
