import type { IncomingMessage } from 'node:http';
import { ExpressRouteTable, type ExpressMatching } from './express-route-table.js';
import {
  FastifyRouteTable,
  type FastifyRouterOptions,
  type RouteCondition,
  type RouteConstraintSummary,
} from './fastify-route-table.js';
import { hostnameFromHeader, servesHost, type RequestHostname } from './host-patterns.js';
import type { RouteCandidate } from './route-candidate.js';
import { gateOf, passesGate, type RouteParamsGate, type RouteParamsMatchers } from './route-params-gate.js';
import { RouteTableBuilder } from './route-table-builder.js';

const NO_ROUTES: readonly RouteCandidate[] = [];

/**
 * Which handlers serve a request, as the app's own router decides it. Empty
 * when no controller route serves it (the caller then uses `paths` or the
 * module defaults); several only where the router decides at run time
 * (header versioning, say), in the order it tries them.
 */
export interface RequestRouter {
  /** For an actual request: `request` is the adapter's request object, `raw` the Node request. */
  actual(request: unknown, raw: IncomingMessage): readonly RouteCandidate[];
  /** For a preflight (`request` and `raw` as for `actual`): the handlers the request it announces (`method`, same URL) would reach. */
  preflight(request: unknown, raw: IncomingMessage, method: string): readonly RouteCandidate[];
  /** Adds a route Nest registered (`method` is the adapter method: `get`, `all`, …). */
  add(method: string, path: string, candidate: RouteCandidate): void;
  /** Nest registered its last route: what only adding routes needed can go. */
  seal(): void;
}

/**
 * Express: one exact table for actual requests and preflights alike.
 * `unrouted` as for {@link FastifyRequestRouter}: routes that carry it go in
 * only where they matter ({@link RouteTableBuilder}).
 */
export class ExpressRequestRouter implements RequestRouter {
  private table: ExpressRouteTable;
  private builder?: RouteTableBuilder<ExpressRouteTable>;

  constructor(matching: ExpressMatching, unrouted?: RouteCandidate) {
    this.builder = new RouteTableBuilder(() => new ExpressRouteTable(matching), unrouted);
    this.table = this.builder.current;
  }

  add(method: string, path: string, candidate: RouteCandidate): void {
    (this.builder ?? this.table).add(method, path, candidate);
  }

  actual(_request: unknown, raw: IncomingMessage): readonly RouteCandidate[] {
    return this.table.lookup(raw);
  }

  preflight(_request: unknown, raw: IncomingMessage, method: string): readonly RouteCandidate[] {
    return this.table.lookup(raw, method);
  }

  seal(): void {
    if (this.builder !== undefined) this.table = this.builder.finish();
    this.builder = undefined;
  }
}

/** The part of a Fastify route's options this router reads and sets (`onRoute`). */
export interface FastifyRouteOptions {
  readonly method: string | string[];
  readonly url: string;
  readonly handler: Function;
  /** Fastify's router tries another route for a request that does not meet them (a version, say). */
  readonly constraints?: Readonly<Record<string, unknown>>;
  config?: Record<PropertyKey, unknown>;
}

/** Where a Fastify route's config carries its handlers (Fastify copies the config into the route's context). */
const ROUTE_CANDIDATES = Symbol('nestjs-cors:route-candidates');
/** In a route's config copy: the requests Nest's adapter lets the route's handler serve ({@link RouteParamsGate}). */
const ROUTE_PARAMS_GATE = Symbol('nestjs-cors:route-params-gate');

interface FastifyRequestLike {
  readonly routeOptions: {
    readonly config?: {
      readonly [ROUTE_CANDIDATES]?: readonly RouteCandidate[];
      readonly [ROUTE_PARAMS_GATE]?: RouteParamsGate;
    };
  };
  readonly params?: Readonly<Record<string, unknown>>;
}

/**
 * Fastify: its router has matched an actual request's route before the
 * early layer runs, so the route itself names the policy: `onRoute` gives
 * each route's config a copy with the route's candidates under a symbol
 * (a new object: the config Nest built from `@RouteConfig()` is not changed).
 * Preflights announce another method than their own and need a lookup of
 * that method: a second router with Fastify's options, fed by `onRoute`.
 */
export class FastifyRequestRouter implements RequestRouter {
  private table: FastifyRouteTable;
  private builder?: RouteTableBuilder<FastifyRouteTable>;
  private pending?: { readonly method: string; readonly candidate: RouteCandidate; readonly gate: RouteParamsGate };
  private readonly emptyParamsFindNoHandler: boolean;
  private readonly paramsMatchers?: RouteParamsMatchers;
  private readonly hostname: RequestHostname;
  /** Whether the HEAD routes Fastify adds for GET routes go in the preflight table ({@link onRoute}). */
  private readonly exposedHeadsInTable: boolean;

  /**
   * `unrouted` is the candidate routes get when they answer exactly as a
   * request no route serves (`CorsPolicyRegistry.candidateFor`): a route
   * that carries it needs no config of its own, since `actual()` gives a
   * route without candidates that answer.
   */
  constructor(
    options: FastifyRouterOptions & {
      readonly exposeHeadRoutes?: boolean;
      /** Nest's adapter answers a route reached through an empty parameter with its not-found handler. */
      readonly emptyParamsFindNoHandler?: boolean;
      /** The matchers Nest's adapter gives some routes with parameters (`routeParamsMatchers()`). */
      readonly paramsMatchers?: RouteParamsMatchers;
      /** The hostname Nest's host filter reads from Fastify's request (`request.hostname`); by default the `Host` header's. */
      readonly hostname?: RequestHostname;
      /**
       * Some handler declares HEAD routes of its own (`@Head()`, `@All()`):
       * the HEAD routes Fastify adds for GET routes then go in the table too,
       * since find-my-way picks among both kinds (a literal GET route's HEAD
       * before an `@All()` parameter route).
       */
      readonly declaresHeadRoutes?: boolean;
    },
    private readonly unrouted?: RouteCandidate,
  ) {
    const headFromGet = options.exposeHeadRoutes !== false;
    this.exposedHeadsInTable = headFromGet && options.declaresHeadRoutes === true;
    this.emptyParamsFindNoHandler = options.emptyParamsFindNoHandler === true;
    this.paramsMatchers = options.paramsMatchers;
    this.hostname = options.hostname ?? hostnameFromHeader;
    this.builder = new RouteTableBuilder(
      () => new FastifyRouteTable(options, headFromGet, this.emptyParamsFindNoHandler),
      unrouted,
    );
    this.table = this.builder.current;
  }

  /**
   * Nest is registering a route of this candidate under `path`: the
   * `onRoute` calls that follow are its routes, and the adapter gates its
   * handler by `path` (`route-params-gate.ts`).
   */
  add(method: string, path: string, candidate: RouteCandidate): void {
    // A route answering as requests no route serves answers so whether its handler serves the request or not.
    const gate = candidate === this.unrouted ? false : gateOf(path, this.emptyParamsFindNoHandler, this.paramsMatchers);
    this.pending = { method, candidate, gate };
  }

  /** Nest's registration call returned. */
  settle(): void {
    this.pending = undefined;
  }

  seal(): void {
    this.pending = undefined;
    if (this.builder !== undefined) this.table = this.builder.finish();
    this.builder = undefined;
    this.table.seal();
  }

  /**
   * Fastify's `onRoute` hook: a route as Fastify holds it — Nest's, or the
   * HEAD route Fastify adds for a GET, within the same registration call.
   * That HEAD route is not put in the preflight table (the table answers HEAD
   * from GET instead): a third fewer entries, and a smaller heap; unless
   * handlers declare HEAD routes of their own, which the HEAD route of a GET
   * route may take precedence over.
   */
  onRoute(route: FastifyRouteOptions): void {
    const pending = this.pending;
    if (pending === undefined) return;
    const { candidate, gate } = pending;
    // Copying the config was half of this hook's boot work per route.
    if (candidate !== this.unrouted) route.config = routeConfigWith(route.config, candidate.alone, gate);
    if (route.method === 'HEAD' && pending.method === 'get' && !this.exposedHeadsInTable) return;
    const table = this.builder ?? this.table;
    // The table finds routes through empty parameters itself (emptyParamsFindNoHandler); only matchers go in.
    const matcher = typeof gate === 'function' ? gate : undefined;
    const constraints = constraintsOf(route);
    const condition: RouteCondition | undefined =
      matcher === undefined && constraints === undefined ? undefined : { matcher, constraints };
    if (!Array.isArray(route.method)) return table.add(route.method, route.url, candidate, condition);
    for (const method of route.method) table.add(method, route.url, candidate, condition);
  }

  actual(request: unknown): readonly RouteCandidate[] {
    const fastifyRequest = request as FastifyRequestLike;
    const config = fastifyRequest.routeOptions.config;
    const found = config?.[ROUTE_CANDIDATES];
    if (found === undefined) return NO_ROUTES;
    // Through an empty parameter, say: Nest's adapter calls the not-found handler, no route handler serves it.
    const gate = config![ROUTE_PARAMS_GATE]!;
    if (gate !== false && !passesGate(gate, request, fastifyRequest.params)) return NO_ROUTES;
    return servingHost(found, request, this.hostname);
  }

  preflight(request: unknown, raw: IncomingMessage, method: string): readonly RouteCandidate[] {
    return servingHost(this.table.lookup(method, raw.url ?? '/', request), request, this.hostname);
  }
}

/**
 * A route's constraints, if it has any (`@RouteConstraints()`; Nest gives a
 * versioned handler's route its version, unless URI versioning is on).
 */
function constraintsOf(route: FastifyRouteOptions): RouteConstraintSummary | undefined {
  const constraints = route.constraints;
  if (constraints === undefined || constraints === null) return undefined;
  let count = 0;
  let host: string | RegExp | undefined;
  let untold = false;
  for (const name in constraints) {
    const value = constraints[name];
    if (value === undefined) continue;
    count++;
    if (name === 'host' && typeof value === 'string') host = value;
    // As find-my-way keeps it: without the flags that make `test()` keep state.
    else if (name === 'host' && value instanceof RegExp)
      host = new RegExp(value.source, value.flags.replace(/[gy]/g, ''));
    else untold = true;
  }
  return count === 0 ? undefined : { count, host, untold };
}

/**
 * A new route config: the route's own entries and the candidates under the
 * symbol. Without a prototype, for V8's sake: Fastify copies every route's
 * config (`{ ...config, url, method }`), and the copy of an ordinary
 * non-empty object gets a hidden class of its own, one per route (thousands
 * in a large app, which slows property access in the whole process; see
 * bench/findings.md), while copies of this one share a class. The object is
 * only read at boot, by `onRoute` hooks; requests see Fastify's copy, an
 * ordinary object.
 */
function routeConfigWith(
  config: Record<PropertyKey, unknown> | undefined,
  candidates: readonly RouteCandidate[],
  gate: RouteParamsGate,
): Record<PropertyKey, unknown> {
  const copy = Object.assign(Object.create(null) as Record<PropertyKey, unknown>, config);
  copy[ROUTE_CANDIDATES] = candidates;
  // Set on every copy, `false` too: copies with the same keys share a hidden class.
  copy[ROUTE_PARAMS_GATE] = gate;
  return copy;
}

/**
 * The candidates bound to no host or to this request's host, as Nest's host
 * filter reads it (`readHostname`). That filter answers other hosts with an
 * error, not with the route: those get the policy of requests no route serves.
 */
function servingHost(
  candidates: readonly RouteCandidate[],
  request: unknown,
  readHostname: RequestHostname,
): readonly RouteCandidate[] {
  // The common case (one handler, bound to no host) without a callback per request.
  if (candidates.length === 1 && candidates[0].hosts === undefined) return candidates;
  if (candidates.every((candidate) => candidate.hosts === undefined)) return candidates;
  const hostname = readHostname(request);
  const serving = candidates.filter(
    (candidate) => candidate.hosts === undefined || servesHost(candidate.hosts, hostname),
  );
  return serving.length === candidates.length ? candidates : serving;
}
