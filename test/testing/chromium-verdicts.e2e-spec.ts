import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { corsFetch, type CorsFetchResult } from '../../lib/testing/index.js';
import { createSampleApp, SAMPLE_ADAPTERS } from '../../sample/bootstrap.js';
import { PreflightCounter } from '../../sample/diagnostics/preflight-counter.js';
import { BROWSER_SCENARIOS, type ChromiumVerdict, type ScenarioPage } from '../browser/scenarios.js';

/**
 * The testing kit against real Chromium: every row of test/browser/scenarios.ts,
 * whose verdicts the browser suite (npm run test:browser) asserts for Debian's
 * Chromium, replayed with corsFetch() against the same sample app. The kit's
 * verdict must be Chromium's on every row.
 */

const PAGE_PORT = 4200;
const ORIGINS: Record<ScenarioPage, string> = {
  app: `http://localhost:${PAGE_PORT}`,
  partner: `http://127.0.0.1:${PAGE_PORT}`,
};

/** The kit's result, reduced to what the browser suite can observe of Chromium. */
function asVerdict(result: CorsFetchResult): ChromiumVerdict {
  const preflight = result.preflight !== undefined;
  return result.readable
    ? { readable: true, status: result.response.status, preflight, headers: Object.keys(result.exposedHeaders) }
    : { readable: false, stage: result.stage, preflight };
}

describe.each(SAMPLE_ADAPTERS)('corsFetch() reaches Chromium’s verdict on every scenario (%s)', (adapter) => {
  let app: INestApplication;

  beforeAll(async () => {
    // Not listening: corsFetch() puts the server on a loopback port for each call.
    app = await createSampleApp(adapter, { PAGE_PORT: String(PAGE_PORT) }, { logLevels: [] });
  });

  afterAll(async () => {
    await app?.close();
  });

  test.each(BROWSER_SCENARIOS.map((scenario) => [scenario.id, scenario] as const))('%s', async (_id, scenario) => {
    const counter = app.get(PreflightCounter);
    const before = counter.count(scenario.path);
    const result = await corsFetch(app, { origin: ORIGINS[scenario.page], path: scenario.path, ...scenario.init });
    expect(asVerdict(result)).toEqual(scenario.chromium);
    // The server saw a preflight exactly when the kit sent one.
    expect(counter.count(scenario.path) - before).toBe(result.preflight === undefined ? 0 : 1);
    expect(app.getHttpServer().listening).toBe(false);
  });
});
