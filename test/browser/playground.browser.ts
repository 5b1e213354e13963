import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { SAMPLE_ADAPTERS } from '../../sample/bootstrap.js';
import { PreflightCounter } from '../../sample/diagnostics/preflight-counter.js';
import type { PlaygroundServer } from '../../sample/playground-server.js';
import { launchChromium, openPage, startSample, type OpenPage, type SampleUnderTest } from './chromium-harness.js';
import { BROWSER_SCENARIOS } from './scenarios.js';

/**
 * The playground in a real browser: Debian's Chromium, driven by
 * playwright-core (no browser download). For each adapter, the sample API and
 * the playground page run on ephemeral ports; the page is opened from
 * http://localhost:PORT (in CORS_ORIGINS) and from http://127.0.0.1:PORT (the
 * same page from an origin the module defaults do not list), and each test
 * clicks a scenario's button and checks what the page could read, what
 * Chromium said in the console, and what the server saw.
 */

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
/** The README's screenshot: rewritten only when asked (`npm run docs:screenshot`, i.e. UPDATE_SCREENSHOT=1). */
const SCREENSHOT = fileURLToPath(new URL('../../docs/playground.png', import.meta.url));
const UPDATE_SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1';

/** What the playground records for one scenario (see sample/public/playground.js). */
interface ScenarioResult {
  outcome: 'allowed' | 'blocked';
  status: number | null;
  headers: Record<string, string>;
  body: unknown;
  error?: string;
  expected?: number | 'blocked';
  matches?: boolean;
  reason?: string;
  serverLog: string[];
  preflights?: number;
  preflightsForPath?: number;
  path?: string;
  handlerRuns?: number;
  checks: Array<{ ok: boolean; text: string }>;
}

interface PlaygroundGlobal {
  playground: { role: string; results: Record<string, ScenarioResult> };
}

const blocked = (reason: RegExp) => ({
  outcome: 'blocked',
  status: null,
  body: null,
  error: 'Failed to fetch',
  reason: expect.stringMatching(reason),
});

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe.each(SAMPLE_ADAPTERS)('the playground against the sample on %s', (adapter) => {
  let sample: SampleUnderTest;
  let playground: PlaygroundServer;
  let app: INestApplication;
  let context: BrowserContext;
  let appPage: OpenPage;
  let partnerPage: OpenPage;

  beforeAll(async () => {
    sample = await startSample(adapter);
    ({ app, playground } = sample);
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    appPage = await openPage(context, playground.appOrigin, 'body[data-state="ready"]');
    partnerPage = await openPage(context, playground.partnerOrigin, 'body[data-state="ready"]');
  });

  afterAll(async () => {
    await context?.close();
    await sample?.close();
  });

  /** Clicks a scenario's button, waits for its result, and returns it with the console lines it caused. */
  async function run({ page, console }: OpenPage, id: string): Promise<ScenarioResult & { consoleLines: string[] }> {
    const seen = console.length;
    // A page in the background gets its timers throttled: keep the one under test in front.
    await page.bringToFront();
    await page.click(`button[data-scenario="${id}"]`);
    await page.waitForSelector(`tr[data-id="${id}"][data-state="done"]`);
    const result = await page.evaluate(
      (key) => (globalThis as unknown as PlaygroundGlobal).playground.results[key],
      id,
    );
    return { ...result, consoleLines: console.slice(seen) };
  }

  const preflights = () => app.get(PreflightCounter);

  test('both pages know which origin they are on', async () => {
    expect(await appPage.page.evaluate(() => (globalThis as unknown as PlaygroundGlobal).playground.role)).toBe('app');
    expect(await partnerPage.page.evaluate(() => (globalThis as unknown as PlaygroundGlobal).playground.role)).toBe(
      'partner',
    );
  });

  test('a simple GET under the module defaults is readable', async () => {
    const result = await run(appPage, 'simple-get');
    expect(result).toMatchObject({ outcome: 'allowed', status: 200, preflights: 0, matches: true, serverLog: [] });
    expect(result.body).toEqual([
      { id: 1, title: 'Per-route CORS in NestJS' },
      { id: 2, title: 'Why preflights never reach your guards' },
    ]);
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    expect(result.consoleLines).toEqual([]);
  });

  test("a credentialed JSON POST is preflighted and sends the page's cookie", async () => {
    const before = preflights().count('/articles');
    const result = await run(appPage, 'credentialed-post');
    expect(result).toMatchObject({ outcome: 'allowed', status: 201, preflights: 1, matches: true });
    expect(result.body).toEqual({
      id: 3,
      title: 'Written from the playground',
      sessionCookie: expect.stringMatching(/^session-/),
    });
    expect(preflights().count('/articles')).toBe(before + 1);
  });

  test('preflighted PUT and DELETE with custom headers are allowed', async () => {
    const put = await run(appPage, 'preflighted-put');
    expect(put).toMatchObject({ outcome: 'allowed', status: 200, preflights: 1, matches: true });
    expect(put.body).toEqual({ id: '42', updated: true, title: 'Renamed' });
    expect(put.headers['x-request-id']).toMatch(/^req-/);

    // The cached preflight of the PUT does not cover X-Delete-Reason: a second one is sent.
    const del = await run(appPage, 'preflighted-delete');
    expect(del).toMatchObject({ outcome: 'allowed', status: 200, preflights: 1, matches: true });
    expect(del.body).toEqual({ id: '42', deleted: true, reason: 'duplicate' });
    expect(del.headers['x-request-id']).toMatch(/^req-/);
    expect(preflights().count('/documents/42')).toBe(2);
  });

  test('a header the route does not allow fails the preflight, and the server says why', async () => {
    const result = await run(appPage, 'header-refused');
    expect(result).toMatchObject({
      ...blocked(/X-Delete-Reason is allowed on DELETE only/),
      preflights: 1,
      matches: true,
    });
    expect(result.serverLog).toEqual([
      expect.stringContaining('request header x-delete-reason not allowed (allowedHeaders from DocumentsController'),
    ]);
    expect(result.consoleLines.join('\n')).toMatch(/preflight request doesn't pass access control check/);
  });

  test('an exposed header is readable from JavaScript, an unexposed one is not', async () => {
    const result = await run(appPage, 'exposed-header');
    expect(result).toMatchObject({ outcome: 'allowed', status: 200, matches: true });
    expect(result.headers['x-report-version']).toBe('7');
    expect(result.headers).not.toHaveProperty('x-internal-trace');
    expect(result.headers).not.toHaveProperty('access-control-allow-origin');
  });

  test('the auth guard 401 is readable cross-origin; with the token the preflighted GET passes', async () => {
    const refused = await run(appPage, 'auth-401');
    expect(refused).toMatchObject({ outcome: 'allowed', status: 401, preflights: 0, matches: true });
    expect(refused.body).toEqual({
      statusCode: 401,
      message: 'Send "Authorization: Bearer demo" to read this profile',
      error: 'Unauthorized',
    });

    const before = preflights().count('/account/profile');
    const accepted = await run(appPage, 'auth-ok');
    expect(accepted).toMatchObject({ outcome: 'allowed', status: 200, preflights: 1, matches: true });
    expect(accepted.body).toEqual({ user: 'demo', plan: 'free' });
    expect(preflights().count('/account/profile')).toBe(before + 1);
  });

  test('a route with @Cors(false) is blocked; @Cors() under it is allowed again', async () => {
    const disabled = await run(appPage, 'disabled');
    expect(disabled).toMatchObject({ ...blocked(/^@Cors\(false\)/), preflights: 0, matches: true });
    expect(disabled.serverLog).toEqual([
      expect.stringMatching(/refused by InternalController\.health: CORS is off for this handler/),
    ]);
    expect(disabled.consoleLines.join('\n')).toMatch(/No 'Access-Control-Allow-Origin' header is present/);

    const enabled = await run(appPage, 're-enabled');
    expect(enabled).toMatchObject({ outcome: 'allowed', status: 200, body: { version: '1.0.0' }, matches: true });
  });

  test('the page served from an unlisted origin is blocked, and the server explains it', async () => {
    const result = await run(partnerPage, 'simple-get');
    expect(result).toMatchObject({ ...blocked(/not in CORS_ORIGINS/), preflights: 0, matches: true });
    expect(result.serverLog).toEqual([
      `CORS request GET /articles from "${playground.partnerOrigin}" refused by ArticlesController.list: ` +
        `origin not allowed (origin from module options: ${playground.appOrigin}). ` +
        `To allow it, add "${playground.partnerOrigin}" to origin at module options or on the handler.`,
    ]);
    expect(result.consoleLines.join('\n')).toMatch(/No 'Access-Control-Allow-Origin' header is present/);

    const post = await run(partnerPage, 'credentialed-post');
    expect(post).toMatchObject({ ...blocked(/preflight/), preflights: 1, matches: true });
    expect(post.serverLog).toEqual([expect.stringMatching(/^CORS preflight POST \/articles .* origin not allowed/)]);
  });

  test('the named policy admits the partner origin that the module defaults refuse', async () => {
    const result = await run(partnerPage, 'named-policy');
    expect(result).toMatchObject({ outcome: 'allowed', status: 200, matches: true });
    expect(result.body).toEqual({ products: ['Widget', 'Gadget'], currency: 'EUR' });
  });

  test('a route-level policy admits one page origin and refuses the other', async () => {
    const fromPartner = await run(partnerPage, 'route-origin');
    expect(fromPartner).toMatchObject({ outcome: 'allowed', status: 200, matches: true });
    expect(fromPartner.body).toEqual({ requestsPerMinute: 42, errorRate: 0.01 });

    const fromApp = await run(appPage, 'route-origin');
    expect(fromApp).toMatchObject({ ...blocked(/replaces the module defaults/), matches: true });
    expect(fromApp.serverLog).toEqual([
      expect.stringContaining(
        `CORS request GET /ops/metrics from "${playground.appOrigin}" refused by OpsController.metrics: ` +
          'origin not allowed (origin from OpsController.metrics: http://127.0.0.1:*)',
      ),
    ]);
  });

  test('the wildcard route is readable from any origin but refuses credentialed reads', async () => {
    for (const page of [appPage, partnerPage]) {
      const open = await run(page, 'wildcard');
      expect(open).toMatchObject({ outcome: 'allowed', status: 200, body: { status: 'operational' }, matches: true });
    }
    const credentialed = await run(appPage, 'wildcard-credentials');
    expect(credentialed).toMatchObject({
      ...blocked(/never lets a credentialed request/),
      matches: true,
      serverLog: [],
    });
    expect(credentialed.consoleLines.join('\n')).toMatch(
      /must not be the wildcard '\*' when the request's credentials mode is 'include'/,
    );
  });

  test('maxAge: three identical preflighted calls cost one preflight; maxAge 0 costs three', async () => {
    const cached = await run(appPage, 'max-age');
    expect(cached).toMatchObject({
      outcome: 'allowed',
      status: 200,
      preflightsForPath: 1,
      preflights: 1,
      matches: true,
    });
    expect(preflights().count(cached.path!)).toBe(1);

    const uncached = await run(appPage, 'max-age-0');
    expect(uncached).toMatchObject({
      outcome: 'allowed',
      status: 200,
      preflightsForPath: 3,
      preflights: 3,
      matches: true,
    });
    expect(preflights().count(uncached.path!)).toBe(3);
  });

  test('rejectDisallowedOrigins stops the handler for a refused origin', async () => {
    const refused = await run(partnerPage, 'reject-disallowed');
    expect(refused).toMatchObject({
      ...blocked(/before the handler ran/),
      preflights: 0,
      handlerRuns: 0,
      matches: true,
    });
    const accepted = await run(appPage, 'reject-disallowed');
    expect(accepted).toMatchObject({ outcome: 'allowed', status: 201, handlerRuns: 1, matches: true });
  });

  test.each([
    ['app', () => appPage],
    ['partner', () => partnerPage],
  ])('Run all from the %s origin: every scenario as expected', async (role, which) => {
    const { page, console } = which();
    await page.bringToFront();
    await page.click('#clear');
    expect(await page.textContent('#summary')).toBe('');
    await page.click('#run-all');
    await page.waitForSelector('body[data-state="done"]', { timeout: 30000 });
    const results = await page.evaluate(() => (globalThis as unknown as PlaygroundGlobal).playground.results);
    const unexpected = Object.entries(results).filter(([, result]) => !result.matches);
    expect(unexpected).toEqual([]);
    // scenarios.ts (shared with the testing kit's suite) has a row per button saying how it ends from this page.
    const rows = BROWSER_SCENARIOS.filter((row) => row.page === role && row.playground !== undefined);
    expect(rows.map((row) => row.playground).sort()).toEqual(Object.keys(results).sort());
    for (const { playground: id, chromium: verdict } of rows) {
      const expected = verdict.readable ? { outcome: 'allowed', status: verdict.status } : { outcome: 'blocked' };
      expect({ id, ...results[id!] }).toMatchObject({ id, ...expected });
    }
    expect(Object.keys(results)).toHaveLength(18);
    expect(await page.textContent('#summary')).toBe('18/18 run · 18/18 as expected from this origin');
    expect(console.filter((line) => line.startsWith('pageerror'))).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = `${ARTIFACTS}playground-${adapter}-${role}.png`;
    await page.screenshot({ path: shot, fullPage: true });
    if (UPDATE_SCREENSHOT && adapter === 'express' && role === 'app') copyFileSync(shot, SCREENSHOT);
  });
});
