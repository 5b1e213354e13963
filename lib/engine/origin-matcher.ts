import type { IncomingMessage } from 'node:http';
import type { CorsOriginFunction } from '../interfaces/cors-policy.interface.js';
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

/** Compiles checked origin entries (and an optional predicate) into a matcher. */
export function compileOriginMatcher(
  specs: readonly OriginSpec[],
  regexps: readonly RegExp[],
  predicate: CorsOriginFunction | undefined,
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
    if (frozenRegexps.length > 0 || predicate) {
      // Only a value that is exactly one serialized origin reaches user code.
      if (!parseSerializedOrigin(origin)) {
        return false;
      }
      for (const regexp of frozenRegexps) {
        if (regexp.test(origin)) return true;
      }
      if (predicate) {
        return callPredicate(predicate, origin, request);
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

function callPredicate(
  predicate: CorsOriginFunction,
  origin: string,
  request: IncomingMessage,
): boolean | Promise<boolean> {
  try {
    const result = predicate(origin, request);
    if (typeof result === 'boolean') {
      return result;
    }
    if (result && typeof (result as Promise<boolean>).then === 'function') {
      return Promise.resolve(result).then(
        (allowed) => allowed === true,
        () => false,
      );
    }
    return (result as unknown) === true;
  } catch {
    return false;
  }
}
