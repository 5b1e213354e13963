/**
 * Which requests Nest's Fastify adapter lets a route's handler serve, of
 * those find-my-way matches to the route. The adapter wraps the handler of
 * every route with parameters, and sends some requests to its not-found
 * handler instead, where path-to-regexp (Express's router, and Nest's own
 * middleware matching) finds no route:
 * - a parameter other than the wildcard matched an empty segment (`/items/`
 *   for `/items/:id`): @nestjs/platform-fastify 11.2.8, and 12.2 and later
 *   (`FastifyAdapter.requireNonEmptyParams`); earlier versions let the
 *   handler serve it;
 * - from 12.5, a route whose path uses a parameter name twice
 *   (`/projects/:id/tasks/:id`: find-my-way keeps the last value only) or has
 *   a parameter find-my-way reads otherwise than path-to-regexp (`:lat,:lng`,
 *   one parameter for find-my-way, two for path-to-regexp): the request's
 *   path must also match the route's path as path-to-regexp reads it
 *   (`FastifyAdapter.createRouteParamsMatcher`).
 *
 * No handler serves those requests, so they get the answer of a request no
 * route serves. This is the one place that depends on how the adapter
 * decides, through those two private methods, read by their presence and
 * called as they are: test/e2e/route-params-gate.e2e-spec.ts and
 * test/unit/route-params-gate.spec.ts fail loudly if what this file says
 * and what the installed adapter does part. An app never fails for it: a
 * matcher the adapter cannot make here leaves the route gated by its empty
 * parameters only.
 */

/** Whether Nest lets the route's handler serve this request (Fastify's request object). */
export type RequestMatcher = (request: unknown) => boolean;

/**
 * What a route's requests must pass to reach its handler: `false`, nothing;
 * `true`, no empty parameter; a matcher, no empty parameter and the matcher.
 */
export type RouteParamsGate = boolean | RequestMatcher;

/** The matcher of a route path as Nest registered it (the first argument of the adapter's route method), if it has one. */
export type RouteParamsMatchers = (path: string) => RequestMatcher | undefined;

interface FastifyAdapterInternals {
  readonly requireNonEmptyParams?: unknown;
  readonly createRouteParamsMatcher?: (this: object, path: string) => unknown;
}

/** A logger for the adapter's own calls made here: it already warned about the path when Nest registered it. */
const SILENT_LOGGER = { log() {}, warn() {}, error() {}, debug() {}, verbose() {}, fatal() {} };

/** Whether the adapter sends a request to its not-found handler when a parameter of its route is empty. */
export function emptyParamsFindNoHandler(adapter: object): boolean {
  return typeof (adapter as FastifyAdapterInternals).requireNonEmptyParams === 'function';
}

/** The matchers the installed adapter gives route paths; undefined on other adapters and before 12.5. */
export function routeParamsMatchers(adapter: object): RouteParamsMatchers | undefined {
  const createMatcher = (adapter as FastifyAdapterInternals).createRouteParamsMatcher;
  if (!emptyParamsFindNoHandler(adapter) || typeof createMatcher !== 'function') return undefined;
  // The adapter itself, but for its logger.
  const receiver = Object.create(adapter, { logger: { value: SILENT_LOGGER } }) as object;
  return (path) => {
    if (!mayNeedMatcher(path)) return undefined;
    let matcher: unknown;
    try {
      matcher = createMatcher.call(receiver, path);
    } catch {
      return undefined; // an adapter whose private method changed (the tests above say so)
    }
    if (typeof matcher !== 'function') return undefined;
    // Called on preflights too, which Nest never matches: a request it cannot read is one no handler serves.
    return (request) => {
      try {
        return (matcher as RequestMatcher)(request) === true;
      } catch {
        return false;
      }
    };
  };
}

/** The gate of a route path as Nest registered it, given what the adapter does ({@link emptyParamsFindNoHandler}, {@link routeParamsMatchers}). */
export function gateOf(
  path: string,
  emptyParamsFindNoHandler: boolean,
  matchers: RouteParamsMatchers | undefined,
): RouteParamsGate {
  // The adapter wraps the handlers of routes with parameters only.
  if (!emptyParamsFindNoHandler || !path.includes(':')) return false;
  return matchers?.(path) ?? true;
}

/** Whether a request find-my-way matched to a route with this gate, with these parameters, reaches the route's handler. */
export function passesGate(
  gate: RouteParamsGate,
  request: unknown,
  params: Readonly<Record<string, unknown>> | undefined,
): boolean {
  if (gate === false) return true;
  if (hasEmptyParam(params)) return false;
  return gate === true || gate(request);
}

/** Whether a route parameter other than the wildcard (`*`, which may be empty) is empty. */
export function hasEmptyParam(params: Readonly<Record<string, unknown>> | undefined): boolean {
  for (const name in params) if (params[name] === '' && name !== '*') return true;
  return false;
}

/**
 * Whether the adapter may make a matcher for `path`: a cheap test, true for
 * every path it makes one for (and for a few more), as making one costs
 * some 14 ms per 1,000 routes at boot (path-to-regexp parses each path),
 * too much to spend on every route of a large app; this test allocates
 * nothing. In a path without a wildcard (`*`, `+`: the adapter's path
 * conversion names those, `/{*path}`, `/*path`), where find-my-way reads a
 * name that is an ASCII identifier (from a `:` up to `(`, `-`, `.`, `/` or
 * the end), path-to-regexp reads the same name, and it reads no parameter
 * where find-my-way reads none; so a path whose names are all such
 * identifiers, none repeated, gets no matcher. A name that is not one
 * (`lat,:lng`, `opt?`, `x}` in a group, `"quoted"`, `:colon` after `::`)
 * sends the path to the adapter.
 */
function mayNeedMatcher(path: string): boolean {
  if (path.includes('*') || path.includes('+')) return true;
  for (let at = path.indexOf(':'); at !== -1;) {
    const end = identifierEnd(path, at + 1);
    if (end === at + 1 || !endsName(path, end)) return true;
    for (let before = path.indexOf(':'); before < at; before = path.indexOf(':', before + 1)) {
      if (sameName(path, before + 1, at + 1, end - at - 1)) return true;
    }
    at = path.indexOf(':', end);
  }
  return false;
}

/** Where the ASCII identifier that starts at `from` ends (`from` itself when none starts there). */
function identifierEnd(path: string, from: number): number {
  const first = path.charCodeAt(from);
  if (!isIdentifierPart(first) || (first >= 48 && first <= 57)) return from;
  let end = from + 1;
  while (end < path.length && isIdentifierPart(path.charCodeAt(end))) end++;
  return end;
}

/** `A-Z`, `a-z`, `0-9`, `_`, `$`. */
function isIdentifierPart(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 36
  );
}

/** Whether find-my-way ends a parameter name at `index`: the end, `(`, `-`, `.` or `/`. */
function endsName(path: string, index: number): boolean {
  if (index === path.length) return true;
  const code = path.charCodeAt(index);
  return code === 40 || code === 45 || code === 46 || code === 47;
}

/** Whether the name at `earlier` (one the scan has read) is the `length` characters at `later`. */
function sameName(path: string, earlier: number, later: number, length: number): boolean {
  for (let offset = 0; offset < length; offset++) {
    if (path.charCodeAt(earlier + offset) !== path.charCodeAt(later + offset)) return false;
  }
  return !isIdentifierPart(path.charCodeAt(earlier + length));
}
