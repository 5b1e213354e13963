/**
 * Fuzzing the live request path, on Express and Fastify: seeded, generated
 * hostile `Origin`, `Access-Control-Request-Method` and
 * `Access-Control-Request-Headers` values (control characters, DEL, unicode,
 * punycode, comma lists, repeated header lines, values up to what fits in
 * Node's 16 KiB request head), sent as raw header lines.
 *
 * Every request must be answered within a timeout, never with a 5xx, and never
 * reflect what it sent: `Access-Control-Allow-Origin` is absent, `*` on the
 * public route, or exactly an origin the route's policy allows (and the one
 * the server received). Values `node:http` cannot send go byte for byte over
 * a socket; Node's own parser answers some of them 400 (DEL, most control
 * characters), which is fine: the app never sees them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { All, Controller, type INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import { maxHeaderSize } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp } from '../e2e/app-factory.js';
import { originAllowed, parseOrigin } from './policy-model.js';
import { headerLines, sendBytes, sendHttp, type RawResponse } from './raw-http.js';

const FUZZ_SEED = 0xf022;
const REQUESTS_PER_ADAPTER = 300;
const REQUEST_TIMEOUT_MS = 5000;

const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com';
const PARTNER = /^https:\/\/[a-z]+\.partner\.net$/;

@Controller('exact')
@Cors({ origin: [APP, ADMIN], credentials: true, allowedHeaders: ['Content-Type', 'X-Api-Key'] })
class ExactController {
  @All() handle() {
    return { ok: true };
  }
}

@Controller('patterns')
@Cors({ origin: ['https://*.example.com', 'http://localhost:*', PARTNER], methods: ['GET', 'PUT', 'PURGE'] })
class PatternsController {
  @All() handle() {
    return { ok: true };
  }
}

@Controller('public')
@Cors({ origin: '*', credentials: false, methods: '*', allowedHeaders: '*' })
class PublicController {
  @All() handle() {
    return { ok: true };
  }
}

@Controller('sandboxed')
@Cors({ origin: 'null', credentials: false })
class SandboxedController {
  @All() handle() {
    return { ok: true };
  }
}

/** `allowedHeaders` unset: the requested names are echoed, so only well-formed ones may be. */
@Controller('echo')
@Cors({ origin: APP })
class EchoController {
  @All() handle() {
    return { ok: true };
  }
}

/** What each route's policy allows in `Access-Control-Allow-Origin`, written out by hand. */
const ALLOWS: Record<string, (value: string) => boolean> = {
  '/exact': (v) => v === APP || v === ADMIN,
  '/patterns': (v) =>
    originAllowed({ origin: ['https://*.example.com', 'http://localhost:*'] }, v) ||
    (parseOrigin(v) !== undefined && PARTNER.test(v)),
  '/public': (v) => v === '*',
  '/sandboxed': (v) => v === 'null',
  '/echo': (v) => v === APP,
  '/nope': (v) => v === APP, // no controller: the module defaults
};
const PATHS = Object.keys(ALLOWS);

// ---------------------------------------------------------------------------
// Hostile values

/** Characters that break parsers: separators, C0 controls (not CR/LF), DEL, look-alikes, invisible and wide ones. */
const nastyChar = fc.oneof(
  {
    arbitrary: fc.constantFrom('\t', ' ', ',', ';', '/', '\\', '@', ':', '.', '*', '#', '?', '%', '"', '<'),
    weight: 4,
  },
  {
    arbitrary: fc.constantFrom('\u00e9', '\u0130', '\u212a', '\uff0e', '\u200b', '\u202e', '\u00a0', '\ud83d\ude00'),
    weight: 3,
  },
  { arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), weight: 1 },
  { arbitrary: fc.constant('\x7f'), weight: 1 },
);

/** One to three nasty characters inserted at random places. */
function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(base, fc.array(fc.tuple(fc.nat(), nastyChar), { minLength: 1, maxLength: 3 })).map(([value, edits]) =>
    edits.reduce((acc, [at, ch]) => {
      const i = at % (acc.length + 1);
      return acc.slice(0, i) + ch + acc.slice(i);
    }, value),
  );
}

/** Up to what fits in one request head next to the other lines. */
const LONG = fc.integer({ min: 256, max: 15_000 });
const ows = fc.constantFrom('', ' ', '\t', '  \t');

const LEGIT_ORIGINS = [
  APP,
  ADMIN,
  'https://a.example.com',
  'https://deep.er.a.example.com',
  'http://localhost:5173',
  'https://acme.partner.net',
  'null',
];

/** Origins each route allows, to draw from (and mutate) more often. */
const ROUTE_ORIGINS: Record<string, string[]> = {
  '/exact': [APP, ADMIN],
  '/patterns': [
    'https://a.example.com',
    'https://deep.er.a.example.com',
    'http://localhost:5173',
    'https://acme.partner.net',
  ],
  '/public': LEGIT_ORIGINS,
  '/sandboxed': ['null'],
  '/echo': [APP],
  '/nope': [APP],
};

const originValue = (path: string) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...ROUTE_ORIGINS[path]), weight: 8 },
    { arbitrary: fc.constantFrom(...LEGIT_ORIGINS), weight: 2 },
    { arbitrary: mutated(fc.constantFrom(...ROUTE_ORIGINS[path])), weight: 3 },
    { arbitrary: mutated(fc.constantFrom(...LEGIT_ORIGINS)), weight: 1 },
    { arbitrary: fc.tuple(ows, fc.constantFrom(...LEGIT_ORIGINS), ows).map(([a, o, b]) => a + o + b), weight: 2 },
    {
      arbitrary: fc.constantFrom(
        `${APP}, https://evil.example`,
        `https://evil.example,${APP}`,
        `${APP}/`,
        `${APP}:443`,
        `${APP}:0443`,
        `${APP}:65536`,
        `${APP}.`,
        `${APP}@evil.net`,
        `https://evil.net#@app.example.com`,
        'HTTPS://APP.EXAMPLE.COM',
        'https://app.example.com.evil.net',
        'https://example.com',
        'https://.example.com',
        'https://a..example.com',
        'https://xn--bcher-kva.example.com',
        'https://b\u00fccher.example.com',
        'https://app\uff0eexample\uff0ecom',
        'https://[::1]',
        'http://localhost:0',
        'http://localhost:99999',
        'https://acme.partner.net.evil.example',
        'javascript:alert(1)',
        'file://',
        'chrome-extension://abcdef',
        'NULL',
        '*',
        '',
      ),
      weight: 3,
    },
    fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => `https://${s}.example.com`),
    fc.string({ unit: 'binary', maxLength: 60 }),
    LONG.map((n) => `https://${'a'.repeat(n)}.example.com`),
    fc.integer({ min: 100, max: 7000 }).map((n) => `https://${'a.'.repeat(n)}example.com`),
  );

const methodValue = fc.oneof(
  { arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'POST', 'PURGE', 'OPTIONS', 'put', 'Put'), weight: 8 },
  fc.constantFrom('CONNECT', 'TRACE', 'TRACK', 'PUT, DELETE', 'PUT,PUT', '', ' ', '*', 'P U T', 'GET\tPUT'),
  mutated(fc.constantFrom('PUT', 'DELETE', 'PURGE')),
  fc.string({ unit: 'binary', maxLength: 30 }),
  LONG.map((n) => 'P'.repeat(n)),
);

const headerName = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'content-type',
      'x-api-key',
      'authorization',
      'X-Requested-With',
      '*',
      'cookie',
      'sec-fetch-mode',
    ),
    weight: 8,
  },
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
  mutated(fc.constantFrom('content-type', 'x-api-key')),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

const headersValue = fc.oneof(
  { arbitrary: fc.array(headerName, { maxLength: 6 }).map((names) => names.join(',')), weight: 8 },
  fc
    .tuple(fc.array(headerName, { maxLength: 10 }), fc.constantFrom(', ', ' ,', ',,', '\t,\t', ' , , '))
    .map(([names, sep]) => names.join(sep)),
  fc.integer({ min: 60, max: 400 }).map((n) => Array.from({ length: n }, (_, i) => `x-h${i}`).join(',')),
  LONG.map((n) => ','.repeat(n)),
  LONG.map((n) => 'x'.repeat(n)),
  LONG.map((n) => `content-type,${' '.repeat(n)},x-api-key`),
);

/** Repeated header lines now and then; none at all sometimes. */
function lines(value: fc.Arbitrary<string>, none: number): fc.Arbitrary<string[]> {
  return fc.oneof(
    { arbitrary: value.map((v) => [v]), weight: 8 },
    { arbitrary: fc.array(value, { minLength: 2, maxLength: 3 }), weight: 1 },
    { arbitrary: fc.constant<string[]>([]), weight: none },
  );
}

interface FuzzRequest {
  readonly path: string;
  readonly method: string;
  readonly origins: string[];
  readonly requestMethods: string[];
  readonly requestHeaders: string[];
}

/** A string as the bytes a client puts on the wire: UTF-8, one latin1 character per byte; CR and LF dropped. */
function wire(value: string): string {
  return Buffer.from(value.replace(/[\r\n]/g, ''), 'utf8').toString('latin1');
}

function headLines(request: FuzzRequest): Array<[string, string]> {
  return [
    ...request.origins.map((v): [string, string] => ['Origin', wire(v)]),
    ...request.requestMethods.map((v): [string, string] => ['Access-Control-Request-Method', wire(v)]),
    ...request.requestHeaders.map((v): [string, string] => ['Access-Control-Request-Headers', wire(v)]),
    ['Content-Length', '0'],
  ];
}

/** Size of the request head, against Node's limit (with room for the request line, Host and Connection). */
function headSize(request: FuzzRequest): number {
  return headLines(request).reduce((sum, [name, value]) => sum + name.length + value.length + 4, 200);
}

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .constantFrom(...PATHS)
  .chain((path) =>
    fc.record({
      path: fc.constant(path),
      // Mostly preflights (OPTIONS with ACRM), then actual requests, and OPTIONS without ACRM.
      method: fc.oneof(
        { arbitrary: fc.constant('OPTIONS'), weight: 3 },
        { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), weight: 2 },
      ),
      origins: lines(originValue(path), 1),
      requestMethods: lines(methodValue, 1),
      requestHeaders: lines(headersValue, 3),
    }),
  )
  .filter((request) => headSize(request) < maxHeaderSize);

// ---------------------------------------------------------------------------

/** What the server reads from the Origin lines: each value without surrounding OWS, repeated lines joined. */
function receivedOrigin(request: FuzzRequest): string | undefined {
  if (request.origins.length === 0) return undefined;
  return request.origins.map((v) => wire(v).replace(/^[ \t]+|[ \t]+$/g, '')).join(', ');
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** RFC 9110 `#token`: elements separated by commas and optional spaces or tabs, each a token. */
function isTokenList(value: string): boolean {
  return value.split(',').every((item) => {
    const name = item.replace(/^[ \t]+|[ \t]+$/g, '');
    return name === '' || TOKEN.test(name);
  });
}

function check(request: FuzzRequest, res: RawResponse): void {
  const explain = () => `${JSON.stringify(request).slice(0, 600)} -> ${res.status} ${JSON.stringify(res.rawHeaders)}`;
  if (res.status >= 500) throw new Error(`5xx: ${explain()}`);
  const acao = headerLines(res, 'access-control-allow-origin');
  if (acao.length > 1) throw new Error(`two Access-Control-Allow-Origin lines: ${explain()}`);
  if (acao.length === 1) {
    const allowed = ALLOWS[request.path](acao[0]) && (acao[0] === '*' || acao[0] === receivedOrigin(request));
    if (!allowed) throw new Error(`reflected ${JSON.stringify(acao[0])}: ${explain()}`);
  }
  // Only well-formed names are ever echoed.
  for (const name of ['access-control-allow-headers', 'access-control-allow-methods']) {
    for (const value of headerLines(res, name)) {
      if (!isTokenList(value)) throw new Error(`${name} carries ${JSON.stringify(value)}: ${explain()}`);
    }
  }
}

function send(port: number, request: FuzzRequest): Promise<RawResponse> {
  const headers = headLines(request);
  // node:http sends tab, printable ASCII and 0x80-0xFF; anything else goes byte for byte on a socket.
  if (headers.every(([, value]) => !/[^\t\x20-\x7e\x80-\xff]/.test(value))) {
    return sendHttp(port, request.method, request.path, headers, REQUEST_TIMEOUT_MS);
  }
  const head =
    `${request.method} ${request.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    headers.map(([name, value]) => `${name}: ${value}\r\n`).join('') +
    'Connection: close\r\n\r\n';
  return sendBytes(port, head, REQUEST_TIMEOUT_MS);
}

describe.each(ADAPTERS)('fuzzing the request path (%s)', (adapter) => {
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({ origin: APP, credentials: true })],
      controllers: [ExactController, PatternsController, PublicController, SandboxedController, EchoController],
    });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  it(`answers ${REQUESTS_PER_ADAPTER} hostile requests without a 5xx, a hang or a reflection`, async () => {
    const statuses = new Map<number, number>();
    let reflected = 0;
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const res = await send(port, request);
        check(request, res);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const acao = headerLines(res, 'access-control-allow-origin');
        if (acao.length === 1 && acao[0] !== '*') reflected++;
      }),
      { seed: FUZZ_SEED, numRuns: REQUESTS_PER_ADAPTER },
    );
    // The run reached both sides: allowed origins named, refusals, and Node's own 400s.
    expect(reflected).toBeGreaterThan(10);
    expect(statuses.get(403) ?? 0).toBeGreaterThan(10);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);

    // And the app still answers normally afterwards.
    const after = await sendHttp(port, 'OPTIONS', '/exact', [
      ['Origin', APP],
      ['Access-Control-Request-Method', 'PUT'],
    ]);
    expect(after.status).toBe(204);
    expect(headerLines(after, 'access-control-allow-origin')).toEqual([APP]);
  }, 120_000);
});
