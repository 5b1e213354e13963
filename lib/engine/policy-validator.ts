import { FORBIDDEN_METHODS, isForbiddenRequestHeader, isForbiddenResponseHeader, isToken } from './header-syntax.js';
import { classifyOriginEntry, isLoopbackHost, type OriginSpec } from './origin-syntax.js';
import { POLICY_FIELD_SET, toNameList, type PolicyField } from './policy-fields.js';
import type { MergedPolicy } from './policy-merger.js';

/** One thing wrong with a policy: where it was declared, which field, and why. */
export interface PolicyProblem {
  readonly location: string;
  readonly field: string;
  readonly message: string;
}

/** Collects problems, once each, in the order found. */
export class ProblemList {
  private readonly seen = new Set<string>();
  readonly items: PolicyProblem[] = [];

  add(location: string, field: string, message: string): void {
    const key = `${location}\u0000${field}\u0000${message}`;
    if (!this.seen.has(key)) {
      this.seen.add(key);
      this.items.push({ location, field, message });
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

/** Reads the `origin` field; reports malformed entries under `location`. */
export function checkOriginField(origin: unknown, location: string, problems: ProblemList): CheckedOrigin {
  const checked: CheckedOrigin = { specs: [], regexps: [] };
  if (origin === undefined) {
    return checked;
  }
  if (typeof origin === 'function') {
    return { ...checked, predicate: origin as CheckedOrigin['predicate'] };
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
      problems.add(location, key, `is not a CORS policy field (known fields: ${[...POLICY_FIELD_SET].join(', ')})`);
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
  if (fields.credentials !== true && !fields.allowPrivateNetwork) {
    return;
  }
  const silent = new ProblemList();
  const origin = checkOriginField(fields.origin, fallback, silent);
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
