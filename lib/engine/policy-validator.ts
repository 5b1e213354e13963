import { hintForUnknownField } from './field-hints.js';
import { FORBIDDEN_METHODS, isForbiddenRequestHeader, isForbiddenResponseHeader, isToken } from './header-syntax.js';
import { originFunctionStyle } from './origin-function-style.js';
import { classifyOriginEntry, isLoopbackHost, type OriginSpec } from './origin-syntax.js';
import { POLICY_FIELDS, POLICY_FIELD_SET, toNameList, type PolicyField } from './policy-fields.js';
import type { MergedPolicy } from './policy-merger.js';

/** One thing wrong with (or worth a warning about) a policy: where it was declared, which field, and why. */
export interface PolicyProblem {
  readonly location: string;
  readonly field: string;
  readonly message: string;
}

/** One line of a problem or warning, as the boot error and the boot warnings print it. */
export function formatProblem(problem: PolicyProblem): string {
  return `${problem.location} › ${problem.field}: ${problem.message}`;
}

/** Most seconds any browser keeps a preflight (Firefox); a larger `maxAge` is refused. */
export const MAX_AGE_LIMIT = 86_400;
/** Most seconds Chromium keeps a preflight; a larger `maxAge` is warned about. */
export const CHROMIUM_MAX_AGE_LIMIT = 7_200;

/**
 * Collects problems (the app must not start) and warnings (it starts, but
 * the policy probably does not do what its author thinks), once each, in the
 * order found. The registry throws the problems as one
 * `CorsConfigurationError` and logs each warning through Nest's `Logger`.
 */
export class ProblemList {
  private readonly seen = new Set<string>();
  readonly items: PolicyProblem[] = [];
  readonly warnings: PolicyProblem[] = [];

  add(location: string, field: string, message: string): void {
    this.push(this.items, 'problem', location, field, message);
  }

  warn(location: string, field: string, message: string): void {
    this.push(this.warnings, 'warning', location, field, message);
  }

  private push(list: PolicyProblem[], kind: string, location: string, field: string, message: string): void {
    const key = `${kind}\u0000${location}\u0000${field}\u0000${message}`;
    if (!this.seen.has(key)) {
      this.seen.add(key);
      list.push({ location, field, message });
    }
  }
}

/** The origin field, split into checked entries, regexps and an optional predicate. */
export interface CheckedOrigin {
  readonly specs: OriginSpec[];
  readonly regexps: RegExp[];
  readonly predicate?: (...args: never[]) => unknown;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
}

/** Whether a RegExp source has a `|` outside any group or class, which leaves a branch unanchored. */
function hasTopLevelAlternation(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (c === '|' && depth === 0) {
      return true;
    }
  }
  return false;
}

/** `origin: true` of `cors` / `enableCors()`: reflect any origin. */
export const ORIGIN_TRUE_PROBLEM =
  "true reflects any origin (the cors package's meaning), which lets any site read these responses, " +
  "with your users' cookies when credentials are allowed; write the list of origins, " +
  "e.g. origin: ['https://app.example.com'], or '*' without credentials";

/** `origin: false` of `cors` / `enableCors()`: CORS off. */
export const ORIGIN_FALSE_PROBLEM =
  'false turns CORS off in the cors package; here leave origin unset (no origin is allowed) ' +
  'or write @Cors(false) on the controller or handler';

/** An origin function in the `cors` package's callback form. */
export const CALLBACK_ORIGIN_PROBLEM =
  "is a callback-style function (origin, callback) => callback(null, allowed), the cors package's form, " +
  'which this module never calls back; return the answer instead: (origin) => allowed, or ' +
  'async (origin) => allowed for a lookup (the second argument here is the request: (origin, request) => boolean)';

function unreadableOriginFunction(fn: Function): string {
  return (
    `${fn.name ? `"${fn.name}"` : 'the function'} takes two parameters and its source cannot be read (a bound ` +
    "or native function), so it cannot be told from the cors package's callback form (origin, callback); it is " +
    'called as (origin, request) => boolean: if its second parameter is a callback, return the answer instead'
  );
}

/** Reads the `origin` field; reports malformed entries under `location`. */
export function checkOriginField(origin: unknown, location: string, problems: ProblemList): CheckedOrigin {
  const checked: CheckedOrigin = { specs: [], regexps: [] };
  if (origin === undefined) {
    return checked;
  }
  if (typeof origin === 'function') {
    const style = originFunctionStyle(origin);
    if (style === 'callback') {
      problems.add(location, 'origin', CALLBACK_ORIGIN_PROBLEM);
      return checked;
    }
    if (style === 'unknown') {
      problems.warn(location, 'origin', unreadableOriginFunction(origin));
    }
    return { ...checked, predicate: origin as CheckedOrigin['predicate'] };
  }
  if (origin === true) {
    problems.add(location, 'origin', ORIGIN_TRUE_PROBLEM);
    return checked;
  }
  if (origin === false) {
    problems.add(location, 'origin', ORIGIN_FALSE_PROBLEM);
    return checked;
  }
  const entries = Array.isArray(origin) ? origin : [origin];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      const result = classifyOriginEntry(entry);
      if ('spec' in result) checked.specs.push(result.spec);
      else problems.add(location, 'origin', result.problem);
    } else if (entry instanceof RegExp) {
      if (
        !entry.source.startsWith('^') ||
        !entry.source.endsWith('$') ||
        entry.source.endsWith('\\$') ||
        hasTopLevelAlternation(entry.source)
      ) {
        problems.add(
          location,
          'origin',
          `${String(entry)} must be anchored with ^ and $ around every alternative (^(?:a|b)$), or it also ` +
            `matches origins that merely contain it (e.g. "https://example.com.evil.net")`,
        );
      } else {
        checked.regexps.push(entry);
      }
    } else {
      problems.add(
        location,
        'origin',
        `must be a string, a RegExp, an array of those, or a function (origin, request) => boolean; got ${describeType(entry)}`,
      );
    }
  }
  return checked;
}

function checkNameListField(
  value: unknown,
  field: 'methods' | 'allowedHeaders' | 'exposedHeaders',
  location: string,
  problems: ProblemList,
): void {
  if (value === undefined) return;
  const isList = typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
  if (!isList) {
    problems.add(location, field, `must be a string or an array of strings; got ${describeType(value)}`);
    return;
  }
  const names = toNameList(value as string | string[]);
  for (const name of names) {
    if (name === '*') continue;
    if (!isToken(name)) {
      problems.add(location, field, `"${name}" is not a valid ${field === 'methods' ? 'method' : 'header name'}`);
      continue;
    }
    const lower = name.toLowerCase();
    if (field === 'methods' && FORBIDDEN_METHODS.has(name.toUpperCase())) {
      problems.add(location, field, `"${name}" is a forbidden method: browsers never send it`);
    } else if (field === 'allowedHeaders' && isForbiddenRequestHeader(lower)) {
      problems.add(
        location,
        field,
        `"${name}" is a forbidden request header: scripts cannot set it, so allowing it means nothing`,
      );
    } else if (field === 'exposedHeaders' && isForbiddenResponseHeader(lower)) {
      problems.add(location, field, `"${name}" can never be exposed to scripts`);
    }
  }
}

const BOOLEAN_FIELDS: readonly PolicyField[] = [
  'credentials',
  'preflightContinue',
  'allowPrivateNetwork',
  'rejectDisallowedOrigins',
  'rejectMissingOrigin',
  'dangerouslyAllowInsecureOriginsWithCredentials',
];

/**
 * Checks the syntax of every field one level declares. `extraKeys` are keys
 * that belong to the container (module options) rather than to the policy.
 */
export function validatePolicyFields(
  policy: unknown,
  location: string,
  problems: ProblemList,
  extraKeys: ReadonlySet<string> = new Set(),
): void {
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    problems.add(location, '(policy)', `must be an object of policy fields; got ${describeType(policy)}`);
    return;
  }
  const fields = policy as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!POLICY_FIELD_SET.has(key) && !extraKeys.has(key)) {
      const known = [...POLICY_FIELDS, ...extraKeys];
      const hint = hintForUnknownField(key, known);
      problems.add(
        location,
        key,
        hint === undefined
          ? `is not a CORS policy field (known fields: ${known.join(', ')})`
          : `is not a CORS policy field; ${hint}`,
      );
    }
  }
  checkOriginField(fields.origin, location, problems);
  checkNameListField(fields.methods, 'methods', location, problems);
  checkNameListField(fields.allowedHeaders, 'allowedHeaders', location, problems);
  checkNameListField(fields.exposedHeaders, 'exposedHeaders', location, problems);
  for (const field of BOOLEAN_FIELDS) {
    if (fields[field] !== undefined && typeof fields[field] !== 'boolean') {
      problems.add(location, field, `must be true or false; got ${describeType(fields[field])}`);
    }
  }
  const maxAge = fields.maxAge;
  if (maxAge !== undefined && !(typeof maxAge === 'number' && Number.isSafeInteger(maxAge) && maxAge >= 0)) {
    problems.add(location, 'maxAge', `must be a non-negative integer number of seconds; got ${describeType(maxAge)}`);
  } else if (typeof maxAge === 'number' && maxAge > MAX_AGE_LIMIT) {
    problems.add(
      location,
      'maxAge',
      `${maxAge} is more than ${MAX_AGE_LIMIT} seconds (24 hours), the longest any browser keeps a preflight ` +
        `(Firefox's cap; Chromium's is ${CHROMIUM_MAX_AGE_LIMIT}): write at most ${MAX_AGE_LIMIT}`,
    );
  } else if (typeof maxAge === 'number' && maxAge > CHROMIUM_MAX_AGE_LIMIT) {
    problems.warn(
      location,
      'maxAge',
      `${maxAge} seconds: Chromium caps Access-Control-Max-Age at ${CHROMIUM_MAX_AGE_LIMIT} (2 hours) and sends ` +
        `the preflight again after that; Firefox keeps it up to ${MAX_AGE_LIMIT}`,
    );
  }
  const status = fields.optionsSuccessStatus;
  if (
    status !== undefined &&
    !(typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 299)
  ) {
    problems.add(location, 'optionsSuccessStatus', `must be an integer from 200 to 299; got ${describeType(status)}`);
  }
}

/** Where a problem that involves several fields is reported: the most specific level among them. */
function locate(merged: MergedPolicy, fields: readonly PolicyField[], fallback: string): string {
  let best: PolicyField | undefined;
  for (const field of fields) {
    const rank = merged.ranks[field];
    if (rank !== undefined && (best === undefined || rank > (merged.ranks[best] ?? -1))) {
      best = field;
    }
  }
  return best ? (merged.sources[best] ?? fallback) : fallback;
}

function fromWhere(merged: MergedPolicy, field: PolicyField): string {
  return merged.sources[field] ? ` (${field} from ${merged.sources[field]})` : '';
}

/**
 * Checks rules that span fields of a merged policy (credentials with
 * wildcards or insecure origins, private network with `*`). Each problem is
 * reported at the most specific level that set one of the fields involved,
 * and names where the other came from.
 */
export function validateMergedPolicy(merged: MergedPolicy, fallback: string, problems: ProblemList): void {
  const { fields } = merged;
  const silent = new ProblemList();
  const origin = checkOriginField(fields.origin, fallback, silent);
  checkPublicSuffixPatterns(merged, origin.specs, fallback, problems);
  if (fields.credentials === true) {
    if (origin.specs.some((spec) => spec.kind === 'any')) {
      problems.add(
        locate(merged, ['origin', 'credentials'], fallback),
        'origin',
        `"*" cannot be combined with credentials: browsers refuse it. List the origins that may send credentials` +
          fromWhere(merged, 'origin') +
          fromWhere(merged, 'credentials'),
      );
    }
    for (const field of ['methods', 'allowedHeaders', 'exposedHeaders'] as const) {
      if (toNameList(fields[field] as string | string[] | undefined).includes('*')) {
        problems.add(
          locate(merged, [field, 'credentials'], fallback),
          field,
          `"*" is a literal name, not a wildcard, when credentials are allowed; list the names` +
            fromWhere(merged, field) +
            fromWhere(merged, 'credentials'),
        );
      }
    }
    if (!fields.dangerouslyAllowInsecureOriginsWithCredentials) {
      for (const spec of origin.specs) {
        const insecure = insecureOrigin(spec);
        if (insecure) {
          problems.add(
            locate(merged, ['origin', 'credentials'], fallback),
            'origin',
            `${insecure} with credentials lets third parties read credentialed responses; ` +
              `remove it, or set dangerouslyAllowInsecureOriginsWithCredentials: true` +
              fromWhere(merged, 'origin') +
              fromWhere(merged, 'credentials'),
          );
        }
      }
    }
  }
  if (fields.allowPrivateNetwork && origin.specs.some((spec) => spec.kind === 'any')) {
    problems.add(
      locate(merged, ['origin', 'allowPrivateNetwork'], fallback),
      'allowPrivateNetwork',
      `private network access needs explicit origins, not "*"` + fromWhere(merged, 'origin'),
    );
  }
}

/**
 * Subdomain patterns over a public suffix (`https://*.github.io`): anyone can
 * register a matching subdomain. Refused with credentials (a stranger's page
 * would read your users' data with their cookies), warned about without.
 */
function checkPublicSuffixPatterns(
  merged: MergedPolicy,
  specs: readonly OriginSpec[],
  fallback: string,
  problems: ProblemList,
): void {
  for (const spec of specs) {
    if (spec.kind !== 'subdomains' || !spec.publicSuffix) continue;
    const pattern = `"${spec.scheme}://*.${spec.base}${spec.port ? `:${spec.port}` : ''}"`;
    const example = `"${spec.scheme}://your-app.${spec.base}${spec.port && spec.port !== '*' ? `:${spec.port}` : ''}"`;
    const why = `"${spec.base}" is a public suffix (Public Suffix List), so anyone can register a subdomain under it`;
    const fix = `List the exact origins instead, e.g. ${example}`;
    if (merged.fields.credentials === true) {
      problems.add(
        locate(merged, ['origin', 'credentials'], fallback),
        'origin',
        `${pattern} with credentials: ${why} and read your users' data with their cookies. ${fix}` +
          fromWhere(merged, 'origin') +
          fromWhere(merged, 'credentials'),
      );
    } else {
      problems.warn(
        locate(merged, ['origin'], fallback),
        'origin',
        `${pattern}: ${why} and read these responses. ${fix} (with credentials this pattern is refused)` +
          fromWhere(merged, 'origin'),
      );
    }
  }
}

function insecureOrigin(spec: OriginSpec): string | undefined {
  switch (spec.kind) {
    case 'null':
      return '"null" (sent by sandboxed iframes and file: pages)';
    case 'exact':
      return spec.parsed.scheme === 'http' && !isLoopbackHost(spec.parsed.host)
        ? `"${spec.origin}" (plain http)`
        : undefined;
    case 'subdomains':
      return spec.scheme === 'http' && !isLoopbackHost(spec.base) ? `"http://*.${spec.base}" (plain http)` : undefined;
    case 'any-port':
      return spec.scheme === 'http' && !isLoopbackHost(spec.host) ? `"http://${spec.host}:*" (plain http)` : undefined;
    default:
      return undefined;
  }
}
