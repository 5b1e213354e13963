import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Get,
  Module,
  Options,
  type INestApplication,
  type MiddlewareConsumer,
  type NestModule,
  type Type,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import { Cors, CorsModule, type CorsModuleOptions } from '../../lib/index.js';
import { ADAPTERS, createApp, type AdapterName } from './app-factory.js';
import { preflight } from './http-helpers.js';

/**
 * What the early layer leaves on the raw request: the same properties, in
 * the same order, whatever kind of request it was (no Origin, allowed,
 * refused, a disabled route, several candidate handlers, a preflight handed
 * on); none at all in an app where nothing reads them (one policy app-wide,
 * no other CORS layer allowed). One layout per app keeps the property
 * accesses of the router and middleware that run after the hook monomorphic
 * (bench/findings.md, 3a). A middleware, which runs after the hook and before
 * the guard, reports the layout it sees in a response header.
 */
const APP = 'https://app.example.com';
const OTHER = 'https://evil.example.net';
const EXPECTED = 'nestjs-cors:policy,nestjs-cors:allowed-origin';

function layoutOf(raw: IncomingMessage): string {
  return Object.getOwnPropertySymbols(raw)
    .map((symbol) => symbol.description ?? '')
    .filter((name) => name.startsWith('nestjs-cors:'))
    .join(',');
}

function reportLayout(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  res.setHeader('X-Layout', layoutOf(req));
  next();
}

@Controller('layout')
class LayoutController {
  @Get('default')
  byDefault() {
    return {};
  }
  @Get('off')
  @Cors(false)
  off() {
    return {};
  }
  @Get('public')
  @Cors({ origin: '*', credentials: false })
  open() {
    return {};
  }
  @Get('async')
  @Cors({ origin: async (origin: string) => origin === APP })
  decidedLater() {
    return {};
  }
  @Get('continued')
  @Cors({ preflightContinue: true })
  continued() {
    return {};
  }
  @Options('continued')
  answerContinued() {
    return {};
  }
}

/** The app's module: `controller` with the layout-reporting middleware, behind `CorsModule.forRoot(options)`. */
function moduleWith(options: CorsModuleOptions, controller: Type = LayoutController) {
  @Module({ imports: [CorsModule.forRoot(options)], controllers: [controller] })
  class LayoutModule implements NestModule {
    configure(consumer: MiddlewareConsumer) {
      consumer.apply(reportLayout).forRoutes(controller);
    }
  }
  return LayoutModule;
}

describe.each(ADAPTERS)('the raw request layout after the early layer (%s)', (adapter: AdapterName) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [moduleWith({ origin: [APP], credentials: true })] });
  });
  afterAll(() => app.close());

  const cases: Array<[string, () => request.Test]> = [
    ['GET without Origin', () => request(app.getHttpServer()).get('/layout/default')],
    ['GET from an allowed origin', () => request(app.getHttpServer()).get('/layout/default').set('Origin', APP)],
    ['GET from a refused origin', () => request(app.getHttpServer()).get('/layout/default').set('Origin', OTHER)],
    ['GET on a disabled route', () => request(app.getHttpServer()).get('/layout/off').set('Origin', APP)],
    ['GET on a public route without Origin', () => request(app.getHttpServer()).get('/layout/public')],
    ['GET on an async-origin route', () => request(app.getHttpServer()).get('/layout/async').set('Origin', APP)],
    ['a preflight handed on', () => preflight(app, '/layout/continued', APP, 'GET')],
  ];

  it.each(cases)('%s: the module records both fields, in one order', async (_name, send) => {
    const res = await send();
    expect(res.headers['x-layout']).toBe(EXPECTED);
  });
});

describe.each(ADAPTERS)('the raw request layout with one policy app-wide (%s)', (adapter: AdapterName) => {
  @Controller('uniform')
  class UniformController {
    @Get()
    get() {
      return {};
    }
  }
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  /** The layout and CORS headers of a GET without Origin, from an allowed origin and from a refused one. */
  async function answers(options: CorsModuleOptions) {
    app = await createApp(adapter, { imports: [moduleWith(options, UniformController)] });
    const server = app.getHttpServer();
    const responses = [
      await request(server).get('/uniform'),
      await request(server).get('/uniform').set('Origin', APP),
      await request(server).get('/uniform').set('Origin', OTHER),
    ];
    return responses.map((res) => ({
      status: res.status,
      layout: res.headers['x-layout'],
      allowOrigin: res.headers['access-control-allow-origin'],
      vary: res.headers.vary,
    }));
  }

  it('is empty when nothing reads a decision (the guard has no work, no other CORS layer is allowed)', async () => {
    expect(await answers({ origin: [APP] })).toEqual([
      { status: 200, layout: '', allowOrigin: undefined, vary: 'Origin' },
      { status: 200, layout: '', allowOrigin: APP, vary: 'Origin' },
      { status: 200, layout: '', allowOrigin: undefined, vary: 'Origin' },
    ]);
  });

  it('has both fields on every request when the guard has work (rejectDisallowedOrigins)', async () => {
    expect(await answers({ origin: [APP], rejectDisallowedOrigins: true })).toEqual([
      { status: 200, layout: EXPECTED, allowOrigin: undefined, vary: 'Origin' },
      { status: 200, layout: EXPECTED, allowOrigin: APP, vary: 'Origin' },
      { status: 403, layout: EXPECTED, allowOrigin: undefined, vary: 'Origin' },
    ]);
  });

  it('has both fields on every request when another CORS layer may answer (allowOtherCorsLayers)', async () => {
    expect(await answers({ origin: [APP], allowOtherCorsLayers: true })).toEqual([
      { status: 200, layout: EXPECTED, allowOrigin: undefined, vary: 'Origin' },
      { status: 200, layout: EXPECTED, allowOrigin: APP, vary: 'Origin' },
      { status: 200, layout: EXPECTED, allowOrigin: undefined, vary: 'Origin' },
    ]);
  });
});
