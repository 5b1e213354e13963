import { Inject, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { MODULE_OPTIONS_TOKEN } from './cors.module-definition.js';
import { CorsOriginCache } from './cors-origin-cache.service.js';
import { formatProblem } from './engine/policy-validator.js';
import { reportRoute, type CorsRouteReport } from './cors-policy.report.js';
import type { CompiledPolicy } from './engine/compiled-policy.js';
import type { CorsModuleOptions } from './interfaces/cors-module-options.interface.js';
import { discoverPolicies } from './policies/handler-discovery.js';
import type { HandlerEntry } from './policies/handler-entry.interface.js';
import { PolicyCatalog } from './policies/policy-catalog.js';
import { checkPathPattern, PathPolicyTable } from './routing/path-policy-table.js';
import { routeCandidate, type RouteCandidate } from './routing/route-candidate.js';

/** What a request without `Origin` needs, decided once for the whole app. */
export const enum NoOriginWork {
  /** No policy is enabled: nothing to write. */
  None,
  /** Every enabled policy depends on `Origin`: add `Vary: Origin`, no lookup. */
  VaryOnly,
  /** Some policy answers `*`: look the route up. */
  Lookup,
}

/** A route as the report lists it. */
interface ReportedRoute {
  readonly method: string;
  readonly path: string;
  readonly label: string;
  readonly policy: CompiledPolicy;
}

/**
 * Every CORS policy of the application, compiled once at boot and read-only
 * afterwards: the module defaults, each handler's policy, `paths` policies
 * and gateway policies. Injectable: `report()` lists the effective policy of
 * every route (the same table `report: true` prints at boot).
 */
@Injectable()
export class CorsPolicyRegistry {
  private readonly logger = new Logger('CorsModule');
  private catalog?: PolicyCatalog;
  private handlerEntries: readonly HandlerEntry[] = [];
  /** Handler functions that one controller class alone serves (the usual case): one map lookup. */
  private readonly byFunction = new Map<Function, HandlerEntry>();
  /** Handler functions several controller classes serve (inherited from a base class): by function, then class. */
  private readonly byInheritedFunction = new Map<Function, Map<Function, HandlerEntry>>();
  private classes: ReadonlyMap<Function, CompiledPolicy> = new Map();
  private readonly paths = new PathPolicyTable();
  private readonly reported: ReportedRoute[] = [];
  private isGateway?: (target: Function) => boolean;
  private noOrigin = NoOriginWork.None;
  private defaultsCandidate?: RouteCandidate;
  private oneAnswer?: readonly RouteCandidate[];
  private guardIdle = false;
  private recordLater?: () => void;

  constructor(
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: CorsModuleOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly originCache: CorsOriginCache,
  ) {}

  /**
   * Validates and compiles every policy: module options, named policies,
   * `paths`, each handler's `@Cors()` chain and gateway classes. Throws one
   * `CorsConfigurationError` listing every problem. Runs once.
   * @internal
   */
  compile(): void {
    if (this.catalog) return;
    const catalog = new PolicyCatalog(
      this.options,
      (origin, reason) =>
        this.logger.warn(`The origin function ${reason} for ${JSON.stringify(origin.slice(0, 200))}: request refused.`),
      this.originCache,
    );
    const found = discoverPolicies(this.discovery, this.scanner, catalog, this.isGateway);
    this.compilePaths(catalog);
    for (const warning of catalog.problems.warnings) this.logger.warn(formatProblem(warning));
    catalog.throwIfInvalid();
    for (const warning of found.warnings) this.logger.warn(warning);
    this.catalog = catalog;
    this.handlerEntries = found.handlers;
    this.classes = found.classes;
    this.indexHandlers(found.handlers);
    this.defaultsCandidate = routeCandidate(catalog.defaults, 'module options');
    // Debug explanations name the handler: they keep the lookup.
    const uniform =
      this.paths.size === 0 &&
      !this.debug &&
      found.handlers.every((entry) => entry.equivalentPolicy === catalog.defaults);
    this.oneAnswer = uniform ? this.defaultsCandidate.alone : undefined;
    this.guardIdle =
      uniform &&
      !(catalog.defaults.enabled && catalog.defaults.rejectDisallowedOrigins) &&
      !found.handlers.some((entry) => entry.mayOverwriteVary);
    this.noOrigin = noOriginWorkFor([
      catalog.defaults,
      ...found.handlers.map((entry) => entry.policy),
      ...this.reported.map((route) => route.policy),
    ]);
  }

  private indexHandlers(entries: readonly HandlerEntry[]): void {
    for (const entry of entries) {
      const inherited = this.byInheritedFunction.get(entry.handler);
      if (inherited !== undefined) {
        inherited.set(entry.controller, entry);
        continue;
      }
      const first = this.byFunction.get(entry.handler);
      if (first === undefined) {
        this.byFunction.set(entry.handler, entry);
        continue;
      }
      this.byFunction.delete(entry.handler);
      this.byInheritedFunction.set(
        entry.handler,
        new Map([
          [first.controller, first],
          [entry.controller, entry],
        ]),
      );
    }
  }

  private compilePaths(catalog: PolicyCatalog): void {
    const paths = this.options?.paths as unknown;
    if (paths === undefined) return;
    if (paths === null || typeof paths !== 'object' || Array.isArray(paths)) {
      catalog.problems.add('module options', 'paths', 'must be an object mapping path patterns to policies');
      return;
    }
    for (const [pattern, reference] of Object.entries(paths as Record<string, unknown>)) {
      const label = `paths["${pattern}"]`;
      const problem = checkPathPattern(pattern);
      if (problem) {
        catalog.problems.add('module options', label, problem);
        continue;
      }
      const policy = catalog.compile(undefined, catalog.resolve(reference, label, 'policy'), label);
      const same = this.paths.add(pattern, routeCandidate(policy, label));
      if (same !== undefined) {
        catalog.problems.add(
          'module options',
          label,
          `is the same path as paths["${same}"] (paths are matched case-insensitively, %XX decoded)`,
        );
        continue;
      }
      this.reported.push({ method: '*', path: pattern, label, policy });
    }
  }

  private get compiled(): PolicyCatalog {
    if (!this.catalog) throw new Error('nestjs-cors: policies are read before CorsModule compiled them');
    return this.catalog;
  }

  /**
   * The policy of requests no controller route and no `paths` pattern serves.
   * @internal
   */
  get defaults(): CompiledPolicy {
    return this.compiled.defaults;
  }

  /**
   * The module defaults as a route candidate.
   * @internal
   */
  get defaultsRoute(): RouteCandidate {
    return this.defaultsCandidate!;
  }

  /**
   * The module defaults as the only candidate, when every handler answers as
   * the defaults do (no handler's `@Cors()` sets a field, no `paths`): the
   * early layer then needs no route lookup, since every route and every
   * unrouted request gets the same answer. `undefined` otherwise.
   * @internal
   */
  get uniformRoutes(): readonly RouteCandidate[] | undefined {
    return this.oneAnswer;
  }

  /**
   * Whether the global guard has nothing to check: every handler answers as
   * the module defaults (`uniformRoutes`), none may overwrite `Vary`, and the
   * defaults answer no refused origin with 403. The early layer's answer
   * then stands for every request.
   * @internal
   */
  get guardHasNoWork(): boolean {
    return this.guardIdle;
  }

  /**
   * What a request without `Origin` needs.
   * @internal
   */
  get noOriginWork(): NoOriginWork {
    return this.noOrigin;
  }

  /** @internal */
  get debug(): boolean {
    return this.options?.debug === true;
  }

  /**
   * Whether the policy report is printed at boot.
   * @internal
   */
  get printReport(): boolean {
    return this.options?.report === true;
  }

  /**
   * `allowOtherCorsLayers`: another CORS layer may run next to the module (which then repairs its answers).
   * @internal
   */
  get allowOtherCorsLayers(): boolean {
    return this.options?.allowOtherCorsLayers === true;
  }

  /**
   * Every controller method that serves routes, with its policy.
   * @internal
   */
  get handlers(): readonly HandlerEntry[] {
    return this.handlerEntries;
  }

  /**
   * The entry of the exact handler Nest runs (guard): one map lookup, two
   * for a handler function several controller classes inherit.
   * @internal
   */
  entryFor(controller: Function, handler: Function): HandlerEntry | undefined {
    const entry = this.byFunction.get(handler);
    if (entry !== undefined) return entry.controller === controller ? entry : undefined;
    return this.byInheritedFunction.get(handler)?.get(controller);
  }

  /**
   * The candidate the route tables hold for a route of `entry`: the module
   * defaults' own candidate (shared by every such route) when the route
   * answers exactly as a request no route serves would — its handler answers
   * as the defaults, it is bound to no host, it always serves, there are no
   * `paths` and no debug lines that name handlers; else one of its own.
   * @internal
   */
  candidateFor(entry: HandlerEntry, conditional: boolean): RouteCandidate {
    if (!conditional && this.paths.size === 0 && !this.debug && this.answersAsDefaults(entry)) {
      return this.defaultsCandidate!;
    }
    return routeCandidate(entry.policy, entry.label, { hosts: entry.hosts, conditional });
  }

  /** Its handler answers as the defaults and it is bound to no host (what `candidateFor` asks of the entry). */
  private answersAsDefaults(entry: HandlerEntry): boolean {
    return entry.equivalentPolicy === this.compiled.defaults && entry.hosts === undefined;
  }

  /**
   * For the route recorder: whether a route of an entry may get another
   * candidate than the module defaults' own (`candidateFor`, version
   * filters aside), so that it must be identified; `undefined` when every
   * route gets one of its own (`paths`, `debug`).
   * @internal
   */
  get routesToIdentify(): ((entry: HandlerEntry) => boolean) | undefined {
    if (this.paths.size > 0 || this.debug) return undefined;
    return (entry) => !this.answersAsDefaults(entry);
  }

  /**
   * The `paths` policy of a URL no controller route serves, else the module defaults.
   * @internal
   */
  unroutedPolicy(url: string): RouteCandidate {
    return this.paths.lookup(url) ?? this.defaultsCandidate!;
  }

  /**
   * Adds a route Nest registered, for the report.
   * @internal
   */
  recordRoute(method: string, path: string, entry: HandlerEntry): void {
    this.reported.push({ method: reportedMethod(method), path, label: entry.label, policy: entry.policy });
  }

  /**
   * The routes are recorded for the report only when it is first asked for:
   * `record` adds them then (through `recordRoute`).
   * @internal
   */
  recordRoutesOnDemand(record: () => void): void {
    this.recordLater = record;
  }

  /**
   * The effective policy of every route: method, full path, origins,
   * credentials, methods, headers, and which level set each field; then the
   * `paths` patterns; the last row is the module defaults, which govern
   * every other path.
   */
  report(): CorsRouteReport[] {
    const record = this.recordLater;
    this.recordLater = undefined;
    record?.();
    const routes = this.reported.filter((route) => route.method !== '*');
    const paths = this.reported.filter((route) => route.method === '*');
    return [
      ...routes.map(({ method, path, label, policy }) => reportRoute(method, path, label, policy)),
      ...paths.map(({ path, label, policy }) => reportRoute('*', path, label, policy)),
      reportRoute('*', '(no route)', 'module options', this.compiled.defaults),
    ];
  }

  /**
   * Used by the CORS WebSocket adapters (`nestjs-cors/websockets`) before
   * `app.init()`: classes for which `isGateway` is true get a class policy.
   * @internal
   */
  handleGateways(isGateway: (target: Function) => boolean): void {
    this.isGateway = isGateway;
  }

  /**
   * The policy of a gateway class: its `@Cors()` merged over the module
   * defaults (validated at boot with the same errors as controllers), or the
   * module defaults when it has none. Compiles the policies first if boot
   * has not yet.
   * @internal
   */
  policyForClass(target: Function): CompiledPolicy {
    this.compile();
    return this.classes.get(target) ?? this.compiled.defaults;
  }
}

/** Upper-case method names, one string each however many routes the report lists. */
const REPORTED_METHODS = new Map<string, string>();

function reportedMethod(adapterMethod: string): string {
  let name = REPORTED_METHODS.get(adapterMethod);
  if (name === undefined) REPORTED_METHODS.set(adapterMethod, (name = adapterMethod.toUpperCase()));
  return name;
}

function noOriginWorkFor(policies: readonly CompiledPolicy[]): NoOriginWork {
  if (policies.some((policy) => policy.enabled && policy.wildcardOrigin)) return NoOriginWork.Lookup;
  if (policies.some((policy) => policy.enabled)) return NoOriginWork.VaryOnly;
  return NoOriginWork.None;
}
