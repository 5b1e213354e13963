import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { Cors, CorsModule, type CorsModuleOptions, type CorsPolicyReference } from '../../lib/index.js';
import { CorsWsAdapter, type CorsWsAdapterOptions } from '../../lib/websockets/ws.js';
import { ADAPTERS, createApp, type AdapterName } from './app-factory.js';
import { freePort, listen, openWebSocket, upgradeStatus, wsRoundTrip } from './websockets-clients.js';

const ALLOWED = 'https://app.example.com';
const REFUSED = 'https://evil.example.net';
const PARTNER = 'https://partner.example.org';

/** A ws gateway on `port` (0: the app's own server), path /chat, with an optional `@Cors()` and gateway options. */
function chatGateway(port: number, cors?: CorsPolicyReference, options: Record<string, unknown> = {}) {
  @WebSocketGateway(port, { path: '/chat', ...options })
  class ChatGateway {
    @SubscribeMessage('echo')
    echo(@MessageBody() text: string) {
      return { event: 'echo', data: `echo: ${text}` };
    }
  }
  if (cors !== undefined) Cors(cors)(ChatGateway);
  return ChatGateway;
}

type Placement = 'app port' | 'own port';
const PLACEMENTS: Placement[] = ['app port', 'own port'];

describe.each(ADAPTERS.flatMap((adapter) => PLACEMENTS.map((placement) => [adapter, placement] as const)))(
  'ws gateway (%s, %s)',
  (adapter: AdapterName, placement: Placement) => {
    let app: INestApplication | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    /** Boots an app with one ws gateway; returns its URL. */
    async function start(
      cors: CorsPolicyReference | undefined,
      moduleOptions: CorsModuleOptions = { origin: ALLOWED },
      adapterOptions?: CorsWsAdapterOptions,
      gatewayOptions?: Record<string, unknown>,
    ): Promise<string> {
      const ownPort = placement === 'own port' ? await freePort() : 0;
      app = await createApp(
        adapter,
        { imports: [CorsModule.forRoot(moduleOptions)], providers: [chatGateway(ownPort, cors, gatewayOptions)] },
        { setup: (nest) => nest.useWebSocketAdapter(new CorsWsAdapter(nest, adapterOptions)) },
      );
      const appPort = await listen(app);
      return `ws://127.0.0.1:${ownPort || appPort}/chat`;
    }

    it('connects from an allowed origin and exchanges a message', async () => {
      const url = await start(undefined);
      const outcome = await openWebSocket(url, ALLOWED);
      if (!('open' in outcome)) throw new Error(`upgrade answered ${outcome.status}`);
      try {
        await expect(wsRoundTrip(outcome.open, 'echo', 'hi')).resolves.toEqual({ event: 'echo', data: 'echo: hi' });
      } finally {
        outcome.open.close();
      }
    });

    it('refuses the upgrade from a refused origin with 403', async () => {
      const url = await start(undefined);
      await expect(upgradeStatus(url, REFUSED)).resolves.toBe(403);
    });

    it('lets an upgrade without Origin through, unless rejectMissingOrigin is set', async () => {
      const url = await start(undefined);
      await expect(upgradeStatus(url)).resolves.toBe(101);
      await app!.close();
      const strict = await start(undefined, undefined, { rejectMissingOrigin: true });
      await expect(upgradeStatus(strict)).resolves.toBe(403);
      await expect(upgradeStatus(strict, ALLOWED)).resolves.toBe(101);
    });

    it("lets a page of the server's own host connect, unless allowSameOrigin is false", async () => {
      const url = await start(undefined);
      const own = `http://${new URL(url).host}`;
      await expect(upgradeStatus(url, own)).resolves.toBe(101);
      await app!.close();
      const strict = await start(undefined, undefined, { allowSameOrigin: false });
      await expect(upgradeStatus(strict, `http://${new URL(strict).host}`)).resolves.toBe(403);
    });

    it('@Cors(false) on the gateway refuses every cross-origin upgrade', async () => {
      const url = await start(false);
      await expect(upgradeStatus(url, ALLOWED)).resolves.toBe(403);
      await expect(upgradeStatus(url)).resolves.toBe(101);
    });

    it('a named policy on the gateway decides which origins connect', async () => {
      const url = await start('partners', { origin: ALLOWED, policies: { partners: { origin: PARTNER } } });
      await expect(upgradeStatus(url, PARTNER)).resolves.toBe(101);
      await expect(upgradeStatus(url, ALLOWED)).resolves.toBe(403);
    });

    it('a policy with credentials still checks the origin of the upgrade', async () => {
      const url = await start({ origin: [ALLOWED, PARTNER], credentials: true });
      await expect(upgradeStatus(url, PARTNER)).resolves.toBe(101);
      await expect(upgradeStatus(url, REFUSED)).resolves.toBe(403);
    });

    it('an asynchronous origin function decides the upgrade', async () => {
      const url = await start({
        origin: async (origin: string) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return origin === PARTNER;
        },
      });
      await expect(upgradeStatus(url, PARTNER)).resolves.toBe(101);
      await expect(upgradeStatus(url, REFUSED)).resolves.toBe(403);
    });

    it("runs the gateway's own verifyClient after the origin check", async () => {
      const seen: string[] = [];
      const verifyClient = (info: { origin: string; req: IncomingMessage }) => {
        seen.push(info.origin);
        return info.req.headers['x-token'] === undefined;
      };
      const url = await start(undefined, undefined, undefined, { verifyClient });
      await expect(upgradeStatus(url, REFUSED)).resolves.toBe(403);
      await expect(upgradeStatus(url, ALLOWED)).resolves.toBe(101);
      expect(seen).toEqual([ALLOWED]);
    });
  },
);
