/**
 * With one policy app-wide and nothing to enforce or repair, the module's
 * global guard has nothing to check, and the routes Nest registers leave it
 * out of their guard lists (lib/runtime/route-guard-lists.ts): Nest runs no
 * guard pipeline for it. This pins that Nest never calls it then, that the
 * answers on the wire stay the module defaults', that the app's own global
 * guard still runs, and that the guard is called as soon as it has work. It
 * fails loudly when Nest stops leaving out a guard whose `canActivate` is
 * not a function while it registers routes.
 */
import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  Controller,
  Get,
  Injectable,
  Scope,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import request from 'supertest';
import { CorsGuard } from '../../lib/cors.guard.js';
import { Cors, CorsModule, type CorsModuleOptions } from '../../lib/index.js';
import { ADAPTERS, createApp, type AdapterName } from './app-factory.js';
import { corsHeaders } from './http-helpers.js';

const APP = 'https://app.example.com';
const OTHER = 'https://evil.example.net';
const DEFAULTS: CorsModuleOptions = { origin: [APP], credentials: true, exposedHeaders: ['X-Request-Id'] };

@Controller('items')
@Cors()
class ItemsController {
  @Get(':id')
  one() {
    return { id: 1 };
  }
}

@Controller('own')
class OwnPolicyController {
  @Get()
  @Cors({ maxAge: 5 })
  get() {
    return {};
  }
}

@Controller({ path: 'scoped', scope: Scope.REQUEST })
class ScopedController {
  @Get()
  get() {
    return { scoped: true };
  }
}

/** The app's own global auth guard: 401 without `Authorization`. */
@Injectable()
class AuthGuard implements CanActivate {
  calls = 0;
  canActivate(context: ExecutionContext): boolean {
    this.calls += 1;
    const headers = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers;
    if (headers.authorization === undefined) throw new UnauthorizedException();
    return true;
  }
}

const guardCalls = jest.spyOn(CorsGuard.prototype, 'canActivate');
afterAll(() => guardCalls.mockRestore());

function boot(adapter: AdapterName, controllers: Type[], options: Partial<CorsModuleOptions> = {}, guards = false) {
  return createApp(adapter, {
    imports: [CorsModule.forRoot({ ...DEFAULTS, ...options })],
    controllers,
    providers: guards ? [AuthGuard, { provide: APP_GUARD, useExisting: AuthGuard }] : [],
  });
}

describe.each(ADAPTERS)('The global guard with nothing to check (%s)', (adapter) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    guardCalls.mockClear();
  });

  it('is never called, and every answer is the module defaults’', async () => {
    app = await boot(adapter, [ItemsController]);
    const server = app.getHttpServer();
    const allowed = await request(server).get('/items/7').set('Origin', APP);
    expect(allowed.status).toBe(200);
    expect(corsHeaders(allowed)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Request-Id',
    });
    expect(allowed.headers.vary).toBe('Origin');
    const refused = await request(server).get('/items/7').set('Origin', OTHER);
    expect(refused.status).toBe(200);
    expect(corsHeaders(refused)).toEqual({});
    expect(refused.headers.vary).toBe('Origin');
    const none = await request(server).get('/items/7');
    expect(corsHeaders(none)).toEqual({});
    expect(none.headers.vary).toBe('Origin');
    expect(guardCalls).toHaveBeenCalledTimes(0);
    // Back in place once the routes are registered (request-scoped routes build their lists per request).
    expect(typeof app.get(CorsGuard).canActivate).toBe('function');
  });

  it('leaves the app’s own global guard in place: it runs, and its 401 keeps the CORS headers', async () => {
    app = await boot(adapter, [ItemsController], {}, true);
    const auth = app.get(AuthGuard);
    const denied = await request(app.getHttpServer()).get('/items/7').set('Origin', APP);
    expect(denied.status).toBe(401);
    expect(denied.headers['access-control-allow-origin']).toBe(APP);
    const passed = await request(app.getHttpServer()).get('/items/7').set('Origin', APP).set('Authorization', 'x');
    expect(passed.status).toBe(200);
    expect(passed.headers['access-control-allow-origin']).toBe(APP);
    expect(auth.calls).toBe(2);
    expect(guardCalls).toHaveBeenCalledTimes(0);
  });

  it('runs on request-scoped controllers, whose guard lists Nest builds per request, and returns at once', async () => {
    app = await boot(adapter, [ItemsController, ScopedController]);
    const response = await request(app.getHttpServer()).get('/scoped').set('Origin', APP);
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(APP);
    expect(guardCalls).toHaveBeenCalledTimes(1);
    expect(guardCalls.mock.results[0]).toEqual({ type: 'return', value: true });
  });

  it('is called on every request once a handler has a policy of its own', async () => {
    app = await boot(adapter, [ItemsController, OwnPolicyController]);
    await request(app.getHttpServer()).get('/items/7').set('Origin', APP).expect(200);
    await request(app.getHttpServer()).get('/own').set('Origin', APP).expect(200);
    expect(guardCalls).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['rejectDisallowedOrigins', { rejectDisallowedOrigins: true }],
    ['debug', { debug: true }],
  ])('is called on every request with %s', async (_name, options) => {
    app = await boot(adapter, [ItemsController], options);
    const refused = await request(app.getHttpServer()).get('/items/7').set('Origin', OTHER);
    expect(refused.status).toBe('rejectDisallowedOrigins' in options ? 403 : 200);
    expect(guardCalls).toHaveBeenCalledTimes(1);
  });
});
