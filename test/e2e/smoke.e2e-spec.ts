import { describe, it, expect, afterAll, beforeAll } from '@jest/globals';
import { Controller, Get, Post, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp } from './app-factory.js';

@Controller('things')
class ThingsController {
  @Get()
  list() { return ['a']; }
  @Post()
  @Cors({ origin: 'https://admin.example.com' })
  create() { return { ok: true }; }
  @Get(':id')
  @Cors(false)
  one() { return { id: 1 }; }
}

describe.each(ADAPTERS)('smoke (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [CorsModule.forRoot({ origin: 'https://app.example.com', credentials: true })],
      controllers: [ThingsController],
    });
  });
  afterAll(() => app.close());

  it('answers preflight', async () => {
    const res = await request(app.getHttpServer()).options('/things')
      .set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'GET');
    console.log(res.status, res.headers);
    expect(res.status).toBe(204);
    const res2 = await request(app.getHttpServer()).options('/things')
      .set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'POST');
    console.log(res2.status, res2.headers);
    const res3 = await request(app.getHttpServer()).get('/things').set('Origin', 'https://app.example.com');
    console.log(res3.status, res3.headers);
    const res4 = await request(app.getHttpServer()).get('/nope').set('Origin', 'https://app.example.com');
    console.log(res4.status, res4.headers, res4.text);
  });
});
