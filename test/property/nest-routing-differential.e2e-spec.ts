/**
 * Generated Nest apps, on Express and Fastify: controllers with paths of
 * their own (parameters, wildcards, optional parameters, upper case,
 * trailing slashes, several paths per handler), host-bound or not, behind a
 * trusted proxy or not; handlers with a policy of their own, a named policy,
 * `@Cors(false)` or none, bound to a host by Fastify route constraints or
 * not; class policies, controllers that share a class name, a global prefix
 * and routes excluded from it, URI versioning (default versions, several and
 * neutral ones, controller and handler versions, the `v` prefix or another
 * or none), `RouterModule` paths, and non-default router settings. Every
 * handler names itself in a response header. For each route, asked with
 * each method its handler serves, spelled as declared and with a trailing
 * slash, and for a few paths no route declares, the actual request's CORS
 * answer and the preflight's (its Max-Age names the policy) must both be
 * those of the handler that served the actual request, or the module
 * defaults' when none did. The same apps with header, media-type or custom
 * versioning instead: each request asked under several versions and none,
 * its preflight (which carries no version) judged by every handler some
 * version reaches.
 */
import { describe, expect, it } from '@jest/globals';
import {
  All,
  Controller,
  Get,
  Header,
  Module,
  Post,
  Put,
  RequestMethod,
  Version,
  VERSION_NEUTRAL,
  VersioningType,
  type INestApplication,
  type Type,
  type VersioningOptions,
} from '@nestjs/common';
import { NestFactory, RouterModule } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, RouteConstraints } from '@nestjs/platform-fastify';
import express from 'express';
import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { Cors, CorsModule } from '../../lib/index.js';
import { headerLines, sendHttp } from './raw-http.js';

const ORIGIN = 'https://app.example';
const DEFAULT_MAX_AGE = 7;
const NAMED_MAX_AGE = 33;
const VERBS = { Get, Post, Put, All } as const;

const handlerShape = fc.record({
  verb: fc.constantFrom(...(Object.keys(VERBS) as Array<keyof typeof VERBS>)),
  // ':id/x/:id' and ':p' (under a controller path with ':p') name a parameter twice; find-my-way reads ':lat,:lng' as one.
  // 'w/*' (a wildcard) and 'o/:opt?' (an optional parameter) are spelled in each router's syntax (`routePathOf`).
  path: fc.constantFrom('', ':id', 'x', 'x/:id', 'X', 'y//', ':id/z', ':id/x/:id', ':p', ':lat,:lng', 'w/*', 'o/:opt?'),
  policy: fc.constantFrom('own', 'own', 'none', 'off', 'named'),
  twoPaths: fc.boolean(),
  /** `@Version()` of its own (URI versioning only). */
  version: fc.constantFrom(undefined, undefined, '3', ['2', '3'], VERSION_NEUTRAL),
  /** `@RouteConstraints({ host })` (Fastify only): exact or a regular expression, as find-my-way reads it. */
  hostConstraint: fc.constantFrom<string | RegExp | undefined>(undefined, undefined, 'a.example', 'b.example', /^x\./),
});
const controllerShape = fc.record({
  /** An array: the controller serves each path (`@Controller(['a', 'c'])`). */
  path: fc.constantFrom<string | string[]>('', 'a', 'b', ':p', 'a/b', 'A', 'a/:p', ['a', 'c'], [':p', 'b']),
  host: fc.constantFrom(undefined, undefined, 'a.example', ':tenant.example'),
  handlers: fc.array(handlerShape, { minLength: 1, maxLength: 3 }),
  classPolicy: fc.boolean(),
  sharesName: fc.boolean(),
  /** In a module that `RouterModule` mounts under the app's `routerPath`. */
  routed: fc.boolean(),
});
const appShape = fc.record({
  adapter: fc.constantFrom('express', 'fastify'),
  nonDefaultRouting: fc.boolean(),
  trustProxy: fc.boolean(),
  /** Host and X-Forwarded-Host of the requests. */
  hosts: fc.subarray(
    [['a.example'], ['b.example'], ['x.y.example'], ['b.example', 'a.example'], ['a.example', 'q.example']],
    { minLength: 1, maxLength: 2 },
  ),
  prefix: fc.constantFrom('', 'api'),
  /** Routes excluded from the global prefix (`setGlobalPrefix(prefix, { exclude })`), as Nest matches them. */
  excluded: fc.constantFrom<Array<string | { path: string; method: RequestMethod }>>(
    [],
    ['a'],
    ['a/x', 'x'],
    [':id'],
    ['m/a/:id', 'b'],
    ['a/*rest', 'b/*rest'],
    [{ path: 'a/*rest', method: RequestMethod.GET }],
  ),
  routerPath: fc.constantFrom('m', ':org', 'M/n'),
  versioning: fc.boolean(),
  defaultVersion: fc.constantFrom('1', ['1', '2'], VERSION_NEUTRAL),
  versionPrefix: fc.constantFrom(undefined, 'ver', false as const),
  controllers: fc.array(controllerShape, { minLength: 1, maxLength: 4 }),
  unrouted: fc.array(fc.constantFrom('a', 'b', 'A', 'x', 'X', '1', 'y', 'z', ''), { maxLength: 3 }),
});
/** Versioning by a request header Nest's version filter reads (or, on Fastify, its router's version constraint). */
type FilterType = 'header' | 'media' | 'custom';
type AppShape = (typeof appShape extends fc.Arbitrary<infer T> ? T : never) & { filter?: FilterType };
type HandlerShape = AppShape['controllers'][number]['handlers'][number];

/** The controllers of a shape, and the Max-Age (or `'off'`) each handler's policy answers with. */
function buildControllers(shape: AppShape): { controllers: Type[]; answers: Map<string, number | 'off'> } {
  const answers = new Map<string, number | 'off'>();
  let nextMaxAge = 100;
  const controllers = shape.controllers.map((declared, index) => {
    const name = declared.sharesName && index > 0 ? 'SharedNameController' : `C${index}Controller`;
    let controller = { [name]: class {} }[name] as Type;
    const classMaxAge = declared.classPolicy ? 50 + index : DEFAULT_MAX_AGE;
    declared.handlers.forEach((handler, position) => {
      const label = `h${index}_${position}`;
      Object.defineProperty(controller.prototype, label, { value: () => label, writable: true, configurable: true });
      const paths = pathsOf(handler).map((each) => routePathOf(shape, each));
      const decorators = [VERBS[handler.verb](paths), Header('X-Handler', label)];
      if (shape.versioning && handler.version !== undefined) decorators.push(Version(handler.version));
      if (shape.adapter === 'fastify' && handler.hostConstraint !== undefined) {
        decorators.push(RouteConstraints({ host: handler.hostConstraint }));
      }
      if (handler.policy === 'own') {
        answers.set(label, nextMaxAge);
        decorators.push(Cors({ maxAge: nextMaxAge++ }));
      } else if (handler.policy === 'off') {
        answers.set(label, 'off');
        decorators.push(Cors(false));
      } else if (handler.policy === 'named') {
        answers.set(label, NAMED_MAX_AGE);
        decorators.push(Cors('short'));
      } else {
        answers.set(label, classMaxAge);
      }
      Reflect.decorate(
        decorators,
        controller.prototype,
        label,
        Object.getOwnPropertyDescriptor(controller.prototype, label),
      );
    });
    const versioned = shape.versioning && index % 2 === 1;
    const classDecorators = [
      Controller({
        path: declared.path,
        ...(versioned ? { version: '2' } : {}),
        ...(declared.host === undefined ? {} : { host: declared.host }),
      }),
    ];
    if (declared.classPolicy) classDecorators.push(Cors({ maxAge: classMaxAge }));
    controller = Reflect.decorate(classDecorators, controller) as Type;
    return controller;
  });
  return { controllers, answers };
}

/** The paths of a handler, in the generic syntax of `handlerShape` (a second one: `2` added to its first segment). */
function pathsOf(handler: HandlerShape): string[] {
  if (!handler.twoPaths) return [handler.path];
  return [handler.path, /[*?]/.test(handler.path) ? handler.path.replace(/^\w+/, '$&2') : `${handler.path}2`];
}

/** A handler path in the syntax of the app's router: path-to-regexp 8 on Express, find-my-way on Fastify. */
function routePathOf(shape: AppShape, path: string): string {
  if (shape.adapter === 'fastify') return path;
  return path.replace('/*', '/*rest').replace(/\/:opt\?/, '{/:opt}');
}

/**
 * Each path template of a handler (prefix, URI version, router path,
 * controller path, handler path), slashes collapsed; with routes excluded
 * from the prefix, each also without it.
 */
function templatesOf(shape: AppShape, declared: AppShape['controllers'][number], handler: HandlerShape): string[] {
  const prefixes = shape.prefix ? [`/${shape.prefix}`] : [''];
  if (shape.prefix && shape.excluded.length > 0) prefixes.push('');
  const versionPrefix = shape.versionPrefix === undefined ? 'v' : shape.versionPrefix || '';
  const versions =
    shape.versioning && shape.filter === undefined
      ? ['1', '2', '3'].map((version) => `/${versionPrefix}${version}`).concat('')
      : [''];
  const controllerPaths = Array.isArray(declared.path) ? declared.path : [declared.path];
  return pathsOf(handler).flatMap((each) =>
    prefixes.flatMap((prefix) =>
      versions.flatMap((version) =>
        controllerPaths.map((controllerPath) => {
          const template = [prefix + version, declared.routed ? shape.routerPath : '', controllerPath, each]
            .filter(Boolean)
            .join('/')
            .replace(/\/+/g, '/');
          return template.startsWith('/') ? template : `/${template}`;
        }),
      ),
    ),
  );
}

/** The request method a handler is asked with first (`@All()`: DELETE). */
function methodOf(handler: HandlerShape): string {
  return handler.verb === 'All' ? 'DELETE' : handler.verb.toUpperCase();
}

/**
 * Every method a handler is asked with: HEAD too for `@Get()` and `@All()`
 * (Express serves it with the GET route, Fastify with the HEAD route it adds);
 * for `@All()` PATCH, SEARCH and an OPTIONS request that is no preflight too.
 */
function methodsOf(handler: HandlerShape): string[] {
  if (handler.verb === 'Get') return ['GET', 'HEAD'];
  if (handler.verb === 'All') return ['DELETE', 'HEAD', 'PATCH', 'SEARCH', 'OPTIONS'];
  return [methodOf(handler)];
}

/**
 * Each declared route as requests (each method of {@link methodsOf}, path with parameters filled in;
 * with the first one left empty; with `:a,:b` filled in as one value; with
 * URI versioning, under versions 1, 2, 3 and none, whichever the handler
 * serves), and a few paths no route declares.
 */
function requestsOf(shape: AppShape): Array<[string, string]> {
  const requests = new Map<string, [string, string]>();
  const add = (method: string, path: string) => {
    for (const each of [path, `${path}/`]) requests.set(`${method} ${each}`, [method, each]);
  };
  shape.controllers.forEach((declared) => {
    for (const handler of declared.handlers) {
      for (const template of templatesOf(shape, declared, handler)) {
        const spellings = [template];
        if (template.includes(':')) spellings.push(template.replace(/:[a-z]+(?!\?)/, ''));
        if (template.includes(',')) spellings.push(template.replace(/:[a-z]+,:[a-z]+/g, '1'));
        // A wildcard with nothing after it; an optional parameter left out.
        if (template.includes('*')) spellings.push(template.replace('*', ''));
        if (template.includes('?')) spellings.push(template.replace(/\/:[a-z]+\?/, ''));
        for (const spelling of spellings) {
          const path = spelling.replace('*', 'z/y').replace(/:[a-z]+\??/g, '1');
          for (const method of methodsOf(handler)) add(method, path);
        }
      }
    }
  });
  const prefix = shape.prefix ? `/${shape.prefix}` : '';
  for (const segment of shape.unrouted) add('GET', `${prefix}/${segment}`);
  return [...requests.values()];
}

const VERSION_HEADER = 'X-Api-Version';
const CUSTOM_HEADER = 'X-Versions';

function versioningOf(shape: AppShape): VersioningOptions {
  const defaultVersion = shape.defaultVersion;
  switch (shape.filter) {
    case undefined:
      return {
        type: VersioningType.URI,
        defaultVersion,
        ...(shape.versionPrefix === undefined ? {} : { prefix: shape.versionPrefix }),
      };
    case 'header':
      return { type: VersioningType.HEADER, header: VERSION_HEADER, defaultVersion };
    case 'media':
      return { type: VersioningType.MEDIA_TYPE, key: 'v=', defaultVersion };
    case 'custom':
      return {
        type: VersioningType.CUSTOM,
        defaultVersion,
        // The versions a request names, highest first (Nest takes the first one a handler serves).
        extractor: (request: unknown) => {
          const value = (request as { headers: Record<string, string | undefined> }).headers['x-versions'];
          return value === undefined ? [] : value.split(',').sort().reverse();
        },
      };
  }
}

/** The header lines that ask for `version` (`undefined`: none) under the shape's versioning. */
function versionLines(filter: FilterType, version: string | undefined): Array<[string, string]> {
  if (version === undefined) return [];
  if (filter === 'header') return [[VERSION_HEADER, version]];
  if (filter === 'media') return [['Accept', `application/json;v=${version}`]];
  return [[CUSTOM_HEADER, version]];
}

async function boot(shape: AppShape, controllers: Type[]): Promise<INestApplication | undefined> {
  const routed = controllers.filter((_, index) => shape.controllers[index].routed);
  const RoutedModule = Reflect.decorate([Module({ controllers: routed })], class RoutedModule {}) as Type;
  const AppModule = Reflect.decorate(
    [
      Module({
        imports: [
          CorsModule.forRoot({
            origin: [ORIGIN],
            maxAge: DEFAULT_MAX_AGE,
            methods: '*',
            allowedHeaders: [VERSION_HEADER, CUSTOM_HEADER],
            policies: { short: { maxAge: NAMED_MAX_AGE } },
          }),
          RoutedModule,
          RouterModule.register([{ path: shape.routerPath, module: RoutedModule }]),
        ],
        controllers: controllers.filter((_, index) => !shape.controllers[index].routed),
      }),
    ],
    class AppModule {},
  ) as Type;
  let adapter: ExpressAdapter | FastifyAdapter;
  if (shape.adapter === 'express') {
    const instance = express();
    instance.set('strict routing', shape.nonDefaultRouting);
    instance.set('case sensitive routing', shape.nonDefaultRouting);
    instance.set('trust proxy', shape.trustProxy);
    adapter = new ExpressAdapter(instance);
  } else {
    adapter = new FastifyAdapter({
      trustProxy: shape.trustProxy,
      ...(shape.nonDefaultRouting
        ? { routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, ignoreDuplicateSlashes: true } as object }
        : {}),
    });
  }
  let app: INestApplication | undefined;
  try {
    app = await NestFactory.create(AppModule, adapter, { logger: false });
    if (shape.prefix) app.setGlobalPrefix(shape.prefix, { exclude: shape.excluded });
    if (shape.versioning) app.enableVersioning(versioningOf(shape));
    await app.listen(0, '127.0.0.1');
    return app;
  } catch {
    await app?.close().catch(() => undefined);
    return undefined; // routes the router itself refuses (two handlers on one Fastify route): Nest does not boot either
  }
}

describe('generated Nest apps: the CORS answer of the handler that served the request', () => {
  it('holds for actual requests and preflights, on Express and Fastify', async () => {
    let served = 0;
    let unserved = 0;
    await fc.assert(
      fc.asyncProperty(appShape, async (shape) => {
        const { controllers, answers } = buildControllers(shape);
        const app = await boot(shape, controllers);
        if (app === undefined) return;
        try {
          const port = (app.getHttpServer().address() as AddressInfo).port;
          for (const [[method, path], [host, forwarded]] of requestsOf(shape).flatMap((each) =>
            shape.hosts.map((hosts) => [each, hosts] as const),
          )) {
            const hostLines: Array<[string, string]> = [['Host', host]];
            if (forwarded !== undefined) hostLines.push(['X-Forwarded-Host', forwarded]);
            const actual = await sendHttp(port, method, path, [
              ...hostLines,
              ['Origin', ORIGIN],
              ['Content-Length', '0'],
            ]);
            const handler = headerLines(actual, 'x-handler')[0];
            const expected = handler === undefined ? DEFAULT_MAX_AGE : answers.get(handler);
            const preflight = await sendHttp(port, 'OPTIONS', path, [
              ...hostLines,
              ['Origin', ORIGIN],
              ['Access-Control-Request-Method', method],
            ]);
            const allowed = headerLines(preflight, 'access-control-allow-origin').length > 0;
            const answer = {
              actual: headerLines(actual, 'access-control-allow-origin').length > 0 ? 'on' : 'off',
              preflight: allowed ? Number(headerLines(preflight, 'access-control-max-age')[0]) : 'off',
            };
            expect({ shape, method, path, host, forwarded, handler, answer }).toEqual({
              shape,
              method,
              path,
              host,
              forwarded,
              handler,
              answer: { actual: expected === 'off' ? 'off' : 'on', preflight: expected },
            });
            if (handler === undefined) unserved++;
            else served++;
          }
        } finally {
          await app.close();
        }
      }),
      { numRuns: 300, seed: 20261203 },
    );
    expect(served).toBeGreaterThan(1000);
    expect(unserved).toBeGreaterThan(500);
  }, 240_000);
});

/**
 * A lenient matcher of the paths a handler's route may serve (case, repeated
 * and trailing slashes, empty parameters, any host): a superset of what any
 * router setting serves, for the handlers a preflight may be judged by.
 */
function mayServe(shape: AppShape, method: string, path: string): string[] {
  const found: string[] = [];
  for (const [index, declared] of shape.controllers.entries()) {
    for (const [position, handler] of declared.handlers.entries()) {
      if (!methodsOf(handler).includes(method)) continue;
      const serves = templatesOf(shape, declared, handler).some((template) => {
        const pattern = template
          .split('/')
          .filter(Boolean)
          .map((segment) => {
            if (segment === '*') return '(?:/.*)?';
            if (segment.startsWith(':')) return segment.endsWith('?') ? '(?:/+[^/]*)?' : '/+[^/]*';
            return `/+${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
          })
          .join('');
        return new RegExp(`^${pattern}/*$`, 'i').test(path);
      });
      if (serves) found.push(`h${index}_${position}`);
    }
  }
  return found;
}

const FILTER_VERSIONS = [undefined, '1', '2', '3'];

describe('generated Nest apps with header, media-type or custom versioning', () => {
  /*
   * The actual request's answer is that of the handler its version reached
   * (the defaults' where none did). Its preflight carries no version: it may
   * be judged by every handler some version reaches, and by handlers a
   * router keeps for the path that no version reaches (shadowed ones). So it
   * must grant nothing a reached handler refuses (no answer where one has
   * CORS off, no Max-Age other than each reached one's), and may refuse, or
   * leave Max-Age out, only where a handler that may serve the path explains it.
   */
  it('answers each request as its handler, and each preflight as every handler it may reach', async () => {
    let served = 0;
    let shared = 0;
    const shapes = fc
      .tuple(appShape, fc.constantFrom<FilterType>('header', 'media', 'custom'))
      .map(([shape, filter]): AppShape => ({ ...shape, versioning: true, filter }));
    await fc.assert(
      fc.asyncProperty(shapes, async (shape) => {
        const { controllers, answers } = buildControllers(shape);
        const app = await boot(shape, controllers);
        if (app === undefined) return;
        const filter = shape.filter!;
        const versions = filter === 'custom' ? [...FILTER_VERSIONS, '1,3', '2,1'] : FILTER_VERSIONS;
        try {
          const port = (app.getHttpServer().address() as AddressInfo).port;
          for (const [[method, path], [host, forwarded]] of requestsOf(shape).flatMap((each) =>
            shape.hosts.map((hosts) => [each, hosts] as const),
          )) {
            const hostLines: Array<[string, string]> = [['Host', host]];
            if (forwarded !== undefined) hostLines.push(['X-Forwarded-Host', forwarded]);
            const reached = new Set<number | 'off'>();
            for (const version of versions) {
              const actual = await sendHttp(port, method, path, [
                ...hostLines,
                ...versionLines(filter, version),
                ['Origin', ORIGIN],
                ['Content-Length', '0'],
              ]);
              const handler = headerLines(actual, 'x-handler')[0];
              const expected = handler === undefined ? DEFAULT_MAX_AGE : answers.get(handler)!;
              if (handler !== undefined) reached.add(expected);
              const answer = headerLines(actual, 'access-control-allow-origin').length > 0 ? 'on' : 'off';
              const request = `${method} ${path} (version ${version}, Host ${host}, X-Forwarded-Host ${forwarded})`;
              expect({ request, handler, answer }).toEqual({
                request,
                handler,
                answer: expected === 'off' ? 'off' : 'on',
              });
              if (handler !== undefined) served++;
            }
            const preflight = await sendHttp(port, 'OPTIONS', path, [
              ...hostLines,
              ['Origin', ORIGIN],
              ['Access-Control-Request-Method', method],
              ['Access-Control-Request-Headers', filter === 'header' ? VERSION_HEADER : CUSTOM_HEADER],
            ]);
            const allowed = headerLines(preflight, 'access-control-allow-origin').length > 0;
            const maxAge = headerLines(preflight, 'access-control-max-age')[0];
            const possible = new Set<number | 'off'>(mayServe(shape, method, path).map((label) => answers.get(label)!));
            for (const each of reached) possible.add(each);
            if (reached.size > 1) shared++;
            let verdict = 'as its handlers';
            if (!allowed && !reached.has('off') && !possible.has('off')) verdict = 'refused, no handler has CORS off';
            if (allowed && reached.has('off')) verdict = 'allowed, a handler it reaches has CORS off';
            if (allowed && maxAge !== undefined) {
              const others = [...reached].filter((each) => each !== Number(maxAge));
              if (others.length > 0) verdict = `Max-Age ${maxAge}, a handler it reaches answers ${String(others[0])}`;
              if (reached.size === 0 && !possible.has(Number(maxAge)) && Number(maxAge) !== DEFAULT_MAX_AGE)
                verdict = `Max-Age ${maxAge} of no handler that may serve it`;
            }
            if (allowed && maxAge === undefined && new Set([...possible].filter((each) => each !== 'off')).size < 2)
              verdict = 'no Max-Age, though every handler that may serve it agrees';
            const preflightOf = `OPTIONS ${method} ${path} (Host ${host}, X-Forwarded-Host ${forwarded})`;
            expect({ preflightOf, reached: [...reached], verdict }).toEqual({
              preflightOf,
              reached: [...reached],
              verdict: 'as its handlers',
            });
          }
        } finally {
          await app.close();
        }
      }),
      { numRuns: 150, seed: 20261204 },
    );
    expect(served).toBeGreaterThan(1000);
    expect(shared).toBeGreaterThan(30);
  }, 240_000);
});
