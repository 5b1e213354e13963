/**
 * Host-bound controllers behind a proxy. Nest's host filter reads the
 * request's hostname from the adapter (`req.hostname`), which follows
 * `X-Forwarded-Host` when the app trusts the proxy (`trust proxy` on
 * Express, `trustProxy` on Fastify) and the `Host` header otherwise. The
 * module reads the same hostname, for actual requests and preflights alike:
 * the handler that serves the request decides its CORS answer.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Header, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import request from 'supertest';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, type AdapterName } from './app-factory.js';

const ORIGIN = 'https://app.example';

@Controller({ path: 'settings', host: 'tenant.example' })
@Cors({ origin: ORIGIN, maxAge: 600 })
class TenantSettingsController {
  @Get()
  @Header('X-Handler', 'tenant')
  settings() {
    return 'tenant';
  }
}

/** Express only (Fastify takes one handler per route): declared after the host-bound one, it serves every other host. */
@Controller('settings')
@Cors(false)
class PublicSettingsController {
  @Get()
  @Header('X-Handler', 'public')
  settings() {
    return 'public';
  }
}

async function boot(adapter: AdapterName, trustProxy: boolean): Promise<INestApplication> {
  const controllers =
    adapter === 'express' ? [TenantSettingsController, PublicSettingsController] : [TenantSettingsController];
  @Module({ imports: [CorsModule.forRoot({ origin: ORIGIN, maxAge: 7 })], controllers })
  class AppModule {}
  const app =
    adapter === 'express'
      ? await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), { logger: ['error'] })
      : await NestFactory.create(AppModule, new FastifyAdapter({ trustProxy }), { logger: ['error'] });
  if (adapter === 'express') (app as NestExpressApplication).set('trust proxy', trustProxy);
  await app.init();
  if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
  return app;
}

/** The CORS answer of each handler (`other`: the public one on Express, none on Fastify): actual request's Allow-Origin, preflight's Max-Age. */
function answerOf(adapter: AdapterName, handler: 'tenant' | 'other'): [string | undefined, string | undefined] {
  if (handler === 'tenant') return [ORIGIN, '600'];
  return adapter === 'express' ? [undefined, undefined] : [ORIGIN, '7'];
}

/** The X-Handler header of the handler that serves (none on Fastify for other hosts: Nest's host filter answers 404). */
function handlerHeaderOf(adapter: AdapterName, handler: 'tenant' | 'other'): string | undefined {
  if (handler === 'tenant') return 'tenant';
  return adapter === 'express' ? 'public' : undefined;
}

/** Host and X-Forwarded-Host of a request, and who serves it with and without a trusted proxy. */
const CASES: Array<
  [host: string, forwarded: string | undefined, trusted: 'tenant' | 'other', untrusted: 'tenant' | 'other']
> = [
  ['tenant.example', undefined, 'tenant', 'tenant'],
  ['proxy.internal', 'tenant.example', 'tenant', 'other'],
  ['tenant.example', 'other.example', 'other', 'tenant'],
  ['proxy.internal', undefined, 'other', 'other'],
];

describe.each(ADAPTERS)('host-bound controllers behind a proxy (%s)', (adapter) => {
  describe.each([true, false])('trusting the proxy: %s', (trustProxy) => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot(adapter, trustProxy);
    });
    afterAll(() => app.close());

    it.each(CASES)(
      'Host %s, X-Forwarded-Host %s: the answer of the handler that serves it',
      async (host, forwarded, trusted, untrusted) => {
        const serves = trustProxy ? trusted : untrusted;
        const headers: Record<string, string> = { Host: host, Origin: ORIGIN };
        if (forwarded !== undefined) headers['X-Forwarded-Host'] = forwarded;
        const [allowOrigin, maxAge] = answerOf(adapter, serves);
        const actual = await request(app.getHttpServer()).get('/settings').set(headers);
        expect(actual.headers['x-handler']).toBe(handlerHeaderOf(adapter, serves));
        expect(actual.headers['access-control-allow-origin']).toBe(allowOrigin);
        const preflight = await request(app.getHttpServer())
          .options('/settings')
          .set({ ...headers, 'Access-Control-Request-Method': 'GET' });
        expect(preflight.headers['access-control-allow-origin']).toBe(allowOrigin);
        expect(preflight.headers['access-control-max-age']).toBe(maxAge);
      },
    );
  });
});
