import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Body,
  Catch,
  Controller,
  ForbiddenException,
  Get,
  Header,
  HttpException,
  Injectable,
  Module,
  type MiddlewareConsumer,
  type NestModule,
  Param,
  ParseIntPipe,
  Post,
  Res,
  UnauthorizedException,
  UseFilters,
  UseGuards,
  type ArgumentsHost,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import request from 'supertest';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp, type AdapterName } from './app-factory.js';

/** The part of Node's `ServerResponse` a raw middleware uses. */
interface ServerResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}
import { corsHeaders, expectNoCorsHeaders, varyOf } from './http-helpers.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example';

const ALLOWED_HEADERS = {
  'access-control-allow-origin': APP,
  'access-control-allow-credentials': 'true',
  'access-control-expose-headers': 'X-Request-Id',
};

/** The user's own global guard: it runs before nestjs-cors' guard, and rejects /api/private without a token. */
@Injectable()
class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ url: string; headers: Record<string, string> }>();
    if (req.url.startsWith('/api/private') && req.headers.authorization !== 'Bearer ok') {
      throw new UnauthorizedException('token required');
    }
    return true;
  }
}

class DenyGuard implements CanActivate {
  canActivate(): boolean {
    throw new ForbiddenException('route guard says no');
  }
}

/** A filter that writes its own body, as user filters do (it keeps existing headers). */
@Catch(HttpException)
class TeapotFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<{ status?: (n: number) => unknown; code?: (n: number) => unknown }>();
    const send = (res.code ?? res.status)!.call(res, 418) as { send(body: unknown): void; json?(body: unknown): void };
    send.send({ filtered: exception.message });
  }
}

function controllerFor(adapter: AdapterName, counter: { runs: number }) {
  @Controller()
  class ApiController {
    @Get('private')
    secret() {
      return { secret: true };
    }
    @Get('ok')
    ok() {
      counter.runs++;
      return { ok: true };
    }
    @Get('guarded')
    @UseGuards(DenyGuard)
    guarded() {
      return {};
    }
    @Get('items/:id')
    item(@Param('id', ParseIntPipe) id: number) {
      return { id };
    }
    @Get('boom')
    boom() {
      throw new Error('kaboom');
    }
    @Get('filtered')
    @UseFilters(TeapotFilter)
    filtered() {
      throw new HttpException('nope', 400);
    }
    @Post('echo')
    echo(@Body() body: unknown) {
      return body;
    }
    @Get('strict')
    @Cors({ rejectDisallowedOrigins: true })
    strict() {
      counter.runs++;
      return { strict: true };
    }
    @Get('vary-header')
    @Header('Vary', 'Accept')
    varyHeader() {
      return {};
    }
    @Get('vary-handler')
    varyHandler(@Res({ passthrough: true }) res: { header?: unknown; setHeader?: unknown }) {
      if (adapter === 'express')
        (res as { setHeader(n: string, v: string): void }).setHeader('Vary', 'Accept-Encoding');
      else (res as { header(n: string, v: string): void }).header('Vary', 'Accept-Encoding');
      return {};
    }
    @Get('public')
    @Cors({ origin: '*', credentials: false, exposedHeaders: ['X-Total'] })
    publicRoute() {
      return {};
    }
  }
  return ApiController;
}

describe.each(ADAPTERS)('actual requests (%s)', (adapter) => {
  let app: INestApplication;
  const counter = { runs: 0 };
  beforeAll(async () => {
    app = await createApp(
      adapter,
      {
        imports: [CorsModule.forRoot({ origin: APP, credentials: true, exposedHeaders: ['X-Request-Id'] })],
        controllers: [controllerFor(adapter, counter)],
        providers: [{ provide: APP_GUARD, useClass: TokenGuard }],
      },
      { setup: (nest) => nest.setGlobalPrefix('api') },
    );
  });
  afterAll(() => app.close());

  const get = (path: string, origin?: string) => {
    const req = request(app.getHttpServer()).get(path);
    return origin ? req.set('Origin', origin) : req;
  };

  describe('from an allowed origin, every response the route can produce carries the CORS headers', () => {
    const cases: Array<[string, () => Promise<request.Response>, number, unknown]> = [
      ['success', () => get('/api/ok', APP), 200, { ok: true }],
      [
        "the user's global guard (401)",
        () => get('/api/private', APP),
        401,
        { message: 'token required', error: 'Unauthorized', statusCode: 401 },
      ],
      [
        'a route guard (403)',
        () => get('/api/guarded', APP),
        403,
        { message: 'route guard says no', error: 'Forbidden', statusCode: 403 },
      ],
      [
        'a pipe (400)',
        () => get('/api/items/abc', APP),
        400,
        { message: 'Validation failed (numeric string is expected)', error: 'Bad Request', statusCode: 400 },
      ],
      [
        'a handler error (500)',
        () => get('/api/boom', APP),
        500,
        { message: 'Internal server error', statusCode: 500 },
      ],
      ['an exception filter (418)', () => get('/api/filtered', APP), 418, { filtered: 'nope' }],
      [
        'a 404 under the prefix',
        () => get('/api/missing', APP),
        404,
        { message: 'Cannot GET /api/missing', error: 'Not Found', statusCode: 404 },
      ],
      [
        'malformed JSON (400 from the body parser)',
        () =>
          request(app.getHttpServer())
            .post('/api/echo')
            .set('Origin', APP)
            .set('Content-Type', 'application/json')
            .send('{"broken": '),
        400,
        undefined,
      ],
      [
        'a body over the limit (413 from the body parser)',
        () =>
          request(app.getHttpServer())
            .post('/api/echo')
            .set('Origin', APP)
            .set('Content-Type', 'application/json')
            .send(JSON.stringify({ blob: 'x'.repeat(1_100_000) })),
        413,
        undefined,
      ],
    ];
    it.each(cases)('%s', async (_name, send, status, body) => {
      const res = await send();
      expect(res.status).toBe(status);
      expect(corsHeaders(res)).toEqual(ALLOWED_HEADERS);
      expect(varyOf(res)).toContain('Origin');
      if (body !== undefined) expect(res.body).toEqual(body);
    });
  });

  describe('from other origins', () => {
    it('sends no CORS header but still runs the handler (CORS is not authentication)', async () => {
      const before = counter.runs;
      const res = await get('/api/ok', EVIL);
      expect(res.status).toBe(200);
      expectNoCorsHeaders(res);
      expect(varyOf(res)).toEqual(['Origin']);
      expect(counter.runs).toBe(before + 1);
    });

    it('answers 403 before the handler when the policy opts into rejectDisallowedOrigins', async () => {
      const before = counter.runs;
      const res = await get('/api/strict', EVIL);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        message: 'Origin not allowed by the CORS policy of this route',
        error: 'Forbidden',
        statusCode: 403,
      });
      expectNoCorsHeaders(res);
      expect(counter.runs).toBe(before);
      const allowed = await get('/api/strict', APP);
      expect(allowed.status).toBe(200);
      expect(counter.runs).toBe(before + 1);
      const sameOrigin = await get('/api/strict');
      expect(sameOrigin.status).toBe(200);
    });
  });

  describe('Vary', () => {
    it('adds Vary: Origin to responses without Origin, with no other CORS header', async () => {
      const res = await get('/api/ok');
      expect(res.status).toBe(200);
      expectNoCorsHeaders(res);
      expect(varyOf(res)).toEqual(['Origin']);
      const notFound = await get('/api/missing');
      expect(varyOf(notFound)).toEqual(['Origin']);
    });

    it('keeps a Vary set with @Header() and adds Origin to it', async () => {
      const res = await get('/api/vary-header', APP);
      expect(varyOf(res).sort()).toEqual(['Accept', 'Origin']);
      const withoutOrigin = await get('/api/vary-header');
      expect(varyOf(withoutOrigin).sort()).toEqual(['Accept', 'Origin']);
    });

    it('keeps a Vary the handler set and adds Origin to it', async () => {
      const res = await get('/api/vary-handler', APP);
      expect(varyOf(res).sort()).toEqual(['Accept-Encoding', 'Origin']);
      expect(res.headers['access-control-allow-origin']).toBe(APP);
    });

    it('answers a public wildcard route with * and no Vary, with or without Origin', async () => {
      for (const origin of [undefined, EVIL, APP]) {
        const res = await get('/api/public', origin);
        expect(corsHeaders(res)).toEqual({
          'access-control-allow-origin': '*',
          'access-control-expose-headers': 'X-Total',
        });
        expect(varyOf(res)).not.toContain('Origin');
      }
    });
  });
});

const MIDDLEWARE_WAYS = [
  'consumer.apply(), module after CorsModule',
  'consumer.apply(), module before CorsModule',
  'app.use()',
] as const;

describe.each(ADAPTERS.flatMap((adapter) => MIDDLEWARE_WAYS.map((way) => [adapter, way] as const)))(
  'responses that middleware ends itself (%s, %s)',
  (adapter, way) => {
    @Controller('ended-by-middleware')
    class EndedController {
      @Get()
      read() {
        return { ok: true };
      }
    }

    /** Ends the Node response itself, as auth middleware written for Express does (no next(error), no reply). */
    function endWith401(req: { headers: Record<string, unknown> }, res: ServerResponseLike, next: () => void): void {
      if (req.headers['x-deny'] === undefined) return next();
      res.statusCode = 401;
      res.setHeader('WWW-Authenticate', 'Bearer');
      res.end('denied');
    }

    @Module({ controllers: [EndedController] })
    class FeatureModule implements NestModule {
      configure(consumer: MiddlewareConsumer) {
        consumer.apply(endWith401).forRoutes(EndedController);
      }
    }

    let app: INestApplication;
    @Module({ controllers: [EndedController] })
    class PlainFeatureModule {}

    beforeAll(async () => {
      const cors = CorsModule.forRoot({ origin: APP, credentials: true, exposedHeaders: ['X-Request-Id'] });
      const imports =
        way === 'app.use()'
          ? [cors, PlainFeatureModule]
          : way.endsWith('before CorsModule')
            ? [FeatureModule, cors]
            : [cors, FeatureModule];
      app = await createApp(
        adapter,
        { imports },
        { setup: way === 'app.use()' ? (nest) => nest.use(endWith401) : undefined },
      );
    });
    afterAll(() => app.close());

    it('keeps the CORS headers on the 401, so the front end can read it', async () => {
      const res = await request(app.getHttpServer()).get('/ended-by-middleware').set('Origin', APP).set('X-Deny', '1');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.headers['access-control-allow-origin']).toBe(APP);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers['access-control-expose-headers']).toBe('X-Request-Id');
      expect(res.headers.vary).toBe('Origin');
    });

    it('gives a refused origin none of them, and answers the others once', async () => {
      const refused = await request(app.getHttpServer())
        .get('/ended-by-middleware')
        .set('Origin', 'https://evil.example.net')
        .set('X-Deny', '1');
      expect(refused.status).toBe(401);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      expect(refused.headers.vary).toBe('Origin');
      const served = await request(app.getHttpServer()).get('/ended-by-middleware').set('Origin', APP);
      expect(served.status).toBe(200);
      expect(served.headers['access-control-allow-origin']).toBe(APP);
      expect(served.headers.vary).toBe('Origin');
      const preflight = await request(app.getHttpServer())
        .options('/ended-by-middleware')
        .set('Origin', APP)
        .set('Access-Control-Request-Method', 'GET')
        .set('X-Deny', '1');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(APP);
      expect(preflight.headers['access-control-expose-headers']).toBeUndefined();
    });
  },
);

describe.each(ADAPTERS)('errors thrown by Nest middleware (%s)', (adapter) => {
  @Controller('guarded-by-middleware')
  class MiddlewareGuardedController {
    @Get()
    read() {
      return { ok: true };
    }
  }

  @Module({ controllers: [MiddlewareGuardedController] })
  class FeatureModule implements NestModule {
    configure(consumer: MiddlewareConsumer) {
      consumer
        .apply((_req: unknown, _res: unknown, next: (error?: unknown) => void) => {
          next(new UnauthorizedException('middleware says no'));
        })
        .forRoutes(MiddlewareGuardedController);
    }
  }

  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({ origin: APP, credentials: true }), FeatureModule],
    });
  });
  afterAll(() => app.close());

  it('keeps the CORS headers on a 401 from middleware, so the front end can read it', async () => {
    const res = await request(app.getHttpServer()).get('/guarded-by-middleware').set('Origin', APP);
    expect(res.status).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.body.message).toBe('middleware says no');
  });
});
