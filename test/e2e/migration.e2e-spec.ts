/**
 * Moving an `app.enableCors()` / `cors` / `@fastify/cors` configuration into
 * the module: what carries over boots and answers exactly; what has no safe
 * equivalent stops the app at boot with the replacement to write, wherever it
 * is declared (forRoot, a forRootAsync factory, a named policy, @Cors).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Put, type INestApplication } from '@nestjs/common';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface.js';
import {
  CALLBACK_ORIGIN_PROBLEM,
  ORIGIN_FALSE_PROBLEM,
  ORIGIN_TRUE_PROBLEM,
} from '../../lib/engine/policy-validator.js';
import { Cors, CorsConfigurationError, CorsModule, type CorsModuleOptions } from '../../lib/index.js';
import { ADAPTERS, bootError as bootWith, createApp, type AdapterName } from './app-factory.js';

const bootError = (adapter: AdapterName, metadata: Parameters<typeof bootWith>[1]) =>
  bootWith<CorsConfigurationError>(adapter, metadata);
import { corsHeaders, preflight } from './http-helpers.js';

const APP = 'https://app.example.com';

@Controller('docs')
class DocsController {
  @Get()
  list() {
    return [];
  }
  @Put(':id')
  save() {
    return {};
  }
}

/** A `cors`-style callback origin, as Nest's `CorsOptions` types it. */
const callbackOrigin: CorsOptions['origin'] = (origin, callback) => callback(null, origin === APP);

describe.each(ADAPTERS)('migrating from enableCors() (%s)', (adapter) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('a Nest CorsOptions object boots as is and answers exactly', async () => {
    const options: CorsOptions = {
      origin: [APP],
      methods: ['GET', 'PUT'],
      allowedHeaders: ['Content-Type'],
      exposedHeaders: ['X-Total-Count'],
      credentials: true,
      maxAge: 600,
      optionsSuccessStatus: 200,
    };
    app = await createApp(adapter, { imports: [CorsModule.forRoot(options)], controllers: [DocsController] });
    const res = await preflight(app, '/docs/1', APP, 'PUT', { 'Access-Control-Request-Headers': 'content-type' });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600',
    });
  });

  it.each([
    ['origin: true', { origin: true }, ORIGIN_TRUE_PROBLEM],
    ['origin: false', { origin: false }, ORIGIN_FALSE_PROBLEM],
    ['a callback-style origin', { origin: callbackOrigin }, CALLBACK_ORIGIN_PROBLEM],
  ] as Array<[string, CorsOptions, string]>)(
    '%s in forRoot() stops the boot with the replacement',
    async (_l, options, message) => {
      const error = await bootError(adapter, { imports: [CorsModule.forRoot(options)], controllers: [DocsController] });
      expect(error).toBeInstanceOf(CorsConfigurationError);
      expect(error.problems).toEqual([{ location: 'module options', field: 'origin', message }]);
    },
  );

  it('a callback-style origin from a forRootAsync() factory, a named policy and @Cors is refused at each place', async () => {
    @Controller('tenants')
    @Cors({ origin: callbackOrigin, credentials: true })
    class TenantsController {
      @Get()
      list() {
        return [];
      }
      @Get('partners')
      @Cors('partners')
      partners() {
        return [];
      }
    }
    const error = await bootError(adapter, {
      imports: [
        CorsModule.forRootAsync({
          useFactory: async (): Promise<CorsModuleOptions> => ({
            origin: callbackOrigin,
            policies: { partners: { origin: callbackOrigin } },
          }),
        }),
      ],
      controllers: [TenantsController],
    });
    expect(error.problems).toEqual([
      { location: 'module options', field: 'origin', message: CALLBACK_ORIGIN_PROBLEM },
      { location: 'policy "partners"', field: 'origin', message: CALLBACK_ORIGIN_PROBLEM },
      { location: 'TenantsController', field: 'origin', message: CALLBACK_ORIGIN_PROBLEM },
    ]);
  });

  it('@fastify/cors options get what to write instead', async () => {
    const error = await bootError(adapter, {
      imports: [
        CorsModule.forRoot({
          origin: APP,
          strictPreflight: true,
          hideOptionsRoute: true,
          logLevel: 'warn',
        } as CorsModuleOptions),
      ],
      controllers: [DocsController],
    });
    expect(error.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'strictPreflight: is not a CORS policy field; is an @fastify/cors option; here an OPTIONS request without ' +
        'Origin and Access-Control-Request-Method is not a preflight and always goes to your application: remove it',
      'hideOptionsRoute: is not a CORS policy field; is an @fastify/cors option; this module registers no OPTIONS ' +
        'route: remove it',
      'logLevel: is not a CORS policy field; is an @fastify/cors option; write debug: true (module options) to log ' +
        'each refused CORS request',
    ]);
  });

  it('misspelt fields get "did you mean" wherever they come from', async () => {
    @Controller('typos')
    @Cors({ orign: APP } as never)
    class TyposController {
      @Get()
      @Cors({ allowHeaders: ['X-Api-Key'] } as never)
      list() {
        return [];
      }
      @Get('partners')
      @Cors('partners')
      partners() {
        return [];
      }
    }
    const error = await bootError(adapter, {
      imports: [
        CorsModule.forRootAsync({
          useFactory: () => ({
            origin: APP,
            credential: true,
            debg: true,
            policies: { partners: { origin: APP, maxage: 60 } },
          }),
        }),
      ],
      controllers: [TyposController],
    });
    expect(error.problems).toEqual([
      {
        location: 'module options',
        field: 'credential',
        message: 'is not a CORS policy field; did you mean "credentials"?',
      },
      { location: 'module options', field: 'debg', message: 'is not a CORS policy field; did you mean "debug"?' },
      { location: 'policy "partners"', field: 'maxage', message: 'is not a CORS policy field; did you mean "maxAge"?' },
      { location: 'TyposController', field: 'orign', message: 'is not a CORS policy field; did you mean "origin"?' },
      {
        location: 'TyposController.list',
        field: 'allowHeaders',
        message: 'is not a CORS policy field; did you mean "allowedHeaders"?',
      },
    ]);
  });
});
