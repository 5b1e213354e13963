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
 * What the table knows of a route's constraints in Fastify's router
 * (`@RouteConstraints()`, or the version Nest gives a versioned handler's
 * route unless URI versioning is on). A route without any has none of these.
 */
export interface RouteConstraintSummary {
  /** How many: of a route's handlers whose constraints a request meets, find-my-way picks the one with the most. */
  readonly count: number;
  /** find-my-way's `host` constraint (exact, or a regular expression), which a preflight's `Host` tells. */
  readonly host?: string | RegExp;
  /** Whether it has constraints a preflight does not tell (a version, say). */
  readonly untold: boolean;
}

/**
 * Which of the requests a route matches its handler serves, where not all
 * of them (rare): those Nest's matcher admits (`routeParamsMatchers()`: a
 * path that repeats a parameter name, say), and those that meet the route's
 * constraints in Fastify's router (find-my-way tries the next route for the
 * others).
 */
export interface RouteCondition {
  readonly matcher?: RequestMatcher;
  readonly constraints?: RouteConstraintSummary;
}

/**
 * The handlers of a route: its one handler (almost every route), its
 * handlers in order, or, where Nest's adapter lets some of them serve only
 * the requests a matcher admits, a {@link GatedSlot}.
 */
type Slot = RouteCandidate | RouteCandidate[] | GatedSlot;

/** Handlers of a route, some of which serve only some of its requests ({@link RouteCondition}). Rare, so its lookup may allocate. */
class GatedSlot {
  private readonly candidates: RouteCandidate[] = [];
  private readonly conditions: (RouteCondition | undefined)[] = [];

  /** A gated slot with the handlers of `slot`, which serve every request. */
  static of(slot: RouteCandidate | RouteCandidate[] | undefined): GatedSlot {
    const gated = new GatedSlot();
    if (slot !== undefined) for (const candidate of Array.isArray(slot) ? slot : [slot]) gated.add(candidate);
    return gated;
  }

  /**
   * Adds `candidate`, serving what `condition` says, or every request; once
   * for each condition (handlers that answer alike share a candidate, and
   * Nest may register one handler twice under one pattern).
   */
  add(candidate: RouteCandidate, condition?: RouteCondition): void {
    const { candidates, conditions } = this;
    for (let index = 0; index < candidates.length; index++) {
      if (candidates[index] === candidate && conditions[index] === condition) return;
    }
    this.candidates.push(candidate);
    this.conditions.push(condition);
  }

  /**
   * Adds to `found` the handlers that may serve `request` (a preflight, which
   * tells its host but no version), as find-my-way picks among a route's
   * handlers: of those whose constraints the request surely meets, the one
   * with the most; of those it may meet, any with as many or more. Adds none
   * with `emptyParam` (reached through an empty parameter, the route serves
   * nothing). Returns whether one surely serves: find-my-way then tries no
   * other route.
   */
  collectInto(found: RouteCandidate[], request: unknown, emptyParam: boolean): boolean {
    const { candidates, conditions } = this;
    const host = hostMatched(conditions, hostHeaderOf(request));
    let most = -1; // the most constraints of a handler that surely serves
    for (const condition of conditions) {
      const each = condition?.constraints;
      if (each === undefined) most = Math.max(most, 0);
      else if (!each.untold && meetsHost(each, host)) most = Math.max(most, each.count);
    }
    if (emptyParam) return most >= 0;
    for (let index = 0; index < candidates.length; index++) {
      const each = conditions[index]?.constraints;
      if (each !== undefined && !meetsHost(each, host)) continue;
      const count = each?.count ?? 0;
      const sure = each === undefined || !each.untold;
      // One that surely serves with fewer constraints than another never gets picked; one that may, only with as many.
      if (sure ? count !== most : count < most) continue;
      const matcher = conditions[index]?.matcher;
      if (matcher !== undefined && !matcher(request)) continue;
      if (!found.includes(candidates[index])) found.push(candidates[index]);
    }
    return most >= 0;
  }

  /** The handlers that serve `request` (Fastify's request object), or undefined for none. */
  admitted(request: unknown): readonly RouteCandidate[] | undefined {
    const conditions = this.conditions;
    const admitted = this.candidates.filter((_, index) => {
      const matcher = conditions[index]?.matcher;
      return matcher === undefined || matcher(request);
    });
    return admitted.length === 0 ? undefined : admitted;
  }
}

/** A find-my-way route's store (an object find-my-way keeps, so that the slot in it can change). */
interface RouterStore {
  slot: Slot;
  /**
   * A pattern whose handlers all have constraints: its route's value of
   * {@link SKIP_CONSTRAINT}, so that a lookup can go on past it. A store may
   * also be that of the pattern's route without constraints, once one comes.
   */
  readonly skip?: number;
}

/**
 * A constraint of the table's own find-my-way router, on the route of each
 * pattern whose handlers all have constraints in Fastify's (a version, say):
 * a lookup derives the set of such routes it already took, and find-my-way
 * goes on past those as it goes on past a route whose constraints a request
 * does not meet. Each such route has its own value; `get()` is asked for one
 * value at registration and for a set at lookup.
 */
const SKIP_CONSTRAINT = 'corsSkip';
const NONE_SKIPPED: ReadonlySet<number> = new Set();
const SKIP_STRATEGY: FindMyWay.ConstraintStrategy<FindMyWay.HTTPVersion.V1, never> = {
  name: SKIP_CONSTRAINT,
  mustMatchWhenDerived: false,
  storage() {
    const masks = new Map<number, number>();
    const storage = {
      get(value: number | ReadonlySet<number>): number | null {
        if (typeof value === 'number') return masks.get(value) ?? null;
        let mask = 0;
        for (const [skip, bits] of masks) if (!value.has(skip)) mask |= bits;
        return mask;
      },
      set(value: number, bits: number): void {
        masks.set(value, bits);
      },
      del(value: number): void {
        masks.delete(value);
      },
      empty(): void {
        masks.clear();
      },
    };
    return storage as never;
  },
  deriveConstraint: () => undefined as never,
};

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
 * constraints (versions, hosts) share a slot. A preflight carries no version
 * header, so each of them may serve the request it announces, and so may the
 * routes Fastify's router tries after them for a request that does not meet
 * their constraints ({@link lookupPastConstraints}).
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
  /** The conditions of the routes in {@link added} that have one, by index; dropped by {@link seal} too. */
  private addedConditions?: Map<number, RouteCondition> = new Map();
  /**
   * Whether a route with constraints came (header versioning, say): find-my-way
   * goes on past such a route for a request that does not meet them, so a
   * preflight, which carries no version, may reach each route it tries.
   */
  private constrained = false;
  private nextSkip = 0;
  /**
   * A find-my-way router of the patterns whose handlers all have constraints,
   * each with its route's store: to find it (as find-my-way reads a pattern)
   * when another handler of the pattern comes. Made at the first such route.
   */
  private skipRouteIndex?: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;

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

  /** `condition`: the handler serves only some of the requests the route matches. */
  add(method: string, url: string, candidate: RouteCandidate, condition?: RouteCondition): void {
    if (this.added !== undefined) {
      // Flat, not a tuple per route: boot work and garbage at every route of every app.
      this.added.push(candidate);
      this.addedRoutes!.push(method, url);
      if (condition !== undefined) this.addedConditions!.set(this.added.length - 1, condition);
    }
    if (condition?.constraints !== undefined) this.constrained = true;
    if (this.router !== undefined) return this.addToRouter(method, url, candidate, condition);
    const merge =
      condition === undefined ? withCandidate : (slot: Slot | undefined) => withCandidate(slot, candidate, condition);
    if (this.trieJudges(url, condition?.matcher) && this.trie.update(method, url, candidate, merge) !== undefined) {
      return;
    }
    // A route the trie cannot hold: find-my-way takes every route from here on, the earlier ones too
    // (unless the table was sealed, which happens after Nest registered its last route).
    this.router = FindMyWay({ ...this.options, constraints: { [SKIP_CONSTRAINT]: SKIP_STRATEGY } });
    if (this.added === undefined) return this.addToRouter(method, url, candidate, condition);
    this.trie = this.emptyTrie();
    const routes = this.addedRoutes!;
    const conditions = this.addedConditions!;
    this.added.forEach((each, index) =>
      this.addToRouter(routes[2 * index], routes[2 * index + 1], each, conditions.get(index)),
    );
  }

  /** No more routes come: drops what only adding them needed. */
  seal(): void {
    this.added = undefined;
    this.addedRoutes = undefined;
    this.addedConditions = undefined;
  }

  /**
   * The handlers that may serve `method url`, or none. `request` (Fastify's
   * request object, whose URL is `url`) is read only by the matchers of
   * routes that have one.
   */
  lookup(method: string, url: string, request?: unknown): readonly RouteCandidate[] {
    if (this.constrained) return this.lookupPastConstraints(method, url, request);
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

  /**
   * {@link lookup} where routes have constraints: the handlers of each route
   * find-my-way may try for `method url`, in order, up to one with a handler
   * that surely serves (no constraints, or only a host, the preflight's). A
   * route that no request it tries meets the version of (one another route
   * before it serves too) is still counted: what a request can reach depends
   * on headers a preflight does not carry, so this may judge a preflight by
   * more handlers than serve, never by fewer. Allocates: only apps with such
   * routes get here.
   */
  private lookupPastConstraints(method: string, url: string, request: unknown): readonly RouteCandidate[] {
    const found: RouteCandidate[] = [];
    if (!this.collect(method, url, request, found) && method === 'HEAD' && this.headFromGet) {
      this.collect('GET', url, request, found);
    }
    if (found.length === 0) return NO_ROUTES;
    return found.length === 1 ? found[0].alone : found;
  }

  /** Adds to `found` the handlers of each route tried for `method url`; whether one that surely serves ended the walk. */
  private collect(method: string, url: string, request: unknown, found: RouteCandidate[]): boolean {
    let settled = false;
    this.trie.collect(method, url, (slot, emptyParam) => (settled = takeSlot(found, slot, request, emptyParam)));
    if (!settled && this.router !== undefined) settled = this.collectFromRouter(method, url, request, found);
    return settled;
  }

  /**
   * {@link collect} on find-my-way: each lookup derives the routes with
   * constraints taken so far, to go on past them, up to a pattern with a
   * handler that surely serves (every handler of a pattern is in one store).
   */
  private collectFromRouter(method: string, url: string, request: unknown, found: RouteCandidate[]): boolean {
    let skipped: Set<number> | undefined;
    for (;;) {
      const match = this.router!.find(method as FindMyWay.HTTPMethod, url, {
        [SKIP_CONSTRAINT]: skipped ?? NONE_SKIPPED,
      });
      if (match === undefined || match === null) return false;
      const store = match.store as RouterStore;
      const emptyParam = this.emptyParamsFindNoHandler && hasEmptyParam(match.params);
      const settled = takeSlot(found, store.slot, request, emptyParam);
      // A route already taken: the route without constraints of a pattern, which shares its store.
      if (settled || store.skip === undefined || skipped?.has(store.skip)) return settled;
      (skipped ??= new Set()).add(store.skip);
    }
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

  /**
   * Adds a route to find-my-way. Every handler of one pattern goes into one
   * store, whichever find-my-way route reaches it, so that a lookup picks
   * among them as the trie does ({@link GatedSlot.collectInto}). A pattern
   * with a handler without constraints is one route without constraints; a
   * pattern whose handlers all have some is one route with a value of
   * {@link SKIP_CONSTRAINT} of its own, which a lookup goes on past when none
   * of them surely serves.
   */
  private addToRouter(method: string, url: string, candidate: RouteCandidate, condition?: RouteCondition): void {
    const router = this.router!;
    const constrained = condition?.constraints !== undefined;
    const alone = condition === undefined ? candidate : undefined;
    // Almost every route: a new pattern, in an app with no constrained route.
    if (
      alone !== undefined &&
      this.skipRouteIndex === undefined &&
      this.register(router, method, url, undefined, { slot: alone })
    ) {
      return;
    }
    // The pattern's store: its route without constraints, else the one its constrained handlers share.
    const store = this.declaredStore(router, method, url) ?? this.skipRoutes(method, url);
    if (store !== undefined) {
      store.slot = withCandidate(store.slot, candidate, condition);
      if (constrained || store.skip === undefined) return;
      // A first handler without constraints: the pattern's lookups end here from now on, through the same store.
      this.register(router, method, url, undefined, store);
      return;
    }
    const slot = condition === undefined ? candidate : withCandidate(undefined, candidate, condition);
    if (!constrained) {
      this.register(router, method, url, undefined, { slot });
      return;
    }
    const skip = this.nextSkip++;
    const skipStore: RouterStore = { slot, skip };
    if (this.register(router, method, url, skip, skipStore)) this.skipRoutesOf(method, url, skipStore);
  }

  /** `router.on()`; false where find-my-way refuses the route (a custom method: its preflights get the defaults). */
  private register(
    router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>,
    method: string,
    url: string,
    skip: number | undefined,
    store: RouterStore,
  ): boolean {
    try {
      if (skip === undefined) router.on(method as FindMyWay.HTTPMethod, url, noop, store);
      else router.on(method as FindMyWay.HTTPMethod, url, { constraints: { [SKIP_CONSTRAINT]: skip } }, noop, store);
      return true;
    } catch {
      return false;
    }
  }

  /** The store of the route with constraints of `method url`, if one was added: {@link skipRouteIndex} finds it. */
  private skipRoutes(method: string, url: string): RouterStore | undefined {
    const index = this.skipRouteIndex;
    return index === undefined ? undefined : this.declaredStore(index, method, url);
  }

  /** Remembers `store` as that of the route with constraints of `method url`. */
  private skipRoutesOf(method: string, url: string, store: RouterStore): void {
    const index = (this.skipRouteIndex ??= FindMyWay(this.options));
    this.register(index, method, url, undefined, store);
  }

  /**
   * The store of the route find-my-way holds for `method url`. `findRoute()`
   * takes the pattern as written, where `on()` first drops duplicate and
   * trailing slashes (with those options) and splits an optional parameter
   * into two routes (one store for both): the pattern is read the same way here.
   */
  private declaredStore(
    router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>,
    method: string,
    url: string,
  ): RouterStore | undefined {
    let pattern = url.replace(OPTIONAL_PARAMETER, '$1$2');
    if (this.options.ignoreDuplicateSlashes === true) pattern = pattern.replace(DUPLICATE_SLASHES, '/');
    if (this.options.ignoreTrailingSlash === true && pattern.length > 1 && pattern.endsWith('/')) {
      pattern = pattern.slice(0, -1);
    }
    try {
      return router.findRoute(method as FindMyWay.HTTPMethod, pattern)?.store as RouterStore | undefined;
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
 * under one pattern), serving only what `condition` says if it has one.
 */
function withCandidate(slot: Slot | undefined, candidate: RouteCandidate, condition?: RouteCondition): Slot {
  if (condition !== undefined || slot instanceof GatedSlot) {
    const gated = slot instanceof GatedSlot ? slot : GatedSlot.of(slot);
    gated.add(candidate, condition);
    return gated;
  }
  if (slot === undefined || slot === candidate) return candidate;
  if (!Array.isArray(slot)) return [slot, candidate];
  if (!slot.includes(candidate)) slot.push(candidate);
  return slot;
}

/**
 * Adds the handlers of `slot` that may serve `request` to `found`, each
 * once (none with `emptyParam`); whether one surely serves it.
 */
function takeSlot(found: RouteCandidate[], slot: Slot, request: unknown, emptyParam: boolean): boolean {
  if (slot instanceof GatedSlot) return slot.collectInto(found, request, emptyParam);
  if (emptyParam) return true;
  for (const candidate of Array.isArray(slot) ? slot : slot.alone)
    if (!found.includes(candidate)) found.push(candidate);
  return true;
}

/** The `Host` header find-my-way's host constraint reads, of Fastify's request object. */
function hostHeaderOf(request: unknown): string | undefined {
  return (request as { headers?: { host?: string } } | undefined)?.headers?.host;
}

/**
 * The host constraint that a request with this `Host` meets among a route's
 * handlers, as find-my-way's host store answers: the exact host if one has
 * it, else the first regular expression that matches (in the order
 * find-my-way keeps its handlers: fewer constraints first), else none.
 */
function hostMatched(
  conditions: readonly (RouteCondition | undefined)[],
  host: string | undefined,
): string | RegExp | undefined {
  if (host === undefined) return undefined;
  let regex: RouteConstraintSummary | undefined;
  for (const condition of conditions) {
    const each = condition?.constraints;
    const expected = each?.host;
    if (expected === undefined) continue;
    if (expected === host) return host;
    if (typeof expected !== 'string' && (regex === undefined || each!.count < regex.count) && expected.test(host)) {
      regex = each;
    }
  }
  return regex?.host;
}

/** Whether a handler meets `matched` ({@link hostMatched}): it has no host constraint, or that one. */
function meetsHost(constraints: RouteConstraintSummary, matched: string | RegExp | undefined): boolean {
  return constraints.host === undefined || constraints.host === matched;
}

function noop(): void {}
