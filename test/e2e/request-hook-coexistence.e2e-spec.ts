/**
 * The adapter has one request-hook slot (`setOnRequestHook()`), which
 * `@nestjs/observe`, tracing SDKs and apps' own code use too. Whenever they
 * set it, before or after the module, CORS keeps working and their hook
 * keeps running.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Controller, Get, Injectable, Module, type INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createObserveModule } from '@nestjs/observe';
import request from 'supertest';
import { Cors, CorsModule } from '../../lib/index.js';
import { REQUEST_HOOK_SLOT_CHECK_INTERVAL_MS } from '../../lib/cors.constants.js';
import { ADAPTERS, createApp, RecordingLogger, type AdapterName } from './app-factory.js';
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

/** How the other code puts its hook in the slot: Nest's setter, or an assignment to the adapter's private field. */
type Placement = 'setOnRequestHook' | 'assigned';

function place(adapter: unknown, hook: Hook, how: Placement): void {
  if (how === 'setOnRequestHook') (adapter as SlotAdapter).setOnRequestHook(hook);
  else (adapter as { onRequestHook: Hook }).onRequestHook = hook;
}

async function appWithHookAt(
  adapter: AdapterName,
  moment: Moment,
  hook: Hook,
  how: Placement = 'setOnRequestHook',
): Promise<INestApplication> {
  @Injectable()
  class HookSetter {
    constructor(private readonly host: HttpAdapterHost) {}
    onModuleInit() {
      if (moment === 'onModuleInit') place(this.host.httpAdapter, hook, how);
    }
    onApplicationBootstrap() {
      if (moment === 'onApplicationBootstrap') place(this.host.httpAdapter, hook, how);
    }
  }
  @Module({ providers: [HookSetter] })
  class HookModule {}
  const app = await createApp(
    adapter,
    { imports: [CorsModule.forRoot({}), HookModule], controllers: [HookedController] },
    {
      setup: (nest) => {
        if (moment === 'before init') place(nest.getHttpAdapter(), hook, how);
      },
    },
  );
  if (moment === 'after init') place(app.getHttpAdapter(), hook, how);
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

  it.each(MOMENTS)('a hook assigned to onRequestHook directly %s is kept too', async (moment) => {
    const { hook, urls } = countingHook();
    app = await appWithHookAt(adapter, moment, hook, 'assigned');
    await expectCorsWorks(app);
    expect(urls).toContain('/hooked');
  });

  it('a hook assigned directly while the app listens: CORS is back within the check interval, with an error', async () => {
    const logger = new RecordingLogger();
    app = await createApp(adapter, { imports: [CorsModule.forRoot({})], controllers: [HookedController] }, { logger });
    await app.listen(0, '127.0.0.1');
    await expectCorsWorks(app);
    const { hook, urls } = countingHook();
    place(app.getHttpAdapter(), hook, 'assigned');
    // The slot is not watched on the request path (that would cost every request): the window is the interval.
    await new Promise((resolve) => setTimeout(resolve, REQUEST_HOOK_SLOT_CHECK_INTERVAL_MS + 200));
    await expectCorsWorks(app);
    expect(urls).toContain('/hooked');
    const errors = logger.corsLines('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('onRequestHook directly while the app was serving');
    expect(errors[0]).toContain('setOnRequestHook()');
  });

  it("a test's fake clock neither drives nor loops on the slot's check", async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      app = await createApp(adapter, { imports: [CorsModule.forRoot({})], controllers: [HookedController] });
      // A faked interval would run forever here ("Aborting after running 100000 timers").
      expect(() => jest.runAllTimers()).not.toThrow();
    } finally {
      jest.useRealTimers();
    }
    await expectCorsWorks(app);
  });

  it('reports nothing while the slot keeps its hook', async () => {
    const logger = new RecordingLogger();
    app = await createApp(adapter, { imports: [CorsModule.forRoot({})], controllers: [HookedController] }, { logger });
    await app.listen(0, '127.0.0.1');
    (app.getHttpAdapter() as unknown as SlotAdapter).setOnRequestHook(countingHook().hook);
    await new Promise((resolve) => setTimeout(resolve, REQUEST_HOOK_SLOT_CHECK_INTERVAL_MS + 200));
    await expectCorsWorks(app);
    expect(logger.corsLines('error')).toEqual([]);
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
