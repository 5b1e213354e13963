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
