import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ServeStaticModule } from '@nestjs/serve-static';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { CorsModule } from '../../lib/index.js';
import { ADAPTERS } from './app-factory.js';
import { corsHeaders, expectNoCorsHeaders, preflight, varyOf } from './http-helpers.js';

const APP = 'https://app.example.com';
const ANYONE = 'https://anyone.example';

describe.each(ADAPTERS)('paths on static files (%s, ServeStaticModule)', (adapter) => {
  let app: INestApplication;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'nestjs-cors-static-'));
    mkdirSync(join(root, 'private'));
    writeFileSync(join(root, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(root, 'private', 'notes.txt'), 'not for other sites');
    @Module({
      imports: [
        CorsModule.forRoot({
          origin: APP,
          credentials: true,
          policies: { public: { origin: '*', credentials: false, exposedHeaders: ['Content-Length'] } },
          paths: { '/assets/*': 'public', '/assets/private/*': false },
        }),
        ServeStaticModule.forRoot({ rootPath: root, serveRoot: '/assets' }),
      ],
    })
    class StaticAppModule {}
    // NestFactory, not Test.createTestingModule: ServeStaticModule picks its loader from the
    // HTTP adapter when its providers are created, and a testing module has none yet (no files served).
    app = await NestFactory.create(
      StaticAppModule,
      adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
      {
        logger: ['error'],
      },
    );
    await app.init();
    if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers a preflight for a file from the /assets/* policy', async () => {
    const res = await preflight(app, '/assets/logo.svg', ANYONE, 'GET', {
      'Access-Control-Request-Headers': 'x-client',
    });
    expect(res.status).toBe(204);
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET',
      'access-control-allow-headers': 'x-client',
    });
    expect(varyOf(res)).toEqual(['Access-Control-Request-Method', 'Access-Control-Request-Headers']);
  });

  it('serves the file with exactly the policy headers', async () => {
    const res = await request(app.getHttpServer()).get('/assets/logo.svg').set('Origin', ANYONE);
    expect(res.status).toBe(200);
    expect(String(res.body)).toContain('<svg');
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'Content-Length',
    });
    expect(varyOf(res)).not.toContain('Origin');
  });

  it('gives a file under the longer /assets/private/* prefix (false) no CORS header at all', async () => {
    const res = await request(app.getHttpServer()).get('/assets/private/notes.txt').set('Origin', APP);
    expect(res.status).toBe(200);
    expect(res.text).toBe('not for other sites');
    expectNoCorsHeaders(res);
    const pre = await preflight(app, '/assets/private/notes.txt', APP, 'GET');
    expect(pre.status).toBe(403);
    expectNoCorsHeaders(pre);
  });

  it('keeps the module defaults outside /assets', async () => {
    const res = await request(app.getHttpServer()).get('/elsewhere').set('Origin', APP);
    expect(res.status).toBe(404);
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
    });
    const refused = await request(app.getHttpServer()).get('/elsewhere').set('Origin', ANYONE);
    expectNoCorsHeaders(refused);
  });

  it('covers a missing file under /assets/* with the same policy (its 404 stays readable)', async () => {
    const res = await request(app.getHttpServer()).get('/assets/missing.png').set('Origin', ANYONE);
    expect(res.status).toBe(404);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});
