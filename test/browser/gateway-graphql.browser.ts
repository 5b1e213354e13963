import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser, BrowserContext } from 'playwright-core';
import { SAMPLE_ADAPTERS } from '../../sample/bootstrap.js';
import type { PlaygroundServer } from '../../sample/playground-server.js';
import { launchChromium, openPage, startSample, type OpenPage, type SampleUnderTest } from './chromium-harness.js';

/**
 * The playground's gateway and GraphQL panels (sample/public/realtime.js) in
 * Debian's Chromium through playwright-core. The page is opened from
 * http://localhost:PORT (CORS_ORIGINS: the chat connects, the query is
 * readable) and from http://127.0.0.1:PORT (not in CORS_ORIGINS: the upgrade
 * is refused, the polling answers and the query are hidden), on both
 * adapters. Each test asserts what the page concluded, what Chromium printed
 * in the console, and what nestjs-cors logged on the server.
 */

/** What realtime.js records for the chat panel. */
interface ChatResult {
  outcome: 'connected' | 'refused';
  transport: 'websocket' | 'polling';
  error?: string;
  reason?: string;
  expected?: string;
  matches?: boolean;
  serverLog: string[];
  received: Array<{ from: string; text: string }>;
  ack?: { from: string; text: string };
}

/** What realtime.js records for the GraphQL panel. */
interface GraphqlResult {
  outcome: 'allowed' | 'blocked';
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  error?: string;
  reason?: string;
  matches?: boolean;
  serverLog: string[];
}

interface RealtimeGlobal {
  realtime: {
    role: string;
    results: { chat?: ChatResult; graphql?: GraphqlResult };
    send(text: string): Promise<unknown>;
    disconnect(): void;
  };
}

type Tab = OpenPage;

let chromiumBrowser: Browser;

beforeAll(async () => {
  chromiumBrowser = await launchChromium();
});

afterAll(async () => {
  await chromiumBrowser?.close();
});

describe.each(SAMPLE_ADAPTERS)('gateway and GraphQL panels against the sample on %s', (adapter) => {
  let sample: SampleUnderTest;
  let pageServer: PlaygroundServer;
  let context: BrowserContext;
  let allowedTab: Tab;
  let refusedTab: Tab;

  beforeAll(async () => {
    sample = await startSample(adapter);
    pageServer = sample.playground;
    context = await chromiumBrowser.newContext();
    allowedTab = await openTab(pageServer.appOrigin);
    refusedTab = await openTab(pageServer.partnerOrigin);
  });

  afterAll(async () => {
    await context?.close();
    await sample?.close();
  });

  async function openTab(origin: string): Promise<Tab> {
    const tab = await openPage(context, origin, '#chat-panel');
    await tab.page.waitForFunction(() => 'realtime' in globalThis);
    return tab;
  }

  /** Clicks a panel button, waits for the panel to finish; returns its result and the console lines it caused. */
  async function click<T>(
    tab: Tab,
    selector: string,
    panel: 'chat' | 'graphql',
  ): Promise<T & { consoleLines: string[] }> {
    const seen = tab.console.length;
    await tab.page.bringToFront();
    await tab.page.evaluate((key) => {
      delete (globalThis as unknown as RealtimeGlobal).realtime.results[key];
    }, panel);
    await tab.page.click(selector);
    await tab.page.waitForFunction((key) => (globalThis as unknown as RealtimeGlobal).realtime.results[key], panel);
    await tab.page.waitForSelector(`#${panel}-panel[data-state="done"]`);
    const result = await tab.page.evaluate(
      (key) => (globalThis as unknown as RealtimeGlobal).realtime.results[key],
      panel,
    );
    return { ...(result as T), consoleLines: tab.console.slice(seen) };
  }

  test('each tab knows its origin', async () => {
    const role = (tab: Tab) => tab.page.evaluate(() => (globalThis as unknown as RealtimeGlobal).realtime.role);
    expect(await role(allowedTab)).toBe('app');
    expect(await role(refusedTab)).toBe('partner');
  });

  test.each(['websocket', 'polling'] as const)(
    'from CORS_ORIGINS the chat connects over %s and a message goes round',
    async (transport) => {
      const result = await click<ChatResult>(allowedTab, `button[data-chat="${transport}"]`, 'chat');
      expect(result).toMatchObject({ outcome: 'connected', transport, matches: true, serverLog: [] });
      const ack = await allowedTab.page.evaluate(() =>
        (globalThis as unknown as RealtimeGlobal).realtime.send('hello from Chromium'),
      );
      expect(ack).toMatchObject({ text: 'hello from Chromium' });
      await allowedTab.page.waitForSelector('#chat-panel .details .body');
      expect(await allowedTab.page.textContent('#chat-panel .details .body')).toContain('hello from Chromium');
      expect(result.consoleLines).toEqual([]);
      await allowedTab.page.evaluate(() => (globalThis as unknown as RealtimeGlobal).realtime.disconnect());
    },
  );

  test('from the other origin Chromium sees the WebSocket upgrade answered 403, and the page says why', async () => {
    const result = await click<ChatResult>(refusedTab, 'button[data-chat="websocket"]', 'chat');
    expect(result).toMatchObject({
      outcome: 'refused',
      transport: 'websocket',
      error: 'websocket error',
      matches: true,
      reason: expect.stringContaining('refused the WebSocket upgrade with 403'),
    });
    expect(result.consoleLines.join('\n')).toMatch(
      /WebSocket connection to 'ws:\/\/localhost:\d+\/socket\.io\/\?EIO=4&transport=websocket' failed: Error during WebSocket handshake: Unexpected response code: 403/,
    );
    expect(result.serverLog).toEqual([expect.stringContaining(pageServer.partnerOrigin)]);
    expect(result.serverLog[0]).toContain('ChatGateway');
    expect(await refusedTab.page.textContent('#chat-panel .outcome')).toContain('refused (websocket)');
    expect(await refusedTab.page.textContent('#chat-panel .details')).toContain('Why: The API refused');
  });

  test('from the other origin Chromium blocks the polling answers for want of Access-Control-Allow-Origin', async () => {
    const result = await click<ChatResult>(refusedTab, 'button[data-chat="polling"]', 'chat');
    expect(result).toMatchObject({ outcome: 'refused', transport: 'polling', error: 'xhr poll error', matches: true });
    expect(result.consoleLines.join('\n')).toMatch(
      /has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource/,
    );
    expect(result.serverLog.length).toBeGreaterThanOrEqual(1);
    expect(result.serverLog[0]).toContain(pageServer.partnerOrigin);
  });

  test('from CORS_ORIGINS the GraphQL query is readable', async () => {
    const result = await click<GraphqlResult>(allowedTab, '#graphql-run', 'graphql');
    expect(result).toMatchObject({ outcome: 'allowed', status: 200, matches: true, serverLog: [] });
    expect(result.body).toEqual({
      data: {
        headlines: [
          { title: 'CORS answered before the guards', section: 'engineering' },
          { title: 'One allow-list for HTTP and WebSockets', section: 'security' },
        ],
      },
    });
    expect(result.headers?.['content-type']).toMatch(/^application\/(graphql-response\+)?json/);
    expect(result.consoleLines).toEqual([]);
  });

  test('from the other origin the GraphQL preflight fails and the query is never sent', async () => {
    const result = await click<GraphqlResult>(refusedTab, '#graphql-run', 'graphql');
    expect(result).toMatchObject({
      outcome: 'blocked',
      error: 'Failed to fetch',
      matches: true,
      reason: expect.stringContaining("paths: { '/graphql': 'graphql' }"),
    });
    expect(result.consoleLines.join('\n')).toMatch(/Response to preflight request doesn't pass access control check/);
    expect(result.serverLog).toEqual([
      expect.stringContaining(`CORS preflight POST /graphql from "${pageServer.partnerOrigin}"`),
    ]);
    expect(result.serverLog[0]).toContain('paths["/graphql"]');
  });
});
