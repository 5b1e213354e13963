/**
 * A request that reaches a route only through an empty parameter
 * (`/items/` for `/items/:id`, `/items//tags` for `/items/:id/tags`):
 * Express's router finds no route there; find-my-way finds the route, and
 * Nest's Fastify adapter (11.2.8, 12.2 and later) then calls its not-found
 * handler instead of the route's. Either way no handler serves the request,
 * so it gets the module defaults' answer, preflight and actual request alike,
 * never the route's policy.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Header, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Cors, CorsModule } from '../../lib/index.js';
import { emptyParamsFindNoHandler } from '../../lib/routing/empty-route-params.js';
import { ADAPTERS, createApp } from './app-factory.js';
import { preflight } from './http-helpers.js';

const DEFAULT = 'https://app.example';
const OWN = 'https://own.example';

@Controller('items')
@Cors({ origin: OWN, maxAge: 600 })
class ItemsController {
  @Get(':id')
  @Header('X-Handler', 'item')
  item() {
    return 'item';
  }

  @Get(':id/tags')
  @Header('X-Handler', 'tags')
  tags() {
    return 'tags';
  }
}

/** Fastify only: a regex parameter makes the preflight table hold the app's routes in find-my-way, not in its trie. */
@Controller('numbers')
@Cors({ origin: OWN, maxAge: 600 })
class NumbersController {
  @Get(':n(^\\d+)/:part')
  @Header('X-Handler', 'part')
  part() {
    return 'part';
  }
}

describe.each(ADAPTERS)('a route reached through an empty parameter (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({ origin: DEFAULT, maxAge: 7 })],
      controllers: adapter === 'fastify' ? [ItemsController, NumbersController] : [ItemsController],
    });
  });
  afterAll(() => app.close());

  if (adapter === 'fastify') {
    it('is left to the not-found handler by the installed adapter, as the module reads it from the adapter', async () => {
      // Fails loudly if Nest renames requireNonEmptyParams() or stops wrapping handlers with it.
      expect(emptyParamsFindNoHandler(app.getHttpAdapter())).toBe(true);
      const res = await request(app.getHttpServer()).get('/items/');
      expect([res.status, res.headers['x-handler']]).toEqual([404, undefined]);
    });
  }

  const paramPaths = adapter === 'fastify' ? ['/numbers/12/x'] : [];
  const emptyParamPaths = adapter === 'fastify' ? ['/numbers/12/'] : [];

  it.each(['/items/', '/items//tags', ...emptyParamPaths])(
    'gets the module defaults for %s: actual request and preflight',
    async (path) => {
      const actual = await request(app.getHttpServer()).get(path).set('Origin', DEFAULT);
      expect([actual.status, actual.headers['x-handler'], actual.headers['access-control-allow-origin']]).toEqual([
        404,
        undefined,
        DEFAULT,
      ]);
      const refused = await request(app.getHttpServer()).get(path).set('Origin', OWN);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      const allowed = await preflight(app, path, DEFAULT, 'GET');
      expect([allowed.status, allowed.headers['access-control-max-age']]).toEqual([204, '7']);
      const refusedPreflight = await preflight(app, path, OWN, 'GET');
      expect(refusedPreflight.headers['access-control-allow-origin']).toBeUndefined();
    },
  );

  it.each(['/items/1', '/items/1/tags', ...paramPaths])(
    'gets the route policy for %s, which its handler serves',
    async (path) => {
      const actual = await request(app.getHttpServer()).get(path).set('Origin', OWN);
      expect([actual.status, actual.headers['access-control-allow-origin']]).toEqual([200, OWN]);
      const allowed = await preflight(app, path, OWN, 'GET');
      expect([allowed.status, allowed.headers['access-control-max-age']]).toEqual([204, '600']);
    },
  );
});
