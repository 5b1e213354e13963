/**
 * What reaches the terminal at boot: warnings through Nest's Logger, an
 * invalid configuration logged once as its list, and the origin cache users
 * can clear when a tenant is removed.
 */
import { describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable } from '@nestjs/common';
import request from 'supertest';
import { Cors, CorsModule, CorsOriginCache } from '../../lib/index.js';
import { ADAPTERS, createApp, RecordingLogger } from './app-factory.js';

@Controller('t')
class TenantController {
  @Get()
  get() {
    return 'ok';
  }
}

@Injectable()
@Cors({ origin: 'https://app.example.com' })
class NotAController {
  @Cors(false)
  helper() {
    return 'no route';
  }
}

describe.each(ADAPTERS)('boot diagnostics (%s)', (adapter) => {
  it('warns where @Cors() has no effect, naming the class and what to use instead', async () => {
    const logger = new RecordingLogger();
    const app = await createApp(
      adapter,
      { imports: [CorsModule.forRoot({})], controllers: [TenantController], providers: [NotAController] },
      { logger },
    );
    await app.close();
    expect(logger.corsLines('warn')).toEqual([
      '@Cors() on NotAController has no effect: it is not an HTTP controller. For a GraphQL endpoint (resolvers), ' +
        'give its path a policy with the `paths` option of CorsModule; ' +
        "for a WebSocket gateway, use CorsIoAdapter or CorsWsAdapter from 'nestjs-cors/websockets'.",
    ]);
  });

  it('logs each warning once through the Logger, and the app starts', async () => {
    const logger = new RecordingLogger();
    const app = await createApp(
      adapter,
      {
        imports: [CorsModule.forRoot({ origin: 'https://*.github.io', maxAge: 10000 })],
        controllers: [TenantController],
      },
      { logger },
    );
    await app.close();
    expect(logger.corsLines('warn')).toEqual([
      expect.stringContaining('module options › maxAge: 10000 seconds: Chromium caps'),
      expect.stringContaining('module options › origin: "https://*.github.io": "github.io" is a public suffix'),
    ]);
  });

  it('logs an invalid configuration once, as its list, and rejects with a one-line error', async () => {
    const logger = new RecordingLogger();
    const error = await createApp(
      adapter,
      { imports: [CorsModule.forRoot({ origin: true })], controllers: [TenantController] },
      { logger },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(
      logger.lines.filter((line) => line.level === 'error').map((line) => [line.context, line.message.split('\n')[0]]),
    ).toEqual([['CorsModule', 'Invalid CORS configuration (1 problem):']]);
    expect((error as Error).stack).toBe(
      'CorsConfigurationError: Invalid CORS configuration (1 problem), listed above by CorsModule',
    );
  });

  it('CorsOriginCache.forget() makes a removed tenant take effect on its next request', async () => {
    const tenants = new Set(['https://acme.example.com']);
    let calls = 0;
    const app = await createApp(adapter, {
      imports: [
        CorsModule.forRoot({
          origin: async (origin) => {
            calls++;
            return tenants.has(origin);
          },
        }),
      ],
      controllers: [TenantController],
    });
    const get = () => request(app.getHttpServer()).get('/t').set('Origin', 'https://acme.example.com');
    expect((await get()).headers['access-control-allow-origin']).toBe('https://acme.example.com');
    tenants.clear();
    expect((await get()).headers['access-control-allow-origin']).toBe('https://acme.example.com'); // cached
    app.get(CorsOriginCache).forget('https://acme.example.com');
    expect((await get()).headers['access-control-allow-origin']).toBeUndefined();
    expect(calls).toBe(2);
    await app.close();
  });
});
