import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  All,
  Controller,
  Delete,
  Get,
  Header,
  Injectable,
  Module,
  Patch,
  Post,
  Put,
  RequestMethod,
  UnauthorizedException,
  VERSION_NEUTRAL,
  VersioningType,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { APP_GUARD, RouterModule } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import express from 'express';
import request from 'supertest';
import { RouteConstraints } from '@nestjs/platform-fastify';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp } from './app-factory.js';
import { expectNoCorsHeaders, preflight } from './http-helpers.js';

const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com';

/** A global auth guard declared in the user's own AppModule: it runs before any imported APP_GUARD. */
@Injectable()
class AuthGuard implements CanActivate {
  calls = 0;
  canActivate(context: ExecutionContext): boolean {
    this.calls++;
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string> }>();
    if (req.headers.authorization !== 'Bearer ok') throw new UnauthorizedException();
    return true;
  }
}

@Controller('items')
class ItemsController {
  @Get()
  list() {
    return [];
  }
  @Post()
  @Cors({ origin: ADMIN })
  create() {
    return {};
  }
  @Get(':id')
  one() {
    return {};
  }
  @Put(':id/tags/:tag')
  @Cors({ origin: [APP, ADMIN] })
  tag() {
    return {};
  }
}

/** Wildcard syntax differs: path-to-regexp 8 on Express, find-my-way on Fastify. */
function filesController(wildcard: string) {
  @Controller('files')
  @Cors({ origin: 'https://files.example.com' })
  class FilesController {
    @Get(wildcard)
    read() {
      return {};
    }
  }
  return FilesController;
}

@Controller({ path: 'tenant', host: ':tenant.example.com' })
@Cors({ origin: 'https://tenant-ui.example.com' })
class TenantController {
  @Delete()
  remove() {
    return {};
  }
}

@Controller('users')
@Cors({ origin: ADMIN, methods: ['GET', 'PATCH'] })
class AdminUsersController {
  @Patch(':id')
  update() {
    return {};
  }
}

@Module({ controllers: [AdminUsersController] })
class AdminModule {}

function authGuardOf(app: INestApplication): AuthGuard {
  return app.get(AuthGuard);
}

describe.each(ADAPTERS)('preflight routing (%s)', (adapter) => {
  describe('plain routes, params, wildcards, RouterModule and host routes', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createApp(adapter, {
        imports: [
          CorsModule.forRoot({ origin: APP }),
          AdminModule,
          RouterModule.register([{ path: 'admin', module: AdminModule }]),
        ],
        controllers: [ItemsController, filesController(adapter === 'express' ? '*path' : '*'), TenantController],
        providers: [AuthGuard, { provide: APP_GUARD, useExisting: AuthGuard }],
      });
    });
    afterAll(() => app.close());

    const allowed: Array<[string, string, string, Record<string, string>]> = [
      ['/items', APP, 'GET', {}],
      ['/items', ADMIN, 'POST', {}],
      ['/items/42', APP, 'GET', {}],
      ['/items/42/tags/red', ADMIN, 'PUT', {}],
      ['/files/a/b/c.txt', 'https://files.example.com', 'GET', {}],
      ['/admin/users/7', ADMIN, 'PATCH', {}],
      ['/tenant', 'https://tenant-ui.example.com', 'DELETE', { Host: 'acme.example.com' }],
    ];
    it.each(allowed)('answers %s from %s for %s before any guard runs', async (path, origin, method, headers) => {
      const before = authGuardOf(app).calls;
      const res = await preflight(app, path, origin, method, headers);
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.text).toBe('');
      expect(authGuardOf(app).calls).toBe(before);
    });

    it('judges a preflight by the handler of the requested method: GET /items is public, POST /items admin-only', async () => {
      expect((await preflight(app, '/items', APP, 'GET')).status).toBe(204);
      const post = await preflight(app, '/items', APP, 'POST');
      expect(post.status).toBe(403);
      expectNoCorsHeaders(post);
      const adminGet = await preflight(app, '/items', ADMIN, 'GET');
      expect(adminGet.status).toBe(403);
    });

    it('uses the route policy for params and wildcards, not the module defaults', async () => {
      expect((await preflight(app, '/files/x', APP, 'GET')).status).toBe(403);
      expect((await preflight(app, '/admin/users/7', APP, 'PATCH')).status).toBe(403);
      // The controller narrowed methods to GET and PATCH.
      expect((await preflight(app, '/admin/users/7', ADMIN, 'DELETE')).status).toBe(403);
    });

    it('applies a host-bound controller only to its hosts', async () => {
      const otherHost = await preflight(app, '/tenant', 'https://tenant-ui.example.com', 'DELETE', {
        Host: 'example.org',
      });
      expect(otherHost.status).toBe(403);
      expectNoCorsHeaders(otherHost);
    });

    it('lets the auth guard judge the actual request, whose 401 still carries CORS headers', async () => {
      const res = await request(app.getHttpServer()).get('/items').set('Origin', APP);
      expect(res.status).toBe(401);
      expect(res.headers['access-control-allow-origin']).toBe(APP);
      expect(res.body).toEqual({ message: 'Unauthorized', statusCode: 401 });
    });

    it('governs paths no controller serves by the module defaults: preflight allowed, then the real 404', async () => {
      const pre = await preflight(app, '/nowhere', APP, 'DELETE');
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(APP);
      const res = await request(app.getHttpServer()).delete('/nowhere').set('Origin', APP);
      expect(res.status).toBe(404);
      expect(res.headers['access-control-allow-origin']).toBe(APP);
      expect(res.body.statusCode).toBe(404);
      const refused = await preflight(app, '/nowhere', 'https://evil.example', 'GET');
      expect(refused.status).toBe(403);
      expectNoCorsHeaders(refused);
    });

    it('passes OPTIONS requests that are not preflights to the application', async () => {
      const noMethod = await request(app.getHttpServer()).options('/items').set('Origin', APP);
      expect(noMethod.status).toBe(404);
      expect(noMethod.headers['access-control-allow-methods']).toBeUndefined();
      const noOrigin = await request(app.getHttpServer()).options('/items').set('Access-Control-Request-Method', 'GET');
      expect(noOrigin.status).toBe(404);
      expect(noOrigin.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('global prefix with exclusions and URI versioning', () => {
    @Controller({ path: 'reports', version: '1' })
    @Cors({ origin: 'https://v1.example.com' })
    class ReportsV1Controller {
      @Get()
      list() {
        return 'v1';
      }
    }
    @Controller({ path: 'reports', version: '2' })
    @Cors({ origin: 'https://v2.example.com' })
    class ReportsV2Controller {
      @Get()
      list() {
        return 'v2';
      }
    }
    @Controller('health')
    @Cors({ origin: 'https://status.example.com' })
    class HealthController {
      @Get()
      check() {
        return 'ok';
      }
    }

    let app: INestApplication;
    beforeAll(async () => {
      app = await createApp(
        adapter,
        {
          imports: [CorsModule.forRoot({ origin: APP })],
          controllers: [ReportsV1Controller, ReportsV2Controller, HealthController],
          providers: [AuthGuard, { provide: APP_GUARD, useExisting: AuthGuard }],
        },
        {
          setup: (nest) => {
            nest.setGlobalPrefix('api', { exclude: [{ path: 'health', method: RequestMethod.GET }] });
            nest.enableVersioning({ type: VersioningType.URI });
          },
        },
      );
    });
    afterAll(() => app.close());

    it('finds each URI version under the prefix', async () => {
      const v1 = await preflight(app, '/api/v1/reports', 'https://v1.example.com', 'GET');
      expect(v1.status).toBe(204);
      expect(v1.headers['access-control-allow-origin']).toBe('https://v1.example.com');
      const v2 = await preflight(app, '/api/v2/reports', 'https://v2.example.com', 'GET');
      expect(v2.status).toBe(204);
      expect((await preflight(app, '/api/v2/reports', 'https://v1.example.com', 'GET')).status).toBe(403);
      expect(authGuardOf(app).calls).toBe(0);
    });

    it('finds a route excluded from the prefix at its unprefixed path', async () => {
      const res = await preflight(app, '/health', 'https://status.example.com', 'GET');
      expect(res.status).toBe(204);
      // Under the prefix nothing serves /api/health: the module defaults apply.
      expect((await preflight(app, '/api/health', 'https://status.example.com', 'GET')).status).toBe(403);
    });
  });

  /** An app with the module defaults allowing APP, and header versioning (`X-Api-Version`). */
  const headerVersionedApp = (controllers: Array<new () => unknown>) =>
    createApp(
      adapter,
      { imports: [CorsModule.forRoot({ origin: APP })], controllers },
      { setup: (nest) => nest.enableVersioning({ type: VersioningType.HEADER, header: 'X-Api-Version' }) },
    );

  describe('header versioning: routes that share a path', () => {
    @Controller({ path: 'orders', version: '1' })
    @Cors({ origin: ['https://v1.example.com', 'https://both.example.com'] })
    class OrdersV1Controller {
      @Get()
      list() {
        return 'v1';
      }
    }
    @Controller({ path: 'orders', version: '2' })
    @Cors({ origin: ['https://v2.example.com', 'https://both.example.com'], exposedHeaders: ['X-Version'] })
    class OrdersV2Controller {
      @Get()
      list() {
        return 'v2';
      }
    }

    let app: INestApplication;
    beforeAll(async () => {
      app = await headerVersionedApp([OrdersV1Controller, OrdersV2Controller]);
    });
    afterAll(() => app.close());

    it('allows a preflight only when every version that may serve it allows it (preflights carry no version header)', async () => {
      expect((await preflight(app, '/orders', 'https://both.example.com', 'GET')).status).toBe(204);
      expect((await preflight(app, '/orders', 'https://v1.example.com', 'GET')).status).toBe(403);
      expect((await preflight(app, '/orders', 'https://v2.example.com', 'GET')).status).toBe(403);
      expect((await preflight(app, '/orders', APP, 'GET')).status).toBe(403);
    });

    it('judges the actual request by the exact version that served it', async () => {
      const v2 = await request(app.getHttpServer())
        .get('/orders')
        .set('X-Api-Version', '2')
        .set('Origin', 'https://v2.example.com');
      expect(v2.text).toBe('v2');
      expect(v2.headers['access-control-allow-origin']).toBe('https://v2.example.com');
      expect(v2.headers['access-control-expose-headers']).toBe('X-Version');
      const v1 = await request(app.getHttpServer())
        .get('/orders')
        .set('X-Api-Version', '1')
        .set('Origin', 'https://v2.example.com');
      expect(v1.text).toBe('v1');
      expect(v1.headers['access-control-allow-origin']).toBeUndefined();
      expect(v1.headers['access-control-expose-headers']).toBeUndefined();
    });

    it('answers a request that no version serves (its 404) as requests no route serves: the module defaults', async () => {
      for (const version of ['3', undefined]) {
        const call = request(app.getHttpServer()).get('/orders').set('Origin', APP);
        const none = await (version === undefined ? call : call.set('X-Api-Version', version));
        expect([version, none.status, none.headers['access-control-allow-origin']]).toEqual([version, 404, APP]);
        const refused = request(app.getHttpServer()).get('/orders').set('Origin', 'https://both.example.com');
        const other = await (version === undefined ? refused : refused.set('X-Api-Version', version));
        expect([version, other.status, other.headers['access-control-allow-origin']]).toEqual([
          version,
          404,
          undefined,
        ]);
        expect(other.headers['access-control-expose-headers']).toBeUndefined();
      }
    });
  });

  describe('header versioning: a version-neutral controller before a versioned one on the same path', () => {
    @Controller({ path: 'catalog', version: VERSION_NEUTRAL })
    class NeutralCatalogController {
      @Get()
      list() {
        return 'neutral';
      }
    }
    @Controller({ path: 'catalog', version: '2' })
    @Cors(false)
    class ClosedCatalogController {
      @Get()
      list() {
        return 'v2';
      }
    }

    let app: INestApplication;
    beforeAll(async () => {
      app = await headerVersionedApp([NeutralCatalogController, ClosedCatalogController]);
    });
    afterAll(() => app.close());

    // Express tries routes in order, and a version-neutral route has no version filter: it serves every request,
    // version 2 included. Fastify matches the version constraint first: version 2 reaches the closed controller.
    const closedServesV2 = adapter === 'fastify';

    it('serves version 2 as the router does', async () => {
      const v2 = await request(app.getHttpServer()).get('/catalog').set('X-Api-Version', '2').set('Origin', APP);
      expect([v2.text, v2.headers['access-control-allow-origin']]).toEqual(
        closedServesV2 ? ['v2', undefined] : ['neutral', APP],
      );
    });

    it('judges the preflight by the handlers that may serve it: on Express, the neutral one alone', async () => {
      expect((await preflight(app, '/catalog', APP, 'GET')).status).toBe(closedServesV2 ? 403 : 204);
    });
  });

  describe('header versioning: a version that answers as the module defaults shares a path with one that does not', () => {
    // Version 1 has no @Cors() of its own, so its routes answer as the module defaults; it still serves only
    // requests of its version, which the route recorder must keep in mind although nothing else singles it out.
    @Controller({ path: 'orders', version: '1' })
    class PlainOrdersController {
      @Get()
      list() {
        return 'v1';
      }
    }
    @Controller({ path: 'orders', version: '2' })
    @Cors({ origin: 'https://v2.example.com' })
    class TunedOrdersController {
      @Get()
      list() {
        return 'v2';
      }
    }

    let app: INestApplication;
    beforeAll(async () => {
      app = await headerVersionedApp([PlainOrdersController, TunedOrdersController]);
    });
    afterAll(() => app.close());

    it('refuses a preflight that one of the versions would refuse', async () => {
      expect((await preflight(app, '/orders', APP, 'GET')).status).toBe(403);
      expect((await preflight(app, '/orders', 'https://v2.example.com', 'GET')).status).toBe(403);
    });

    it('answers each actual request as the version that served it', async () => {
      const v1 = await request(app.getHttpServer()).get('/orders').set('X-Api-Version', '1').set('Origin', APP);
      expect(v1.text).toBe('v1');
      expect(v1.headers['access-control-allow-origin']).toBe(APP);
      const v2 = await request(app.getHttpServer()).get('/orders').set('X-Api-Version', '2').set('Origin', APP);
      expect(v2.text).toBe('v2');
      expect(v2.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('header versioning: a literal route of one version, a parameter route of another at the same place', () => {
    const PARTNER = 'https://partner.example.com';
    @Controller({ path: 'reports', version: '1' })
    @Cors({ origin: [APP, PARTNER] })
    class LatestReportController {
      @Get('latest')
      latest() {
        return 'v1 latest';
      }
    }
    @Controller({ path: 'reports', version: '2' })
    class ReportController {
      @Get(':id')
      one() {
        return 'v2 one';
      }
    }

    let app: INestApplication;
    beforeAll(async () => {
      app = await headerVersionedApp([LatestReportController, ReportController]);
    });
    afterAll(() => app.close());

    it('serves version 2 of /reports/latest by the parameter route (the router goes on past the literal one)', async () => {
      for (const [version, text, allowOrigin] of [
        ['1', 'v1 latest', PARTNER],
        ['2', 'v2 one', undefined],
      ] as const) {
        const res = await request(app.getHttpServer())
          .get('/reports/latest')
          .set('X-Api-Version', version)
          .set('Origin', PARTNER);
        expect([version, res.text, res.headers['access-control-allow-origin']]).toEqual([version, text, allowOrigin]);
      }
    });

    it('judges the preflight by both routes: refused for an origin only version 1 admits', async () => {
      expect((await preflight(app, '/reports/latest', PARTNER, 'GET')).status).toBe(403);
      expect((await preflight(app, '/reports/latest', APP, 'GET')).status).toBe(204);
      expect((await preflight(app, '/reports/7', PARTNER, 'GET')).status).toBe(403);
    });
  });
});

describe('preflight routing, Fastify route constraints: @RouteConstraints({ host })', () => {
  const ADMIN_HOST = 'admin.example.com';
  @Controller('portal')
  class PortalController {
    @Get('home')
    @RouteConstraints({ host: ADMIN_HOST })
    @Cors({ origin: ADMIN })
    adminHome() {
      return 'admin home';
    }
    @Get(':page')
    page() {
      return 'page';
    }
  }

  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp('fastify', {
      imports: [CorsModule.forRoot({ origin: APP })],
      controllers: [PortalController],
    });
  });
  afterAll(() => app.close());

  it('serves /portal/home by the host-bound route on its host only (the router goes on past it for others)', async () => {
    for (const [host, text] of [
      [ADMIN_HOST, 'admin home'],
      ['api.example.com', 'page'],
    ]) {
      const res = await request(app.getHttpServer()).get('/portal/home').set('Host', host);
      expect([host, res.text]).toEqual([host, text]);
    }
  });

  it("judges the preflight by the route its Host reaches: the admin route's on the admin host, the other's elsewhere", async () => {
    const status = async (host: string, origin: string) =>
      [host, origin, (await preflight(app, '/portal/home', origin, 'GET', { Host: host })).status] as const;
    expect(await status(ADMIN_HOST, ADMIN)).toEqual([ADMIN_HOST, ADMIN, 204]);
    expect(await status(ADMIN_HOST, APP)).toEqual([ADMIN_HOST, APP, 403]);
    expect(await status('api.example.com', ADMIN)).toEqual(['api.example.com', ADMIN, 403]);
    expect(await status('api.example.com', APP)).toEqual(['api.example.com', APP, 204]);
  });
});

describe('preflight routing, Express: a request no version serves that Express itself answers (404)', () => {
  // Nest matches exclusions from the global prefix case-insensitively, so `reports/*rest` excludes the routes of
  // `Reports`; it mounts its 404 handler on the exclusion path, which this case-sensitive app does not match for
  // `/Reports/…`: such a request that no version serves passes Nest's 404 handler and gets Express's own.
  @Controller('Reports')
  class ReportsController {
    @Get(':id')
    @Cors(false)
    one() {
      return 'v1';
    }
  }

  let app: INestApplication;
  beforeAll(async () => {
    // Set on the instance before Nest builds on it: Express reads it when it creates its router.
    const instance = express();
    instance.set('case sensitive routing', true);
    const moduleRef = await Test.createTestingModule({
      imports: [CorsModule.forRoot({ origin: APP })],
      controllers: [ReportsController],
    }).compile();
    app = moduleRef.createNestApplication(new ExpressAdapter(instance), { logger: ['error'] });
    app.setGlobalPrefix('api', { exclude: ['reports/*rest'] });
    app.enableVersioning({ type: VersioningType.HEADER, header: 'X-Api-Version', defaultVersion: '1' });
    await app.init();
  });
  afterAll(() => app.close());

  it('serves version 1 by the handler, which has CORS off', async () => {
    const res = await request(app.getHttpServer()).get('/Reports/7').set('X-Api-Version', '1').set('Origin', APP);
    expect([res.status, res.text, res.headers['access-control-allow-origin']]).toEqual([200, 'v1', undefined]);
  });

  it("answers another version, which Express's final handler answers, as requests no route serves", async () => {
    const res = await request(app.getHttpServer()).get('/Reports/7').set('X-Api-Version', '2').set('Origin', APP);
    expect(res.status).toBe(404);
    expect(res.text).toContain('<pre>Cannot GET /Reports/7</pre>'); // Express's page, not Nest's JSON
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers.vary).toContain('Origin');
  });
});

describe.each(ADAPTERS)('preflight routing, HEAD: the GET route and an @All() route of one path (%s)', (adapter) => {
  // Express serves HEAD with the first route that handles GET or HEAD, in declaration order; Fastify with the HEAD
  // route it adds for a GET route, a literal one before the @All() parameter route, whichever came first.
  @Controller()
  @Cors({ maxAge: 100 })
  class AnyController {
    @All(':page')
    @Header('X-Served-By', 'any')
    any() {
      return 'any';
    }
  }
  @Controller()
  @Cors({ maxAge: 102 })
  class MeController {
    @Get('me')
    @Header('X-Served-By', 'me')
    me() {
      return 'me';
    }
  }

  it.each([
    ['@All() first', [AnyController, MeController], adapter === 'express' ? 'any' : 'me'],
    ['@Get() first', [MeController, AnyController], 'me'],
  ])('judges a HEAD preflight by the handler that serves HEAD (%s)', async (_order, controllers, servedBy) => {
    const app = await createApp(adapter, {
      imports: [CorsModule.forRoot({ origin: APP })],
      controllers,
    });
    try {
      const served = await request(app.getHttpServer()).head('/me');
      expect(served.headers['x-served-by']).toBe(servedBy);
      const res = await preflight(app, '/me', APP, 'HEAD');
      expect([res.status, res.headers['access-control-max-age']]).toEqual([204, servedBy === 'me' ? '102' : '100']);
    } finally {
      await app.close();
    }
  });
});
