import FindMyWay from 'find-my-way';
import type { RouteCandidate } from './route-candidate.js';

/** The router options of a Fastify instance that decide which route a URL matches. */
export interface FastifyRouterOptions {
  readonly caseSensitive?: boolean;
  readonly ignoreTrailingSlash?: boolean;
  readonly ignoreDuplicateSlashes?: boolean;
  readonly maxParamLength?: number;
  readonly useSemicolonDelimiter?: boolean;
  readonly allowUnsafeRegex?: boolean;
}

const ROUTER_OPTION_KEYS = [
  'caseSensitive',
  'ignoreTrailingSlash',
  'ignoreDuplicateSlashes',
  'maxParamLength',
  'useSemicolonDelimiter',
  'allowUnsafeRegex',
] as const;

/**
 * Reads the router options a Fastify instance was created with
 * (`initialConfig`: `routerOptions` first, then the deprecated top-level
 * keys), so that a second router matches URLs exactly as Fastify's does.
 */
export function readFastifyRouterOptions(initialConfig: unknown): FastifyRouterOptions {
  const config = (initialConfig ?? {}) as Record<string, unknown> & { routerOptions?: Record<string, unknown> };
  const options: Record<string, unknown> = {};
  for (const key of ROUTER_OPTION_KEYS) {
    const value = config.routerOptions?.[key] ?? config[key];
    if (value !== undefined) options[key] = value;
  }
  return options as FastifyRouterOptions;
}

interface Slot {
  readonly candidates: RouteCandidate[];
}

const NO_ROUTES: readonly RouteCandidate[] = [];

/**
 * The routes of a Fastify app, for preflights: which handler the request a
 * preflight announces (its method, its URL) would reach. A find-my-way router
 * with the app's own router options, fed with each route exactly as Fastify
 * registered it (`onRoute`), so it matches what Fastify matches.
 *
 * Actual requests never need it: Fastify has matched their route before the
 * early layer runs. Routes that share a method and URL and differ by
 * constraints (versions, hosts) share a slot: a preflight carries no version
 * header, so each of them may serve the request.
 */
export class FastifyRouteTable {
  private readonly router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;

  /** `headFromGet`: Fastify's `exposeHeadRoutes` (on by default): every GET route answers HEAD too. */
  constructor(
    options: FastifyRouterOptions,
    private readonly headFromGet = false,
  ) {
    this.router = FindMyWay({ ...options });
  }

  add(method: string, url: string, candidate: RouteCandidate): void {
    const existing = this.router.findRoute(method as FindMyWay.HTTPMethod, url);
    if (existing) {
      const slot = existing.store as Slot;
      if (!slot.candidates.includes(candidate)) slot.candidates.push(candidate);
      return;
    }
    try {
      this.router.on(method as FindMyWay.HTTPMethod, url, noop, { candidates: [candidate] } satisfies Slot);
    } catch {
      // A route Fastify itself accepted but this router cannot hold (a custom method): its preflights get the defaults.
    }
  }

  /** The handlers that may serve `method url`, or none. */
  lookup(method: string, url: string): readonly RouteCandidate[] {
    let found = this.router.find(method as FindMyWay.HTTPMethod, url);
    if (found === null && method === 'HEAD' && this.headFromGet) found = this.router.find('GET', url);
    if (found === null) return NO_ROUTES;
    const { candidates } = found.store as Slot;
    return candidates.length === 1 ? candidates[0].alone : candidates;
  }
}

function noop(): void {}
