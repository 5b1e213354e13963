/**
 * What every browser suite needs: Debian's Chromium through playwright-core
 * (never a downloaded browser, with the flags this machine needs), the
 * sample API and the playground page on ephemeral ports, and pages that
 * keep what Chromium printed in the console.
 */
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createSampleApp, type SampleAdapter } from '../../sample/bootstrap.js';
import { startPlaygroundServer, type PlaygroundServer } from '../../sample/playground-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts Debian's Chromium, headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** The sample API (listening) and the playground page server pointed at it. */
export interface SampleUnderTest {
  readonly app: INestApplication;
  readonly playground: PlaygroundServer;
  close(): Promise<void>;
}

/** Boots the sample on `adapter` with the playground page on its own origin(s). */
export async function startSample(adapter: SampleAdapter): Promise<SampleUnderTest> {
  const playground = await startPlaygroundServer({ port: 0 });
  const app = await createSampleApp(adapter, { PAGE_PORT: String(playground.port) }, { logLevels: ['error'] });
  await app.listen(0, '127.0.0.1');
  playground.apiUrl = `http://localhost:${(app.getHttpServer().address() as AddressInfo).port}`;
  return {
    app,
    playground,
    close: async () => {
      await app.close();
      await playground.close();
    },
  };
}

/** A page with the console lines (and page errors) Chromium printed while it ran. */
export interface OpenPage {
  readonly page: Page;
  readonly console: string[];
}

/** Opens `origin`'s page in `context` and waits until `ready` (a selector) is there. */
export async function openPage(context: BrowserContext, origin: string, ready: string): Promise<OpenPage> {
  const page = await context.newPage();
  const messages: string[] = [];
  page.on('console', (message) => messages.push(message.text()));
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
  await page.goto(`${origin}/`);
  await page.waitForSelector(ready);
  return { page, console: messages };
}
