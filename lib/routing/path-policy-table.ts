import type { RouteCandidate } from './route-candidate.js';

/**
 * The `paths` option: policies for paths no controller serves (GraphQL,
 * Swagger UI, static files). A pattern is a request path as the browser sends
 * it (`/graphql`), or a prefix ending in `/*` (`/docs/*` matches `/docs` and
 * everything under `/docs/`). The longest pattern wins.
 *
 * Patterns and request paths are compared in one canonical spelling (see
 * {@link canonicalPath}), because the servers behind these paths do not read
 * the raw path either: Express mounts are case-insensitive and ignore a
 * trailing slash, `serve-static` decodes `%XX` (including `%2F`) and resolves
 * `//`, `.` and `..`, Fastify's router decodes `%XX`, and both accept an
 * absolute-form request target (`POST http://host/graphql`). Matched on the
 * raw path, `/assets/%70rivate/x` or `/GRAPHQL` would be served by the same
 * handler as `/assets/private/x` or `/graphql` under the module defaults
 * instead of their `paths` policy.
 */
export class PathPolicyTable {
  private readonly exact = new Map<string, RouteCandidate>();
  private readonly prefixes = new Map<string, RouteCandidate>();
  private readonly patterns = new Map<string, string>();

  get size(): number {
    return this.exact.size + this.prefixes.size;
  }

  /**
   * Adds a pattern checked by {@link checkPathPattern}. Returns the pattern
   * already added under the same canonical spelling (`/Docs/*` and
   * `/docs/*`), in which case nothing is added.
   */
  add(pattern: string, candidate: RouteCandidate): string | undefined {
    const prefix = pattern.endsWith('/*');
    const key = canonicalPath(prefix ? pattern.slice(0, -2) || '/' : pattern);
    const id = `${prefix ? '*' : '='}${key}`;
    const existing = this.patterns.get(id);
    if (existing !== undefined) return existing;
    this.patterns.set(id, pattern);
    (prefix ? this.prefixes : this.exact).set(key, candidate);
    return undefined;
  }

  /** The policy of `url` (a request target), if a pattern covers it. */
  lookup(url: string): RouteCandidate | undefined {
    if (this.exact.size === 0 && this.prefixes.size === 0) return undefined;
    const pathname = canonicalPath(url);
    const exact =
      this.exact.get(pathname) ??
      (pathname.length > 1 && pathname.endsWith('/') ? this.exact.get(pathname.slice(0, -1)) : undefined);
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

/** Anything that makes a path differ from its canonical spelling. */
const NEEDS_WORK = /[%A-Z]|\/\/|\/\.|^[^/]/;
const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/**
 * The path of a request target as the servers behind `paths` understand it:
 * without query and fragment, without the `scheme://authority` of an
 * absolute-form target, `%XX` decoded once (all of them, `%2F` included, as
 * `serve-static` does), `//` collapsed, `.` and `..` resolved (never above
 * `/`), `A`–`Z` lower-cased. A path already in that form is returned as is, without
 * allocating.
 */
export function canonicalPath(url: string): string {
  let path = url;
  const end = path.search(/[?#]/);
  if (end !== -1) path = path.slice(0, end);
  if (!NEEDS_WORK.test(path)) return path;
  if (!path.startsWith('/')) {
    const authority = ABSOLUTE_FORM.exec(path);
    if (authority === null) return asciiLowerCase(path);
    path = path.slice(authority[0].length) || '/';
  }
  if (path.includes('%')) path = percentDecode(path);
  const segments: string[] = [];
  const parts = path.split('/');
  for (let index = 1; index < parts.length; index++) {
    const segment = parts[index];
    const last = index === parts.length - 1;
    if (segment === '..') {
      segments.pop();
      if (last) segments.push('');
    } else if (segment === '.' || (segment === '' && !last)) {
      if (last) segments.push('');
    } else {
      segments.push(segment);
    }
  }
  return asciiLowerCase(`/${segments.join('/')}`);
}

/** `A`–`Z` lowered, nothing else: the same result for a path and for its pattern, whatever they contain. */
function asciiLowerCase(path: string): string {
  return path.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** Decodes every `%XX` once; a malformed UTF-8 sequence keeps its bytes' ASCII decodings only. */
function percentDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path.replace(/%([0-7][0-9a-f])/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
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
