/**
 * Routes that answer as the module defaults, beside routes with a policy of
 * their own. The route table leaves out the defaults routes no request can
 * share with a route of its own policy (lib/routing/route-table-builder.ts),
 * and keeps, in their place, the ones where which route the router picks
 * decides the answer: a defaults route declared before a parameter route
 * of its own policy (Express takes the first declared, Fastify the most
 * specific), and the other way round.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp, type AdapterName } from './app-factory.js';
import { preflight } from './http-helpers.js';

const DEFAULT = 'https://app.example';
const OWN = 'https://own.example';

@Controller('shadow')
class ShadowController {
  /** Declared first, and a literal: both routers serve `/shadow/special` with it. */
  @Get('special')
  special() {
    return 'special';
  }

  @Get(':id')
  @Cors({ origin: OWN })
  one() {
    return 'one';
  }
}

@Controller('param-first')
class ParamFirstController {
  /** Declared first: Express serves `/param-first/special` with it; Fastify with the literal route below. */
  @Get(':id')
  one() {
    return 'one';
  }

  @Get('special')
  @Cors({ origin: OWN })
  special() {
    return 'special';
  }
}

@Controller('apart')
class ApartController {
  /** No request reaches both this and a route of its own policy: the table leaves it out. */
  @Get('x')
  x() {
    return 'x';
  }
}

/** Which origin a route's answer allows: the one of the two that is allowed, checked both ways. */
const SERVED_BY: Record<AdapterName, Array<[path: string, allowed: string, refused: string]>> = {
  express: [
    ['/shadow/special', DEFAULT, OWN],
    ['/shadow/7', OWN, DEFAULT],
    ['/param-first/special', DEFAULT, OWN],
    ['/param-first/7', DEFAULT, OWN],
    ['/apart/x', DEFAULT, OWN],
    ['/nowhere', DEFAULT, OWN],
  ],
  fastify: [
    ['/shadow/special', DEFAULT, OWN],
    ['/shadow/7', OWN, DEFAULT],
    ['/param-first/special', OWN, DEFAULT],
    ['/param-first/7', DEFAULT, OWN],
    ['/apart/x', DEFAULT, OWN],
    ['/nowhere', DEFAULT, OWN],
  ],
};

describe.each(ADAPTERS)('defaults routes beside routes of their own policy (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({ origin: DEFAULT })],
      controllers: [ShadowController, ParamFirstController, ApartController],
    });
  });
  afterAll(() => app.close());

  it.each(SERVED_BY[adapter])(
    'a preflight to %s answers as the route the router picks',
    async (path, allowed, refused) => {
      const yes = await preflight(app, path, allowed, 'GET');
      expect(yes.status).toBe(204);
      expect(yes.headers['access-control-allow-origin']).toBe(allowed);
      const no = await preflight(app, path, refused, 'GET');
      expect(no.headers['access-control-allow-origin']).toBeUndefined();
    },
  );

  it.each(SERVED_BY[adapter])('a GET to %s answers as the route the router picks', async (path, allowed, refused) => {
    const yes = await request(app.getHttpServer()).get(path).set('Origin', allowed);
    expect(yes.headers['access-control-allow-origin']).toBe(allowed);
    const no = await request(app.getHttpServer()).get(path).set('Origin', refused);
    expect(no.headers['access-control-allow-origin']).toBeUndefined();
  });

  if (adapter === 'express') {
    it('keeps the routes of their own policy and the defaults routes that may share a request with them', () => {
      const router = (app.get(CorsModule) as unknown as { router: { table: { routeCount: number } } }).router;
      // shadow/special, shadow/:id, param-first/:id, param-first/special; not apart/x.
      expect(router.table.routeCount).toBe(4);
    });
  }
});
