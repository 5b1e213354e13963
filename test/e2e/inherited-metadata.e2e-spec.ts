/**
 * Metadata a controller inherits is read as Nest reads it: `@Cors()` on a
 * base class, a handler declared (with its `@Cors()`) in a base class, and
 * `@Res()` on a base class's method (the handler then writes its own `Vary`,
 * which must keep `Origin`). Boot reads metadata without walking prototype
 * chains that carry none (lib/policies/metadata-reader.ts); these chains do.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Res, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp } from './app-factory.js';
import { preflight, varyOf } from './http-helpers.js';

const DEFAULT = 'https://app.example';
const FROM_BASE_CLASS = 'https://base-class.example';
const FROM_BASE_METHOD = 'https://base-method.example';

@Cors({ origin: FROM_BASE_CLASS })
class CorsBase {}

@Controller('inherits-class')
class InheritsClassController extends CorsBase {
  @Get()
  get() {
    return 'class';
  }
}

class MethodBase {
  @Get('m')
  @Cors({ origin: FROM_BASE_METHOD })
  inheritedMethod() {
    return 'method';
  }
}

@Controller('inherits-method')
class InheritsMethodController extends MethodBase {}

interface AnyResponse {
  header?(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
  send(body: string): unknown;
}

class ResponseBase {
  @Get('r')
  raw(@Res() response: AnyResponse) {
    // Express and Fastify replies both: the handler sets Vary itself, over what was there.
    if (response.header) response.header('Vary', 'Accept');
    else response.setHeader?.('Vary', 'Accept');
    response.send('raw');
  }
}

@Controller('inherits-res')
class InheritsResponseController extends ResponseBase {}

describe.each(ADAPTERS)('metadata a controller inherits (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({ origin: DEFAULT })],
      controllers: [InheritsClassController, InheritsMethodController, InheritsResponseController],
    });
  });
  afterAll(() => app.close());

  it.each([
    ['/inherits-class', FROM_BASE_CLASS],
    ['/inherits-method/m', FROM_BASE_METHOD],
  ])('%s follows the inherited @Cors()', async (path, origin) => {
    const allowed = await preflight(app, path, origin, 'GET');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(origin);
    const refused = await preflight(app, path, DEFAULT, 'GET');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const actual = await request(app.getHttpServer()).get(path).set('Origin', origin);
    expect(actual.headers['access-control-allow-origin']).toBe(origin);
  });

  it('keeps Origin in Vary where an inherited handler takes the response (@Res()) and sets Vary', async () => {
    const response = await request(app.getHttpServer()).get('/inherits-res/r').set('Origin', DEFAULT);
    expect(response.text).toBe('raw');
    expect(response.headers['access-control-allow-origin']).toBe(DEFAULT);
    expect(varyOf(response)).toEqual(expect.arrayContaining(['Accept', 'Origin']));
  });
});
