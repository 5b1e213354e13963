/**
 * Apps built from the same controller classes stay apart: nothing of an app
 * is ever written to the classes, so two apps booting at once (or one after
 * another, or after a failed boot) with different options each follow their
 * own policy, for inherited handlers and request-scoped controllers too.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Get,
  Header,
  Injectable,
  Module,
  Scope,
  type INestApplication,
  type OnModuleInit,
} from '@nestjs/common';
import request from 'supertest';
import { Cors, CorsModule, type CorsModuleOptions } from '../../lib/index.js';
import { ADAPTERS, createApp, type AdapterName } from './app-factory.js';
import { preflight, varyOf } from './http-helpers.js';

const A = 'https://a.example';
const B = 'https://b.example';

class BaseController {
  @Get('inherited')
  inherited() {
    return 'inherited';
  }
}

@Controller('shared')
class SharedController extends BaseController {
  @Get()
  list() {
    return 'list';
  }

  @Get('vary')
  @Header('Vary', 'Accept')
  vary() {
    return 'vary';
  }
}

@Controller({ path: 'scoped', scope: Scope.REQUEST })
@Cors({ exposedHeaders: ['X-Scoped'] })
class ScopedController {
  @Get()
  get() {
    return 'scoped';
  }
}

/** Every metadata key and value on a class, its prototype's methods and the base class: to compare before and after. */
function snapshot(...classes: Function[]): string {
  const out: string[] = [];
  for (const target of classes) {
    for (const key of Reflect.getMetadataKeys(target))
      out.push(`${target.name} ${String(key)} ${JSON.stringify(Reflect.getMetadata(key, target))}`);
    for (const name of Object.getOwnPropertyNames(target.prototype)) {
      const method = target.prototype[name] as unknown;
      if (typeof method !== 'function') continue;
      for (const key of Reflect.getMetadataKeys(method)) {
        out.push(`${target.name}.${name} ${String(key)} ${JSON.stringify(Reflect.getMetadata(key, method))}`);
      }
    }
  }
  return out.sort().join('\n');
}

function appFor(adapter: AdapterName, options: CorsModuleOptions, extra: Function[] = []) {
  return createApp(adapter, {
    imports: [CorsModule.forRoot(options)],
    controllers: [SharedController, ScopedController, ...(extra as never[])],
  });
}

const BEFORE = snapshot(SharedController, BaseController, ScopedController);

describe.each(ADAPTERS)('apps built from the same classes (%s)', (adapter) => {
  const apps: INestApplication[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  it('boot concurrently with different options and each answers only its own origin', async () => {
    const [first, second] = await Promise.all([
      appFor(adapter, { origin: A, rejectDisallowedOrigins: true }),
      appFor(adapter, { origin: B, rejectDisallowedOrigins: true }),
    ]);
    apps.push(first, second);
    for (const [app, own, other] of [
      [first, A, B],
      [second, B, A],
    ] as const) {
      for (const path of ['/shared', '/shared/inherited', '/scoped']) {
        const allowed = await request(app.getHttpServer()).get(path).set('Origin', own);
        expect(allowed.status).toBe(200);
        expect(allowed.headers['access-control-allow-origin']).toBe(own);
        const refused = await request(app.getHttpServer()).get(path).set('Origin', other);
        expect(refused.status).toBe(403);
        expect(refused.headers['access-control-allow-origin']).toBeUndefined();
        expect((await preflight(app, path, own, 'GET')).status).toBe(204);
        expect((await preflight(app, path, other, 'GET')).status).toBe(403);
      }
    }
  });

  it('leaves the classes exactly as they were while apps run and after they close', async () => {
    expect(snapshot(SharedController, BaseController, ScopedController)).toBe(BEFORE);
    await Promise.all(apps.splice(0).map((app) => app.close()));
    expect(snapshot(SharedController, BaseController, ScopedController)).toBe(BEFORE);
  });

  it('a later app with other options does not inherit anything of a closed one', async () => {
    const app = await appFor(adapter, { origin: B });
    apps.push(app);
    const res = await request(app.getHttpServer()).get('/shared').set('Origin', A);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(
      (await request(app.getHttpServer()).get('/shared').set('Origin', B)).headers['access-control-allow-origin'],
    ).toBe(B);
  });

  it('a boot that failed elsewhere leaves nothing behind for the next app', async () => {
    @Injectable()
    class FailingService implements OnModuleInit {
      onModuleInit(): void {
        throw new Error('boot failed elsewhere');
      }
    }
    @Module({ providers: [FailingService] })
    class FailingModule {}
    await expect(
      createApp(adapter, {
        imports: [CorsModule.forRoot({ origin: A, rejectDisallowedOrigins: true }), FailingModule],
        controllers: [SharedController],
      }),
    ).rejects.toThrow('boot failed elsewhere');
    expect(snapshot(SharedController, BaseController, ScopedController)).toBe(BEFORE);
    const app = await appFor(adapter, { origin: B });
    apps.push(app);
    const res = await request(app.getHttpServer()).get('/shared/inherited').set('Origin', A);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps Origin in Vary next to @Header("Vary"), with and without Origin', async () => {
    const app = await appFor(adapter, { origin: A });
    apps.push(app);
    const withOrigin = await request(app.getHttpServer()).get('/shared/vary').set('Origin', A);
    expect(varyOf(withOrigin).sort()).toEqual(['Accept', 'Origin']);
    const without = await request(app.getHttpServer()).get('/shared/vary');
    expect(varyOf(without).sort()).toEqual(['Accept', 'Origin']);
  });

  it('answers a request no handler serves with the module defaults, never a route policy', async () => {
    @Controller('strict')
    @Cors({ origin: B, credentials: true })
    class StrictController {
      @Get(':id')
      one() {
        return 'one';
      }
    }
    const app = await appFor(adapter, { origin: A }, [StrictController]);
    apps.push(app);
    for (const path of ['/strict', '/strict/1/2', '/nothing']) {
      const res = await request(app.getHttpServer()).get(path).set('Origin', B);
      expect(res.status).toBe(404);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      const defaults = await request(app.getHttpServer()).get(path).set('Origin', A);
      expect(defaults.headers['access-control-allow-origin']).toBe(A);
    }
  });
});
