/**
 * The adapter has one request-hook slot (`setOnRequestHook()`), which
 * `@nestjs/observe`, tracing SDKs and apps' own code use too. Whenever they
 * set it, before or after the module, CORS keeps working and their hook
 * keeps running.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module, type INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createObserveModule } from '@nestjs/observe';
import request from 'supertest';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp, type AdapterName } from './app-factory.js';
import { corsHeaders, preflight } from './http-helpers.js';

const APP = 'https://app.example.com';

@Controller('hooked')
@Cors({ origin: APP, exposedHeaders: ['X-Trace'] })
class HookedController {
  @Get()
  get() {
    return 'ok';
  }
}

type Hook = (request: unknown, response: unknown, done: () => void) => void;
interface SlotAdapter {
  setOnRequestHook(hook: Hook): void;
}

/** A hook that counts the requests it sees, like a tracing SDK's. */
function countingHook(): { hook: Hook; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    hook: (req, _res, done) => {
      const raw = ((req as { raw?: { url?: string } }).raw ?? req) as { url?: string };
      urls.push(raw.url ?? '');
      done();
    },
  };
}

type Moment = 'before init' | 'onModuleInit' | 'onApplicationBootstrap' | 'after init';
const MOMENTS: Moment[] = ['before init', 'onModuleInit', 'onApplicationBootstrap', 'after init'];

async function appWithHookAt(adapter: AdapterName, moment: Moment, hook: Hook): Promise<INestApplication> {
  @Injectable()
  class HookSetter {
    constructor(private readonly host: HttpAdapterHost) {}
    onModuleInit() {
      if (moment === 'onModuleInit') (this.host.httpAdapter as unknown as SlotAdapter).setOnRequestHook(hook);
    }
    onApplicationBootstrap() {
      if (moment === 'onApplicationBootstrap') (this.host.httpAdapter as unknown as SlotAdapter).setOnRequestHook(hook);
    }
  }
  @Module({ providers: [HookSetter] })
  class HookModule {}
  const app = await createApp(
    adapter,
    { imports: [CorsModule.forRoot({}), HookModule], controllers: [HookedController] },
    {
      setup: (nest) => {
        if (moment === 'before init') (nest.getHttpAdapter() as unknown as SlotAdapter).setOnRequestHook(hook);
      },
    },
  );
  if (moment === 'after init') (app.getHttpAdapter() as unknown as SlotAdapter).setOnRequestHook(hook);
  return app;
}

async function expectCorsWorks(app: INestApplication): Promise<void> {
  const pre = await preflight(app, '/hooked', APP, 'GET');
  expect(pre.status).toBe(204);
  expect(corsHeaders(pre)).toEqual({ 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET' });
  const actual = await request(app.getHttpServer()).get('/hooked').set('Origin', APP);
  expect(actual.status).toBe(200);
  expect(corsHeaders(actual)).toEqual({
    'access-control-allow-origin': APP,
    'access-control-expose-headers': 'X-Trace',
  });
  const refusedPreflight = await preflight(app, '/hooked', 'https://evil.example', 'GET');
  expect(refusedPreflight.status).toBe(403);
}

describe.each(ADAPTERS)('other request hooks next to the module (%s)', (adapter) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it.each(MOMENTS)('a hook set %s: CORS answers exactly and the hook still runs', async (moment) => {
    const { hook, urls } = countingHook();
    app = await appWithHookAt(adapter, moment, hook);
    await expectCorsWorks(app);
    // It saw the actual request (preflights are answered before any other hook can refuse them).
    expect(urls).toContain('/hooked');
    await request(app.getHttpServer()).get('/nothing').set('Origin', APP);
    expect(urls).toContain('/nothing');
  });

  it('a hook assigned to onRequestHook directly is kept too', async () => {
    const { hook, urls } = countingHook();
    app = await createApp(adapter, { imports: [CorsModule.forRoot({})], controllers: [HookedController] });
    (app.getHttpAdapter() as unknown as { onRequestHook: Hook }).onRequestHook = hook;
    await expectCorsWorks(app);
    expect(urls).toContain('/hooked');
  });

  it('gives the slot back at close', async () => {
    const { hook } = countingHook();
    app = await createApp(adapter, { imports: [CorsModule.forRoot({})], controllers: [HookedController] });
    const httpAdapter = app.getHttpAdapter() as unknown as SlotAdapter & { onRequestHook?: Hook };
    httpAdapter.setOnRequestHook(hook);
    await app.close();
    app = undefined;
    expect(httpAdapter.onRequestHook).toBe(hook);
  });

  it('works next to @nestjs/observe (telemetry sent to a closed loopback port)', async () => {
    const { ObserveModule } = createObserveModule();
    app = await createApp(adapter, {
      imports: [
        CorsModule.forRoot({}),
        ObserveModule.forRoot({
          appKey: 'test-key',
          appSecret: 'test-secret',
          serviceId: 'nestjs-cors-test',
          endpoint: 'http://127.0.0.1:9',
        } as never),
      ],
      controllers: [HookedController],
    });
    // Observe sets its request and response hooks once the adapter is initialised, after the module's.
    const slot = app.getHttpAdapter() as unknown as { onRequestHook?: Hook; onResponseHook?: unknown };
    expect(typeof slot.onResponseHook).toBe('function');
    await expectCorsWorks(app);
  });
});
