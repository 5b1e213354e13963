/**
 * The divergence suite: colliding routes, requested under many spellings of
 * each path, on Express and Fastify with default and non-default router
 * options. Every handler names itself in the response (`X-Handler`) and its
 * policy names itself in the CORS answer (`X-From-<name>` exposed on actual
 * requests, a Max-Age of its own on preflights), so the suite can tell, for
 * every response, whether its CORS headers came from the handler that served
 * it, and whether each preflight was judged by the handler its actual
 * request reaches. It expects zero divergences.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { All, Controller, Get, Head, Header, Module, type INestApplication, type Type } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { Cors, CorsModule, type CorsPolicyReference } from '../../lib/index.js';
import { headerLines, sendHttp, type RawResponse } from '../property/raw-http.js';

const COMMON = 'https://common.example';
/** Max-Age of each policy: how a preflight answer names the policy that judged it. */
const MAX_AGE: Record<string, number> = {};
let nextMaxAge = 11;

/** A policy every handler gets, told apart on the wire by its exposed header and Max-Age. */
function own(name: string): CorsPolicyReference {
  MAX_AGE[name] ??= nextMaxAge++;
  return { origin: [COMMON], exposedHeaders: [`X-From-${name}`], maxAge: MAX_AGE[name], methods: '*' };
}
const DISABLED = new Set<string>();
function off(name: string): CorsPolicyReference {
  DISABLED.add(name);
  return false;
}
MAX_AGE.defaults = 7;

@Controller('items')
class ItemsController {
  @Get(':id')
  @Header('X-Handler', 'itemById')
  @Cors(own('itemById'))
  byId() {
    return 'itemById';
  }

  @Get('me')
  @Header('X-Handler', 'itemMe')
  @Cors(off('itemMe'))
  me() {
    return 'itemMe';
  }
}

@Controller('docs')
class DocsController {
  @Get(':slug')
  @Header('X-Handler', 'docSlug')
  @Cors(own('docSlug'))
  slug() {
    return 'docSlug';
  }

  @Get('public')
  @Header('X-Handler', 'docPublic')
  @Cors(own('docPublic'))
  publicDoc() {
    return 'docPublic';
  }
}

@Controller()
class CaseController {
  @Get('Case')
  @Header('X-Handler', 'caseRoute')
  @Cors(own('caseRoute'))
  caseRoute() {
    return 'caseRoute';
  }
}

@Controller(':tenant')
class TenantController {
  @Get('settings')
  @Header('X-Handler', 'tenantSettings')
  @Cors(own('tenantSettings'))
  settings() {
    return 'tenantSettings';
  }
}

@Controller('acme')
class AcmeController {
  @Get('settings')
  @Header('X-Handler', 'acmeSettings')
  @Cors(off('acmeSettings'))
  settings() {
    return 'acmeSettings';
  }
}

/** A parent param route from RouterModule (`/:org/billing`) next to a static one declared in the root module. */
@Controller('billing')
class OrgBillingController {
  @Get()
  @Header('X-Handler', 'orgBilling')
  @Cors(own('orgBilling'))
  billing() {
    return 'orgBilling';
  }
}

@Module({ controllers: [OrgBillingController] })
class OrgModule {}

@Controller('acme/billing')
class AcmeBillingController {
  @Get()
  @Header('X-Handler', 'acmeBilling')
  @Cors(off('acmeBilling'))
  billing() {
    return 'acmeBilling';
  }
}

/** Routes only Express's path syntax can hold: named wildcards, text after them, optional groups, HEAD after GET. */
@Controller('items')
class ExpressAnyController {
  @All('any/*rest')
  @Header('X-Handler', 'itemAny')
  @Cors(own('itemAny'))
  any() {
    return 'itemAny';
  }
}

@Controller('files')
class ExpressFilesController {
  @Get('*path')
  @Header('X-Handler', 'fileAny')
  @Cors(own('fileAny'))
  any() {
    return 'fileAny';
  }

  @Get('*path/meta')
  @Header('X-Handler', 'fileMeta')
  @Cors(own('fileMeta'))
  meta() {
    return 'fileMeta';
  }
}

@Controller('opt')
class ExpressOptionalController {
  @Get('{:x}')
  @Header('X-Handler', 'optional')
  @Cors(own('optional'))
  optional() {
    return 'optional';
  }

  @Head(':id')
  @Header('X-Handler', 'optHead')
  @Cors(own('optHead'))
  head() {
    return 'optHead';
  }
}

/** `@Get('end//')`: Nest takes one slash off and registers `/slash/end/`, which Express's router matches as `/slash/end`. */
@Controller('slash')
class ExpressSlashController {
  @Get('end//')
  @Header('X-Handler', 'slashEnd')
  @Cors(own('slashEnd'))
  end() {
    return 'slashEnd';
  }
}

/**
 * A regex parameter (which the preflight table holds in find-my-way) and a
 * wildcard followed by a slash (registered as `/wild/*` and a slash), which
 * Fastify takes only with `ignoreTrailingSlash`: only in the setup that has it.
 */
@Controller('wild')
class FastifyWildController {
  @Get(':id(^\\d+)')
  @Header('X-Handler', 'wildNumber')
  @Cors(own('wildNumber'))
  numeric() {
    return 'wildNumber';
  }

  @Get('*//')
  @Header('X-Handler', 'wildAny')
  @Cors(own('wildAny'))
  any() {
    return 'wildAny';
  }
}

/** The same routes in Fastify's syntax. */
@Controller('items')
class FastifyAnyController {
  @All('any/*')
  @Header('X-Handler', 'itemAny')
  @Cors(own('itemAny'))
  any() {
    return 'itemAny';
  }
}

@Controller('files')
class FastifyFilesController {
  @Get('*')
  @Header('X-Handler', 'fileAny')
  @Cors(own('fileAny'))
  any() {
    return 'fileAny';
  }
}

const SHARED = [
  ItemsController,
  DocsController,
  CaseController,
  TenantController,
  AcmeController,
  AcmeBillingController,
];

const BASE_PATHS = [
  '/',
  '/items/42',
  '/items/me',
  '/items/any/x/y',
  '/docs/public',
  '/docs/other',
  '/files/a/b',
  '/files/a/meta',
  '/opt',
  '/opt/5',
  '/Case',
  '/acme/settings',
  '/zeta/settings',
  '/acme/billing',
  '/zeta/billing',
  '/nothing/here',
  '/slash/end',
  '/wild/12',
  '/wild/x/y',
];

/** Spellings of one path: encodings, slashes, case, matrix parameters, long parameters, request-target forms. */
function spellings(path: string): string[] {
  const out = new Set<string>([path, `${path}/`, path.toUpperCase(), path.toLowerCase(), `/${path}`]);
  const last = path.lastIndexOf('/');
  if (last > 0) out.add(`${path.slice(0, last)}//${path.slice(last + 1)}`);
  const letter = path.search(/[a-z]/i);
  if (letter !== -1) {
    const hex = path.charCodeAt(letter).toString(16);
    out.add(`${path.slice(0, letter)}%${hex}${path.slice(letter + 1)}`);
    out.add(`${path.slice(0, letter)}%${hex.toUpperCase()}${path.slice(letter + 1)}`);
  }
  out.add(`${path};v=1`);
  const second = path.indexOf('/', 1);
  if (second !== -1) {
    out.add(`${path.slice(0, second)};m=1${path.slice(second)}`);
    out.add(`${path.slice(0, second)}\\${path.slice(second + 1)}`);
  }
  out.add(`${path}?q=1`);
  out.add(`${path}#fragment`);
  out.add(`http://127.0.0.1${path}`);
  if (path.startsWith('/items/') || path.startsWith('/docs/')) {
    out.add(`${path.slice(0, path.indexOf('/', 1))}/${'p'.repeat(120)}`);
    out.add(`${path.slice(0, path.indexOf('/', 1))}/${'q'.repeat(60)}`);
  }
  return [...out];
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT'];

interface Setup {
  readonly name: string;
  readonly create: () => Promise<INestApplication>;
  /** Who serves a few colliding requests under this router: proof that the fixture collides as intended. */
  readonly serves: Record<string, string>;
}

const EXPRESS_SERVES = {
  'GET /items/me': 'itemById', // declared first
  'GET /docs/%70ublic': 'docSlug', // raw path: not the literal "public"
  'GET /acme/settings': 'tenantSettings', // the param controller was declared first
  'GET /zeta/billing': 'orgBilling', // RouterModule parent param route
  'HEAD /items/42': 'itemById',
};
const FASTIFY_SERVES_GET = {
  'GET /items/me': 'itemMe', // static before param
  'GET /docs/%70ublic': 'docPublic', // Fastify decodes before matching
  'GET /acme/settings': 'acmeSettings',
  'GET /zeta/billing': 'orgBilling',
};
const FASTIFY_SERVES = { ...FASTIFY_SERVES_GET, 'HEAD /items/42': 'itemById' };

async function boot(httpAdapter: ExpressAdapter | FastifyAdapter, controllers: Type[]): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CorsModule.forRoot({ origin: [COMMON], exposedHeaders: ['X-From-defaults'], maxAge: 7, methods: '*' }),
      OrgModule,
      RouterModule.register([{ path: ':org', module: OrgModule }]),
    ],
    controllers,
  }).compile();
  const app = moduleRef.createNestApplication(httpAdapter, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  return app;
}

const EXPRESS_CONTROLLERS = [
  ...SHARED,
  ExpressAnyController,
  ExpressFilesController,
  ExpressOptionalController,
  ExpressSlashController,
];
const FASTIFY_CONTROLLERS = [...SHARED, FastifyAnyController, FastifyFilesController];

const SETUPS: Setup[] = [
  {
    name: 'express, default settings',
    create: () => boot(new ExpressAdapter(), EXPRESS_CONTROLLERS),
    serves: EXPRESS_SERVES,
  },
  {
    name: 'express, case sensitive + strict routing',
    create: () => {
      const instance = express();
      instance.set('case sensitive routing', true);
      instance.set('strict routing', true);
      return boot(new ExpressAdapter(instance), EXPRESS_CONTROLLERS);
    },
    serves: EXPRESS_SERVES,
  },
  {
    name: 'fastify, default router options',
    create: () => boot(new FastifyAdapter(), FASTIFY_CONTROLLERS),
    serves: FASTIFY_SERVES,
  },
  {
    name: 'fastify, non-default router options',
    create: () =>
      boot(
        new FastifyAdapter({
          routerOptions: {
            caseSensitive: false,
            ignoreTrailingSlash: true,
            ignoreDuplicateSlashes: true,
            maxParamLength: 50,
            useSemicolonDelimiter: true,
          } as object,
        }),
        FASTIFY_CONTROLLERS,
      ),
    serves: FASTIFY_SERVES,
  },
  {
    // Fastify takes `/wild/*` followed by a slash only while it has no HEAD route (its own HEAD check refuses it).
    name: 'fastify, ignoreTrailingSlash without HEAD routes',
    create: () =>
      boot(new FastifyAdapter({ exposeHeadRoutes: false, routerOptions: { ignoreTrailingSlash: true } as object }), [
        ...FASTIFY_CONTROLLERS,
        FastifyWildController,
      ]),
    serves: { ...FASTIFY_SERVES_GET, 'GET /wild/12': 'wildNumber', 'GET /wild/x/y': 'wildAny' },
  },
];

/** What the handler (or the defaults, for `none`) grants COMMON on an actual request. */
function expectedActual(served: string): Record<string, string> {
  if (DISABLED.has(served)) return {};
  return { 'access-control-allow-origin': COMMON, 'access-control-expose-headers': `X-From-${served}` };
}

function actualCors(res: RawResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['access-control-allow-origin', 'access-control-expose-headers']) {
    const lines = headerLines(res, name);
    if (lines.length > 0) out[name] = lines.join(' | ');
  }
  return out;
}

describe.each(SETUPS)('divergence suite: $name', ({ create, serves }) => {
  let app: INestApplication;
  let port: number;
  beforeAll(async () => {
    app = await create();
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  it('collides as intended (the router picks these handlers)', async () => {
    for (const [request, expected] of Object.entries(serves)) {
      const [method, path] = request.split(' ');
      const res = await sendHttp(port, method, path, [['Origin', COMMON]]);
      expect(`${request} → ${headerLines(res, 'x-handler')[0]}`).toBe(`${request} → ${expected}`);
    }
  });

  it('answers every spelling with the CORS headers of the handler that served it, and judges preflights by it', async () => {
    const divergences: string[] = [];
    let checked = 0;
    for (const base of BASE_PATHS) {
      for (const path of spellings(base)) {
        for (const method of METHODS) {
          const actual = await sendHttp(port, method, path, [
            ['Origin', COMMON],
            ['Content-Length', '0'],
          ]);
          const served = headerLines(actual, 'x-handler')[0] ?? 'defaults';
          // Fastify answers a parameter longer than maxParamLength with its own 414 before any hook runs.
          const expected = actual.status === 414 ? {} : expectedActual(served);
          const got = actualCors(actual);
          if (JSON.stringify(got) !== JSON.stringify(expected)) {
            divergences.push(`${method} ${path} served by ${served} (${actual.status}): ${JSON.stringify(got)}`);
          }
          const pre = await sendHttp(port, 'OPTIONS', path, [
            ['Origin', COMMON],
            ['Access-Control-Request-Method', method],
          ]);
          const judgedBy = pre.status === 403 ? 'refused' : `max-age ${headerLines(pre, 'access-control-max-age')[0]}`;
          const expectedVerdict = DISABLED.has(served) ? 'refused' : `max-age ${MAX_AGE[served]}`;
          if (judgedBy !== expectedVerdict) {
            divergences.push(`preflight ${method} ${path}: ${judgedBy}, but ${served} serves it (${expectedVerdict})`);
          }
          checked += 2;
        }
      }
    }
    expect(divergences).toEqual([]);
    expect(checked).toBeGreaterThan(800);
  }, 120_000);
});
