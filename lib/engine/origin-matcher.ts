import type { IncomingMessage } from 'node:http';
import type { CorsOriginFunction } from '../interfaces/cors-policy.interface.js';
import { OriginAnswerCache, type OriginAnswerStore } from './origin-answer-cache.js';
import { parseSerializedOrigin, type OriginSpec } from './origin-syntax.js';

interface SubdomainRule {
  readonly scheme: string;
  readonly port: string;
}

/** An origin check compiled once: a `Set` for exact origins, maps for patterns. */
export interface OriginMatcher {
  /** `'*'`: every origin, answered with `Access-Control-Allow-Origin: *`. */
  readonly any: boolean;
  /** No origin can ever match (no `origin` set at any level). */
  readonly none: boolean;
  /** `true`, `false`, or a promise when the policy's origin function is asynchronous. */
  matches(origin: string, request: IncomingMessage): boolean | Promise<boolean>;
  /** What the matcher allows, for logs and reports. */
  describe(): string[];
}

/** How asynchronous origin predicates (say, a database lookup) are called. */
export interface AsyncOriginSettings {
  /** A predicate that has not settled after this many milliseconds refuses the request. */
  readonly timeoutMs: number;
  /** How long an answer is reused for the same origin; 0 calls the predicate every time. */
  readonly cacheTtlMs: number;
  /** Most origins remembered; the least recently used are dropped, so a flood of origins cannot grow memory. */
  readonly cacheSize: number;
  /** Told when a predicate throws, rejects, times out or answers something else than a boolean (the request is refused). */
  readonly onFailure?: (origin: string, reason: string) => void;
  /**
   * Where the answers are kept, shared by every matcher compiled with these
   * settings, so that `forget(origin)` / `clear()` reach all of them (the
   * injectable `CorsOriginCache`). Unset: each predicate gets a private store.
   */
  readonly cache?: OriginAnswerCache;
}

export const DEFAULT_ASYNC_ORIGIN_SETTINGS: AsyncOriginSettings = Object.freeze({
  timeoutMs: 2000,
  cacheTtlMs: 60_000,
  cacheSize: 1000,
});

/** Compiles checked origin entries (and an optional predicate) into a matcher. */
export function compileOriginMatcher(
  specs: readonly OriginSpec[],
  regexps: readonly RegExp[],
  predicate: CorsOriginFunction | undefined,
  asyncSettings: AsyncOriginSettings = DEFAULT_ASYNC_ORIGIN_SETTINGS,
): OriginMatcher {
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  const subdomains = new Map<string, SubdomainRule[]>();
  let any = false;
  const described: string[] = [];
  for (const spec of specs) {
    switch (spec.kind) {
      case 'any':
        any = true;
        described.push('*');
        break;
      case 'null':
        exact.add('null');
        described.push('null');
        break;
      case 'exact':
        exact.add(spec.origin);
        described.push(spec.origin);
        break;
      case 'any-port':
        anyPort.add(`${spec.scheme}://${spec.host}`);
        described.push(`${spec.scheme}://${spec.host}:*`);
        break;
      case 'subdomains': {
        const rules = subdomains.get(spec.base) ?? [];
        rules.push({ scheme: spec.scheme, port: spec.port });
        subdomains.set(spec.base, rules);
        described.push(`${spec.scheme}://*.${spec.base}${spec.port ? `:${spec.port}` : ''}`);
        break;
      }
    }
  }
  for (const regexp of regexps) described.push(String(regexp));
  if (predicate) described.push(`${predicate.name || 'anonymous'}()`);
  // Stateless copies (no g/y: test() would alternate), wrapped so every alternative stays anchored.
  const frozenRegexps = regexps.map((r) => new RegExp(`^(?:${r.source})$`, r.flags.replace(/[gy]/g, '')));
  const needsParse = anyPort.size > 0 || subdomains.size > 0;
  const callPredicate = predicate ? sharedPredicateCaller(predicate, asyncSettings) : undefined;

  function matchesPattern(origin: string): boolean {
    const parsed = parseSerializedOrigin(origin);
    if (!parsed) {
      return false;
    }
    if (anyPort.size > 0 && anyPort.has(`${parsed.scheme}://${parsed.host}`)) {
      return true;
    }
    if (subdomains.size > 0) {
      // One map lookup per label of the request's host, never a scan over the patterns.
      const host = parsed.host;
      for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
        const rules = subdomains.get(host.slice(dot + 1));
        if (rules) {
          for (const rule of rules) {
            if (rule.scheme === parsed.scheme && (rule.port === '*' || rule.port === parsed.port)) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  function matchesRegexpOrPredicate(origin: string, request: IncomingMessage): boolean | Promise<boolean> {
    if (frozenRegexps.length > 0 || callPredicate) {
      // Only a value that is exactly one serialized origin reaches user code.
      if (!parseSerializedOrigin(origin)) {
        return false;
      }
      for (const regexp of frozenRegexps) {
        if (regexp.test(origin)) return true;
      }
      if (callPredicate) {
        return callPredicate(origin, request);
      }
    }
    return false;
  }

  return {
    any,
    none: !any && exact.size === 0 && !needsParse && frozenRegexps.length === 0 && !predicate,
    matches(origin, request) {
      if (any || exact.has(origin)) {
        return true;
      }
      if (needsParse && matchesPattern(origin)) {
        return true;
      }
      return matchesRegexpOrPredicate(origin, request);
    },
    describe: () => described,
  };
}

type PredicateCaller = (origin: string, request: IncomingMessage) => boolean | Promise<boolean>;

/** One caller (hence one cache) per predicate and settings, shared by every route that uses the predicate. */
const callers = new WeakMap<AsyncOriginSettings, WeakMap<CorsOriginFunction, PredicateCaller>>();

function sharedPredicateCaller(predicate: CorsOriginFunction, settings: AsyncOriginSettings): PredicateCaller {
  let bySettings = callers.get(settings);
  if (!bySettings) callers.set(settings, (bySettings = new WeakMap()));
  let caller = bySettings.get(predicate);
  if (!caller) bySettings.set(predicate, (caller = predicateCaller(predicate, settings)));
  return caller;
}

/**
 * Calls a user predicate safely: a throw is a refusal, a non-boolean is a
 * refusal. Asynchronous answers are raced against the timeout and kept in a
 * bounded LRU cache per origin (the pending promise too, so concurrent
 * requests from one origin make one call). Failures are not cached.
 */
function predicateCaller(predicate: CorsOriginFunction, settings: AsyncOriginSettings): PredicateCaller {
  const cache: OriginAnswerStore | undefined =
    settings.cacheTtlMs > 0
      ? (settings.cache ?? new OriginAnswerCache()).createStore(settings.cacheSize, settings.cacheTtlMs)
      : undefined;

  // Only the call that is still the cached one may write its answer: after
  // forget(origin) or clear(), a lookup that was in flight must not put back
  // the answer that was just dropped.
  const isCurrent = (origin: string, pending: Promise<boolean>) => cache?.peek(origin) === pending;

  const settle = (origin: string, answer: PromiseLike<unknown>): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), settings.timeoutMs);
      timer.unref?.();
    });
    const pending: Promise<boolean> = Promise.race([Promise.resolve(answer), timeout]).then(
      (value) => {
        clearTimeout(timer);
        if (typeof value === 'boolean') {
          if (isCurrent(origin, pending)) cache?.set(origin, value);
          return value;
        }
        if (isCurrent(origin, pending)) cache?.delete(origin);
        settings.onFailure?.(
          origin,
          value === 'timeout' ? `did not answer within ${settings.timeoutMs} ms` : notABoolean(value, 'resolved to'),
        );
        return false;
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (isCurrent(origin, pending)) cache?.delete(origin);
        settings.onFailure?.(origin, `failed: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      },
    );
    return pending;
  };

  return (origin, request) => {
    const cached = cache?.get(origin);
    if (cached !== undefined) {
      return cached;
    }
    let result: unknown;
    try {
      result = predicate(origin, request);
    } catch (error) {
      settings.onFailure?.(origin, `threw: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
    if (typeof result === 'boolean') {
      return result;
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      const pending = settle(origin, result as PromiseLike<unknown>);
      cache?.set(origin, pending);
      return pending;
    }
    settings.onFailure?.(origin, notABoolean(result, 'returned'));
    return false;
  };
}

/** Why a predicate's answer that is not `true`/`false` refused the request (a `cors`-style callback function returns nothing). */
function notABoolean(value: unknown, verb: string): string {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 100)) : String(value);
  return (
    `${verb} ${shown}, not true or false` +
    (value === undefined ? ' (a callback-style function (origin, callback)? Return the answer instead)' : '')
  );
}
