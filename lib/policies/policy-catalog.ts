import { CorsConfigurationError } from '../cors-configuration.error.js';
import { compilePolicy, disabledPolicy, type CompiledPolicy } from '../engine/compiled-policy.js';
import type { OriginAnswerCache } from '../engine/origin-answer-cache.js';
import { DEFAULT_ASYNC_ORIGIN_SETTINGS, type AsyncOriginSettings } from '../engine/origin-matcher.js';
import { POLICY_FIELDS } from '../engine/policy-fields.js';
import { mergePolicyLayers, type PolicyLayer } from '../engine/policy-merger.js';
import { ProblemList, validateMergedPolicy, validatePolicyFields } from '../engine/policy-validator.js';
import type { CorsModuleOptions } from '../interfaces/cors-module-options.interface.js';
import type { CorsPolicy, CorsPolicyReference } from '../interfaces/cors-policy.interface.js';

/** Options of `forRoot()` that are not policy fields. */
const MODULE_OPTION_KEYS: ReadonlySet<string> = new Set([
  'policies',
  'paths',
  'debug',
  'asyncOrigin',
  'report',
  'allowOtherCorsLayers',
]);

/** Where {@link PolicyCatalog.compileShared} finds the problems that belong to each handler. */
const SHARED_LOCATION = '\u0000handlers';

/** What a `@Cors()` argument (or a `paths` entry) resolves to: fields to merge, off, or nothing. */
export type ResolvedReference = PolicyLayer | false | undefined;

/**
 * The module options, validated and compiled once: the module defaults, the
 * named policies, and the way every `@Cors()` argument becomes a compiled
 * policy (merged over the defaults, validated, compiled). Problems are
 * collected, never thrown one by one: {@link PolicyCatalog.throwIfInvalid}
 * throws them all at once, so one restart fixes every mistake.
 */
export class PolicyCatalog {
  readonly problems = new ProblemList();
  readonly defaults: CompiledPolicy;
  readonly asyncOrigin: AsyncOriginSettings;
  private readonly defaultsLayer: PolicyLayer;
  private readonly named: ReadonlyMap<string, CorsPolicy>;

  constructor(
    options: CorsModuleOptions | undefined,
    onAsyncFailure: (origin: string, reason: string) => void,
    /** Where asynchronous origin answers are kept (`CorsOriginCache`, shared by every compiled matcher). */
    cache?: OriginAnswerCache,
  ) {
    const all = (options ?? {}) as CorsModuleOptions;
    validatePolicyFields(all, 'module options', this.problems, MODULE_OPTION_KEYS);
    this.defaultsLayer = { label: 'module options', fields: pickPolicy(all) };
    const defaultsMerged = mergePolicyLayers([this.defaultsLayer]);
    validateMergedPolicy(defaultsMerged, 'module options', this.problems);
    for (const key of ['debug', 'report', 'allowOtherCorsLayers'] as const) {
      const value = all[key] as unknown;
      if (value !== undefined && typeof value !== 'boolean') {
        this.problems.add('module options', key, `must be true or false; got ${JSON.stringify(value)}`);
      }
    }
    this.asyncOrigin = { ...checkAsyncOrigin(all.asyncOrigin, this.problems, onAsyncFailure), cache };
    this.named = this.checkNamedPolicies(all.policies);
    this.defaults = compilePolicy(defaultsMerged, 'module options', this.asyncOrigin);
  }

  /** Throws one {@link CorsConfigurationError} listing every problem found so far. */
  throwIfInvalid(): void {
    if (this.problems.items.length > 0) throw new CorsConfigurationError(this.problems.items);
  }

  /**
   * Reads a `@Cors()` argument (or a `paths` value, `field: 'policy'`)
   * declared at `location`: a policy name, fields, `false`.
   */
  resolve(reference: unknown, location: string, field = '@Cors'): ResolvedReference {
    if (reference === undefined || reference === false) return reference;
    if (typeof reference === 'string') {
      const policy = this.named.get(reference);
      if (policy) return { label: `policy "${reference}"`, fields: policy };
      const known = [...this.named.keys()];
      this.problems.add(
        location,
        field,
        `unknown policy "${reference}"; ${known.length ? `declared policies: ${known.map((k) => `"${k}"`).join(', ')}` : 'no policies are declared in CorsModule options'}`,
      );
      return undefined;
    }
    validatePolicyFields(reference, location, this.problems);
    if (reference && typeof reference === 'object' && !Array.isArray(reference)) {
      return { label: location, fields: reference as CorsPolicyReference & CorsPolicy };
    }
    return undefined;
  }

  /**
   * Whether this level leaves every field to the module defaults (no
   * `@Cors()`, or `@Cors()` / `@Cors({})` with nothing set): a handler under
   * it (and levels like it) answers every request exactly as the defaults do.
   */
  setsNothing(layer: ResolvedReference): boolean {
    if (layer === undefined) return true;
    if (layer === false) return false;
    // A loop, not a callback per field: this runs for every controller and handler at boot.
    for (const field of POLICY_FIELDS) if (layer.fields[field] !== undefined) return false;
    return true;
  }

  /**
   * The compiled policy of a handler (or a gateway, or a path): the route
   * level over the class level over the module defaults. `false` at the most
   * specific level that says anything turns CORS off.
   */
  compile(classLayer: ResolvedReference, routeLayer: ResolvedReference, label: string): CompiledPolicy {
    if (routeLayer === false || (routeLayer === undefined && classLayer === false)) {
      return disabledPolicy(label);
    }
    const layers = [this.defaultsLayer];
    if (classLayer) layers.push(classLayer);
    if (routeLayer) layers.push(routeLayer);
    const merged = mergePolicyLayers(layers);
    validateMergedPolicy(merged, label, this.problems);
    return compilePolicy(merged, label, this.asyncOrigin);
  }

  /**
   * {@link PolicyCatalog.compile} for the handlers of one class that have no
   * `@Cors()` of their own (`labels`): they share one merged policy, so it is
   * merged, validated and compiled once, and each problem found is reported
   * for every one of them, exactly as compiling them one by one would.
   * A class level that sets nothing gets the module defaults' own compiled
   * policy: nothing to merge, and every problem it could have is the module
   * options' (located there already).
   */
  compileShared(classLayer: ResolvedReference, labels: readonly string[], label: string): CompiledPolicy {
    if (classLayer === false) return disabledPolicy(label);
    if (this.setsNothing(classLayer)) return this.defaults;
    const layers = [this.defaultsLayer];
    if (classLayer) layers.push(classLayer);
    const merged = mergePolicyLayers(layers);
    // Problems of the merge itself are located at the handler; the others at the layer that set the field.
    const found = new ProblemList();
    validateMergedPolicy(merged, SHARED_LOCATION, found);
    const each = (location: string, report: (at: string) => void) => {
      if (location === SHARED_LOCATION) labels.forEach(report);
      else report(location);
    };
    for (const { location, field, message } of found.items)
      each(location, (at) => this.problems.add(at, field, message));
    for (const { location, field, message } of found.warnings) {
      each(location, (at) => this.problems.warn(at, field, message));
    }
    return compilePolicy(merged, label, this.asyncOrigin);
  }

  private checkNamedPolicies(policies: unknown): ReadonlyMap<string, CorsPolicy> {
    const named = new Map<string, CorsPolicy>();
    if (policies === undefined) return named;
    if (policies === null || typeof policies !== 'object' || Array.isArray(policies)) {
      this.problems.add('module options', 'policies', 'must be an object mapping policy names to policies');
      return named;
    }
    for (const [name, policy] of Object.entries(policies as Record<string, unknown>)) {
      const label = `policy "${name}"`;
      validatePolicyFields(policy, label, this.problems);
      if (policy && typeof policy === 'object') {
        named.set(name, policy as CorsPolicy);
        validateMergedPolicy(
          mergePolicyLayers([this.defaultsLayer, { label, fields: policy as CorsPolicy }]),
          label,
          this.problems,
        );
      }
    }
    return named;
  }
}

function pickPolicy(options: CorsModuleOptions): CorsPolicy {
  const policy: Record<string, unknown> = { ...options };
  for (const key of MODULE_OPTION_KEYS) delete policy[key];
  return policy as CorsPolicy;
}

function checkAsyncOrigin(
  settings: unknown,
  problems: ProblemList,
  onFailure: (origin: string, reason: string) => void,
): AsyncOriginSettings {
  const defaults = DEFAULT_ASYNC_ORIGIN_SETTINGS;
  if (settings === undefined) return { ...defaults, onFailure };
  if (settings === null || typeof settings !== 'object') {
    problems.add('module options', 'asyncOrigin', 'must be an object { timeoutMs, cacheTtlMs, cacheSize }');
    return { ...defaults, onFailure };
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
