import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module, Post, type INestApplication } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Cors, CorsConfigurationError, CorsModule, type CorsModuleOptions } from '../../lib/index.js';
import { ADAPTERS, bootError, createApp } from './app-factory.js';

@Controller('users')
@Cors({ origin: 'https://app.example.com/', maxAge: -5 })
class UsersController {
  @Get()
  @Cors({ methods: ['GET', 'TRACE'], allowedHeaders: ['X-Ok', 'Bad Header'] })
  list() {
    return [];
  }
  @Post()
  @Cors('missing')
  create() {
    return {};
  }
  @Post('import')
  @Cors({ origin: /example\.com/, credentials: true, exposedHeaders: '*' })
  importUsers() {
    return {};
  }
}

@Controller('ok')
class OkController {
  @Get()
  ok() {
    return {};
  }
}

describe.each(ADAPTERS)('startup validation (%s)', (adapter) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('stops the app with one error that lists every problem, where it was declared and the field', async () => {
    const error = await bootError(adapter, {
      imports: [
        CorsModule.forRoot({
          origin: ['*', 'app.example.com', 'https://App.example.com', 'https://api.example.com:443'],
          credentials: true,
          orgin: 'typo',
          policies: { partners: { origin: 'https://*.com', methods: 'CONNECT' } },
        } as CorsModuleOptions),
      ],
      controllers: [UsersController],
    });
    expect(error).toBeInstanceOf(CorsConfigurationError);
    const problems = (error as CorsConfigurationError).problems.map((p) => `${p.location} › ${p.field}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'module options › orgin',
        'module options › origin',
        'policy "partners" › origin',
        'policy "partners" › methods',
        'UsersController › origin',
        'UsersController › maxAge',
        'UsersController.list › methods',
        'UsersController.list › allowedHeaders',
        'UsersController.create › @Cors',
        'UsersController.importUsers › origin',
        'UsersController.importUsers › exposedHeaders',
      ]),
    );
    const message = error.message;
    expect(message).toMatch(/^Invalid CORS configuration \(\d+ problems\):/);
    expect(message).toContain('"*" cannot be combined with credentials');
    expect(message).toContain('"app.example.com" has no scheme; write it as "https://app.example.com"');
    expect(message).toContain('"https://App.example.com" must be lowercase');
    expect(message).toContain('names the default port');
    expect(message).toContain('"https://app.example.com/" ends with a slash');
    expect(message).toContain('must be a non-negative integer number of seconds; got number -5');
    expect(message).toContain('"TRACE" is a forbidden method');
    expect(message).toContain('"Bad Header" is not a valid header name');
    expect(message).toContain('unknown policy "missing"; declared policies: "partners"');
    expect(message).toContain('must be anchored with ^ and $');
    expect(message).toContain('"*" is a literal name, not a wildcard, when credentials are allowed');
    expect(message).toContain('"https://*.com" would match every domain under ".com"');
    expect(message).toContain('"CONNECT" is a forbidden method');
  });

  it('refuses null and plain-http origins with credentials unless dangerously allowed', async () => {
    const error = await bootError(adapter, {
      imports: [CorsModule.forRoot({ origin: ['null', 'http://app.example.com'], credentials: true })],
      controllers: [OkController],
    });
    expect(error.message).toContain('"null" (sent by sandboxed iframes and file: pages) with credentials');
    expect(error.message).toContain('"http://app.example.com" (plain http) with credentials');
    app = await createApp(adapter, {
      imports: [
        CorsModule.forRoot({
          origin: ['null', 'http://app.example.com', 'http://localhost:3000'],
          credentials: true,
          dangerouslyAllowInsecureOriginsWithCredentials: true,
        }),
      ],
      controllers: [OkController],
    });
  });

  it('refuses a non-function, non-string origin', async () => {
    const error = await bootError(adapter, {
      imports: [CorsModule.forRoot({ origin: 42 as never })],
      controllers: [OkController],
    });
    expect(error.message).toContain(
      'module options › origin: must be a string, a RegExp, an array of those, or a function (origin, request) => boolean; got number 42',
    );
  });

  it('validates forRootAsync options once the factory resolves', async () => {
    const error = await bootError(adapter, {
      imports: [
        CorsModule.forRootAsync({
          useFactory: async () => ({ origin: '*', credentials: true }),
        }),
      ],
      controllers: [OkController],
    });
    expect(error.message).toContain('module options › origin: "*" cannot be combined with credentials');
  });

  it('refuses a second CorsModule import in the same application', async () => {
    @Module({ imports: [CorsModule.forRoot({ origin: 'https://b.example.com' })] })
    class FeatureModule {}
    const error = await bootError(adapter, {
      imports: [CorsModule.forRoot({ origin: 'https://a.example.com' }), FeatureModule],
      controllers: [OkController],
    });
    expect(error.message).toContain('imported more than once in this application');
  });
});

describe.each(ADAPTERS)('forRootAsync (%s)', (adapter) => {
  let app: INestApplication;
  afterEach(() => app.close());

  const preflightOrigin = async (origin: string) => {
    const { default: request } = await import('supertest');
    return request(app.getHttpServer())
      .options('/ok')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'GET');
  };

  it('reads options from ConfigService with useFactory and inject', async () => {
    app = await createApp(adapter, {
      imports: [
        CorsModule.forRootAsync({
          imports: [
            ConfigModule.forRoot({
              ignoreEnvFile: true,
              load: [() => ({ CORS_ORIGINS: 'https://a.example.com,https://b.example.com', CORS_MAX_AGE: '120' })],
            }),
          ],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            origin: config.getOrThrow<string>('CORS_ORIGINS').split(','),
            maxAge: Number(config.get('CORS_MAX_AGE')),
          }),
        }),
      ],
      controllers: [OkController],
    });
    const res = await preflightOrigin('https://b.example.com');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://b.example.com');
    expect(res.headers['access-control-max-age']).toBe('120');
  });

  it('accepts useClass and useExisting factories', async () => {
    @Injectable()
    class CorsConfig {
      createCorsOptions(): CorsModuleOptions {
        return { origin: 'https://class.example.com' };
      }
    }
    app = await createApp(adapter, {
      imports: [CorsModule.forRootAsync({ useClass: CorsConfig })],
      controllers: [OkController],
    });
    expect((await preflightOrigin('https://class.example.com')).status).toBe(204);
    await app.close();

    @Module({ providers: [CorsConfig], exports: [CorsConfig] })
    class ConfigHolder {}
    app = await createApp(adapter, {
      imports: [CorsModule.forRootAsync({ imports: [ConfigHolder], useExisting: CorsConfig })],
      controllers: [OkController],
    });
    expect((await preflightOrigin('https://class.example.com')).status).toBe(204);
  });
});
