import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { IncomingMessage, Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { SAMPLE_ADAPTERS } from '../../sample/bootstrap.js';
import { PreflightCounter } from '../../sample/diagnostics/preflight-counter.js';
import type { PlaygroundServer } from '../../sample/playground-server.js';
import { corsUnsafeRequestHeaderNames, normalizeMethod, requestHeaderLines } from '../../lib/testing/index.js';
import { launchChromium, startSample, type SampleUnderTest } from './chromium-harness.js';
import { BROWSER_SCENARIOS, type BrowserScenario, type ChromiumVerdict } from './scenarios.js';

/**
 * Every row of scenarios.ts in Debian's Chromium: the row's fetch() runs in
 * a playground page at the row's origin, in a fresh browser context (an empty
 * preflight cache, as the testing kit assumes), and what Chromium concluded
 * must be the row's verdict. test/testing/chromium-verdicts.e2e-spec.ts holds
 * the testing kit to the same rows. When Chromium sends a preflight, its
 * request must also be the one the kit writes: the same
 * Access-Control-Request-Method and Access-Control-Request-Headers.
 */

/** The preflight request headers the kit and Chromium are compared on. */
interface PreflightRequest {
  readonly accept: string | undefined;
  readonly method: string | undefined;
  readonly headers: string | undefined;
}

/** The preflight the testing kit writes for a row's fetch (see corsFetch()). */
function kitPreflight(scenario: BrowserScenario): PreflightRequest {
  const names = corsUnsafeRequestHeaderNames(requestHeaderLines(scenario.init.headers, scenario.init.body));
  return {
    accept: '*/*',
    method: normalizeMethod(scenario.init.method ?? 'GET'),
    headers: names.length > 0 ? names.join(',') : undefined,
  };
}

/** What a page can see of one fetch(). */
type PageOutcome = { readable: true; status: number; headers: string[] } | { readable: false; error: string };

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe.each(SAMPLE_ADAPTERS)('Chromium on the scenarios against the sample on %s', (adapter) => {
  let sample: SampleUnderTest;
  let playground: PlaygroundServer;
  let app: INestApplication;

  beforeAll(async () => {
    sample = await startSample(adapter);
    ({ app, playground } = sample);
  });

  afterAll(async () => {
    await sample?.close();
  });

  /** Runs the row's fetch in a new context and returns Chromium's verdict, observed from the page and the server. */
  async function runInChromium(
    scenario: BrowserScenario,
  ): Promise<{ verdict: ChromiumVerdict; preflights: PreflightRequest[] }> {
    const context = await browser.newContext();
    const server = app.getHttpServer() as Server;
    const preflights: PreflightRequest[] = [];
    const recordPreflight = (request: IncomingMessage) => {
      if (request.method === 'OPTIONS' && request.url?.split('?')[0] === scenario.path) {
        preflights.push({
          accept: request.headers['accept'],
          method: request.headers['access-control-request-method'] as string | undefined,
          headers: request.headers['access-control-request-headers'] as string | undefined,
        });
      }
    };
    server.prependListener('request', recordPreflight);
    try {
      const page = await context.newPage();
      const consoleLines: string[] = [];
      page.on('console', (message) => consoleLines.push(message.text()));
      const origin = scenario.page === 'app' ? playground.appOrigin : playground.partnerOrigin;
      await page.goto(`${origin}/`);
      await page.waitForSelector('body[data-state="ready"]');
      const counter = app.get(PreflightCounter);
      const before = counter.count(scenario.path);
      const outcome = await page.evaluate(
        async ({ url, init }): Promise<PageOutcome> => {
          try {
            const response = await fetch(url, { mode: 'cors', ...init, headers: init.headers?.map((h) => [...h]) });
            await response.arrayBuffer();
            return { readable: true, status: response.status, headers: [...response.headers.keys()].sort() };
          } catch (error) {
            return { readable: false, error: String(error) };
          }
        },
        { url: playground.apiUrl + scenario.path, init: scenario.init },
      );
      const preflight = counter.count(scenario.path) > before;
      if (outcome.readable) return { verdict: { ...outcome, preflight }, preflights };
      // Chromium reports the CORS failure on the console, naming the preflight when that is what failed.
      const line = await waitFor(() => consoleLines.find((text) => text.includes('blocked by CORS policy')));
      return {
        verdict: { readable: false, stage: /preflight/.test(line) ? 'preflight' : 'response', preflight },
        preflights,
      };
    } finally {
      server.off('request', recordPreflight);
      await context.close();
    }
  }

  test.each(BROWSER_SCENARIOS.map((scenario) => [scenario.id, scenario] as const))('%s', async (_id, scenario) => {
    const { verdict, preflights } = await runInChromium(scenario);
    expect(verdict).toEqual(scenario.chromium);
    expect(preflights).toEqual(scenario.chromium.preflight ? [kitPreflight(scenario)] : []);
  });
});

/** Polls until `find()` returns a line (Chromium may print it just after fetch() rejects). */
async function waitFor(find: () => string | undefined, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = find();
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error('Chromium printed no CORS error');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
