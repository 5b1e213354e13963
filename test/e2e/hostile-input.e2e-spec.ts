import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Put, type INestApplication } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp } from './app-factory.js';
import { expectNoCorsHeaders, preflight } from './http-helpers.js';

const APP = 'https://app.example.com';

@Controller('data')
class DataController {
  @Get()
  read() {
    return { ok: true };
  }
  @Put()
  write() {
    return { ok: true };
  }
}

@Controller('patterns')
@Cors({ origin: ['https://*.example.com', /^https:\/\/[a-z]+\.partner\.net$/, 'http://localhost:*'] })
class PatternsController {
  @Get()
  read() {
    return { ok: true };
  }
}

@Controller('sandboxed')
@Cors({ origin: ['null'], credentials: false })
class SandboxedController {
  @Get()
  read() {
    return { ok: true };
  }
}

/** Sends raw headers (repeated ones included), which supertest cannot. */
function rawGet(app: INestApplication, path: string, headers: Array<[string, string]>) {
  const { port } = (app.getHttpServer().address() as AddressInfo) ?? { port: 0 };
  return new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
    const raw = [['Host', `127.0.0.1:${port}`], ...headers].flat();
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers: raw as never });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(ADAPTERS)('hostile input (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({ origin: APP, credentials: true })],
      controllers: [DataController, PatternsController, SandboxedController],
    });
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app.close());

  const hostileOrigins: Array<[string, string]> = [
    ['comma-joined', `${APP}, https://evil.example`],
    ['with a path', `${APP}/`],
    ['with a path and query', `${APP}/x?y`],
    ['upper-cased', APP.toUpperCase()],
    ['over-long', `https://${'a'.repeat(5000)}.example.com`],
    ['with a tab inside', 'https://app.\texample.com'],
    ['with non-ASCII characters', 'https://app.exämple.com'],
    ['with a default port', `${APP}:443`],
    ['"null" on a route that does not list it', 'null'],
    ['a look-alike suffix', 'https://app.example.com.evil.net'],
  ];

  it.each(hostileOrigins)('never reflects an Origin %s', async (_name, origin) => {
    const actual = await request(app.getHttpServer()).get('/data').set('Origin', origin);
    expect(actual.status).toBe(200);
    expectNoCorsHeaders(actual);
    const pre = await preflight(app, '/data', origin, 'PUT');
    expect(pre.status).toBe(403);
    expectNoCorsHeaders(pre);
  });

  it('never reflects a repeated Origin header (Node joins the values)', async () => {
    const res = await rawGet(app, '/data', [
      ['Origin', APP],
      ['Origin', 'https://evil.example'],
    ]);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('matches patterns only against one valid origin', async () => {
    const allowed = await request(app.getHttpServer()).get('/patterns').set('Origin', 'https://a.b.example.com');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://a.b.example.com');
    const regexp = await request(app.getHttpServer()).get('/patterns').set('Origin', 'https://acme.partner.net');
    expect(regexp.headers['access-control-allow-origin']).toBe('https://acme.partner.net');
    const port = await request(app.getHttpServer()).get('/patterns').set('Origin', 'http://localhost:5173');
    expect(port.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    for (const origin of [
      'https://example.com',
      'https://a.example.com.evil.net',
      'https://x.example.com, https://evil.example',
      'https://acme.partner.net.evil.example',
      'http://a.example.com',
      'https://localhost:5173',
    ]) {
      const res = await request(app.getHttpServer()).get('/patterns').set('Origin', origin);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('reflects "null" only where the policy lists it', async () => {
    const res = await request(app.getHttpServer()).get('/sandboxed').set('Origin', 'null');
    expect(res.headers['access-control-allow-origin']).toBe('null');
  });

  it('refuses a huge or comma-flooded Access-Control-Request-Headers at once, without crashing', async () => {
    const hostile = [
      // Node refuses request heads over 16 KiB itself (431); these stay under that.
      ','.repeat(12 * 1024),
      'x-a,'.repeat(3000),
      `content-type,${' '.repeat(12000)},x-b`,
      Array.from({ length: 65 }, (_, i) => `x-h${i}`).join(','),
    ];
    for (const value of hostile) {
      const res = await preflight(app, '/data', APP, 'PUT', { 'Access-Control-Request-Headers': value });
      expect(res.status).toBe(403);
      expectNoCorsHeaders(res);
    }
    const normal = await preflight(app, '/data', APP, 'PUT', { 'Access-Control-Request-Headers': 'content-type' });
    expect(normal.status).toBe(204);
    expect(normal.headers['access-control-allow-headers']).toBe('content-type');
  });

  it('never echoes a malformed requested header name', async () => {
    const res = await preflight(app, '/data', APP, 'PUT', { 'Access-Control-Request-Headers': 'x-ok, x bad' });
    expect(res.status).toBe(403);
    expectNoCorsHeaders(res);
  });

  it('refuses a malformed Access-Control-Request-Method', async () => {
    const res = await preflight(app, '/data', APP, 'PU T');
    expect(res.status).toBe(403);
    expectNoCorsHeaders(res);
  });
});
