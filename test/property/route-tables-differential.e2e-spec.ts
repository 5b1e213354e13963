/**
 * The route tables against the routers themselves, on generated route sets
 * and requests: an Express app (Express's own router, with its case and
 * strict settings) and a Fastify app (find-my-way, with its router options)
 * serve each request, every route naming itself in a header; the module's
 * table must name the same route for that method and URL, as the request
 * reached the app. Half the routes carry the module defaults' candidate, so
 * the tables leave most of them out (`RouteTableBuilder`, `RouteOverlapIndex`):
 * a route left out must be one whose answer is the defaults' anyway. Both
 * the preflight lookup and the actual request's answer are compared.
 *
 * Spellings are Express 5's and Fastify's: literals in both cases, `:name`
 * parameters, parameters inside a segment, regex parameters, optional
 * parameters and groups, wildcards, empty segments and trailing slashes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger, VersioningType } from '@nestjs/common';
import { FastifyAdapter, RouteConstraints } from '@nestjs/platform-fastify';
import express from 'express';
import fc from 'fast-check';
import Fastify from 'fastify';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { disabledPolicy } from '../../lib/engine/compiled-policy.js';
import { readFastifyRouterOptions } from '../../lib/routing/fastify-route-table.js';
import { ExpressRequestRouter, FastifyRequestRouter, type RequestRouter } from '../../lib/routing/request-router.js';
import { routeCandidate, type RouteCandidate } from '../../lib/routing/route-candidate.js';
import { emptyParamsFindNoHandler, hasEmptyParam, routeParamsMatchers } from '../../lib/routing/route-params-gate.js';
import { headerLines, sendHttp } from './raw-http.js';

const DEFAULTS = routeCandidate(disabledPolicy('defaults'), 'defaults');

/** Route `index` answers as the module defaults when it is even, with a candidate of its own when it is odd. */
function candidateOf(index: number): RouteCandidate {
  return index % 2 === 0 ? DEFAULTS : routeCandidate(disabledPolicy(String(index)), String(index));
}

/** The response header each route names itself in. */
const ROUTE_HEADER = 'x-route';

/** What the table should name for a request the router served by route `served` (its index), or by no route. */
function expectedLabel(served: string | undefined): string {
  return served === undefined ? 'defaults' : candidateOf(Number(served)).label;
}

/** The route that served `method url` (its index), or `undefined`; POST and PUT with an empty body. */
async function servedBy(port: number, method: string, url: string): Promise<string | undefined> {
  const body: Array<[string, string]> = method === 'POST' || method === 'PUT' ? [['Content-Length', '0']] : [];
  return headerLines(await sendHttp(port, method, url, body), ROUTE_HEADER)[0];
}

function pathOf(segments: readonly string[], tail: string): string {
  return `/${segments.join('/')}${tail}`.replace(/^\/\//, '/');
}

/**
 * A request path made from a route's pattern: parameters and wildcards
 * filled in, recased, with a slash more, with every parameter left empty,
 * with `:a,:b` filled in as one value, or with the first parameter left
 * empty (of a name used twice, the one find-my-way does not keep).
 */
function filledIn(pattern: string, spelling: number): string {
  const value = spelling === 3 ? '' : '12';
  const filled = (spelling === 5 ? pattern.replace(/:[A-Za-z]+/, '') : pattern)
    .replace(/\{[^}]*\}/g, '')
    .replace(/:[A-Za-z]+,:[A-Za-z]+/g, spelling === 4 ? value : `${value},${value}`)
    .replace(/:a-:b/g, `${value}-${value}`)
    .replace(/:[A-Za-z]+(\([^)]*\))?\??/g, value)
    .replace(/\*[A-Za-z]*/g, 'z/y');
  if (spelling === 1) return `${filled}/`;
  if (spelling === 2) return filled.replace(/[a-z]/, (letter) => letter.toUpperCase());
  return filled;
}

/** A pattern that names a parameter twice. */
const REPEATED_NAME = /:([A-Za-z]+)\b.*:\1\b/;

const requestSegment = fc.constantFrom(
  '',
  ...'a A b B ab AB x.y a-b 1 12 1.json files a;b %61 %2F %2e . ..'.split(' '),
);
const requestPath = fc
  .tuple(fc.array(requestSegment, { maxLength: 4 }), fc.constantFrom('', '/', '?x=1', '//', '#f'))
  .map(([segments, tail]) => pathOf(segments, tail));

/** Generated cases: routes, requests (with paths made from the routes too), router settings. */
function cases<Settings>(
  routeSegment: fc.Arbitrary<string>,
  methods: readonly string[],
  settings: fc.Arbitrary<Settings>,
) {
  const routePath = fc
    .tuple(fc.array(routeSegment, { maxLength: 3 }), fc.constantFrom('', '/'))
    .map(([segments, tail]) => pathOf(segments, tail));
  return fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom(...methods), routePath), { minLength: 1, maxLength: 6 }),
      fc.array(fc.tuple(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE'), requestPath), { maxLength: 6 }),
      settings,
    )
    .chain(([routes, requests, chosen]) =>
      fc.array(fc.tuple(fc.nat(routes.length - 1), fc.nat(5)), { minLength: 1, maxLength: 6 }).map((derived) => ({
        routes,
        requests: [
          ...requests,
          ...derived.map(([index, spelling]): [string, string] => [
            routes[index][0].toUpperCase() === 'ALL' ? 'GET' : routes[index][0].toUpperCase(),
            filledIn(routes[index][1], spelling),
          ]),
          // A route that names a parameter twice, with the first one empty: where the adapters part.
          ...routes
            .filter(([, pattern]) => REPEATED_NAME.test(pattern))
            .map(([method, pattern]): [string, string] => [
              method.toUpperCase() === 'ALL' ? 'GET' : method.toUpperCase(),
              filledIn(pattern, 5),
            ]),
        ],
        settings: chosen,
      })),
    );
}

/** Closes a Fastify app, or gives up after a second: one that failed to start may never finish closing. */
async function closed(app: { close(): PromiseLike<unknown> }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([app.close(), new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
  clearTimeout(timer);
}

/** The request the app under test received last, as its first hook or middleware saw it. */
interface Received {
  request?: IncomingMessage;
  /** The adapter's request object (Fastify's), where it is not `request` itself. */
  adapterRequest?: unknown;
  /** What `router.actual()` answered there, where the early layer asks it (before any handler ran). */
  actual?: readonly RouteCandidate[];
}

/**
 * Sends each request to the app on `port` and expects `router` to name, for
 * the request as the app received it, the route that served it. `context`
 * goes into every comparison, so that a failure shows the routes and settings.
 */
async function expectSameRoutes(
  port: number,
  requests: ReadonlyArray<readonly [string, string]>,
  router: RequestRouter,
  received: Received,
  context: object,
  tally: Tally,
): Promise<void> {
  for (const [method, url] of requests) {
    received.request = received.adapterRequest = received.actual = undefined;
    const served = await servedBy(port, method, url);
    const request = received.request as IncomingMessage | undefined; // set by the app meanwhile
    if (request === undefined) continue; // answered before any hook (an invalid URL, a parameter over maxParamLength)
    const labelOf = (found: readonly RouteCandidate[]) => (found.length === 0 ? 'defaults' : found[0].label);
    const label = labelOf(router.preflight(received.adapterRequest ?? request, request, method));
    // The actual request itself, as the early layer read it (Fastify: the route it matched).
    const actual = labelOf(received.actual!);
    expect({ ...context, method, url: request.url, label, actual }).toEqual({
      ...context,
      method,
      url: request.url,
      label: expectedLabel(served),
      actual: expectedLabel(served),
    });
    if (label === 'defaults') tally.unrouted++;
    else tally.routed++;
  }
}

/** The options of a FastifyRequestRouter for the app of a Nest adapter, as CorsModule reads them. */
function routerOptionsOf(adapter: FastifyAdapter): ConstructorParameters<typeof FastifyRequestRouter>[0] {
  const config = adapter.getInstance().initialConfig;
  return {
    ...readFastifyRouterOptions(config),
    exposeHeadRoutes: (config as { exposeHeadRoutes?: boolean }).exposeHeadRoutes,
    emptyParamsFindNoHandler: emptyParamsFindNoHandler(adapter),
    paramsMatchers: routeParamsMatchers(adapter),
  };
}

/** Counts both outcomes, so that a property that passes has checked something either way. */
interface Tally {
  routed: number;
  unrouted: number;
}

describe('ExpressRequestRouter against Express 5', () => {
  const segment = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom('a', 'B', 'ab', 'x.y', 'a-b', 'files') },
    { weight: 3, arbitrary: fc.constantFrom(':id', ':name', ':id.json', 'v:ver', ':a-:b') },
    { weight: 1, arbitrary: fc.constantFrom('*rest', '{:opt}', 'a{-:x}', '{*rest}', '') },
  );
  const settings = fc.record({ caseSensitive: fc.boolean(), strict: fc.boolean() });

  it('names the route Express serves, for every generated route set, request and setting', async () => {
    const tally: Tally = { routed: 0, unrouted: 0 };
    await fc.assert(
      fc.asyncProperty(
        cases(segment, ['get', 'post', 'put', 'all'], settings),
        async ({ routes, requests, settings }) => {
          const app = express();
          app.set('case sensitive routing', settings.caseSensitive);
          app.set('strict routing', settings.strict);
          const router = new ExpressRequestRouter(settings, DEFAULTS);
          const received: Received = {};
          app.use((request: IncomingMessage, _response: unknown, next: () => void) => {
            received.request = request;
            received.actual = router.actual(request, request);
            next();
          });
          for (const [index, [method, path]] of routes.entries()) {
            try {
              (app as unknown as Record<string, Function>)[method](
                path,
                (_request: unknown, response: express.Response) => response.set(ROUTE_HEADER, String(index)).end(),
              );
            } catch {
              continue; // Express refuses the pattern; Nest would not boot
            }
            router.add(method, path, candidateOf(index));
          }
          router.seal();
          const server = createServer(app);
          await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
          try {
            const port = (server.address() as AddressInfo).port;
            await expectSameRoutes(port, requests, router, received, { routes, settings }, tally);
          } finally {
            await new Promise((resolve) => server.close(resolve));
          }
        },
      ),
      { numRuns: 1500, seed: 20261203 },
    );
    expect(tally.routed).toBeGreaterThan(600);
    expect(tally.unrouted).toBeGreaterThan(3000);
  }, 120_000);
});

describe('FastifyRequestRouter against Fastify 5 (preflights: the route the announced method reaches)', () => {
  const segment = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom('a', 'B', 'ab', 'x.y', 'a-b', 'files', 'a;b') },
    {
      weight: 3,
      // ':id/x/:id' names a parameter twice; find-my-way reads ':lat,:lng' as one parameter.
      arbitrary: fc.constantFrom(':id', ':name', ':id.json', ':a-:b', ':id(^\\d+)', ':opt?', ':lat,:lng', ':id/x/:id'),
    },
    { weight: 1, arbitrary: fc.constantFrom('*', '') },
  );
  const settings = fc.record({
    caseSensitive: fc.boolean(),
    ignoreTrailingSlash: fc.boolean(),
    ignoreDuplicateSlashes: fc.boolean(),
    useSemicolonDelimiter: fc.boolean(),
    maxParamLength: fc.constantFrom(4, 100),
    exposeHeadRoutes: fc.boolean(),
    /**
     * Who registers the routes: Fastify itself (Nest's adapter before
     * 11.2.8 and 12.2 wraps no handler); a handler that sends a route
     * reached through an empty parameter to the not-found handler (11.2.8,
     * 12.2 to 12.4); or the installed Nest adapter, with its own wrapping.
     */
    registrar: fc.constantFrom('fastify', 'empty-params', 'nest-adapter'),
  });
  // The adapter warns about every `:lat,:lng` route it registers.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  it('names the route Fastify serves, for every generated route set, request and router option', async () => {
    const tally: Tally = { routed: 0, unrouted: 0 };
    await fc.assert(
      fc.asyncProperty(cases(segment, ['GET', 'POST', 'PUT'], settings), async ({ routes, requests, settings }) => {
        const { exposeHeadRoutes, registrar, ...routerOptions } = settings;
        const adapter =
          registrar === 'nest-adapter' ? new FastifyAdapter({ routerOptions, exposeHeadRoutes }) : undefined;
        const app = adapter?.getInstance() ?? Fastify({ routerOptions, exposeHeadRoutes });
        const router = new FastifyRequestRouter(
          adapter === undefined
            ? { ...routerOptions, exposeHeadRoutes, emptyParamsFindNoHandler: registrar === 'empty-params' }
            : routerOptionsOf(adapter),
          DEFAULTS,
        );
        // As CorsModule hooks it: Fastify's route options, whose config the router replaces.
        app.addHook('onRoute', (route) => router.onRoute(route as Parameters<FastifyRequestRouter['onRoute']>[0]));
        const received: Received = {};
        app.addHook('onRequest', (request, _reply, done) => {
          // Fastify runs this hook again for the not-found handler a route's handler calls: the routed request counts.
          if (received.request === undefined) {
            received.request = request.raw;
            received.adapterRequest = request;
            received.actual = router.actual(request);
          }
          done();
        });
        try {
          for (const [index, [method, url]] of routes.entries()) {
            router.add(method.toLowerCase(), url, candidateOf(index));
            const serve = (reply: { header(name: string, value: string): { send(): unknown } }) =>
              reply.header(ROUTE_HEADER, String(index)).send();
            if (adapter !== undefined) {
              // As Nest registers a route: the adapter's method, path and handler.
              const register = adapter[method.toLowerCase() as 'get' | 'post' | 'put'].bind(adapter) as (
                path: string,
                handler: (request: unknown, reply: Parameters<typeof serve>[0]) => unknown,
              ) => unknown;
              register(url, (_request, reply) => serve(reply));
            } else {
              app.route({
                method,
                url,
                handler: async (request, reply) =>
                  registrar === 'empty-params' && hasEmptyParam(request.params as Record<string, unknown>)
                    ? reply.callNotFound()
                    : serve(reply),
              });
            }
            router.settle();
          }
          await app.listen({ port: 0, host: '127.0.0.1' });
        } catch {
          await closed(app);
          return; // Fastify refuses the route set; Nest would not boot
        }
        router.seal();
        try {
          const port = (app.server.address() as AddressInfo).port;
          await expectSameRoutes(port, requests, router, received, { routes, settings }, tally);
        } finally {
          await closed(app);
        }
      }),
      { numRuns: 1500, seed: 20261203 },
    );
    expect(tally.routed).toBeGreaterThan(600);
    expect(tally.unrouted).toBeGreaterThan(3000);
  }, 120_000);
});

describe('FastifyRequestRouter against Fastify 5 with route constraints (versions, hosts)', () => {
  const segment = fc.oneof(
    // Few literals, so that routes share requests: a literal, a parameter and a wildcard at the same place.
    { weight: 3, arbitrary: fc.constantFrom('a', 'B') },
    { weight: 3, arbitrary: fc.constantFrom(':id', ':name', ':id(^\\d+)', ':a-:b') },
    { weight: 1, arbitrary: fc.constantFrom('*', '') },
  );
  const settings = fc.record({
    ignoreTrailingSlash: fc.boolean(),
    exposeHeadRoutes: fc.boolean(),
    /** The version of each route (by index, cycling): none, one, or two (header versioning). */
    versions: fc.array(fc.constantFrom(undefined, '1', '2', ['1', '2']), { minLength: 1, maxLength: 6 }),
    /** The host constraint of each route (`@RouteConstraints()`, by index, cycling), mostly none. */
    hosts: fc.oneof(
      fc.constant<Array<string | RegExp | undefined>>([undefined]),
      fc.array(fc.constantFrom(undefined, 'admin.example', /^adm/), { minLength: 1, maxLength: 4 }),
    ),
  });
  const VERSIONS = [undefined, '1', '2', '3'];
  const HOSTS = ['admin.example', 'api.example'];

  /*
   * Fastify's router goes on past a route whose constraints a request does
   * not meet, so what a request reaches depends on its version, a header its
   * preflight does not carry: the preflight (of the same host) must be judged
   * by every route some version reaches, never fewer; with versions only,
   * by no route without a version that none reaches; with hosts only, by
   * exactly the routes reached.
   */
  it('names every route some version reaches from the same host', async () => {
    let shared = 0;
    await fc.assert(
      fc.asyncProperty(cases(segment, ['GET', 'POST'], settings), async ({ routes, requests, settings }) => {
        const { exposeHeadRoutes, versions, hosts, ignoreTrailingSlash } = settings;
        const adapter = new FastifyAdapter({ routerOptions: { ignoreTrailingSlash }, exposeHeadRoutes });
        const app = adapter.getInstance();
        const router = new FastifyRequestRouter(routerOptionsOf(adapter), DEFAULTS);
        app.addHook('onRoute', (route) => router.onRoute(route as Parameters<FastifyRequestRouter['onRoute']>[0]));
        const received: Received = {};
        app.addHook('onRequest', (request, _reply, done) => {
          if (received.request === undefined) {
            received.request = request.raw;
            received.adapterRequest = request;
          }
          done();
        });
        const versionOf = (index: number) => versions[index % versions.length];
        const hostOf = (index: number) => hosts[index % hosts.length];
        try {
          for (const [index, [method, url]] of routes.entries()) {
            router.add(method.toLowerCase(), url, candidateOf(index));
            let handler = (_request: unknown, reply: { header(name: string, value: string): { send(): unknown } }) =>
              reply.header(ROUTE_HEADER, String(index)).send();
            const version = versionOf(index);
            if (version !== undefined) {
              // As Nest registers a handler of a version under header versioning.
              handler = adapter.applyVersionFilter(handler, version, {
                type: VersioningType.HEADER,
                header: 'X-Version',
              }) as unknown as typeof handler;
            }
            const host = hostOf(index);
            if (host !== undefined) RouteConstraints({ host })(handler);
            (adapter[method.toLowerCase() as 'get' | 'post'].bind(adapter) as (p: string, h: unknown) => unknown)(
              url,
              handler,
            );
            router.settle();
          }
          await app.listen({ port: 0, host: '127.0.0.1' });
        } catch {
          await closed(app);
          return; // Fastify refuses the route set; Nest would not boot
        }
        router.seal();
        try {
          const port = (app.server.address() as AddressInfo).port;
          for (const [[method, url], host] of requests.flatMap((each) => HOSTS.map((host) => [each, host] as const))) {
            const reached = new Set<string>();
            let preflightRequest: { raw: IncomingMessage; adapter: unknown } | undefined;
            for (const version of VERSIONS) {
              received.request = received.adapterRequest = undefined;
              const lines: Array<[string, string]> = [['Host', host]];
              if (version !== undefined) lines.push(['X-Version', version]);
              if (method === 'POST') lines.push(['Content-Length', '0']);
              const served = headerLines(await sendHttp(port, method, url, lines), ROUTE_HEADER)[0];
              if (received.request !== undefined && version === undefined) {
                preflightRequest = { raw: received.request, adapter: received.adapterRequest };
              }
              if (served !== undefined) reached.add(served);
            }
            if (preflightRequest === undefined) continue; // answered before any hook
            const found = router.preflight(preflightRequest.adapter, preflightRequest.raw, method);
            // Routes that answer as the defaults share a label (and no route found answers so too); a route of its own is
            // named by its index.
            const named = new Set(found.length === 0 ? ['defaults'] : found.map((candidate) => candidate.label));
            const missing = [...reached].filter((index) => !named.has(candidateOf(Number(index)).label));
            // With hosts and no versions, a preflight tells all the router reads: the table names exactly the routes
            // reached, from the trie or from find-my-way (regex and `:a-:b` patterns). With versions only, no route
            // without a version that none reaches is named (find-my-way tries nothing after it).
            const exact = versions.every((each) => each === undefined);
            const versionsOnly = hosts.every((each) => each === undefined);
            const unreached = routes.flatMap((_, index) =>
              index % 2 === 1 &&
              named.has(String(index)) &&
              !reached.has(String(index)) &&
              (exact || (versionsOnly && versionOf(index) === undefined))
                ? [String(index)]
                : [],
            );
            expect({ routes, settings, method, url, host, missing, unreached }).toEqual({
              routes,
              settings,
              method,
              url,
              host,
              missing: [],
              unreached: [],
            });
            if (reached.size > 1) shared++;
          }
        } finally {
          await closed(app);
        }
      }),
      { numRuns: 1000, seed: 20261204 },
    );
    expect(shared).toBeGreaterThan(100);
  }, 180_000);
});
