import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cors, CorsModule } from '../../lib/index.js';
import { ADAPTERS, createApp, RecordingLogger } from './app-factory.js';
import { preflight } from './http-helpers.js';

const APP = 'https://app.example.com';

@Controller('things')
@Cors({ origin: APP, credentials: true })
class ThingsController {
  @Get()
  list() {
    return [];
  }
}

/** Reads the raw header lines, so a repeated header shows up as two lines. */
function rawHeaderLines(app: INestApplication, path: string, origin: string) {
  const { port } = app.getHttpServer().address() as AddressInfo;
  return new Promise<string[]>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { Origin: origin } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.rawHeaders));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(ADAPTERS)('another CORS layer as well: app.enableCors() (%s)', (adapter) => {
  let app: INestApplication;
  const logger = new RecordingLogger();
  beforeAll(async () => {
    app = await createApp(
      adapter,
      { imports: [CorsModule.forRoot({ origin: APP })], controllers: [ThingsController] },
      { logger, setup: (nest) => nest.enableCors({ origin: '*' }) },
    );
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app.close());

  it('answers preflights itself, before the other layer', async () => {
    const res = await preflight(app, '/things', APP, 'GET');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  });

  it('never sends a second Access-Control-Allow-Origin value, and warns once naming the conflict', async () => {
    for (let i = 0; i < 3; i++) {
      const lines = await rawHeaderLines(app, '/things', APP);
      const acao = lines.filter(
        (_, index) => index % 2 === 0 && lines[index].toLowerCase() === 'access-control-allow-origin',
      );
      expect(acao).toHaveLength(1);
    }
    const warnings = logger.corsLines('warn').filter((line) => line.includes('Access-Control-Allow-Origin'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/app\.enableCors\(\)/);
  });
});
