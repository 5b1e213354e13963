/**
 * Requests the router matches to a route that its handler does not serve,
 * because Nest's Fastify adapter sends them to its not-found handler
 * (`lib/routing/route-params-gate.ts`), and Express's router does not match
 * them at all:
 * - through an empty parameter (`/items/` for `/items/:id`, `/items//tags`);
 * - for a path that names a parameter twice, with the first one empty
 *   (`/projects//tasks/5` for `/projects/:id/tasks/:id`: find-my-way keeps
 *   the last value only);
 * - for a parameter find-my-way reads otherwise (`:lat,:lng` is one
 *   parameter for it): `/geo/12`, `/geo/,2`.
 * No handler serves those, so they get the module defaults' answer,
 * preflight and actual request alike, never the route's policy. On Fastify,
 * through the preflight table's trie and through find-my-way (which it
 * holds once a route has a regex parameter or `:lat,:lng`).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Header, type INestApplication, type Type } from '@nestjs/common';
import request from 'supertest';
import { Cors, CorsModule } from '../../lib/index.js';
import { emptyParamsFindNoHandler, routeParamsMatchers } from '../../lib/routing/route-params-gate.js';
import { createApp, RecordingLogger, type AdapterName } from './app-factory.js';
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

@Controller('projects')
@Cors({ origin: OWN, maxAge: 600 })
class ProjectsController {
  @Get(':id/tasks/:id')
  @Header('X-Handler', 'task')
  task() {
    return 'task';
  }
}

/** Fastify: a regex parameter makes the preflight table hold the app's routes in find-my-way, not in its trie. */
@Controller('numbers')
@Cors({ origin: OWN, maxAge: 600 })
class NumbersController {
  @Get(':n(^\\d+)/:part')
  @Header('X-Handler', 'part')
  part() {
    return 'part';
  }
}

/** Fastify: find-my-way reads `:lat,:lng` as one parameter (and the trie does not take it). */
@Controller('geo')
@Cors({ origin: OWN, maxAge: 600 })
class GeoController {
  @Get(':lat,:lng')
  @Header('X-Handler', 'geo')
  point() {
    return 'geo';
  }
}

interface Setup {
  readonly adapter: AdapterName;
  readonly table: string;
  readonly controllers: Type[];
}

const SETUPS: Setup[] = [
  { adapter: 'express', table: 'route table', controllers: [ItemsController, ProjectsController, GeoController] },
  { adapter: 'fastify', table: 'trie', controllers: [ItemsController, ProjectsController] },
  {
    adapter: 'fastify',
    table: 'find-my-way',
    controllers: [ItemsController, ProjectsController, NumbersController, GeoController],
  },
];

describe.each(SETUPS)('requests no handler serves ($adapter, $table)', ({ adapter, controllers }) => {
  let app: INestApplication;
  const logger = new RecordingLogger();
  beforeAll(async () => {
    app = await createApp(
      adapter,
      { imports: [CorsModule.forRoot({ origin: DEFAULT, maxAge: 7 })], controllers },
      { logger },
    );
  });
  afterAll(() => app.close());
  const serves = (controller: Type) => controllers.includes(controller);

  if (adapter === 'fastify') {
    it('are left to the not-found handler by the installed adapter, as the module reads it from the adapter', async () => {
      // Fails loudly if Nest renames the adapter's methods or stops wrapping handlers with them.
      expect(emptyParamsFindNoHandler(app.getHttpAdapter())).toBe(true);
      expect(routeParamsMatchers(app.getHttpAdapter())).toBeDefined();
      for (const path of ['/items/', '/projects//tasks/5']) {
        const res = await request(app.getHttpServer()).get(path);
        expect([path, res.status, res.headers['x-handler']]).toEqual([path, 404, undefined]);
      }
    });
  }

  if (adapter === 'fastify' && serves(GeoController)) {
    it("leaves the adapter's warning about `:lat,:lng` to the adapter: logged once", () => {
      const warnings = logger.lines.filter((line) => line.level === 'warn' && line.message.includes(':lat,:lng'));
      expect(warnings.map((line) => line.context)).toEqual(['FastifyAdapter']);
    });
  }

  const unserved = [
    '/items/',
    '/items//tags',
    '/projects//tasks/5',
    ...(serves(NumbersController) ? ['/numbers/12/'] : []),
    ...(serves(GeoController) ? ['/geo/12', '/geo/,2'] : []),
  ];
  it.each(unserved)('get the module defaults for %s: actual request and preflight', async (path) => {
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
  });

  // Nest's path matcher runs on preflights here, which Nest itself never matches: spellings it may not read.
  it.each(['/projects//tasks/%E0%A4%A', '/projects//tasks/%ZZ', `/geo/${'%2C'.repeat(2000)}`, '/geo/,%00'])(
    'answers hostile spellings of those paths without a server error; a 404 with the defaults: %s',
    async (path) => {
      for (const origin of [OWN, DEFAULT]) {
        const actual = await request(app.getHttpServer()).get(path).set('Origin', origin);
        // 400 and 414 come from the router before any hook (a malformed escape, a parameter over maxParamLength).
        expect([400, 404, 414]).toContain(actual.status);
        if (actual.status === 404) {
          expect(actual.headers['access-control-allow-origin']).toBe(origin === DEFAULT ? DEFAULT : undefined);
        }
        const answer = await preflight(app, path, origin, 'GET');
        expect([204, 400, 403, 414]).toContain(answer.status);
        if (answer.status === 204) expect(answer.headers['access-control-max-age']).toBe('7');
      }
    },
  );

  const served = [
    '/items/1',
    '/items/1/tags',
    '/projects/1/tasks/5',
    ...(serves(NumbersController) ? ['/numbers/12/x'] : []),
    ...(serves(GeoController) ? ['/geo/1,2'] : []),
  ];
  it.each(served)('get the route policy for %s, which its handler serves', async (path) => {
    const actual = await request(app.getHttpServer()).get(path).set('Origin', OWN);
    expect([
      actual.status,
      actual.headers['x-handler'] !== undefined,
      actual.headers['access-control-allow-origin'],
    ]).toEqual([200, true, OWN]);
    const allowed = await preflight(app, path, OWN, 'GET');
    expect([allowed.status, allowed.headers['access-control-max-age']]).toEqual([204, '600']);
  });
});
