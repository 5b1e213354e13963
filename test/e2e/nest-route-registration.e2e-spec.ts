import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { All, Controller, Get, Post, VersioningType, type INestApplication } from '@nestjs/common';
import { Cors, CorsModule, CorsPolicyRegistry } from '../../lib/index.js';
import { RouteRegistrationRecorder } from '../../lib/routing/route-registration-recorder.js';
import { ADAPTERS, createApp } from './app-factory.js';
import { preflight } from './http-helpers.js';

/**
 * Guards the one place nestjs-cors relies on how Nest registers routes rather
 * than on a documented API (lib/routing/route-registration-recorder.ts). If a
 * Nest release changes it, these tests fail with the reason instead of
 * preflights silently falling back to the module defaults.
 */
@Controller({ path: 'probe', version: '2' })
@Cors({ origin: 'https://probe.example.com' })
class ProbeController {
  @Get(':id')
  one() {
    return {};
  }
  @Post()
  create() {
    return {};
  }
  @All('any')
  any() {
    return {};
  }
}

describe.each(ADAPTERS)('Nest route registration, as nestjs-cors observes it (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(
      adapter,
      { imports: [CorsModule.forRoot({ origin: 'https://app.example.com' })], controllers: [ProbeController] },
      {
        setup: (nest) => {
          nest.setGlobalPrefix('api');
          nest.enableVersioning({ type: VersioningType.URI });
        },
      },
    );
  });
  afterAll(() => app.close());

  it('finds a route method on the adapter for every RequestMethod name Nest uses', () => {
    const adapterInstance = app.getHttpAdapter() as unknown as Record<string, unknown>;
    for (const name of ['get', 'post', 'put', 'delete', 'patch', 'options', 'head', 'all']) {
      expect(RouteRegistrationRecorder.methodNames).toContain(name);
      expect(typeof adapterInstance[name]).toBe('function');
    }
  });

  it('saw every route Nest registered, at the full path Nest computed, with the handler metadata copied', async () => {
    const registry = app.get(CorsPolicyRegistry);
    expect(registry.handlers.map((route) => route.label).sort()).toEqual([
      'ProbeController.any',
      'ProbeController.create',
      'ProbeController.one',
    ]);
    expect(registry.report().map((row) => `${row.method} ${row.path} ${row.handler}`)).toEqual([
      'GET /api/v2/probe/:id ProbeController.one',
      'POST /api/v2/probe ProbeController.create',
      'ALL /api/v2/probe/any ProbeController.any',
      '* (no route) module options',
    ]);
    const res = await preflight(app, '/api/v2/probe/7', 'https://probe.example.com', 'GET');
    expect(res.status).toBe(204);
    expect((await preflight(app, '/api/v2/probe/any', 'https://probe.example.com', 'DELETE')).status).toBe(204);
  });

  it('hands the adapter handlers that carry the controller method metadata (and, in Nest 12, its name)', async () => {
    const seen: Array<{ path: string; name: string; path_: unknown }> = [];
    const probe = await createApp(
      adapter,
      { imports: [CorsModule.forRoot({ origin: 'https://app.example.com' })], controllers: [ProbeController] },
      {
        setup: (nest) => {
          const target = nest.getHttpAdapter() as unknown as Record<string, (...args: unknown[]) => unknown>;
          const original = target.get;
          target.get = function (this: unknown, ...args: unknown[]) {
            const handler = args[args.length - 1] as Function;
            seen.push({ path: String(args[0]), name: handler.name, path_: Reflect.getMetadata('path', handler) });
            return original.apply(this, args);
          };
        },
      },
    );
    await probe.close();
    expect(seen).toEqual([{ path: '/probe/:id', name: 'ProbeController.one', path_: ':id' }]);
  });

  it('restored the adapter route methods after registration', () => {
    // Assigned back rather than deleted, which keeps the adapter in fast mode (adapter-shape.e2e-spec.ts).
    const adapterInstance = app.getHttpAdapter() as unknown as Record<string, unknown>;
    expect(adapterInstance.get).toBe(Reflect.get(Object.getPrototypeOf(adapterInstance), 'get'));
  });
});

describe('nothing is attached to the controller classes', () => {
  it('leaves no trace on the shared controller classes once the routes are registered', async () => {
    const app = await createApp('fastify', {
      imports: [CorsModule.forRoot({ origin: 'https://app.example.com' })],
      controllers: [ProbeController],
    });
    for (const name of ['one', 'create', 'any'] as const) {
      expect(Reflect.getMetadata('__guards__', ProbeController.prototype[name])).toBeUndefined();
      expect(Reflect.getMetadata('__interceptors__', ProbeController.prototype[name])).toBeUndefined();
    }
    await app.close();
  });
});

/**
 * Two classes of one name (a `users.controller.ts` in two folders), whose
 * handlers carry the same metadata: only the path each is registered under
 * tells them apart. With `routeResolutionStrategy: 'specificity'` Express
 * gets the second one's routes first (static before parameter segments), so
 * taking them in discovery order would swap the two policies.
 */
function usersController(path: string, origin: string) {
  @Controller(path)
  @Cors({ origin })
  class UsersController {
    @Get(':id')
    one() {
      return { path };
    }
  }
  return UsersController;
}

describe.each(ADAPTERS)('controllers that share a class name and their handlers metadata (%s)', (adapter) => {
  let app: INestApplication;
  const TENANT = 'https://tenant.example';
  const ADMIN = 'https://admin.example';
  beforeAll(async () => {
    app = await createApp(
      adapter,
      {
        imports: [CorsModule.forRoot({ origin: 'https://app.example.com' })],
        controllers: [usersController(':tenant/users', TENANT), usersController('admin/users', ADMIN)],
      },
      { application: { routeResolutionStrategy: 'specificity' } },
    );
  });
  afterAll(() => app.close());

  it.each([
    ['/acme/users/7', TENANT, ADMIN],
    ['/admin/users/7', ADMIN, TENANT],
  ])('a preflight to %s follows the policy of the controller registered there', async (path, own, other) => {
    const allowed = await preflight(app, path, own, 'GET');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(own);
    const refused = await preflight(app, path, other, 'GET');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});
