import { DEFAULT_METHODS, DEFAULT_OPTIONS_SUCCESS_STATUS } from '../cors.constants.js';
import type { CorsOriginFunction } from '../interfaces/cors-policy.interface.js';
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
 * Compiles a merged policy that has passed validation. A policy that allows
 * no origin at all compiles to a disabled one: it could never add a header.
 */
export function compilePolicy(
  merged: MergedPolicy,
  label: string,
  asyncOrigin: AsyncOriginSettings = DEFAULT_ASYNC_ORIGIN_SETTINGS,
): CompiledPolicy {
  const { fields } = merged;
  const origin = checkOriginField(fields.origin, label, new ProblemList());
  const origins = compileOriginMatcher(
    origin.specs,
    origin.regexps,
    origin.predicate as CorsOriginFunction | undefined,
    asyncOrigin,
  );
  if (origins.none) {
    return disabledPolicy(label, merged);
  }
  const credentials = fields.credentials === true;
  const methodList =
    fields.methods === undefined ? [...DEFAULT_METHODS] : toNameList(fields.methods).map(normalizeMethod);
  const anyMethod = methodList.includes('*');
  const allowedHeaderList = fields.allowedHeaders === undefined ? undefined : toNameList(fields.allowedHeaders);
  const exposedHeaderList = toNameList(fields.exposedHeaders);
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
    methods: new Set(methodList.filter((method) => method !== '*')),
    allowMethodsValue: methodList.join(', '),
    requestHeaders: Object.freeze({
      anyWellFormed: allowedHeaderList === undefined,
      wildcard: allowedHeaderList?.includes('*') ?? false,
      names: new Set((allowedHeaderList ?? []).map((name) => name.toLowerCase())),
    }),
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
