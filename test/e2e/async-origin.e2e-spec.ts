import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import request from 'supertest';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp, RecordingLogger } from './app-factory.js';
import { expectNoCorsHeaders, preflight } from './http-helpers.js';

/** Tenants whose front ends may call the API, as a database would answer. */
const tenantDb = {
  calls: [] as string[],
  async allows(origin: string, request: IncomingMessage): Promise<boolean> {
    this.calls.push(origin);
    expect(typeof request.headers).toBe('object');
    await new Promise((resolve) => setTimeout(resolve, 5));
    return origin.endsWith('.tenants.example.com');
  },
};

@Controller()
class TenantController {
  @Get('tenant')
  @Cors({ origin: (origin, req) => tenantDb.allows(origin, req), credentials: true })
  tenant() {
    return { ok: true };
  }
  @Get('broken')
  @Cors({
    origin: async () => {
      throw new Error('database unreachable');
    },
  })
  broken() {
    return { ok: true };
  }
  @Get('slow')
  @Cors({ origin: () => new Promise<boolean>(() => undefined) })
  slow() {
    return { ok: true };
  }
}

describe.each(ADAPTERS)('asynchronous origin functions (%s)', (adapter) => {
  let app: INestApplication;
  const logger = new RecordingLogger();
  beforeAll(async () => {
    app = await createApp(
      adapter,
      {
        imports: [CorsModule.forRoot({ asyncOrigin: { timeoutMs: 100, cacheTtlMs: 60_000, cacheSize: 5 } })],
        controllers: [TenantController],
      },
      { logger },
    );
  });
  afterAll(() => app.close());

  it('calls the function once per origin within the TTL, concurrent requests included', async () => {
    tenantDb.calls.length = 0;
    const origin = 'https://acme.tenants.example.com';
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => request(app.getHttpServer()).get('/tenant').set('Origin', origin)),
    );
    responses.push(await preflight(app, '/tenant', origin, 'GET'));
    for (const res of responses) expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(tenantDb.calls).toEqual([origin]);
  });

  it('keeps a bounded cache: a flood of distinct origins evicts old answers instead of growing', async () => {
    tenantDb.calls.length = 0;
    const first = 'https://first.tenants.example.com';
    await request(app.getHttpServer()).get('/tenant').set('Origin', first);
    for (let i = 0; i < 10; i++) {
      const res = await request(app.getHttpServer()).get('/tenant').set('Origin', `https://flood${i}.evil.example`);
      expectNoCorsHeaders(res);
    }
    await request(app.getHttpServer()).get('/tenant').set('Origin', first);
    expect(tenantDb.calls.filter((origin) => origin === first)).toHaveLength(2);
  });

  it('refuses, with one warning and no CORS header, when the function throws', async () => {
    const before = logger.corsLines('warn').length;
    const res = await request(app.getHttpServer()).get('/broken').set('Origin', 'https://a.example.com');
    expect(res.status).toBe(200);
    expectNoCorsHeaders(res);
    const pre = await preflight(app, '/broken', 'https://b.example.com', 'GET');
    expect(pre.status).toBe(403);
    const warnings = logger.corsLines('warn').slice(before);
    expect(warnings).toEqual([
      'The origin function failed: database unreachable for "https://a.example.com": request refused.',
      'The origin function failed: database unreachable for "https://b.example.com": request refused.',
    ]);
  });

  it('refuses, instead of hanging, when the function never answers', async () => {
    const res = await request(app.getHttpServer()).get('/slow').set('Origin', 'https://a.example.com').timeout(5000);
    expect(res.status).toBe(200);
    expectNoCorsHeaders(res);
    expect(logger.corsLines('warn').at(-1)).toBe(
      'The origin function did not answer within 100 ms for "https://a.example.com": request refused.',
    );
  });
});
