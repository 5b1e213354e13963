import type { RouteCandidate } from './route-candidate.js';

/**
 * The `paths` option: policies for paths no controller serves (GraphQL,
 * Swagger UI, static files). A pattern is a request path as the browser sends
 * it (`/graphql`), or a prefix ending in `/*` (`/docs/*` matches `/docs` and
 * everything under `/docs/`). Matched on the raw pathname, case-sensitively;
 * the longest pattern wins.
 */
export class PathPolicyTable {
  private readonly exact = new Map<string, RouteCandidate>();
  private readonly prefixes = new Map<string, RouteCandidate>();

  get size(): number {
    return this.exact.size + this.prefixes.size;
  }

  add(pattern: string, candidate: RouteCandidate): void {
    if (pattern.endsWith('/*')) {
      this.prefixes.set(pattern.slice(0, -2) || '/', candidate);
    } else {
      this.exact.set(pattern, candidate);
    }
  }

  /** The policy of `url` (a request target), if a pattern covers it. */
  lookup(url: string): RouteCandidate | undefined {
    if (this.exact.size === 0 && this.prefixes.size === 0) return undefined;
    let pathname = url;
    const end = pathname.search(/[?#]/);
    if (end !== -1) pathname = pathname.slice(0, end);
    const exact = this.exact.get(pathname);
    if (exact !== undefined) return exact;
    if (this.prefixes.size === 0) return undefined;
    // Longest prefix first: cut the path back one segment at a time (its depth, not the pattern count).
    let prefix = pathname.endsWith('/') && pathname.length > 1 ? pathname.slice(0, -1) : pathname;
    for (;;) {
      const found = this.prefixes.get(prefix);
      if (found !== undefined) return found;
      if (prefix === '/' || prefix === '') return undefined;
      const slash = prefix.lastIndexOf('/');
      prefix = slash <= 0 ? '/' : prefix.slice(0, slash);
    }
  }
}

/** Why a `paths` key is not a usable pattern, or `undefined`. */
export function checkPathPattern(pattern: string): string | undefined {
  if (!pattern.startsWith('/')) return 'must start with "/" (the path the browser requests)';
  if (/[?#\s]/.test(pattern)) return 'must be a path only (no query, fragment or spaces)';
  const star = pattern.indexOf('*');
  if (star !== -1 && (star !== pattern.length - 1 || !pattern.endsWith('/*'))) {
    return 'may use "*" only as a last segment ("/docs/*")';
  }
  return undefined;
}
