import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Header, Put, UnauthorizedException, type INestApplication, type Type } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import { Cors, CorsModule, CorsPolicyRegistry, type CorsModuleOptions } from '../../lib/index.js';
import { ADAPTERS, createApp, type AdapterName } from './app-factory.js';
import { corsHeaders, preflight, varyOf } from './http-helpers.js';

/**
 * An app whose handlers all answer as the module defaults do (the most common
 * setup, and every app migrated from `enableCors()`): the early layer skips
 * the route lookup and answers with the defaults. These tests pin that the
 * answers on the wire are exactly the defaults', and that one handler with a
 * policy of its own (or `paths`, or `debug`) brings the lookup back.
 */
const APP = 'https://app.example.com';
const OTHER = 'https://evil.example.net';

const DEFAULTS: CorsModuleOptions = {
  origin: [APP],
  credentials: true,
  exposedHeaders: ['X-Request-Id'],
  maxAge: 60,
};

@Controller('items')
@Cors()
class ItemsController {
  @Get(':id')
  one() {
    return { id: 1 };
  }
  @Put(':id')
  @Cors({})
  put() {
    return { ok: true };
  }
  @Get('varied/:id')
  @Header('Vary', 'Accept')
  varied() {
    return { id: 2 };
  }
}

@Controller('plain')
class PlainController {
  @Get()
  get() {
    return {};
  }
}

@Controller('short')
class ShortCacheController {
  @Get(':id')
  @Cors({ maxAge: 5 })
  one() {
    return {};
  }
}

@Controller('off')
class OffController {
  @Get()
  @Cors(false)
  get() {
    return {};
  }
}

/** Middleware that refuses requests with `X-Deny` (a 401 before any guard runs). */
function denyMarkedRequests(req: IncomingMessage, _res: ServerResponse, next: (error?: unknown) => void): void {
  next(req.headers['x-deny'] === undefined ? undefined : new UnauthorizedException('denied'));
}

function boot(adapter: AdapterName, controllers: Type[], options: Partial<CorsModuleOptions> = {}) {
  return createApp(adapter, { imports: [CorsModule.forRoot({ ...DEFAULTS, ...options })], controllers });
}

/** The route table the module built at boot (a private field: what this file pins is that it is skipped). */
function routeTableOf(app: INestApplication): unknown {
  return (app.get(CorsModule) as unknown as { router?: unknown }).router;
}

const ALLOWED_HEADERS = {
  'access-control-allow-origin': APP,
  'access-control-allow-credentials': 'true',
  'access-control-expose-headers': 'X-Request-Id',
};

describe.each(ADAPTERS)('one policy for the whole app (%s)', (adapter) => {
  describe('every handler answers as the defaults do', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot(adapter, [ItemsController, PlainController]);
    });
    afterAll(() => app.close());

    it('needs no route lookup, and builds no route table', () => {
      expect(app.get(CorsPolicyRegistry).uniformRoutes?.map((route) => route.label)).toEqual(['module options']);
      expect(routeTableOf(app)).toBeUndefined();
    });

    it('still reports every route', () => {
      const paths = app
        .get(CorsPolicyRegistry)
        .report()
        .map((row) => `${row.method} ${row.path}`);
      expect(paths).toEqual(expect.arrayContaining(['GET /items/:id', 'PUT /items/:id', 'GET /plain']));
    });

    it('keeps the guard at work for the handler that sets Vary itself', () => {
      expect(app.get(CorsPolicyRegistry).guardHasNoWork).toBe(false);
    });

    it('answers actual requests on every route, with and without @Cors(), exactly as the defaults', async () => {
      for (const path of ['/items/1', '/plain']) {
        const res = await request(app.getHttpServer()).get(path).set('Origin', APP);
        expect(res.status).toBe(200);
        expect(corsHeaders(res)).toEqual(ALLOWED_HEADERS);
        expect(varyOf(res)).toEqual(['Origin']);
      }
    });

    it('keeps Origin in Vary where the handler sets Vary itself', async () => {
      const res = await request(app.getHttpServer()).get('/items/varied/2').set('Origin', APP);
      expect(corsHeaders(res)).toEqual(ALLOWED_HEADERS);
      expect(varyOf(res).sort()).toEqual(['Accept', 'Origin']);
    });

    it('gives 404s and refused origins the defaults’ answer', async () => {
      const missing = await request(app.getHttpServer()).get('/nowhere').set('Origin', APP);
      expect(missing.status).toBe(404);
      expect(corsHeaders(missing)).toEqual(ALLOWED_HEADERS);
      const refused = await request(app.getHttpServer()).get('/items/1').set('Origin', OTHER);
      expect(refused.status).toBe(200);
      expect(corsHeaders(refused)).toEqual({});
      expect(varyOf(refused)).toEqual(['Origin']);
    });

    it('answers preflights with the defaults, for routed and unrouted methods alike', async () => {
      for (const method of ['PUT', 'DELETE']) {
        const res = await preflight(app, '/items/1', APP, method, { 'Access-Control-Request-Headers': 'x-custom' });
        expect(res.status).toBe(204);
        expect(res.headers['access-control-allow-origin']).toBe(APP);
        expect(res.headers['access-control-allow-methods']).toBe(method);
        expect(res.headers['access-control-allow-headers']).toBe('x-custom');
        expect(res.headers['access-control-max-age']).toBe('60');
      }
      const refused = await preflight(app, '/items/1', OTHER, 'PUT');
      expect(refused.status).toBe(403);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('nothing for the guard to check (no handler sets Vary)', () => {
    @Controller('things')
    class ThingsController {
      @Get(':id')
      one() {
        return { id: 1 };
      }
    }
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot(adapter, [ThingsController, PlainController]);
    });
    afterAll(() => app.close());

    it('lets the guard through, and the early layer’s answers are the defaults’', async () => {
      expect(app.get(CorsPolicyRegistry).guardHasNoWork).toBe(true);
      const allowed = await request(app.getHttpServer()).get('/things/1').set('Origin', APP);
      expect(allowed.status).toBe(200);
      expect(corsHeaders(allowed)).toEqual(ALLOWED_HEADERS);
      expect(varyOf(allowed)).toEqual(['Origin']);
      const refused = await request(app.getHttpServer()).get('/plain').set('Origin', OTHER);
      expect(refused.status).toBe(200);
      expect(corsHeaders(refused)).toEqual({});
      expect(varyOf(refused)).toEqual(['Origin']);
      const without = await request(app.getHttpServer()).get('/things/1');
      expect(corsHeaders(without)).toEqual({});
      expect(varyOf(without)).toEqual(['Origin']);
    });

    it('keeps the guard at work when refused origins get a 403', async () => {
      const strict = await boot(adapter, [ThingsController], { rejectDisallowedOrigins: true });
      try {
        expect(strict.get(CorsPolicyRegistry).guardHasNoWork).toBe(false);
        const refused = await request(strict.getHttpServer()).get('/things/1').set('Origin', OTHER);
        expect(refused.status).toBe(403);
        expect(corsHeaders(refused)).toEqual({});
        const allowed = await request(strict.getHttpServer()).get('/things/1').set('Origin', APP);
        expect(allowed.status).toBe(200);
        expect(corsHeaders(allowed)).toEqual(ALLOWED_HEADERS);
      } finally {
        await strict.close();
      }
    });
  });

  describe('one handler with a policy of its own', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot(adapter, [ItemsController, ShortCacheController, OffController]);
    });
    afterAll(() => app.close());

    it('looks routes up again, and each route gets its own answer', async () => {
      expect(app.get(CorsPolicyRegistry).uniformRoutes).toBeUndefined();
      expect(routeTableOf(app)).toBeDefined();
      const short = await preflight(app, '/short/1', APP, 'GET');
      expect(short.status).toBe(204);
      expect(short.headers['access-control-max-age']).toBe('5');
      const items = await preflight(app, '/items/1', APP, 'PUT');
      expect(items.headers['access-control-max-age']).toBe('60');
      const off = await request(app.getHttpServer()).get('/off').set('Origin', APP);
      expect(off.status).toBe(200);
      expect(corsHeaders(off)).toEqual({});
      const offPreflight = await preflight(app, '/off', APP, 'GET');
      expect(offPreflight.status).toBe(403);
    });

    it('compiles nothing for handlers that set nothing: they hold the defaults’ own compiled policy', () => {
      const registry = app.get(CorsPolicyRegistry);
      const policyOf = (controller: Type, method: string) =>
        registry.entryFor(controller, (controller.prototype as Record<string, Function>)[method])?.policy;
      // No @Cors() of its own under @Cors(), and @Cors({}) under @Cors(): nothing to merge.
      expect(policyOf(ItemsController, 'one')).toBe(registry.defaults);
      expect(policyOf(ItemsController, 'put')).toBe(registry.defaults);
      const short = policyOf(ShortCacheController, 'one');
      expect(short).toBeDefined();
      expect(short).not.toBe(registry.defaults);
      expect(short?.maxAgeValue).toBe('5');
      expect(policyOf(OffController, 'get')?.enabled).toBe(false);
    });
  });

  it('gives routes that answer as the defaults the defaults, even under a paths pattern that covers them', async () => {
    // Without `paths`, such routes carry no candidate of their own (on Fastify, no route config): the unrouted
    // answer is theirs. With a pattern over their URL, they must still follow the route, not the pattern.
    for (const options of [{}, { paths: { '/items/*': { maxAge: 5, origin: [OTHER] } } }]) {
      const app = await createApp(
        adapter,
        {
          imports: [CorsModule.forRoot({ ...DEFAULTS, ...options })],
          controllers: [ItemsController, ShortCacheController],
        },
        // A 401 before any guard runs: what the early layer wrote is the whole answer.
        { setup: (nest) => nest.use(denyMarkedRequests) },
      );
      try {
        expect(app.get(CorsPolicyRegistry).uniformRoutes).toBeUndefined();
        const actual = await request(app.getHttpServer()).get('/items/1').set('Origin', APP);
        expect(actual.status).toBe(200);
        expect(corsHeaders(actual)).toEqual(ALLOWED_HEADERS);
        const allowed = await preflight(app, '/items/1', APP, 'PUT');
        expect(allowed.status).toBe(204);
        expect(allowed.headers['access-control-max-age']).toBe('60');
        const denied = await request(app.getHttpServer()).get('/items/1').set('Origin', APP).set('X-Deny', '1');
        expect(denied.status).toBe(401);
        expect(corsHeaders(denied)).toEqual(ALLOWED_HEADERS);
        const refused = await request(app.getHttpServer()).get('/items/1').set('Origin', OTHER);
        expect(corsHeaders(refused)).toEqual({});
        const own = await preflight(app, '/short/1', APP, 'GET');
        expect(own.headers['access-control-max-age']).toBe('5');
        const unrouted = await request(app.getHttpServer()).get('/items/1/nowhere').set('Origin', OTHER);
        expect(unrouted.status).toBe(404);
        expect(unrouted.headers['access-control-allow-origin']).toBe('paths' in options ? OTHER : undefined);
      } finally {
        await app.close();
      }
    }
  });

  it.each([
    ['paths', { paths: { '/graphql': { maxAge: 5 } } }],
    ['debug', { debug: true }],
  ] as const)('keeps the lookup with %s', async (_name, options) => {
    const app = await boot(adapter, [ItemsController, PlainController], options);
    try {
      expect(app.get(CorsPolicyRegistry).uniformRoutes).toBeUndefined();
      const res = await request(app.getHttpServer()).get('/items/1').set('Origin', APP);
      expect(corsHeaders(res)).toEqual(ALLOWED_HEADERS);
    } finally {
      await app.close();
    }
  });
});
