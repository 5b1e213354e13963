/**
 * Nest reads its HTTP adapter on every request (the request-hook slot, the
 * reply and status methods). The module must leave that object in V8's fast
 * mode: an accessor on one of its fields, or a deleted property, turns it
 * into a dictionary-mode object whose every read is a hash lookup
 * (bench/findings.md, section 3f). This checks V8's own verdict, so it fails
 * loudly when the module, Nest or V8 change that.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { setFlagsFromString } from 'node:v8';
import request from 'supertest';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp } from './app-factory.js';

setFlagsFromString('--allow-natives-syntax');
// Compiled after the flag is set, so the V8 intrinsic parses.
const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (object: object) => boolean;

@Controller('shape')
@Cors({ origin: 'https://app.example.com' })
class ShapeController {
  @Get()
  get() {
    return 'ok';
  }

  @Get(':id')
  one() {
    return 'one';
  }
}

describe.each(ADAPTERS)("Nest's HTTP adapter with the module (%s)", (adapter) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('is in fast mode without the module (the control)', async () => {
    app = await createApp(adapter, { controllers: [ShapeController] });
    expect(hasFastProperties(app.getHttpAdapter())).toBe(true);
  });

  it('stays in fast mode after boot and while serving', async () => {
    app = await createApp(adapter, { imports: [CorsModule.forRoot({})], controllers: [ShapeController] });
    const httpAdapter = app.getHttpAdapter();
    expect(hasFastProperties(httpAdapter)).toBe(true);
    await app.listen(0, '127.0.0.1');
    const response = await request(app.getHttpServer()).get('/shape').set('Origin', 'https://app.example.com');
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(hasFastProperties(httpAdapter)).toBe(true);
  });
});
