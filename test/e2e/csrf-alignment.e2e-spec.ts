/**
 * nestjs-cors next to Nest 12's `app.enableCsrfProtection({ trustedOrigins })`.
 *
 * The CSRF check (Fetch Metadata, with an Origin/Host fallback) rejects
 * cross-origin unsafe requests with 403 before any module middleware, unless
 * their `Origin` is trusted. Origins allowed by CORS are not trusted
 * implicitly, so the recipe is to derive `trustedOrigins` from the CORS
 * options with `listExactOrigins()`: one list, two checks that agree.
 *
 * nestjs-cors' request hook runs before Nest's security hook on both
 * adapters, so a CSRF 403 carries the CORS headers of an allowed origin: the
 * front end can read why it was refused.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, HttpCode, Post, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Cors, CorsModule, listExactOrigins, type CorsModuleOptions } from '../../lib/index.js';
import { ADAPTERS, createApp } from './app-factory.js';
import { corsHeaders, expectNoCorsHeaders, varyOf } from './http-helpers.js';

const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com';
const PARTNER = 'https://partner.example.net';
/** Allowed by CORS through the pattern, so not in `listExactOrigins()`: not trusted by CSRF. */
const PREVIEW = 'https://pr-42.preview.example.com';
const EVIL = 'https://evil.example';

const CORS_OPTIONS = {
  origin: [APP, ADMIN, 'https://*.preview.example.com'],
  credentials: true,
  policies: { partners: { origin: PARTNER, credentials: false } },
} satisfies CorsModuleOptions;

/** The recipe: every exact origin CORS allows (module defaults and named policies) is trusted by CSRF. */
function trustedOriginsFor(options: CorsModuleOptions): string[] {
  const fields = [options.origin, ...Object.values(options.policies ?? {}).map((policy) => policy.origin)];
  return [...new Set(fields.flatMap((origin) => listExactOrigins(origin)))];
}

/** Handler calls, to tell "rejected before the handler" from "ran, but unreadable". */
const calls: string[] = [];

@Controller('orders')
class OrdersController {
  @Get()
  list() {
    return [];
  }
  @Post()
  create() {
    calls.push('orders');
    return { created: true };
  }
}

@Controller('partner')
@Cors('partners')
class PartnerController {
  @Post()
  @HttpCode(202)
  push() {
    calls.push('partner');
    return { accepted: true };
  }
}

/** Narrower CORS than CSRF: APP is trusted by CSRF, but not allowed by CORS here. */
@Controller('admin')
@Cors({ origin: ADMIN })
class AdminController {
  @Post('loose')
  loose() {
    calls.push('admin.loose');
    return { done: true };
  }
  @Post('strict')
  @Cors({ rejectDisallowedOrigins: true })
  strict() {
    calls.push('admin.strict');
    return { done: true };
  }
}

const CONTROLLERS = [OrdersController, PartnerController, AdminController];

describe.each(ADAPTERS)('CSRF protection aligned with CORS (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(
      adapter,
      { imports: [CorsModule.forRoot(CORS_OPTIONS)], controllers: CONTROLLERS },
      { setup: (nest) => nest.enableCsrfProtection({ trustedOrigins: trustedOriginsFor(CORS_OPTIONS) }) },
    );
  });
  afterAll(() => app.close());

  /** A cross-origin POST as a browser sends it (Sec-Fetch-Site), or as an older one does (Origin only). */
  const post = (path: string, origin: string, secFetchSite: string | undefined = 'cross-site') => {
    const req = request(app.getHttpServer()).post(path).set('Origin', origin);
    return secFetchSite ? req.set('Sec-Fetch-Site', secFetchSite) : req;
  };

  it('derives trustedOrigins from the CORS options: exact origins, patterns left out', () => {
    expect(trustedOriginsFor(CORS_OPTIONS)).toEqual([APP, ADMIN, PARTNER]);
  });

  it.each([
    ['with Sec-Fetch-Site', 'cross-site'],
    ['with Origin only (no Fetch Metadata)', undefined],
  ])('lets a cross-origin POST from an allowed origin through both checks (%s)', async (_name, site) => {
    calls.length = 0;
    const res = await post('/orders', APP, site);
    expect(res.status).toBe(201);
    expect(calls).toEqual(['orders']);
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
    });
    expect(varyOf(res)).toContain('Origin');
  });

  it('trusts the origins of named policies too', async () => {
    calls.length = 0;
    const res = await post('/partner', PARTNER);
    expect(res.status).toBe(202);
    expect(calls).toEqual(['partner']);
    expect(res.headers['access-control-allow-origin']).toBe(PARTNER);
  });

  it('rejects a cross-origin POST from an unlisted origin with 403, before the handler, without CORS headers', async () => {
    calls.length = 0;
    for (const site of ['cross-site', 'same-site', undefined]) {
      const res = await post('/orders', EVIL, site);
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/^Cross-origin request detected/);
      expectNoCorsHeaders(res);
      expect(varyOf(res)).toContain('Origin'); // the 403 depends on Origin too
    }
    expect(calls).toEqual([]);
  });

  it('leaves preflights to CORS (OPTIONS is a safe method for CSRF)', async () => {
    const allowed = await request(app.getHttpServer())
      .options('/orders')
      .set('Origin', APP)
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(APP);
    const refused = await request(app.getHttpServer())
      .options('/orders')
      .set('Origin', EVIL)
      .set('Access-Control-Request-Method', 'POST');
    expect(refused.status).toBe(403);
    expectNoCorsHeaders(refused);
  });

  it('passes same-origin and non-browser requests (CSRF allows them; CORS adds nothing but Vary)', async () => {
    calls.length = 0;
    const sameOrigin = await request(app.getHttpServer()).post('/orders').set('Sec-Fetch-Site', 'same-origin');
    expect(sameOrigin.status).toBe(201);
    const noHeaders = await request(app.getHttpServer()).post('/orders');
    expect(noHeaders.status).toBe(201);
    expectNoCorsHeaders(noHeaders);
    expect(varyOf(noHeaders)).toContain('Origin');
    expect(calls).toEqual(['orders', 'orders']);
  });

  describe('when the two lists disagree', () => {
    it('allowed by CORS (a pattern), not trusted by CSRF: the POST is refused 403 by CSRF, and the 403 is readable', async () => {
      calls.length = 0;
      // The preflight passes (CORS allows the origin)...
      const pre = await request(app.getHttpServer())
        .options('/orders')
        .set('Origin', PREVIEW)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type');
      expect(pre.status).toBe(204);
      // ...safe requests pass CSRF...
      const read = await request(app.getHttpServer()).get('/orders').set('Origin', PREVIEW);
      expect(read.status).toBe(200);
      expect(read.headers['access-control-allow-origin']).toBe(PREVIEW);
      // ...but the POST stops at CSRF. nestjs-cors' hook ran first, so the 403 carries the CORS headers:
      // the front end reads the CSRF message instead of an opaque "CORS error".
      const res = await post('/orders', PREVIEW);
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('Cross-origin request detected from Sec-Fetch-Site header');
      expect(corsHeaders(res)).toEqual({
        'access-control-allow-origin': PREVIEW,
        'access-control-allow-credentials': 'true',
      });
      expect(varyOf(res)).toContain('Origin');
      expect(calls).toEqual([]);
    });

    it('trusted by CSRF, not allowed by CORS on this route: the handler runs, the browser cannot read the answer', async () => {
      calls.length = 0;
      const res = await post('/admin/loose', APP);
      expect(res.status).toBe(201);
      expect(calls).toEqual(['admin.loose']); // CORS protects reads; it does not stop a simple POST
      expectNoCorsHeaders(res);
      expect(varyOf(res)).toContain('Origin');
    });

    it('rejectDisallowedOrigins closes that gap: 403 from CorsGuard, before the handler', async () => {
      calls.length = 0;
      const res = await post('/admin/strict', APP);
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('Origin not allowed by the CORS policy of this route');
      expectNoCorsHeaders(res);
      expect(calls).toEqual([]);
      const admin = await post('/admin/strict', ADMIN);
      expect(admin.status).toBe(201);
      expect(admin.headers['access-control-allow-origin']).toBe(ADMIN);
      expect(calls).toEqual(['admin.strict']);
    });
  });
});

describe.each(ADAPTERS)('CSRF trustedOrigins and CORS patterns (%s)', (adapter) => {
  it('cannot take CORS patterns (enableCsrfProtection throws); listExactOrigins leaves them out', async () => {
    let thrown: unknown;
    const app = await createApp(
      adapter,
      { imports: [CorsModule.forRoot(CORS_OPTIONS)], controllers: [OrdersController] },
      {
        setup: (nest) => {
          try {
            nest.enableCsrfProtection({ trustedOrigins: CORS_OPTIONS.origin });
          } catch (error) {
            thrown = error;
          }
        },
      },
    );
    await app.close();
    expect(String(thrown)).toMatch(/wildcards are not supported/);
    expect(listExactOrigins(CORS_OPTIONS.origin)).toEqual([APP, ADMIN]);
  });
});
