import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Post, type INestApplication } from '@nestjs/common';
import { Cors, CorsModule, CorsPolicyRegistry } from '../../lib/index.js';
import { ADAPTERS, createApp, RecordingLogger } from './app-factory.js';

@Controller('orders')
@Cors({ origin: 'https://shop.example.com', maxAge: 120 })
class OrdersController {
  @Get(':id')
  one() {
    return {};
  }
  @Post()
  @Cors('partners')
  create() {
    return {};
  }
  @Get('internal/stats')
  @Cors(false)
  stats() {
    return {};
  }
}

describe.each(ADAPTERS)('policy report (%s)', (adapter) => {
  let app: INestApplication;
  const logger = new RecordingLogger();
  beforeAll(async () => {
    app = await createApp(
      adapter,
      {
        imports: [
          CorsModule.forRoot({
            origin: 'https://app.example.com',
            credentials: true,
            report: true,
            policies: { partners: { origin: 'https://*.partners.example.net', allowedHeaders: ['X-Key'] } },
          }),
        ],
        controllers: [OrdersController],
      },
      { logger, setup: (nest) => nest.setGlobalPrefix('api') },
    );
  });
  afterAll(() => app.close());

  it('returns the effective policy of every route from the injectable registry', () => {
    const rows = app.get(CorsPolicyRegistry).report();
    const byHandler = (handler: string, method: string) =>
      rows.find((r) => r.handler === handler && r.method === method)!;
    expect(byHandler('OrdersController.one', 'GET')).toEqual({
      method: 'GET',
      path: '/api/orders/:id',
      handler: 'OrdersController.one',
      enabled: true,
      origins: ['https://shop.example.com'],
      credentials: true,
      methods: 'GET, HEAD, PUT, PATCH, POST, DELETE',
      allowedHeaders: '(any requested)',
      exposedHeaders: '',
      maxAge: '120',
      sources: { origin: 'OrdersController', maxAge: 'OrdersController', credentials: 'module options' },
    });
    expect(byHandler('OrdersController.create', 'POST')).toMatchObject({
      path: '/api/orders',
      origins: ['https://*.partners.example.net'],
      allowedHeaders: 'X-Key',
      sources: { origin: 'policy "partners"', allowedHeaders: 'policy "partners"', maxAge: 'OrdersController' },
    });
    expect(byHandler('OrdersController.stats', 'GET')).toMatchObject({ enabled: false, origins: [] });
    expect(rows.at(-1)).toMatchObject({ method: '*', path: '(no route)', handler: 'module options' });
  });

  it('prints the same table at boot when report is on', () => {
    const [table] = logger.corsLines('log').filter((line) => line.startsWith('Effective CORS policies:'));
    const lines = table.split('\n');
    expect(lines[1]).toMatch(
      /^METHOD\s+PATH\s+HANDLER\s+ORIGINS\s+CREDENTIALS\s+METHODS\s+HEADERS\s+EXPOSED\s+MAX-AGE\s+SET BY$/,
    );
    expect(
      lines.some((l) =>
        /^GET\s+\/api\/orders\/:id\s+OrdersController\.one\s+https:\/\/shop\.example\.com\s+true/.test(l),
      ),
    ).toBe(true);
    expect(
      lines.some((l) => /^GET\s+\/api\/orders\/internal\/stats\s+OrdersController\.stats\s+\(CORS off\)/.test(l)),
    ).toBe(true);
    expect(table).toContain('origin←policy "partners"');
  });
});

/**
 * With one policy app-wide the module builds no route table, and works out
 * which handler each route serves only when the report is asked for
 * (RouteRegistrationRecorder.replay). The rows must be the ones an app with a
 * route table gets: every path and version Nest registered, classes of one
 * name told apart, each route once however often the report is read.
 */
function usersController(path: string, marker: string) {
  @Controller({ path, version: ['1', '2'] })
  class UsersController {
    @Get([':id', 'by-name/:name'])
    one() {
      return marker;
    }
    @Post()
    create() {
      return marker;
    }
  }
  return UsersController;
}

@Controller('tuned')
class TunedController {
  @Get()
  @Cors({ maxAge: 5 })
  get() {
    return {};
  }
}

describe.each(ADAPTERS)('policy report of an app with one policy app-wide (%s)', (adapter) => {
  const controllers = [usersController('a/users', 'a'), usersController('b/users', 'b')];
  const rowsOf = async (extra: Array<new () => unknown>) => {
    const app = await createApp(
      adapter,
      { imports: [CorsModule.forRoot({ origin: 'https://app.example.com' })], controllers: [...controllers, ...extra] },
      { setup: (nest) => nest.enableVersioning() },
    );
    try {
      const registry = app.get(CorsPolicyRegistry);
      const first = registry.report();
      expect(registry.report()).toEqual(first);
      return first.map(({ method, path, handler }) => `${method} ${path} ${handler}`);
    } finally {
      await app.close();
    }
  };

  it('lists every route Nest registered, once, with the handler that serves it', async () => {
    const rows = await rowsOf([]);
    const expected = ['a', 'b'].flatMap((prefix) =>
      ['1', '2'].flatMap((version) => [
        `GET /v${version}/${prefix}/users/:id UsersController.one`,
        `GET /v${version}/${prefix}/users/by-name/:name UsersController.one`,
        `POST /v${version}/${prefix}/users UsersController.create`,
      ]),
    );
    expect(rows.slice(0, -1).sort()).toEqual(expected.sort());
    expect(rows.at(-1)).toBe('* (no route) module options');
  });

  it('reads as the same rows an app with a route table gets', async () => {
    const withTable = (await rowsOf([TunedController])).filter((row) => !row.includes('TunedController'));
    expect(await rowsOf([])).toEqual(withTable);
  });
});
