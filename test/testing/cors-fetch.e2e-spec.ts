import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { All, Body, Controller, Get, Header, Headers, Param, Post, Put, type INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cors, CorsModule } from '../../lib/index.js';
import { corsFetch } from '../../lib/testing/index.js';
import { ADAPTERS, createApp } from '../e2e/app-factory.js';

/**
 * corsFetch() against real Nest apps on Express and Fastify: nestjs-cors
 * policies, and Nest's own app.enableCors() (the `cors` package on Express,
 * @fastify/cors on Fastify), which the kit judges just the same.
 */

const APP = 'https://app.example.com';
const STRANGER = 'https://evil.example';
const CONTENT_TYPE_REASON =
  'header content-type is not CORS-safelisted: application/json is not application/x-www-form-urlencoded, multipart/form-data or text/plain';

const handlerRuns = { put: 0 };

@Controller('items')
@Cors({
  origin: [APP],
  credentials: true,
  methods: ['GET', 'PUT', 'POST'],
  allowedHeaders: ['Content-Type', 'X-Token'],
  exposedHeaders: ['X-Request-Id'],
})
class ItemsController {
  @Get(':id')
  @Header('X-Request-Id', 'req-get')
  @Header('X-Internal', 'hidden')
  get(@Param('id') id: string, @Headers('cookie') cookie: string | undefined) {
    return { id, cookie: cookie ?? null };
  }

  @Put(':id')
  @Header('X-Request-Id', 'req-put')
  put(@Param('id') id: string, @Body() body: unknown, @Headers('x-token') token: string | undefined) {
    handlerRuns.put++;
    return { id, body, token: token ?? null };
  }

  @Post()
  create(@Headers('content-type') contentType: string | undefined) {
    return { contentType: contentType ?? null };
  }
}

@Controller('open')
@Cors({ origin: '*', credentials: false, methods: '*', allowedHeaders: '*' })
class OpenController {
  @All()
  any() {
    return { open: true };
  }
}

describe.each(ADAPTERS)('corsFetch() on %s', (adapter) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({})],
      controllers: [ItemsController, OpenController],
    });
  });

  afterAll(() => app.close());

  test('a preflighted, credentialed JSON PUT: both exchanges, the verdict, what the script reads', async () => {
    const result = await corsFetch(app, {
      origin: APP,
      method: 'PUT',
      path: '/items/1',
      headers: { 'content-type': 'application/json', 'x-token': 't' },
      credentials: 'include',
      body: '{"name":"one"}',
    });
    expect(result).toMatchObject({ readable: true, stage: 'response' });
    expect(result.reason).toBeUndefined();
    expect(result.preflightReasons).toEqual([
      'method PUT is not CORS-safelisted',
      CONTENT_TYPE_REASON,
      'header x-token is not CORS-safelisted',
    ]);
    expect(result.preflight).toMatchObject({
      status: 204,
      headers: {
        'access-control-allow-origin': APP,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'PUT',
        'access-control-allow-headers': 'content-type, x-token',
      },
    });
    expect(result.response?.status).toBe(200);
    expect(JSON.parse(result.response!.body)).toEqual({ id: '1', body: { name: 'one' }, token: 't' });
    expect(result.exposedHeaders).toEqual({
      'content-length': expect.any(String),
      'content-type': expect.stringMatching(/^application\/json/),
      'x-request-id': 'req-put',
    });
  });

  test('a header the policy does not allow: blocked at the preflight, and the PUT is never sent', async () => {
    const before = handlerRuns.put;
    const result = await corsFetch(app, {
      origin: APP,
      method: 'PUT',
      path: '/items/1',
      headers: { 'X-Admin-Token': 'root' },
    });
    // nestjs-cors refuses a preflight whole: 403 and no Access-Control-* header.
    expect(result).toMatchObject({
      readable: false,
      stage: 'preflight',
      reason: 'no Access-Control-Allow-Origin header',
      preflight: { status: 403 },
      exposedHeaders: {},
    });
    expect(result.response).toBeUndefined();
    expect(handlerRuns.put).toBe(before);
  });

  test('a simple GET from an unlisted origin: sent, answered, and blocked at the response', async () => {
    const result = await corsFetch(app, { origin: STRANGER, path: '/items/2' });
    expect(result).toMatchObject({
      readable: false,
      stage: 'response',
      reason: 'no Access-Control-Allow-Origin header',
      preflightReasons: [],
      preflight: undefined,
      response: { status: 200 },
    });
  });

  test('credentials alone need no preflight; the cookie goes with credentials: include only', async () => {
    const included = await corsFetch(app, { origin: APP, path: '/items/3', credentials: 'include', cookie: 'sid=1' });
    expect(included).toMatchObject({ readable: true, preflight: undefined });
    expect(JSON.parse(included.response!.body)).toEqual({ id: '3', cookie: 'sid=1' });
    expect(included.exposedHeaders).toHaveProperty('x-request-id', 'req-get');
    expect(included.exposedHeaders).not.toHaveProperty('x-internal');

    const sameOrigin = await corsFetch(app, { origin: APP, path: '/items/3', cookie: 'sid=1' });
    expect(JSON.parse(sameOrigin.response!.body)).toEqual({ id: '3', cookie: null });
  });

  test('a string body is sent as text/plain;charset=UTF-8, a simple POST', async () => {
    const result = await corsFetch(app, { origin: APP, method: 'post', path: '/items', body: 'hello' });
    expect(result).toMatchObject({ readable: true, preflight: undefined, response: { status: 201 } });
    expect(JSON.parse(result.response!.body)).toEqual({ contentType: 'text/plain;charset=UTF-8' });
  });

  test("origin '*': readable without credentials, never with them", async () => {
    expect(await corsFetch(app, { origin: STRANGER, path: '/open' })).toMatchObject({ readable: true });
    expect(await corsFetch(app, { origin: STRANGER, path: '/open', credentials: 'include' })).toMatchObject({
      readable: false,
      stage: 'response',
      reason: 'Access-Control-Allow-Origin is * but the request includes credentials',
    });
  });

  test("allowedHeaders '*' covers a custom header, and Authorization only by name", async () => {
    const custom = await corsFetch(app, {
      origin: STRANGER,
      method: 'DELETE',
      path: '/open',
      headers: { 'X-Any': '1' },
    });
    expect(custom).toMatchObject({ readable: true, preflight: { status: 204 } });
    const auth = await corsFetch(app, { origin: STRANGER, path: '/open', headers: { Authorization: 'Bearer t' } });
    expect(auth).toMatchObject({ readable: false, stage: 'preflight', preflight: { status: 403 } });
  });

  test('an app that is not listening is put on a loopback port per call, concurrent calls included, and closed', async () => {
    const server = app.getHttpServer() as Server;
    expect(server.listening).toBe(false);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => corsFetch(app, { origin: APP, method: 'PUT', path: `/items/${i}` })),
    );
    expect(results.map((result) => result.readable)).toEqual([true, true, true, true, true]);
    expect(server.listening).toBe(false);
  });
});

describe.each(ADAPTERS)('corsFetch() on a listening %s app: its server, or its URL', (adapter) => {
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [CorsModule.forRoot({})], controllers: [ItemsController] });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(() => app.close());

  test('the same verdict through the app, its HTTP server, a URL string and a URL object; the server stays up', async () => {
    const init = { origin: APP, method: 'PUT', path: '/items/9', headers: { 'X-Token': 't' } } as const;
    for (const target of [app, app.getHttpServer() as Server, baseUrl, new URL(baseUrl)]) {
      expect(await corsFetch(target, init)).toMatchObject({ readable: true, response: { status: 200 } });
    }
    expect((app.getHttpServer() as Server).listening).toBe(true);
  });

  test('a base URL with a path: the request path is appended to it', async () => {
    const result = await corsFetch(`${baseUrl}/items/`, { origin: APP, path: '/4' });
    expect(JSON.parse(result.response!.body)).toEqual({ id: '4', cookie: null });
  });

  test("the server's own origin is not a cross-origin fetch", async () => {
    await expect(corsFetch(baseUrl, { origin: baseUrl, path: '/items/1' })).rejects.toThrow(
      `corsFetch: ${baseUrl} is the server's own origin; that fetch would not be cross-origin`,
    );
  });
});

describe.each(ADAPTERS)("Nest's own app.enableCors() on %s, judged by the same model", (adapter) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createApp(
      adapter,
      { controllers: [ItemsController] },
      { setup: (a) => a.enableCors({ origin: APP, methods: ['GET', 'PUT'], allowedHeaders: ['Content-Type'] }) },
    );
  });

  afterAll(() => app.close());

  test('its preflight answers with its own list, so the kit names the header that is missing', async () => {
    const result = await corsFetch(app, {
      origin: APP,
      method: 'PUT',
      path: '/items/1',
      headers: { 'content-type': 'application/json', 'x-admin-token': 'root' },
    });
    expect(result).toMatchObject({ readable: false, stage: 'preflight', reason: 'header x-admin-token not allowed' });
    expect(result.preflight?.status).toBe(204);
  });

  test('without credentials support, a credentialed read fails the CORS check', async () => {
    const result = await corsFetch(app, { origin: APP, path: '/items/1', credentials: 'include' });
    expect(result).toMatchObject({
      readable: false,
      stage: 'response',
      reason: 'no Access-Control-Allow-Credentials: true, and the request includes credentials',
    });
  });
});
