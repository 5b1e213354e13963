import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fastifyCors from '@fastify/cors';
import { Controller, Get, Module, Post, Res, type INestApplication, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import cors from 'cors';
import type { FastifyInstance } from 'fastify';
import { request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cors, CorsModule } from '../../lib/index.js';
import { RecordingLogger, type AdapterName } from './app-factory.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

@Controller('things')
@Cors({ origin: APP, credentials: true, exposedHeaders: ['X-Total'] })
class ThingsController {
  @Get()
  list() {
    return [];
  }
  @Get('boom')
  boom(): never {
    throw new Error('boom');
  }
  @Post()
  create() {
    return {};
  }
}

/** Handlers that write the head themselves, in each form Node accepts. */
@Controller('raw')
@Cors({ origin: APP })
class RawController {
  @Get('object')
  object(@Res() res: ServerResponse) {
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'ACCESS-CONTROL-ALLOW-CREDENTIALS': 'true' }).end('{}');
  }
  @Get('reason')
  reason(@Res() res: ServerResponse) {
    res.writeHead(200, 'Fine', { 'access-control-expose-headers': 'X-Other', 'access-control-allow-origin': '*' });
    res.end('{}');
  }
  @Get('array')
  array(@Res() res: ServerResponse) {
    res.writeHead(200, ['Access-Control-Allow-Origin', '*', 'X-Kept', 'yes']).end('{}');
  }
}

@Controller('open')
@Cors(false)
class OpenController {
  @Get()
  get() {
    return {};
  }
}

@Module({
  imports: [CorsModule.forRoot({ origin: APP, allowOtherCorsLayers: true })],
  controllers: [ThingsController, OpenController, RawController],
})
class AppModule {}

/** What the other layer is told: reflect every origin, with credentials and its own exposed header. */
const OTHER = { origin: true, credentials: true, exposedHeaders: 'X-Other' };

type AnyApp = INestApplication & Partial<NestExpressApplication> & Partial<NestFastifyApplication>;

interface OtherLayerCase {
  adapter: AdapterName;
  layer: string;
  app?: NestApplicationOptions;
  main?: (app: AnyApp) => unknown;
}

const CASES: OtherLayerCase[] = [
  { adapter: 'express', layer: 'app.enableCors()', main: (app) => app.enableCors(OTHER) },
  { adapter: 'express', layer: 'the cors option', app: { cors: OTHER } },
  { adapter: 'express', layer: 'app.use(cors())', main: (app) => app.use(cors(OTHER)) },
  {
    adapter: 'express',
    layer: 'app.use(cors()) after app.init()',
    main: async (app) => {
      await app.init();
      app.use(cors(OTHER));
    },
  },
  { adapter: 'fastify', layer: 'app.enableCors()', main: (app) => app.enableCors(OTHER) },
  {
    adapter: 'fastify',
    layer: 'app.use(cors()) after app.init()',
    main: async (app) => {
      await app.init();
      app.use(cors(OTHER));
    },
  },
  { adapter: 'fastify', layer: 'the cors option', app: { cors: OTHER } },
  { adapter: 'fastify', layer: 'app.use(cors()) (middie)', main: (app) => app.use(cors(OTHER)) },
  { adapter: 'fastify', layer: 'app.register(fastifyCors)', main: (app) => app.register!(fastifyCors, OTHER) },
  {
    adapter: 'fastify',
    layer: '@fastify/cors in a plugin',
    main: (app) =>
      app.register!(
        async (child: FastifyInstance) => {
          await child.register(fastifyCors, OTHER);
          child.get('/plugin', async () => ({ from: 'plugin' }));
        },
        { prefix: '/api' },
      ),
  },
];

interface RawResponse {
  status: number;
  /** Header lines as sent, `[name, value, name, value…]` with names lower-cased. */
  lines: string[];
}

function send(
  app: INestApplication,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawResponse> {
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          lines: res.rawHeaders.map((value, index) => (index % 2 === 0 ? value.toLowerCase() : value)),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The access headers of a response, each with every value it was sent with. */
function accessHeaders(res: RawResponse): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (let i = 0; i < res.lines.length; i += 2) {
    const name = res.lines[i];
    if (
      name === 'access-control-allow-origin' ||
      name === 'access-control-allow-credentials' ||
      name === 'access-control-expose-headers'
    ) {
      (found[name] ??= []).push(res.lines[i + 1]);
    }
  }
  return found;
}

/** Sends a request and checks its status and exactly the access headers it carries. */
async function expectAnswer(
  app: INestApplication,
  method: string,
  path: string,
  headers: Record<string, string>,
  status: number,
  access: Readonly<Record<string, readonly string[]>>,
  body?: string,
): Promise<void> {
  const res = await send(app, method, path, headers, body);
  expect(res.status).toBe(status);
  expect(accessHeaders(res)).toEqual(access);
}

describe.each(CASES)('allowOtherCorsLayers: true next to $layer ($adapter)', ({ adapter, app: appOptions, main }) => {
  let app: INestApplication;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    const httpAdapter = adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter();
    app = await NestFactory.create(AppModule, httpAdapter, { logger, ...appOptions });
    await main?.(app as AnyApp);
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app.close());

  it('starts, and says once that the module decides the access headers', () => {
    const lines = logger.corsLines('log').filter((line) => line.startsWith('allowOtherCorsLayers: true'));
    expect(lines).toHaveLength(1);
  });

  describe('a refused origin never gets an access header', () => {
    it.each([
      ['an actual request', 'GET', '/things', {}, undefined, 200],
      ['a 404', 'GET', '/nope', {}, undefined, 404],
      ['a handler error', 'GET', '/things/boom', {}, undefined, 500],
      ['a body parser error', 'POST', '/things', { 'Content-Type': 'application/json' }, '{"bad', 400],
      ['a preflight', 'OPTIONS', '/things', { 'Access-Control-Request-Method': 'POST' }, undefined, 403],
      ['a preflight of a 404', 'OPTIONS', '/nope', { 'Access-Control-Request-Method': 'GET' }, undefined, 403],
    ] as const)('%s', async (_, method, path, headers, body, status) => {
      await expectAnswer(app, method, path, { Origin: EVIL, ...headers }, status, {}, body);
    });

    it('nor does an allowed origin on a @Cors(false) route', async () => {
      await expectAnswer(app, 'GET', '/open', { Origin: APP }, 200, {});
    });

    it('nor a request without Origin', async () => {
      await expectAnswer(app, 'GET', '/things', {}, 200, {});
    });
  });

  describe("an allowed origin gets exactly the module's headers, once", () => {
    const ROUTE = {
      'access-control-allow-origin': [APP],
      'access-control-allow-credentials': ['true'],
      'access-control-expose-headers': ['X-Total'],
    };
    it.each([
      ['an actual request', 'GET', '/things', 200, ROUTE],
      ['a handler error', 'GET', '/things/boom', 500, ROUTE],
      // Paths no controller serves follow the module defaults: origin only.
      ['a 404', 'GET', '/nope', 404, { 'access-control-allow-origin': [APP] }],
    ] as const)('%s', async (_, method, path, status, expected) => {
      await expectAnswer(app, method, path, { Origin: APP }, status, expected);
    });

    it('a preflight', async () => {
      await expectAnswer(app, 'OPTIONS', '/things', { Origin: APP, 'Access-Control-Request-Method': 'POST' }, 204, {
        'access-control-allow-origin': [APP],
        'access-control-allow-credentials': ['true'],
      });
    });
  });
});

describe('allowOtherCorsLayers: true next to @fastify/cors in a plugin: the plugin routes follow the module too', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
    await (app as NestFastifyApplication).register(
      async (child: FastifyInstance) => {
        await child.register(fastifyCors, OTHER);
        child.get('/plugin', async () => ({ from: 'plugin' }));
      },
      { prefix: '/api' },
    );
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app.close());

  it.each([
    ['a plugin route', 'GET', '/api/plugin', {}, 200],
    // strictPreflight: @fastify/cors answers an OPTIONS without Access-Control-Request-Method with a 400.
    ['the OPTIONS route of @fastify/cors, without a preflight', 'OPTIONS', '/api/plugin', {}, 400],
    ['a preflight under the plugin', 'OPTIONS', '/api/plugin', { 'Access-Control-Request-Method': 'GET' }, 403],
  ] as const)('%s: nothing for a refused origin', async (_, method, path, headers, status) => {
    await expectAnswer(app, method, path, { Origin: EVIL, ...headers }, status, {});
  });

  it("a plugin route answers an allowed origin with the module defaults' headers only", async () => {
    await expectAnswer(app, 'GET', '/api/plugin', { Origin: APP }, 200, { 'access-control-allow-origin': [APP] });
  });
});

@Controller('plain')
class PlainController {
  @Get()
  list() {
    return [];
  }
}

/** One policy app-wide (no handler sets a field): the guard has nothing to check, the repair still works. */
@Module({
  imports: [
    CorsModule.forRoot({ origin: APP, credentials: true, exposedHeaders: ['X-Total'], allowOtherCorsLayers: true }),
  ],
  controllers: [PlainController],
})
class UniformAppModule {}

describe.each(['express', 'fastify'] as const)(
  'allowOtherCorsLayers: true with one policy app-wide, next to app.enableCors() (%s)',
  (adapter) => {
    let app: INestApplication;
    beforeAll(async () => {
      const httpAdapter = adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter();
      app = await NestFactory.create(UniformAppModule, httpAdapter, { logger: false });
      app.enableCors(OTHER);
      await app.listen(0, '127.0.0.1');
    });
    afterAll(() => app.close());

    const MODULE_HEADERS = {
      'access-control-allow-origin': [APP],
      'access-control-allow-credentials': ['true'],
      'access-control-expose-headers': ['X-Total'],
    };
    it.each([
      ['an actual request', '/plain', 200],
      ['a 404', '/nope', 404],
    ] as const)("%s from an allowed origin: the module's headers, once", async (_, path, status) => {
      await expectAnswer(app, 'GET', path, { Origin: APP }, status, MODULE_HEADERS);
    });

    it.each([
      ['an actual request', 'GET', '/plain', {}, 200],
      ['a preflight', 'OPTIONS', '/plain', { 'Access-Control-Request-Method': 'GET' }, 403],
    ] as const)('%s from a refused origin: no access header', async (_, method, path, headers, status) => {
      await expectAnswer(app, method, path, { Origin: EVIL, ...headers }, status, {});
    });

    it('a request without Origin: no access header', async () => {
      await expectAnswer(app, 'GET', '/plain', {}, 200, {});
    });
  },
);

describe('allowOtherCorsLayers: true: a head written by hand in every form (express)', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false });
    app.use(cors(OTHER));
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app.close());

  it.each(['object', 'reason', 'array'])('writeHead(…%s): only the module decides', async (form) => {
    const refused = await send(app, 'GET', `/raw/${form}`, { Origin: EVIL });
    expect(refused.status).toBe(200);
    expect(accessHeaders(refused)).toEqual({});
    const allowed = await send(app, 'GET', `/raw/${form}`, { Origin: APP });
    expect(accessHeaders(allowed)).toEqual({ 'access-control-allow-origin': [APP] });
    if (form === 'array') expect(allowed.lines).toEqual(expect.arrayContaining(['x-kept', 'yes']));
  });
});
