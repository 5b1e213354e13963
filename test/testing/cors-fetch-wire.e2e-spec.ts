import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corsFetch } from '../../lib/testing/index.js';

/**
 * corsFetch() against a plain Node server that answers each path with
 * scripted header lines and records what it received: the requests the kit
 * writes, byte for byte, and its verdict on answers no CORS library would
 * send (two Access-Control-Allow-Origin lines, `True`, a 500 preflight, …).
 */

const ORIGIN = 'https://app.example.com';

interface Received {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
}

/** Answers per path: status and header lines, for the preflight and for the actual request. */
const SCRIPTS: Record<string, { preflight?: [number, string[]]; actual?: [number, string[]] }> = {
  '/ok': {
    preflight: [
      204,
      [
        'Access-Control-Allow-Origin',
        ORIGIN,
        'Access-Control-Allow-Credentials',
        'true',
        'Access-Control-Allow-Methods',
        'PUT',
        'Access-Control-Allow-Headers',
        'content-type, x-token',
      ],
    ],
    actual: [200, ['Access-Control-Allow-Origin', ORIGIN, 'Access-Control-Allow-Credentials', 'true']],
  },
  '/preflight-only': {
    preflight: [204, ['Access-Control-Allow-Origin', ORIGIN, 'Access-Control-Allow-Methods', 'PUT']],
    actual: [200, []],
  },
  '/two-origins': { actual: [200, ['Access-Control-Allow-Origin', ORIGIN, 'Access-Control-Allow-Origin', ORIGIN]] },
  '/capital-true': {
    actual: [200, ['Access-Control-Allow-Origin', ORIGIN, 'Access-Control-Allow-Credentials', 'True']],
  },
  '/preflight-500': {
    preflight: [500, ['Access-Control-Allow-Origin', ORIGIN, 'Access-Control-Allow-Methods', 'PUT']],
  },
  '/stars': {
    preflight: [
      200,
      ['Access-Control-Allow-Origin', ORIGIN, 'Access-Control-Allow-Credentials', 'true'].concat([
        'Access-Control-Allow-Methods',
        '*',
        'Access-Control-Allow-Headers',
        '*',
      ]),
    ],
    actual: [
      200,
      ['Access-Control-Allow-Origin', ORIGIN, 'Access-Control-Allow-Credentials', 'true', 'X-Secret', 's'].concat([
        'Access-Control-Expose-Headers',
        '*',
        'Set-Cookie',
        'sid=2',
      ]),
    ],
  },
  '/bad-list': {
    preflight: [204, ['Access-Control-Allow-Origin', ORIGIN, 'Access-Control-Allow-Methods', 'PUT; DELETE']],
  },
};

describe('corsFetch() on the wire', () => {
  let server: Server;
  let baseUrl: string;
  const received: Received[] = [];

  function answer(req: IncomingMessage, body: string, res: import('node:http').ServerResponse) {
    received.push({ method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, body });
    const script = SCRIPTS[req.url!.split('?')[0]];
    const isPreflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    const [status, lines] = (isPreflight ? script?.preflight : script?.actual) ?? [404, []];
    const headers: string[] = [...lines, 'Content-Type', 'text/plain', 'ETag', '"1"'];
    res.writeHead(status, headers);
    res.end('answer');
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => answer(req, Buffer.concat(chunks).toString(), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** What the server received during `run`. */
  async function record(run: () => Promise<unknown>): Promise<Received[]> {
    const start = received.length;
    await run();
    return received.slice(start);
  }

  test('the preflight as Chromium writes it, then the actual request with the script’s headers', async () => {
    const seen = await record(() =>
      corsFetch(server, {
        origin: ORIGIN,
        method: 'put',
        path: '/ok?x=1',
        headers: [
          ['X-Token', 't'],
          ['Content-Type', 'application/json'],
        ],
        credentials: 'include',
        cookie: 'sid=1',
        body: '{"a":1}',
      }),
    );
    expect(seen).toEqual([
      {
        method: 'OPTIONS',
        url: '/ok?x=1',
        rawHeaders: [
          'Host',
          baseUrl.slice('http://'.length),
          'Accept',
          '*/*',
          'Origin',
          ORIGIN,
          'Access-Control-Request-Method',
          'PUT',
          'Access-Control-Request-Headers',
          'content-type,x-token',
          'Connection',
          'close',
        ],
        body: '',
      },
      {
        method: 'PUT',
        url: '/ok?x=1',
        rawHeaders: [
          'Host',
          baseUrl.slice('http://'.length),
          'X-Token',
          't',
          'Content-Type',
          'application/json',
          'Origin',
          ORIGIN,
          'Cookie',
          'sid=1',
          'Content-Length',
          '7',
          'Connection',
          'close',
        ],
        body: '{"a":1}',
      },
    ]);
  });

  test('a repeated header name goes out as one line', async () => {
    const [request] = await record(() =>
      corsFetch(baseUrl, {
        origin: ORIGIN,
        path: '/ok',
        headers: [
          ['Accept', 'text/html'],
          ['accept', 'application/json'],
        ],
      }),
    );
    expect(request.rawHeaders.filter((_, i, all) => i % 2 === 1 && /^accept$/i.test(all[i - 1]))).toEqual([
      'text/html, application/json',
    ]);
  });

  test('a passed preflight, then an actual answer without Access-Control-Allow-Origin: blocked at the response', async () => {
    const result = await corsFetch(server, { origin: ORIGIN, method: 'PUT', path: '/preflight-only' });
    expect(result).toMatchObject({
      readable: false,
      stage: 'response',
      reason: 'no Access-Control-Allow-Origin header',
      preflight: { status: 204 },
      response: { status: 200, body: 'answer' },
    });
  });

  test('two Access-Control-Allow-Origin lines are one value that no origin equals', async () => {
    expect(await corsFetch(server, { origin: ORIGIN, path: '/two-origins' })).toMatchObject({
      readable: false,
      stage: 'response',
      reason: `Access-Control-Allow-Origin "${ORIGIN}, ${ORIGIN}" has several values (${ORIGIN})`,
    });
  });

  test('Access-Control-Allow-Credentials: True is not true', async () => {
    expect(await corsFetch(server, { origin: ORIGIN, path: '/capital-true' })).toMatchObject({ readable: true });
    expect(await corsFetch(server, { origin: ORIGIN, path: '/capital-true', credentials: 'include' })).toMatchObject({
      readable: false,
      reason: 'Access-Control-Allow-Credentials is "True", not "true", and the request includes credentials',
    });
  });

  test('a preflight answered 500 fails even with the right headers', async () => {
    expect(await corsFetch(server, { origin: ORIGIN, method: 'PUT', path: '/preflight-500' })).toMatchObject({
      readable: false,
      stage: 'preflight',
      reason: 'preflight status 500 is not ok (200-299)',
    });
  });

  test('a malformed Access-Control-Allow-Methods fails the preflight', async () => {
    expect(await corsFetch(server, { origin: ORIGIN, method: 'PUT', path: '/bad-list' })).toMatchObject({
      readable: false,
      stage: 'preflight',
      reason: 'Access-Control-Allow-Methods "PUT; DELETE" is not a list of methods',
    });
  });

  test('* for methods, headers and exposed headers: without credentials only; never Authorization', async () => {
    const open = await corsFetch(server, { origin: ORIGIN, method: 'DELETE', path: '/stars', headers: { 'X-A': '1' } });
    expect(open).toMatchObject({ readable: true });
    expect(Object.keys(open.exposedHeaders)).toEqual([
      'access-control-allow-credentials',
      'access-control-allow-origin',
      'access-control-expose-headers',
      'connection',
      'content-type',
      'date',
      'etag',
      'transfer-encoding',
      'x-secret',
    ]); // every name Node sent, but Set-Cookie
    expect(
      await corsFetch(server, { origin: ORIGIN, method: 'DELETE', path: '/stars', credentials: 'include' }),
    ).toMatchObject({
      readable: false,
      reason: 'method DELETE not allowed (* does not count for a request with credentials)',
    });
    expect(
      await corsFetch(server, { origin: ORIGIN, path: '/stars', credentials: 'include', headers: { 'X-A': '1' } }),
    ).toMatchObject({
      readable: false,
      reason: 'header x-a not allowed (* does not count for a request with credentials)',
    });
    expect(
      await corsFetch(server, { origin: ORIGIN, path: '/stars', headers: { Authorization: 'Bearer t' } }),
    ).toMatchObject({
      readable: false,
      stage: 'preflight',
      reason: 'header authorization not allowed (* never covers Authorization)',
    });
    const credentialed = await corsFetch(server, { origin: ORIGIN, path: '/stars', credentials: 'include' });
    expect(Object.keys(credentialed.exposedHeaders)).toEqual(['content-type']);
  });
});

describe('corsFetch() targets and refusals', () => {
  test('a server on a Unix socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cors-fetch-'));
    const server = createServer((_req, res) => res.writeHead(200, { 'Access-Control-Allow-Origin': '*' }).end('hi'));
    await new Promise<void>((resolve) => server.listen(join(dir, 'http.sock'), resolve));
    try {
      expect(await corsFetch(server, { origin: ORIGIN })).toMatchObject({ readable: true, response: { body: 'hi' } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a plain server that is not listening is listened on and closed again', async () => {
    const server = createServer((_req, res) => res.writeHead(204, { 'Access-Control-Allow-Origin': ORIGIN }).end());
    expect(await corsFetch(server, { origin: ORIGIN })).toMatchObject({ readable: true, response: { status: 204 } });
    expect(server.listening).toBe(false);
  });

  test('a server that does not answer: the transport error, not a verdict', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await expect(corsFetch(url, { origin: ORIGIN, path: '/slow', timeoutMs: 50 })).rejects.toThrow(
        'corsFetch: GET /slow failed: no answer within 50 ms',
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await expect(corsFetch(url, { origin: ORIGIN })).rejects.toThrow(/^corsFetch: GET \/ failed: connect ECONNREFUSED/);
  });

  test('what fetch() itself refuses throws a TypeError naming it', async () => {
    const url = 'http://127.0.0.1:9';
    const cases: Array<[Parameters<typeof corsFetch>[1], string]> = [
      [{ origin: 'https://App.example.com' }, 'corsFetch: origin "https://App.example.com" is not a serialized origin'],
      [{ origin: 'https://app.example.com/' }, 'is not a serialized origin'],
      [{ origin: 'https://app.example.com:443' }, 'is not a serialized origin'],
      [{ origin: ORIGIN, body: 'x' }, 'corsFetch: a GET request cannot have a body'],
      [{ origin: ORIGIN, method: 'TRACE' }, 'corsFetch: TRACE is a forbidden method'],
      [{ origin: ORIGIN, headers: { Cookie: 'a=1' } }, 'corsFetch: Cookie is a forbidden request header'],
      [{ origin: ORIGIN, path: 'items' }, 'corsFetch: path must start with "/"; got "items"'],
      [
        { origin: ORIGIN, credentials: 'always' as never },
        "corsFetch: credentials must be 'omit', 'same-origin' or 'include'",
      ],
    ];
    for (const [init, message] of cases) {
      await expect(corsFetch(url, init)).rejects.toThrow(message);
      await expect(corsFetch(url, init)).rejects.toBeInstanceOf(TypeError);
    }
    await expect(corsFetch('ftp://example.com', { origin: ORIGIN })).rejects.toThrow(
      'corsFetch: only http: and https: URLs can be fetched; got ftp:',
    );
    await expect(corsFetch(42 as never, { origin: ORIGIN })).rejects.toThrow(
      'corsFetch: the target must be a Nest application, a Node HTTP server or a base URL',
    );
  });
});
