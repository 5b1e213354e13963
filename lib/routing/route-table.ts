import { METHODS } from 'node:http';
import FindMyWay from 'find-my-way';
import { pathToRegexp } from 'path-to-regexp';
import type { CompiledPolicy } from '../engine/compiled-policy.js';
import { expressPathToRadixPaths } from './route-path-syntax.js';

/** One handler that may serve a (method, path): its policy, and the hosts it is bound to. */
export interface RouteCandidate {
  readonly policy: CompiledPolicy;
  readonly hosts?: readonly RegExp[];
}

/** The handlers registered for one (method, path shape). */
interface RouteSlot {
  readonly candidates: RouteCandidate[];
  /** Set when every candidate has the same policy and no host: the lookup is done. */
  single?: CompiledPolicy;
  /** `[single]`, kept so that preflight lookups of unambiguous routes allocate nothing. */
  singleList?: readonly CompiledPolicy[];
}

export interface RouteMatchingOptions {
  readonly caseSensitive: boolean;
  readonly ignoreTrailingSlash: boolean;
}

/** Path syntax of the adapter the routes were registered on. */
export type RoutePathSyntax = 'path-to-regexp' | 'find-my-way';

const ALL_METHODS = METHODS.filter((method) => method !== 'CONNECT' && method !== 'TRACE');

/**
 * Which policy governs a request: a radix tree (find-my-way) over every route
 * Nest registered, so a lookup costs what the path's length costs, whatever the
 * number of routes. Built once at bootstrap, read-only afterwards.
 */
export class RouteTable {
  private readonly router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
  private readonly pending = new Map<string, { method: string; path: string; candidates: RouteCandidate[] }>();
  private size = 0;

  constructor(
    options: RouteMatchingOptions,
    private readonly syntax: RoutePathSyntax,
  ) {
    this.router = FindMyWay({
      caseSensitive: options.caseSensitive,
      ignoreTrailingSlash: options.ignoreTrailingSlash,
      ignoreDuplicateSlashes: false,
      maxParamLength: 2048,
    });
  }

  /** Number of (method, path shape) entries in the radix tree. */
  get routeCount(): number {
    return this.size;
  }

  /**
   * Records that `method` (an HTTP method, or `ALL`) at `path` (as registered
   * on the adapter) is served by a handler with this candidate's policy.
   */
  add(method: string, path: string, candidate: RouteCandidate): void {
    const methods = method === 'ALL' ? ALL_METHODS : [method];
    const paths = this.syntax === 'find-my-way' ? [path] : expressPathToRadixPaths(path);
    for (const radixPath of paths) {
      for (const each of methods) {
        const key = `${each} ${radixPath}`;
        const entry = this.pending.get(key) ?? { method: each, path: radixPath, candidates: [] };
        entry.candidates.push(candidate);
        this.pending.set(key, entry);
      }
    }
  }

  /** Inserts everything added into the radix tree. */
  build(): void {
    for (const { method, path, candidates } of this.pending.values()) {
      this.insert(method, path, candidates);
    }
    this.pending.clear();
  }

  private insert(method: string, path: string, candidates: RouteCandidate[]): void {
    const existing = this.router.findRoute(method as FindMyWay.HTTPMethod, path);
    if (existing) {
      // Same shape under another parameter name (`/a/:id` and `/a/:key`): one slot.
      const slot = existing.store as RouteSlot;
      slot.candidates.push(...candidates);
      setSingle(slot);
      return;
    }
    const slot: RouteSlot = { candidates: [...candidates] };
    setSingle(slot);
    try {
      this.router.on(method as FindMyWay.HTTPMethod, path, noop, slot);
      this.size++;
    } catch {
      // A method or path find-my-way cannot hold: requests to it get the module defaults.
    }
  }

  private findSlot(method: string, url: string): RouteSlot | undefined {
    const found = this.router.find(method as FindMyWay.HTTPMethod, url);
    if (found !== null) {
      return found.store as RouteSlot;
    }
    // GET routes also answer HEAD, on both adapters; looked up on demand rather than stored twice.
    return method === 'HEAD' ? this.findSlot('GET', url) : undefined;
  }

  /**
   * The policy of the handler that serves `method url` for `host`, or
   * `undefined` when no controller route matches (the caller uses the module
   * defaults). When several handlers share the route and differ (header
   * versioning), the first is returned; the guard corrects it with the exact handler.
   */
  resolve(method: string, url: string, host: string | undefined): CompiledPolicy | undefined {
    const slot = this.findSlot(method, url);
    if (slot === undefined || slot.single !== undefined) {
      return slot?.single;
    }
    const hostname = hostnameOf(host);
    return slot.candidates.find((candidate) => servesHost(candidate, hostname))?.policy;
  }

  /**
   * Every distinct policy that may serve `method url` for `host`. A preflight
   * does not carry the version header, so where handlers share a route and
   * differ (header versioning), it is allowed when one of them allows it.
   */
  resolveAll(method: string, url: string, host: string | undefined): readonly CompiledPolicy[] | undefined {
    const slot = this.findSlot(method, url);
    if (slot === undefined || slot.singleList !== undefined) {
      return slot?.singleList;
    }
    const hostname = hostnameOf(host);
    const policies = [
      ...new Set(slot.candidates.filter((candidate) => servesHost(candidate, hostname)).map((c) => c.policy)),
    ];
    return policies.length > 0 ? policies : undefined;
  }
}

function hostnameOf(host: string | undefined): string {
  return host === undefined ? '' : stripPort(host).toLowerCase();
}

function servesHost(candidate: RouteCandidate, hostname: string): boolean {
  return candidate.hosts === undefined || candidate.hosts.some((re) => re.test(hostname));
}

function setSingle(slot: RouteSlot): void {
  const first = slot.candidates[0].policy;
  const single = slot.candidates.every((c) => c.hosts === undefined && c.policy === first) ? first : undefined;
  slot.single = single;
  slot.singleList = single ? [single] : undefined;
}

function noop(): void {}

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/** Compiles a controller's `host` option the way Nest does (path-to-regexp, or a RegExp as is). */
export function compileHostPatterns(host: string | RegExp | Array<string | RegExp>): RegExp[] {
  return (Array.isArray(host) ? host : [host]).map((each) =>
    typeof each === 'string' ? pathToRegexp(each).regexp : each,
  );
}
