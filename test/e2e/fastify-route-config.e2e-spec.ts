/**
 * Fastify: the module finds an actual request's handlers through the route's
 * config. Users' own route config (`@RouteConfig()`, other `onRoute` hooks)
 * must come through unchanged, and the module's entry must not cost every
 * route a hidden class of its own (V8: Fastify copies each route's config;
 * copies of ordinary objects each got a new class, which slowed the whole
 * process on apps with many routes: bench/findings.md, section 1).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Delete, Get, Module, Param, Post, Put, Req, type INestApplication } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { setFlagsFromString } from 'node:v8';
import request from 'supertest';
import { Cors, CorsModule, CorsPolicyRegistry } from '../../lib/index.js';
import { createApp } from './app-factory.js';

const ALLOWED = 'https://app.example';

interface FastifyRequestLike {
  routeOptions: { config: Record<PropertyKey, unknown> };
}

/** The route config each request saw, by route. */
const seen = new Map<string, Record<PropertyKey, unknown>>();

function record(name: string, req: FastifyRequestLike): string {
  seen.set(name, req.routeOptions.config);
  return name;
}

@Cors({ origin: [ALLOWED] })
@Controller('items')
class ItemsController {
  @Get()
  list(@Req() req: FastifyRequestLike) {
    return record('list', req);
  }

  @Post()
  create(@Req() req: FastifyRequestLike) {
    return record('create', req);
  }

  @Get(':id')
  one(@Param('id') _id: string, @Req() req: FastifyRequestLike) {
    return record('one', req);
  }

  @Put(':id')
  replace(@Req() req: FastifyRequestLike) {
    return record('replace', req);
  }

  @Delete(':id')
  remove(@Req() req: FastifyRequestLike) {
    return record('remove', req);
  }

  @Get(':id/parts')
  parts(@Req() req: FastifyRequestLike) {
    return record('parts', req);
  }

  @Get('search')
  search(@Req() req: FastifyRequestLike) {
    return record('search', req);
  }

  @RouteConfig({ rateLimit: { max: 3 }, feature: 'reports' })
  @Get('reports')
  reports(@Req() req: FastifyRequestLike) {
    return record('reports', req);
  }
}

/** Many controllers of many handlers, as a large app has (V8 shares classes between the first few objects anyway). */
const manyControllers = Array.from({ length: 20 }, (_, index) => {
  const controller = { [`Many${index}Controller`]: class {} }[`Many${index}Controller`];
  for (let method = 0; method < 10; method++) {
    const name = `route${method}`;
    Object.defineProperty(controller.prototype, name, { value: () => name, writable: true, configurable: true });
    const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, name)!;
    Reflect.decorate([Get(`r${method}`)], controller.prototype, name, descriptor);
  }
  return Reflect.decorate([Controller(`many${index}`), Cors()], controller) as typeof controller;
});

@Module({ imports: [CorsModule.forRoot({})], controllers: [ItemsController, ...manyControllers] })
class AppModule {}

/** `%HaveSameMap` (V8): do two objects share a hidden class? */
function sameHiddenClass(): (a: object, b: object) => boolean {
  setFlagsFromString('--allow-natives-syntax');
  return new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
}

describe('fastify route config', () => {
  let app: INestApplication;
  const tagsSeenByOtherHook: unknown[] = [];

  beforeAll(async () => {
    app = await createApp(
      'fastify',
      { imports: [AppModule] },
      {
        setup: (nest) => {
          // Another plugin's onRoute hook, as users have them: it reads and extends each route's config.
          const fastify = nest.getHttpAdapter().getInstance() as {
            addHook(name: 'onRoute', hook: (route: { config?: Record<string, unknown> }) => void): void;
          };
          fastify.addHook('onRoute', (route) => {
            tagsSeenByOtherHook.push(route.config?.feature);
            route.config = { ...route.config, taggedBy: 'other-plugin' };
          });
        },
      },
    );
    const server = app.getHttpServer();
    for (const [method, path] of [
      ['get', '/items'],
      ['post', '/items'],
      ['get', '/items/1'],
      ['put', '/items/1'],
      ['delete', '/items/1'],
      ['get', '/items/1/parts'],
      ['get', '/items/search'],
      ['get', '/items/reports'],
    ] as const) {
      const response = await request(server)[method](path).set('Origin', ALLOWED);
      expect(response.status).toBeLessThan(300);
      expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  it('hands every route its own handler (the request recorded itself)', () => {
    expect([...seen.keys()].sort()).toEqual(
      ['create', 'list', 'one', 'parts', 'remove', 'replace', 'reports', 'search'].sort(),
    );
  });

  it("keeps the user's route config and other plugins' entries", () => {
    const reports = seen.get('reports')!;
    expect(reports.feature).toBe('reports');
    expect(reports.rateLimit).toEqual({ max: 3 });
    expect(reports.taggedBy).toBe('other-plugin');
    expect(seen.get('list')!.taggedBy).toBe('other-plugin');
    expect(tagsSeenByOtherHook).toContain('reports');
  });

  it("gives the module's handler entries (read by the guard on every request) one hidden class", () => {
    const same = sameHiddenClass();
    const registry = app.get(CorsPolicyRegistry);
    const methods = ['list', 'create', 'one', 'replace', 'remove', 'parts', 'search', 'reports'] as const;
    const entries = [
      ...methods.map((name) => registry.entryFor(ItemsController, ItemsController.prototype[name])!),
      ...manyControllers.flatMap((controller) =>
        Array.from({ length: 10 }, (_, method) => {
          const handler = (controller.prototype as Record<string, Function>)[`route${method}`];
          return registry.entryFor(controller, handler)!;
        }),
      ),
    ];
    expect(entries).toHaveLength(208);
    for (const entry of entries) expect(same(entries[0], entry)).toBe(true);
  });

  it('gives the routes that share config keys one hidden class, not one each', () => {
    const same = sameHiddenClass();
    const plain = ['list', 'create', 'one', 'replace', 'remove', 'parts', 'search'].map((name) => seen.get(name)!);
    const [first, ...rest] = plain;
    for (const config of rest) expect(same(first, config)).toBe(true);
    // The check itself tells classes apart.
    expect(same(first, seen.get('reports')!)).toBe(false);
  });
});
