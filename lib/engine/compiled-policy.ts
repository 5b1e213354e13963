import { LRUCache } from 'lru-cache';
import {
  DEFAULT_METHODS,
  DEFAULT_OPTIONS_SUCCESS_STATUS,
  REQUEST_HEADERS_ANSWERS_MAX_ENTRIES,
} from '../cors.constants.js';
import type { CorsOriginFunction } from '../interfaces/cors-policy.interface.js';
import type { RequestedHeadersAnswer } from './cors-decision.js';
import { normalizeMethod, type RequestedHeaderRule } from './header-syntax.js';
import {
  compileOriginMatcher,
  DEFAULT_ASYNC_ORIGIN_SETTINGS,
  type AsyncOriginSettings,
  type OriginMatcher,
} from './origin-matcher.js';
import { toNameList } from './policy-fields.js';
import type { MergedPolicy } from './policy-merger.js';
import { checkOriginField, ProblemList } from './policy-validator.js';

/**
 * A policy ready for the request path: every header value pre-joined, every
 * set built, nothing left to merge or parse per request. Frozen.
 */
export interface CompiledPolicy {
  readonly enabled: boolean;
  /** Where the policy applies: `UsersController.create`, `module options`, … */
  readonly label: string;
  readonly merged: MergedPolicy;
  readonly origins: OriginMatcher;
  /** Answer `Access-Control-Allow-Origin: *` instead of the request's origin. */
  readonly wildcardOrigin: boolean;
  /** The answer depends on `Origin`, so every response needs `Vary: Origin`. */
  readonly varyOnOrigin: boolean;
  readonly credentials: boolean;
  readonly anyMethod: boolean;
  readonly methods: ReadonlySet<string>;
  readonly allowMethodsValue: string;
  readonly requestHeaders: RequestedHeaderRule;
  /**
   * The answers to the `Access-Control-Request-Headers` values seen under
   * {@link requestHeaders}, most recently used kept (shared by the policies
   * that share the rule; see `requestedHeadersAnswer()`).
   */
  readonly requestHeadersAnswers: LRUCache<string, RequestedHeadersAnswer>;
  /** Configured `Access-Control-Allow-Headers`; `undefined` echoes the requested names. */
  readonly allowHeadersValue: string | undefined;
  readonly exposeHeadersValue: string | undefined;
  readonly maxAgeValue: string | undefined;
  readonly optionsSuccessStatus: number;
  readonly preflightContinue: boolean;
  readonly allowPrivateNetwork: boolean;
  readonly rejectDisallowedOrigins: boolean;
  /** `Vary` of a preflight answer: the request headers the answer depends on. */
  readonly preflightVary: string;
}

const EMPTY_MERGED: MergedPolicy = { fields: {}, sources: {}, ranks: {} };
const NO_HEADERS: RequestedHeaderRule = { anyWellFormed: false, wildcard: false, names: new Set() };

function headerAnswers(): LRUCache<string, RequestedHeadersAnswer> {
  return new LRUCache({ max: REQUEST_HEADERS_ANSWERS_MAX_ENTRIES });
}

const NO_HEADERS_ANSWERS = headerAnswers();

/** The policy of a handler (or a whole app) with CORS turned off. */
export function disabledPolicy(label: string, merged: MergedPolicy = EMPTY_MERGED): CompiledPolicy {
  return Object.freeze({
    enabled: false,
    label,
    merged,
    origins: compileOriginMatcher([], [], undefined),
    wildcardOrigin: false,
    varyOnOrigin: false,
    credentials: false,
    anyMethod: false,
    methods: new Set<string>(),
    allowMethodsValue: '',
    requestHeaders: NO_HEADERS,
    requestHeadersAnswers: NO_HEADERS_ANSWERS,
    allowHeadersValue: undefined,
    exposeHeadersValue: undefined,
    maxAgeValue: undefined,
    optionsSuccessStatus: DEFAULT_OPTIONS_SUCCESS_STATUS,
    preflightContinue: false,
    allowPrivateNetwork: false,
    rejectDisallowedOrigins: false,
    preflightVary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  });
}

/**
 * Compiled parts shared by the policies built from the same field value: an
 * origin list that 1,000 handlers inherit is compiled into one matcher, not
 * 1,000 (each held a few KiB, and a bigger heap slows every request down).
 * Keyed by the value itself: lists by identity, in a WeakMap that never
 * holds on to them.
 */
class SharedParts<T> {
  private readonly byObject = new WeakMap<object, T>();
  private readonly byPrimitive = new Map<unknown, T>();

  get(key: unknown, make: () => T): T {
    const byObject = (typeof key === 'object' && key !== null) || typeof key === 'function';
    let part = byObject ? this.byObject.get(key as object) : this.byPrimitive.get(key);
    if (part === undefined) {
      part = make();
      if (byObject) this.byObject.set(key as object, part);
      else this.byPrimitive.set(key, part);
    }
    return part;
  }
}

const sharedMatchers = new SharedParts<OriginMatcher>();
const sharedMethods = new SharedParts<{ list: string[]; set: ReadonlySet<string>; value: string }>();
const sharedHeaderRules = new SharedParts<{
  rule: RequestedHeaderRule;
  answers: LRUCache<string, RequestedHeadersAnswer>;
}>();

/**
 * Compiles a merged policy that has passed validation. A policy that allows
 * no origin at all compiles to a disabled one: it could never add a header.
 */
export function compilePolicy(
  merged: MergedPolicy,
  label: string,
  asyncOrigin: AsyncOriginSettings = DEFAULT_ASYNC_ORIGIN_SETTINGS,
): CompiledPolicy {
  const { fields } = merged;
  const compileOrigins = (): OriginMatcher => {
    const origin = checkOriginField(fields.origin, label, new ProblemList());
    return compileOriginMatcher(
      origin.specs,
      origin.regexps,
      origin.predicate as CorsOriginFunction | undefined,
      asyncOrigin,
    );
  };
  // A predicate's matcher depends on the asyncOrigin settings too: compiled per policy.
  const origins =
    typeof fields.origin === 'function' ? compileOrigins() : sharedMatchers.get(fields.origin, compileOrigins);
  if (origins.none) {
    return disabledPolicy(label, merged);
  }
  const credentials = fields.credentials === true;
  const methods = sharedMethods.get(fields.methods, () => {
    const list = fields.methods === undefined ? [...DEFAULT_METHODS] : toNameList(fields.methods).map(normalizeMethod);
    return { list, set: new Set(list.filter((method) => method !== '*')), value: list.join(', ') };
  });
  const methodList = methods.list;
  const anyMethod = methodList.includes('*');
  const allowedHeaderList = fields.allowedHeaders === undefined ? undefined : toNameList(fields.allowedHeaders);
  const exposedHeaderList = toNameList(fields.exposedHeaders);
  // Keyed by the names, not the list: equal lists written out per route share one rule and one store of answers.
  const allowedHeaderNames = allowedHeaderList?.map((name) => name.toLowerCase());
  const headerRule = sharedHeaderRules.get(allowedHeaderNames?.join(','), () => ({
    rule: Object.freeze({
      anyWellFormed: allowedHeaderNames === undefined,
      wildcard: allowedHeaderNames?.includes('*') ?? false,
      names: new Set(allowedHeaderNames),
    }),
    answers: headerAnswers(),
  }));
  const wildcardOrigin = origins.any && !credentials;
  const allowPrivateNetwork = fields.allowPrivateNetwork === true;
  const requestVary = allowPrivateNetwork
    ? 'Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network'
    : 'Access-Control-Request-Method, Access-Control-Request-Headers';
  return Object.freeze({
    enabled: true,
    label,
    merged,
    origins,
    wildcardOrigin,
    varyOnOrigin: !wildcardOrigin,
    credentials,
    anyMethod,
    methods: methods.set,
    allowMethodsValue: methods.value,
    requestHeaders: headerRule.rule,
    requestHeadersAnswers: headerRule.answers,
    allowHeadersValue: allowedHeaderList === undefined ? undefined : allowedHeaderList.join(', '),
    exposeHeadersValue: exposedHeaderList.length > 0 ? exposedHeaderList.join(', ') : undefined,
    maxAgeValue: fields.maxAge === undefined ? undefined : String(fields.maxAge),
    optionsSuccessStatus: fields.optionsSuccessStatus ?? DEFAULT_OPTIONS_SUCCESS_STATUS,
    preflightContinue: fields.preflightContinue === true,
    allowPrivateNetwork,
    rejectDisallowedOrigins: fields.rejectDisallowedOrigins === true,
    preflightVary: wildcardOrigin ? requestVary : `Origin, ${requestVary}`,
  });
}
