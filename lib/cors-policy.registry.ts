import { Inject, Injectable, Logger, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { MODULE_OPTIONS_TOKEN } from './cors.module-definition.js';
import { CORS_METADATA, CORS_ROUTE_METADATA_PREFIX } from './cors.constants.js';
import { CorsConfigurationError } from './cors-configuration.error.js';
import { reportRoute, type CorsRouteReport } from './cors-policy.report.js';
import { compilePolicy, disabledPolicy, type CompiledPolicy } from './engine/compiled-policy.js';
import { DEFAULT_ASYNC_ORIGIN_SETTINGS, type AsyncOriginSettings } from './engine/origin-matcher.js';
import { mergePolicyLayers, type PolicyLayer } from './engine/policy-merger.js';
import { ProblemList, validateMergedPolicy, validatePolicyFields } from './engine/policy-validator.js';
import type { CorsModuleOptions } from './interfaces/cors-module-options.interface.js';
import type { CorsPolicy, CorsPolicyReference } from './interfaces/cors-policy.interface.js';
import { declaresVersion, setsVaryHeader, takesResponse } from './routing/handler-enhancers.js';
import { compileHostPatterns, RouteTable, type RouteMatchingOptions } from './routing/route-table.js';

/** Nest's own metadata keys (`@nestjs/common` constants; their values are stable across 11 and 12). */
const NEST_PATH_METADATA = 'path';
const NEST_METHOD_METADATA = 'method';
const NEST_HOST_METADATA = 'host';

const MODULE_OPTION_KEYS: ReadonlySet<string> = new Set([
  'policies',
  'debug',
  'asyncOrigin',
  'report',
  'allowOtherCorsLayers',
]);

/** A controller method that serves routes, with its compiled policy. */
export interface CorsRouteEntry {
  readonly controller: Type;
  readonly methodName: string;
  /** `UsersController.create`. */
  readonly label: string;
  readonly policy: CompiledPolicy;
  readonly hosts?: readonly RegExp[];
  /** The guard has a job here: `rejectDisallowedOrigins`, or handlers that may share a route (hosts, versions). */
  readonly needsGuard: boolean;
  /** The interceptor has a job here: the handler may overwrite `Vary` (`@Header('Vary')`, `@Res()`). */
  readonly needsInterceptor: boolean;
  /** Request-scoped controllers read their enhancers per request, not once at registration. */
  readonly requestScoped: boolean;
}

/** What a request without `Origin` needs, decided once for the whole app. */
export const enum NoOriginWork {
  /** No policy is enabled: nothing to write. */
  None,
  /** Every enabled policy depends on `Origin`: add `Vary: Origin`, no lookup. */
  VaryOnly,
  /** Some policy answers `*`: look the route up. */
  Lookup,
}

/**
 * Every CORS policy of the application, compiled once at bootstrap: the
 * module defaults, each handler's merged policy (by controller and method) and
 * the route table that maps a request to it. Injectable, read-only after boot.
 */
@Injectable()
export class CorsPolicyRegistry {
  private readonly byHandler = new Map<Function, Map<Function, CorsRouteEntry>>();
  private readonly entries: CorsRouteEntry[] = [];
  private readonly registered: Array<{ method: string; path: string; entry: CorsRouteEntry }> = [];
  private routeTable?: RouteTable;
  private metadataKey?: string;
  private _defaults: CompiledPolicy = disabledPolicy('module options');
  private asyncOrigin: AsyncOriginSettings = DEFAULT_ASYNC_ORIGIN_SETTINGS;
  private readonly logger = new Logger('CorsModule');
  private _noOriginWork = NoOriginWork.None;
  private defaultsList: readonly CompiledPolicy[] = [this._defaults];

  constructor(
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: CorsModuleOptions,
    private readonly discovery: DiscoveryService,
    private readonly metadataScanner: MetadataScanner,
    private readonly modulesContainer: ModulesContainer,
  ) {}

  /** The policy of requests no controller route matches. */
  get defaults(): CompiledPolicy {
    return this._defaults;
  }

  get noOriginWork(): NoOriginWork {
    return this._noOriginWork;
  }

  get debug(): boolean {
    return this.options?.debug === true;
  }

  /** Whether the app may start next to another CORS layer (see `CorsModuleOptions.allowOtherCorsLayers`). */
  get allowOtherCorsLayers(): boolean {
    return this.options?.allowOtherCorsLayers === true;
  }

  /** Whether the policy report is printed at boot. */
  get printReport(): boolean {
    return this.options?.report === true;
  }

  /** Every route handler and its compiled policy. */
  get routes(): readonly CorsRouteEntry[] {
    return this.entries;
  }

  /** Number of (method, path) pairs the route table holds. */
  get routeCount(): number {
    return this.routeTable?.routeCount ?? 0;
  }

  /**
   * Validates and compiles every policy: module options, named policies and
   * each controller method's `@Cors()` chain. Throws one
   * {@link CorsConfigurationError} listing every problem.
   */
  compile(): void {
    const problems = new ProblemList();
    const options = (this.options ?? {}) as CorsModuleOptions;
    validatePolicyFields(options, 'module options', problems, MODULE_OPTION_KEYS);
    const defaultsLayer: PolicyLayer = { label: 'module options', fields: pickPolicy(options) };
    const defaultsMerged = mergePolicyLayers([defaultsLayer]);
    validateMergedPolicy(defaultsMerged, 'module options', problems);

    const policies = this.checkNamedPolicies(options.policies, defaultsLayer, problems);
    this.asyncOrigin = this.checkAsyncOrigin(options.asyncOrigin, problems);
    const resolve = (reference: unknown, location: string): PolicyLayer | false | undefined =>
      resolveReference(reference, location, policies, problems);

    this.metadataKey = CORS_ROUTE_METADATA_PREFIX + this.modulesContainer.applicationId;
    const compiled: CorsRouteEntry[] = [];
    const seen = new Set<Function>();
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Type | undefined;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const classLayer = resolve(Reflect.getMetadata(CORS_METADATA, controller), controller.name);
      const host = Reflect.getMetadata(NEST_HOST_METADATA, controller) as
        Parameters<typeof compileHostPatterns>[0] | undefined;
      const hosts = host === undefined ? undefined : compileHostPatterns(host);
      for (const methodName of this.metadataScanner.getAllMethodNames(controller.prototype)) {
        const method = controller.prototype[methodName] as Function;
        if (
          Reflect.getMetadata(NEST_METHOD_METADATA, method) === undefined ||
          Reflect.getMetadata(NEST_PATH_METADATA, method) === undefined
        ) {
          continue;
        }
        const label = `${controller.name}.${methodName}`;
        const routeLayer = resolve(Reflect.getMetadata(CORS_METADATA, method), label);
        const policy = this.policyFor(defaultsLayer, classLayer, routeLayer, label, problems);
        compiled.push({
          controller,
          methodName,
          label,
          policy,
          hosts,
          needsGuard: policy.rejectDisallowedOrigins || hosts !== undefined,
          needsInterceptor:
            policy.enabled && policy.varyOnOrigin && (setsVaryHeader(method) || takesResponse(controller, methodName)),
          requestScoped: !wrapper.isDependencyTreeStatic(),
        });
      }
    }
    if (problems.items.length > 0) {
      throw new CorsConfigurationError(problems.items);
    }
    for (const entry of versionedSiblings(compiled)) {
      (entry as { needsGuard: boolean }).needsGuard = true;
    }
    this._defaults = compilePolicy(defaultsMerged, 'module options', this.asyncOrigin);
    this.defaultsList = [this._defaults];
    for (const entry of compiled) this.register(entry);
    this._noOriginWork = noOriginWorkFor([this._defaults, ...compiled.map((entry) => entry.policy)]);
  }

  private checkAsyncOrigin(settings: unknown, problems: ProblemList): AsyncOriginSettings {
    const defaults = DEFAULT_ASYNC_ORIGIN_SETTINGS;
    const onFailure = (origin: string, reason: string) =>
      this.logger.warn(`The origin function ${reason} for ${JSON.stringify(origin.slice(0, 200))}: request refused.`);
    if (settings === undefined) return { ...defaults, onFailure };
    if (settings === null || typeof settings !== 'object') {
      problems.add('module options', 'asyncOrigin', 'must be an object { timeoutMs, cacheTtlMs, cacheSize }');
      return defaults;
    }
    const read = (key: 'timeoutMs' | 'cacheTtlMs' | 'cacheSize', min: number): number => {
      const value = (settings as Record<string, unknown>)[key];
      if (value === undefined) return defaults[key];
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
        problems.add(
          'module options',
          `asyncOrigin.${key}`,
          `must be an integer of at least ${min}; got ${String(value)}`,
        );
        return defaults[key];
      }
      return value;
    };
    return {
      timeoutMs: read('timeoutMs', 1),
      cacheTtlMs: read('cacheTtlMs', 0),
      cacheSize: read('cacheSize', 1),
      onFailure,
    };
  }

  private checkNamedPolicies(
    policies: unknown,
    defaultsLayer: PolicyLayer,
    problems: ProblemList,
  ): ReadonlyMap<string, CorsPolicy> {
    const named = new Map<string, CorsPolicy>();
    if (policies === undefined) return named;
    if (policies === null || typeof policies !== 'object' || Array.isArray(policies)) {
      problems.add('module options', 'policies', 'must be an object mapping policy names to policies');
      return named;
    }
    for (const [name, policy] of Object.entries(policies as Record<string, unknown>)) {
      const label = `policy "${name}"`;
      validatePolicyFields(policy, label, problems);
      if (policy && typeof policy === 'object') {
        named.set(name, policy as CorsPolicy);
        validateMergedPolicy(
          mergePolicyLayers([defaultsLayer, { label, fields: policy as CorsPolicy }]),
          label,
          problems,
        );
      }
    }
    return named;
  }

  private policyFor(
    defaults: PolicyLayer,
    classLayer: PolicyLayer | false | undefined,
    routeLayer: PolicyLayer | false | undefined,
    label: string,
    problems: ProblemList,
  ): CompiledPolicy {
    if (routeLayer === false || (routeLayer === undefined && classLayer === false)) {
      return disabledPolicy(label);
    }
    const layers = [defaults];
    if (classLayer) layers.push(classLayer);
    if (routeLayer) layers.push(routeLayer);
    const merged = mergePolicyLayers(layers);
    validateMergedPolicy(merged, label, problems);
    return compilePolicy(merged, label, this.asyncOrigin);
  }

  private register(entry: CorsRouteEntry): void {
    const handler = entry.controller.prototype[entry.methodName] as Function;
    let handlers = this.byHandler.get(entry.controller);
    if (!handlers) this.byHandler.set(entry.controller, (handlers = new Map()));
    handlers.set(handler, entry);
    this.entries.push(entry);
    // Nest copies the metadata of the controller method to the function it
    // registers on the router: that is how recordRoute() finds the entry.
    const key = this.metadataKey!;
    const shared = (Reflect.getMetadata(key, handler) as CorsRouteEntry[] | undefined) ?? [];
    Reflect.defineMetadata(key, [...shared, entry], handler);
  }

  /** Starts the route table; routes are then added by {@link recordRoute}. */
  startRouteTable(matching: RouteMatchingOptions, syntax: 'path-to-regexp' | 'find-my-way'): void {
    this.routeTable = new RouteTable(matching, syntax);
  }

  /**
   * Adds one route Nest registered on the adapter. Returns `false` for
   * functions that are not this app's controller handlers.
   */
  recordRoute(adapterMethod: string, path: string, handler: Function): boolean {
    const entries = this.metadataKey
      ? (Reflect.getMetadata(this.metadataKey, handler) as CorsRouteEntry[] | undefined)
      : undefined;
    if (!entries || !this.routeTable) return false;
    const entry = entries.length === 1 ? entries[0] : (entries.find((e) => e.label === handler.name) ?? entries[0]);
    const method = adapterMethod.toUpperCase();
    this.routeTable.add(method, path, { policy: entry.policy, hosts: entry.hosts });
    this.registered.push({ method, path, entry });
    return true;
  }

  /**
   * The effective policy of every route: method, full path, origins,
   * credentials, methods, headers, and which level set each field. The last
   * row is the module defaults, which govern paths no controller serves.
   */
  report(): CorsRouteReport[] {
    return [
      ...this.registered.map(({ method, path, entry }) => reportRoute(method, path, entry.label, entry.policy)),
      reportRoute('*', '(no route)', 'module options', this._defaults),
    ];
  }

  finishRouteTable(): void {
    this.routeTable?.build();
  }

  /** Removes the metadata this app put on controller methods (apps built from the same classes stay apart). */
  release(): void {
    if (!this.metadataKey) return;
    for (const entry of this.entries) {
      Reflect.deleteMetadata(this.metadataKey, entry.controller.prototype[entry.methodName]);
    }
  }

  /** The policy of an exact handler, as the guard and interceptor see it. */
  policyForHandler(controller: Function, handler: Function): CompiledPolicy | undefined {
    return this.byHandler.get(controller)?.get(handler)?.policy;
  }

  /** The policy that governs `method url` (a route's, or the module defaults). */
  resolve(method: string, url: string, host: string | undefined): CompiledPolicy {
    return this.routeTable?.resolve(method, url, host) ?? this._defaults;
  }

  /** The policies a preflight for `method url` may be judged by (one, but for header-versioned routes). */
  resolvePreflight(method: string, url: string, host: string | undefined): readonly CompiledPolicy[] {
    return this.routeTable?.resolveAll(method, url, host) ?? this.defaultsList;
  }
}

function pickPolicy(options: CorsModuleOptions): CorsPolicy {
  const { policies: _policies, debug: _debug, asyncOrigin: _asyncOrigin, report: _report, ...policy } = options;
  return policy;
}

function resolveReference(
  reference: unknown,
  location: string,
  policies: ReadonlyMap<string, CorsPolicy>,
  problems: ProblemList,
): PolicyLayer | false | undefined {
  if (reference === undefined || reference === false) {
    return reference;
  }
  if (typeof reference === 'string') {
    const policy = policies.get(reference);
    if (!policy) {
      const known = [...policies.keys()];
      problems.add(
        location,
        '@Cors',
        `unknown policy "${reference}"; ${known.length ? `declared policies: ${known.map((k) => `"${k}"`).join(', ')}` : 'no policies are declared in CorsModule options'}`,
      );
      return undefined;
    }
    return { label: `policy "${reference}"`, fields: policy };
  }
  validatePolicyFields(reference, location, problems);
  if (reference && typeof reference === 'object' && !Array.isArray(reference)) {
    return { label: location, fields: reference as CorsPolicyReference & CorsPolicy };
  }
  return undefined;
}

/**
 * Versioned handlers that share a method and path with another versioned
 * handler: under header, media-type or custom versioning they serve the same
 * route, which only the guard can tell apart (URI versions never collide).
 */
function versionedSiblings(entries: readonly CorsRouteEntry[]): CorsRouteEntry[] {
  const byRoute = new Map<string, CorsRouteEntry[]>();
  for (const entry of entries) {
    const handler = entry.controller.prototype[entry.methodName] as Function;
    if (!declaresVersion(entry.controller, handler)) continue;
    const controllerPaths = [Reflect.getMetadata(NEST_PATH_METADATA, entry.controller) ?? ''].flat();
    const methodPaths = [Reflect.getMetadata(NEST_PATH_METADATA, handler)].flat();
    const method = Reflect.getMetadata(NEST_METHOD_METADATA, handler) as number;
    for (const controllerPath of controllerPaths) {
      for (const methodPath of methodPaths) {
        const key = `${method} ${String(controllerPath).replace(/^\/|\/$/g, '')}/${String(methodPath).replace(/^\/|\/$/g, '')}`;
        byRoute.set(key, [...(byRoute.get(key) ?? []), entry]);
      }
    }
  }
  return [...new Set([...byRoute.values()].filter((group) => group.length > 1).flat())];
}

function noOriginWorkFor(policies: readonly CompiledPolicy[]): NoOriginWork {
  if (policies.some((policy) => policy.enabled && policy.wildcardOrigin)) return NoOriginWork.Lookup;
  if (policies.some((policy) => policy.enabled)) return NoOriginWork.VaryOnly;
  return NoOriginWork.None;
}
