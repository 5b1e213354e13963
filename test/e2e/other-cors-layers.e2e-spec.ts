import { describe, expect, it } from '@jest/globals';
import fastifyCors from '@fastify/cors';
import { Controller, Get, Module, type INestApplication, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import cors from 'cors';
import fastify, { type FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import { Cors, CorsModule, type CorsModuleOptions } from '../../lib/index.js';
import type { AdapterName } from './app-factory.js';
import { ADAPTERS, createApp } from './app-factory.js';

const APP = 'https://app.example.com';

@Controller('things')
@Cors({ origin: APP })
class ThingsController {
  @Get()
  list() {
    return [];
  }
}

function appModule(options: CorsModuleOptions) {
  @Module({ imports: [CorsModule.forRoot(options)], controllers: [ThingsController] })
  class AppModule {}
  return AppModule;
}

type AnyApp = INestApplication & Partial<NestExpressApplication> & Partial<NestFastifyApplication>;

interface BootOptions {
  module?: CorsModuleOptions;
  app?: NestApplicationOptions;
  /** Runs in "main.ts", between NestFactory.create() and listen(). */
  main?: (app: AnyApp) => unknown;
}

/** Boots like a main.ts: NestFactory.create(), the user's code, then listen(). */
async function boot(adapter: AdapterName | FastifyAdapter, options: BootOptions = {}): Promise<INestApplication> {
  const httpAdapter =
    adapter === 'express' ? new ExpressAdapter() : adapter === 'fastify' ? new FastifyAdapter() : adapter;
  const app = (await NestFactory.create(appModule(options.module ?? { origin: APP }), httpAdapter, {
    logger: false,
    ...options.app,
  })) as AnyApp;
  try {
    await options.main?.(app);
    await app.listen(0, '127.0.0.1');
    return app;
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}

/** The error the app refused to start with. */
async function bootError(adapter: AdapterName | FastifyAdapter, options: BootOptions): Promise<Error> {
  const app = await boot(adapter, options).catch((error: Error) => error);
  if (app instanceof Error) return app;
  await app.close();
  throw new Error('the app started');
}

const EXPRESS_LAYER =
  "the cors middleware in Express's middleware stack (added by app.enableCors(), " +
  'the cors option of NestFactory.create(), or app.use(cors()))';
const EXPRESS_FIX = 'remove app.enableCors(), the cors option of NestFactory.create() and app.use(cors())';
const FASTIFY_ROOT_LAYER =
  '@fastify/cors on the root Fastify instance (registered by app.enableCors(), ' +
  'the cors option of NestFactory.create(), or app.register(fastifyCors))';
const FASTIFY_ROOT_FIX =
  'remove app.enableCors(), the cors option of NestFactory.create() and app.register(fastifyCors)';

/** The whole boot error, written out. */
function expectedMessage(layer: string, fix: string): string {
  return (
    'Another CORS layer is active next to CorsModule, and the two would answer CORS for the same requests: ' +
    'the other one sends Access-Control-Allow-Origin to origins your CorsModule policies refuse.\n' +
    '  - nestjs-cors: CorsModule.forRoot()/forRootAsync() and @Cors()\n' +
    `  - ${layer}\n` +
    `Fix: ${fix}. Its options move to CorsModule.forRoot() (module defaults) or @Cors() (one route): ` +
    'origin, methods, allowedHeaders, exposedHeaders, credentials, maxAge, preflightContinue and ' +
    'optionsSuccessStatus keep their names.\n' +
    'To keep both layers on purpose, set allowOtherCorsLayers: true in CorsModule.forRoot(): ' +
    "CorsModule then removes the other layer's Access-Control-Allow-Origin, -Credentials and " +
    '-Expose-Headers wherever its own policy decides otherwise.'
  );
}

const FASTIFY_MIDDIE_LAYER = 'the cors middleware run by @fastify/middie (app.use(cors()))';
const FASTIFY_MIDDIE_FIX = 'remove app.use(cors())';

const ROOT = { express: [EXPRESS_LAYER, EXPRESS_FIX], fastify: [FASTIFY_ROOT_LAYER, FASTIFY_ROOT_FIX] } as const;

describe.each(ADAPTERS)('another CORS layer refuses the boot (%s)', (adapter) => {
  const [layer, fix] = ROOT[adapter];

  it('app.enableCors() in main.ts', async () => {
    const error = await bootError(adapter, { main: (app) => app.enableCors({ origin: '*' }) });
    expect(error.name).toBe('OtherCorsLayerError');
    expect(error.message).toBe(expectedMessage(layer, fix));
  });

  it('the cors option of NestFactory.create()', async () => {
    const error = await bootError(adapter, { app: { cors: true } });
    expect(error.message).toBe(expectedMessage(layer, fix));
  });

  it('the cors option with an options object', async () => {
    const error = await bootError(adapter, { app: { cors: { origin: true, credentials: true } } });
    expect(error.message).toBe(expectedMessage(layer, fix));
  });

  it('app.enableCors() called in app.init() already, before listen()', async () => {
    const error = await bootError(adapter, {
      main: async (app) => {
        app.enableCors();
        await app.init();
        if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as FastifyInstance).ready();
      },
    });
    expect(error.message).toBe(expectedMessage(layer, fix));
  });

  it('app.use(cors()) after app.init(), before listen(): refused right in app.use()', async () => {
    let thrown: unknown;
    const error = await bootError(adapter, {
      // Nest's default (abortOnError) logs what an app method throws and exits the process.
      app: { abortOnError: false },
      main: async (app) => {
        await app.init();
        try {
          app.use(cors());
        } catch (error) {
          thrown = error;
          throw error;
        }
      },
    });
    expect(thrown).toBe(error);
    expect(error.message).toBe(
      adapter === 'express'
        ? expectedMessage(EXPRESS_LAYER, EXPRESS_FIX)
        : expectedMessage(FASTIFY_MIDDIE_LAYER, FASTIFY_MIDDIE_FIX),
    );
  });

  it('app.enableCors() after app.init(), before listen()', async () => {
    const error = await bootError(adapter, {
      app: { abortOnError: false },
      main: async (app) => {
        await app.init();
        app.enableCors();
      },
    });
    expect(error.message).toBe(expectedMessage(layer, fix));
  });

  it('app.enableCors() before app.init() of a testing module', async () => {
    const error = await createApp(
      adapter,
      { imports: [CorsModule.forRoot({ origin: APP })], controllers: [ThingsController] },
      { logger: false, setup: (app) => app.enableCors() },
    ).then(
      () => new Error('the app started'),
      (reason: Error) => reason,
    );
    expect(error.message).toBe(expectedMessage(layer, fix));
  });

  it('app.use(cors()) before app.init() of a testing module', async () => {
    const error = await createApp(
      adapter,
      { imports: [CorsModule.forRoot({ origin: APP })], controllers: [ThingsController] },
      { logger: false, setup: (app) => app.use(cors()) },
    ).then(
      () => new Error('the app started'),
      (reason: Error) => reason,
    );
    expect(error.message).toBe(
      adapter === 'express'
        ? expectedMessage(EXPRESS_LAYER, EXPRESS_FIX)
        : expectedMessage(FASTIFY_MIDDIE_LAYER, FASTIFY_MIDDIE_FIX),
    );
  });

  it('starts, without a repair, when no other layer is there (with and without the option)', async () => {
    for (const module of [{ origin: APP }, { origin: APP, allowOtherCorsLayers: true }]) {
      const app = await boot(adapter, { module });
      const server = app.getHttpServer() as Server;
      // Only the framework's own request listener: no per-request work was added.
      expect(server.listenerCount('request')).toBe(1);
      await app.close();
    }
  });
});

describe('another CORS layer refuses the boot (express only)', () => {
  it('app.use(cors()) in main.ts', async () => {
    const error = await bootError('express', { main: (app) => app.use(cors()) });
    expect(error.message).toBe(expectedMessage(EXPRESS_LAYER, EXPRESS_FIX));
  });

  it('the cors middleware on a path', async () => {
    const error = await bootError('express', { main: (app) => app.use('/api', cors({ origin: true })) });
    expect(error.message).toBe(expectedMessage(EXPRESS_LAYER, EXPRESS_FIX));
  });
});

describe('another CORS layer refuses the boot (fastify only)', () => {
  it('app.register(fastifyCors) in main.ts, without await', async () => {
    const error = await bootError('fastify', {
      main: (app) => {
        void app.register!(fastifyCors, { origin: '*' });
      },
    });
    expect(error.message).toBe(expectedMessage(FASTIFY_ROOT_LAYER, FASTIFY_ROOT_FIX));
  });

  it('await app.register(fastifyCors) in main.ts', async () => {
    const error = await bootError('fastify', { main: (app) => app.register!(fastifyCors, { origin: '*' }) });
    expect(error.message).toBe(expectedMessage(FASTIFY_ROOT_LAYER, FASTIFY_ROOT_FIX));
  });

  it('@fastify/cors inside an encapsulated plugin, loaded with listen()', async () => {
    const error = await bootError('fastify', {
      main: (app) => {
        void app.register!(
          async (child: FastifyInstance) => {
            await child.register(fastifyCors, { origin: true });
          },
          { prefix: '/api' },
        );
      },
    });
    expect(error.message).toBe(
      expectedMessage(
        '@fastify/cors registered inside an encapsulated Fastify plugin (prefix "/api")',
        'remove the register(fastifyCors) call from that plugin (prefix "/api")',
      ),
    );
  });

  it('@fastify/cors inside an encapsulated plugin, loaded before app.init()', async () => {
    const error = await bootError('fastify', {
      main: (app) =>
        app.register!(async (child: FastifyInstance) => {
          await child.register(fastifyCors, { origin: true });
        }),
    });
    expect(error.message).toBe(
      expectedMessage(
        '@fastify/cors registered inside an encapsulated Fastify plugin',
        'remove the register(fastifyCors) call from that plugin',
      ),
    );
  });

  it('app.use(cors()) in main.ts (run by middie)', async () => {
    const error = await bootError('fastify', { main: (app) => app.use(cors({ origin: true })) });
    expect(error.message).toBe(expectedMessage(FASTIFY_MIDDIE_LAYER, FASTIFY_MIDDIE_FIX));
  });

  it('@fastify/cors inside a plugin of a Fastify instance that loaded it before Nest got the instance', async () => {
    const instance = fastify();
    await instance.register(async (child) => {
      await child.register(fastifyCors, { origin: true });
    });
    // Seen in printPlugins() only: the error would change if Fastify changed that tree's format.
    const error = await bootError(new FastifyAdapter(instance), {});
    expect(error.message).toBe(
      expectedMessage(
        '@fastify/cors registered inside an encapsulated Fastify plugin',
        'remove the register(fastifyCors) call from that plugin',
      ),
    );
  });

  it('names every layer it found', async () => {
    const error = await bootError('fastify', {
      app: { cors: true },
      main: (app) => {
        void app.register!(
          async (child: FastifyInstance) => {
            await child.register(fastifyCors);
          },
          { prefix: '/v2' },
        );
      },
    });
    expect(error.message).toContain(`  - ${FASTIFY_ROOT_LAYER}\n`);
    expect(error.message).toContain(
      '  - @fastify/cors registered inside an encapsulated Fastify plugin (prefix "/v2")\n',
    );
    expect(error.message).toContain(
      `Fix: ${FASTIFY_ROOT_FIX}; remove the register(fastifyCors) call from that plugin (prefix "/v2"). `,
    );
  });
});
