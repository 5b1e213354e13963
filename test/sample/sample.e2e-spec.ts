import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Response } from 'supertest';
import { corsFetch, type CorsWireResponse } from '../../lib/testing/index.js';
import { createSampleApp, SAMPLE_ADAPTERS, type SampleAdapter } from '../../sample/bootstrap.js';
import type { SampleEnv } from '../../sample/cors.config.js';
import { PreflightCounter } from '../../sample/diagnostics/preflight-counter.js';
import { RefusalLog } from '../../sample/diagnostics/refusal-log.js';

/**
 * The sample app (sample/), booted with createSampleApp() on both adapters,
 * checked header by header with supertest, and fetch by fetch with the
 * testing kit (nestjs-cors/testing), which judges each answer as a browser
 * would. With an empty environment every setting takes its default: the
 * playground page http://localhost:4200 is our front-end, http://127.0.0.1:4200
 * the partner.
 */

const APP = 'http://localhost:4200';
const PARTNER = 'http://127.0.0.1:4200';
const STRANGER = 'https://evil.example';
const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

function boot(adapter: SampleAdapter, env: SampleEnv = {}): Promise<INestApplication> {
  return createSampleApp(adapter, env, { logLevels: [] });
}

/** The Access-Control-* headers of a response (supertest's or the kit's). */
function cors(res: Response | CorsWireResponse | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries((res?.headers ?? {}) as Record<string, string>).filter(([name]) =>
      name.startsWith('access-control-'),
    ),
  );
}

function vary(res: Response): string[] {
  const value = res.headers['vary'] as string | undefined;
  return value ? value.split(',').map((name) => name.trim()) : [];
}

describe.each(SAMPLE_ADAPTERS)('the sample app on %s', (adapter) => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const preflight = (path: string, origin: string, method: string, headers?: string) => {
    const req = http().options(path).set('Origin', origin).set('Access-Control-Request-Method', method);
    return headers === undefined ? req : req.set('Access-Control-Request-Headers', headers);
  };

  beforeAll(async () => {
    app = await boot(adapter);
  });

  afterAll(async () => {
    await app?.close();
  });

  describe('module defaults (CorsModule.forRootAsync from ConfigService)', () => {
    test('a simple GET from CORS_ORIGINS gets the origin and credentials', async () => {
      const res = await http().get('/articles').set('Origin', APP).expect(200);
      expect(cors(res)).toEqual({
        'access-control-allow-origin': APP,
        'access-control-allow-credentials': 'true',
      });
      expect(vary(res)).toContain('Origin');
      expect(res.body).toHaveLength(2);
    });

    test('an unlisted origin: the handler answers, without any CORS header', async () => {
      for (const origin of [PARTNER, STRANGER]) {
        const res = await http().get('/articles').set('Origin', origin).expect(200);
        expect(cors(res)).toEqual({});
        expect(vary(res)).toContain('Origin');
      }
    });

    test('a credentialed JSON POST: its preflight, then the POST with its cookie, readable', async () => {
      const result = await corsFetch(app, {
        origin: APP,
        method: 'POST',
        path: '/articles',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'include',
        cookie: 'other=1; playground_session=abc123',
        body: JSON.stringify({ title: 'Hello' }),
      });
      expect(result).toMatchObject({ readable: true, preflight: { status: 204, body: '' }, response: { status: 201 } });
      expect(cors(result.preflight)).toEqual({
        'access-control-allow-origin': APP,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
      });
      expect(result.preflight?.headers['vary']).toBe(PREFLIGHT_VARY);
      expect(cors(result.response)['access-control-allow-credentials']).toBe('true');
      expect(JSON.parse(result.response!.body)).toEqual({ id: 3, title: 'Hello', sessionCookie: 'abc123' });
    });

    test('refused preflights: 403, no Access-Control-* header, and the browser never sends the request', async () => {
      const result = await corsFetch(app, {
        origin: PARTNER,
        method: 'POST',
        path: '/articles',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(result).toMatchObject({
        readable: false,
        stage: 'preflight',
        reason: 'no Access-Control-Allow-Origin header',
        preflight: { status: 403, body: '' },
      });
      expect(cors(result.preflight)).toEqual({});
      expect(result.response).toBeUndefined();
    });

    test('a path no controller serves: the 404 is readable from CORS_ORIGINS', async () => {
      const res = await http().get('/no-such-route').set('Origin', APP).expect(404);
      expect(cors(res)['access-control-allow-origin']).toBe(APP);
      const other = await http().get('/no-such-route').set('Origin', STRANGER).expect(404);
      expect(cors(other)).toEqual({});
    });
  });

  describe('controller-level @Cors and a route-level override (DocumentsController)', () => {
    test('PUT: the controller methods and headers; X-Request-Id exposed', async () => {
      const res = await preflight('/documents/42', APP, 'PUT', 'content-type,x-request-id').expect(204);
      expect(cors(res)).toEqual({
        'access-control-allow-origin': APP,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'PUT',
        'access-control-allow-headers': 'content-type, x-request-id',
      });

      const put = await corsFetch(app, {
        origin: APP,
        method: 'PUT',
        path: '/documents/42',
        headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-1' },
        body: JSON.stringify({ title: 'Renamed' }),
      });
      expect(put).toMatchObject({ readable: true, response: { status: 200 } });
      expect(cors(put.response)).toEqual({
        'access-control-allow-origin': APP,
        'access-control-allow-credentials': 'true',
        'access-control-expose-headers': 'X-Request-Id',
      });
      expect(put.exposedHeaders['x-request-id']).toBe('req-1');
      expect(JSON.parse(put.response!.body)).toEqual({ id: '42', updated: true, title: 'Renamed' });
    });

    test('DELETE: its own methods and headers, the rest inherited', async () => {
      const res = await preflight('/documents/42', APP, 'DELETE', 'x-request-id,x-delete-reason').expect(204);
      expect(cors(res)).toEqual({
        'access-control-allow-origin': APP,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'DELETE',
        'access-control-allow-headers': 'x-request-id, x-delete-reason',
      });
      const del = await http()
        .delete('/documents/42')
        .set('Origin', APP)
        .set('X-Delete-Reason', 'duplicate')
        .expect(200);
      expect(cors(del)['access-control-expose-headers']).toBe('X-Request-Id');
      expect(del.body).toEqual({ id: '42', deleted: true, reason: 'duplicate' });
    });

    test('the override stays on its route: a PUT with X-Delete-Reason is refused', async () => {
      expect(cors(await preflight('/documents/42', APP, 'PUT', 'x-delete-reason').expect(403))).toEqual({});
      const put = await corsFetch(app, {
        origin: APP,
        method: 'PUT',
        path: '/documents/42',
        headers: { 'X-Delete-Reason': 'typo' },
      });
      expect(put).toMatchObject({ readable: false, stage: 'preflight', preflight: { status: 403 } });
    });
  });

  test('exposedHeaders: X-Report-Version is exposed, X-Internal-Trace only sent', async () => {
    const res = await http().get('/reports/latest').set('Origin', APP).expect(200);
    expect(cors(res)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Report-Version',
    });
    expect(res.headers['x-report-version']).toBe('7');
    expect(res.headers['x-internal-trace']).toBe('trace-4f2a');
    // What the page's script can read of it: the safelisted headers and the exposed one.
    const fetched = await corsFetch(app, { origin: APP, path: '/reports/latest' });
    expect(Object.keys(fetched.exposedHeaders)).toEqual(['content-length', 'content-type', 'x-report-version']);
  });

  describe('the APP_GUARD (DemoAuthGuard)', () => {
    test('its 401 carries the CORS headers', async () => {
      const res = await http().get('/account/profile').set('Origin', APP).expect(401);
      expect(cors(res)).toEqual({
        'access-control-allow-origin': APP,
        'access-control-allow-credentials': 'true',
      });
      expect(res.body).toEqual({
        statusCode: 401,
        message: 'Send "Authorization: Bearer demo" to read this profile',
        error: 'Unauthorized',
      });
    });

    test('the preflight (no Authorization, as browsers send it) never reaches the guard', async () => {
      const ok = await corsFetch(app, {
        origin: APP,
        path: '/account/profile',
        headers: { Authorization: 'Bearer demo' },
      });
      expect(ok).toMatchObject({ readable: true, preflight: { status: 204 }, response: { status: 200 } });
      expect(cors(ok.preflight)['access-control-allow-headers']).toBe('authorization');
      expect(cors(ok.response)['access-control-allow-origin']).toBe(APP);
      expect(JSON.parse(ok.response!.body)).toEqual({ user: 'demo', plan: 'free' });
    });

    test('routes without @RequiresAuth() are not guarded', async () => {
      await http().get('/articles').expect(200);
    });
  });

  describe('@Cors(false) and @Cors() (InternalController)', () => {
    test('disabled: no CORS header on the answer, 403 to preflights', async () => {
      const res = await corsFetch(app, { origin: APP, path: '/internal/health' });
      expect(res).toMatchObject({ readable: false, stage: 'response', response: { status: 200 } });
      expect(cors(res.response)).toEqual({});
      expect(JSON.parse(res.response!.body)).toEqual({ status: 'ok' });
      const pre = await corsFetch(app, { origin: APP, path: '/internal/health', headers: { 'X-Anything': '1' } });
      expect(pre).toMatchObject({ readable: false, stage: 'preflight', preflight: { status: 403 } });
      expect(cors(pre.preflight)).toEqual({});
    });

    test('@Cors() on a handler turns the module defaults back on', async () => {
      const res = await http().get('/internal/version').set('Origin', APP).expect(200);
      expect(cors(res)).toEqual({
        'access-control-allow-origin': APP,
        'access-control-allow-credentials': 'true',
      });
      expect(cors(await http().get('/internal/version').set('Origin', PARTNER).expect(200))).toEqual({});
    });
  });

  describe("the named policy @Cors('partners')", () => {
    test('admits our origin and the partner, without credentials', async () => {
      for (const origin of [APP, PARTNER]) {
        const res = await http().get('/partners/catalog').set('Origin', origin).expect(200);
        expect(cors(res)).toEqual({ 'access-control-allow-origin': origin });
        expect(vary(res)).toContain('Origin');
      }
      expect(cors(await http().get('/partners/catalog').set('Origin', STRANGER).expect(200))).toEqual({});
    });

    test('GET only', async () => {
      const res = await preflight('/partners/catalog', PARTNER, 'GET', 'x-partner-key').expect(204);
      expect(cors(res)).toEqual({
        'access-control-allow-origin': PARTNER,
        'access-control-allow-methods': 'GET',
        'access-control-allow-headers': 'x-partner-key',
      });
      expect(cors(await preflight('/partners/catalog', PARTNER, 'POST').expect(403))).toEqual({});
    });
  });

  test("a route-level origin ('http://127.0.0.1:*') admits the partner page and refuses ours", async () => {
    for (const origin of [PARTNER, 'http://127.0.0.1:9999']) {
      const res = await http().get('/ops/metrics').set('Origin', origin).expect(200);
      expect(cors(res)).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
      });
    }
    const ours = await http().get('/ops/metrics').set('Origin', APP).expect(200);
    expect(cors(ours)).toEqual({});
    expect(vary(ours)).toContain('Origin');
  });

  describe("the public route (origin: '*', credentials: false)", () => {
    test('answers * to every origin and to requests without one, never with credentials', async () => {
      for (const origin of [APP, STRANGER]) {
        const res = await http().get('/public/status').set('Origin', origin).expect(200);
        expect(cors(res)).toEqual({ 'access-control-allow-origin': '*' });
        expect(vary(res)).not.toContain('Origin');
      }
      const noOrigin = await http().get('/public/status').expect(200);
      expect(cors(noOrigin)).toEqual({ 'access-control-allow-origin': '*' });
      expect(await corsFetch(app, { origin: STRANGER, path: '/public/status', credentials: 'include' })).toMatchObject({
        readable: false,
        stage: 'response',
        reason: 'Access-Control-Allow-Origin is * but the request includes credentials',
      });
    });

    test('its preflight: *, no credentials, Vary without Origin', async () => {
      const res = await preflight('/public/status', STRANGER, 'GET', 'x-trace').expect(204);
      expect(cors(res)).toEqual({
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET',
        'access-control-allow-headers': 'x-trace',
      });
      expect(res.headers['vary']).toBe('Access-Control-Request-Method, Access-Control-Request-Headers');
    });
  });

  test('maxAge: 600 on PUT /drafts/:id, 0 on PUT /drafts/:id/uncached', async () => {
    const cached = await preflight('/drafts/7', APP, 'PUT', 'content-type,x-draft-token').expect(204);
    expect(cors(cached)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'content-type, x-draft-token',
      'access-control-max-age': '600',
    });
    const uncached = await preflight('/drafts/7/uncached', APP, 'PUT', 'x-draft-token').expect(204);
    expect(cors(uncached)['access-control-max-age']).toBe('0');
    const other = await preflight('/documents/7', APP, 'PUT').expect(204);
    expect(cors(other)).not.toHaveProperty('access-control-max-age');
  });

  test('rejectDisallowedOrigins: a refused origin gets a 403 before the handler runs', async () => {
    const subscribers = async () => (await http().get('/stats').expect(200)).body.subscribers as number;
    const before = await subscribers();
    // A simple request: no preflight protects it, so the browser sends it and only hides the answer.
    const refused = await corsFetch(app, {
      origin: PARTNER,
      method: 'POST',
      path: '/newsletter/subscriptions',
      headers: { 'Content-Type': 'text/plain' },
      body: 'me@example.com',
    });
    expect(refused).toMatchObject({
      readable: false,
      stage: 'response',
      preflightReasons: [],
      response: { status: 403 },
    });
    expect(cors(refused.response)).toEqual({});
    expect(JSON.parse(refused.response!.body)).toMatchObject({ statusCode: 403 });
    expect(await subscribers()).toBe(before);

    const accepted = await http()
      .post('/newsletter/subscriptions')
      .set('Origin', APP)
      .set('Content-Type', 'text/plain')
      .send('me@example.com')
      .expect(201);
    expect(cors(accepted)['access-control-allow-origin']).toBe(APP);
    await http().post('/newsletter/subscriptions').expect(201);
    expect(await subscribers()).toBe(before + 2);
  });

  describe('the diagnostics the playground reads', () => {
    test('every OPTIONS request is counted per path, answered by nestjs-cors or refused', async () => {
      const counter = app.get(PreflightCounter);
      const before = counter.count('/drafts/counted');
      await preflight('/drafts/counted', APP, 'PUT').expect(204);
      await preflight('/drafts/counted?x=1', STRANGER, 'PUT').expect(403);
      await http().put('/drafts/counted').set('Origin', APP).send({ text: 'x' }).expect(200);
      expect(counter.count('/drafts/counted')).toBe(before + 2);

      const res = await http().get('/stats/preflights').set('Origin', STRANGER).expect(200);
      expect(cors(res)).toEqual({ 'access-control-allow-origin': '*' });
      expect(res.body.byPath['/drafts/counted']).toBe(before + 2);
      expect(res.body.total).toBe(counter.total);
    });

    test('each refusal nestjs-cors explains (CORS_DEBUG) is kept and served', async () => {
      const log = app.get(RefusalLog);
      const last = log.last;
      await preflight('/documents/1', APP, 'PUT', 'x-delete-reason').expect(403);
      await http().get('/articles').set('Origin', STRANGER).expect(200);
      const res = await http().get(`/stats/refusals?after=${last}`).expect(200);
      expect(res.body).toEqual({
        last: last + 2,
        entries: [
          {
            seq: last + 1,
            message:
              `CORS preflight PUT /documents/1 from "${APP}" refused by DocumentsController.update: ` +
              'request header x-delete-reason not allowed (allowedHeaders from DocumentsController: Content-Type, X-Request-Id). ' +
              'To allow it, add "x-delete-reason" to allowedHeaders.',
          },
          {
            seq: last + 2,
            message:
              `CORS request GET /articles from "${STRANGER}" refused by ArticlesController.list: ` +
              `origin not allowed (origin from module options: ${APP}). ` +
              `To allow it, add "${STRANGER}" to origin at module options or on the handler.`,
          },
        ],
      });
    });
  });
});

describe('the sample configuration, from environment variables', () => {
  test('CORS_ORIGINS, PARTNER_ORIGINS and CORS_CREDENTIALS replace the defaults', async () => {
    const app = await boot('express', {
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      PARTNER_ORIGINS: 'https://partner.example.com',
      CORS_CREDENTIALS: 'false',
    });
    try {
      const http = () => request(app.getHttpServer());
      for (const origin of ['https://app.example.com', 'http://localhost:5173']) {
        const res = await http().get('/articles').set('Origin', origin).expect(200);
        expect(cors(res)).toEqual({ 'access-control-allow-origin': origin });
      }
      expect(cors(await http().get('/articles').set('Origin', APP).expect(200))).toEqual({});
      const partner = await http().get('/partners/catalog').set('Origin', 'https://partner.example.com').expect(200);
      expect(cors(partner)).toEqual({ 'access-control-allow-origin': 'https://partner.example.com' });
    } finally {
      await app.close();
    }
  });

  test('the default origins follow PAGE_PORT', async () => {
    const app = await boot('fastify', { PAGE_PORT: '5000' });
    try {
      const http = () => request(app.getHttpServer());
      const res = await http().get('/articles').set('Origin', 'http://localhost:5000').expect(200);
      expect(cors(res)['access-control-allow-origin']).toBe('http://localhost:5000');
      const partner = await http().get('/partners/catalog').set('Origin', 'http://127.0.0.1:5000').expect(200);
      expect(cors(partner)['access-control-allow-origin']).toBe('http://127.0.0.1:5000');
      expect(cors(await http().get('/articles').set('Origin', APP).expect(200))).toEqual({});
    } finally {
      await app.close();
    }
  });

  test('CORS_DEBUG=false: refusals are not explained', async () => {
    const app = await boot('express', { CORS_DEBUG: 'false' });
    try {
      await request(app.getHttpServer()).get('/articles').set('Origin', STRANGER).expect(200);
      expect(app.get(RefusalLog).last).toBe(0);
    } finally {
      await app.close();
    }
  });

  test('a malformed flag stops the boot with the variable named', async () => {
    await expect(boot('express', { CORS_CREDENTIALS: 'maybe' })).rejects.toThrow(
      'CORS_CREDENTIALS must be true or false; got "maybe"',
    );
  });

  test('nestjs-cors refuses a plain-http origin with credentials at boot', async () => {
    await expect(boot('express', { CORS_ORIGINS: 'http://app.example.com' })).rejects.toThrow(
      /"http:\/\/app\.example\.com" \(plain http\) with credentials/,
    );
  });
});
