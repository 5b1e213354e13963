import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Patch, Post, Put, type INestApplication } from '@nestjs/common';
import { Cors, CorsModule, CorsPolicyRegistry } from '../../lib/index.js';
import { ADAPTERS, createApp } from './app-factory.js';
import { corsHeaders, expectNoCorsHeaders, preflight } from './http-helpers.js';

const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com';
const PARTNER = 'https://partner.example.net';

@Controller('reports')
@Cors({ origin: [APP, ADMIN], methods: ['GET', 'POST', 'PUT'], maxAge: 300 })
class ReportsController {
  @Get()
  list() {
    return [];
  }
  /** Route level narrows origin; methods and maxAge come from the controller, credentials from the module. */
  @Put(':id')
  @Cors({ origin: ADMIN })
  update() {
    return {};
  }
  /** A named policy counts as the fields of the route level. */
  @Post('share')
  @Cors('partners')
  share() {
    return {};
  }
  /** @Cors() sets nothing: the controller's fields apply. */
  @Patch(':id')
  @Cors()
  patch() {
    return {};
  }
}

@Controller('internal')
@Cors(false)
class InternalController {
  @Get()
  hidden() {
    return {};
  }
  @Get('status')
  @Cors({ origin: PARTNER })
  status() {
    return {};
  }
  @Get('defaults')
  @Cors()
  withDefaults() {
    return {};
  }
}

describe.each(ADAPTERS)('policy merging on the wire (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [
        CorsModule.forRoot({
          origin: APP,
          credentials: true,
          exposedHeaders: ['X-Module'],
          policies: { partners: { origin: PARTNER, methods: ['POST'], maxAge: 60 } },
        }),
      ],
      controllers: [ReportsController, InternalController],
    });
  });
  afterAll(() => app.close());

  it('uses controller fields over module defaults', async () => {
    const res = await preflight(app, '/reports', ADMIN, 'GET');
    expect(res.status).toBe(204);
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': ADMIN,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET',
      'access-control-max-age': '300',
    });
  });

  it('lets a route replace a list: the route origin narrows, it never unites', async () => {
    expect((await preflight(app, '/reports/1', ADMIN, 'PUT')).status).toBe(204);
    const narrowed = await preflight(app, '/reports/1', APP, 'PUT');
    expect(narrowed.status).toBe(403);
    expectNoCorsHeaders(narrowed);
    const inherited = await preflight(app, '/reports/1', ADMIN, 'PUT');
    expect(inherited.headers['access-control-max-age']).toBe('300');
    expect(inherited.headers['access-control-allow-methods']).toBe('PUT');
  });

  it('uses a named policy as the route level, over controller and module', async () => {
    const res = await preflight(app, '/reports/share', PARTNER, 'POST');
    expect(res.status).toBe(204);
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': PARTNER,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST',
      'access-control-max-age': '60',
    });
    expect((await preflight(app, '/reports/share', APP, 'POST')).status).toBe(403);
  });

  it('keeps the inherited fields under @Cors() with no argument', async () => {
    expect((await preflight(app, '/reports/1', ADMIN, 'PATCH')).status).toBe(403);
    expect((await preflight(app, '/reports/1', APP, 'PUT')).status).toBe(403);
  });

  it('turns CORS off with a controller-level @Cors(false), and back on for a route that declares a policy', async () => {
    const off = await preflight(app, '/internal', APP, 'GET');
    expect(off.status).toBe(403);
    const on = await preflight(app, '/internal/status', PARTNER, 'GET');
    expect(on.status).toBe(204);
    expect(on.headers['access-control-allow-origin']).toBe(PARTNER);
    expect(on.headers['access-control-allow-credentials']).toBe('true');
    const defaults = await preflight(app, '/internal/defaults', APP, 'GET');
    expect(defaults.status).toBe(204);
  });

  it('records, for every route, which level set each field', () => {
    const registry = app.get(CorsPolicyRegistry);
    const update = registry.handlers.find((route) => route.label === 'ReportsController.update')!;
    expect(update.policy.merged.sources).toEqual({
      origin: 'ReportsController.update',
      methods: 'ReportsController',
      maxAge: 'ReportsController',
      credentials: 'module options',
      exposedHeaders: 'module options',
    });
    const share = registry.handlers.find((route) => route.label === 'ReportsController.share')!;
    expect(share.policy.merged.sources.origin).toBe('policy "partners"');
    expect(registry.handlers.find((route) => route.label === 'InternalController.hidden')!.policy.enabled).toBe(false);
  });
});
