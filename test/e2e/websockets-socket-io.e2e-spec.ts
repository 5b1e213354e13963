import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { Cors, CorsModule, type CorsModuleOptions, type CorsPolicyReference } from '../../lib/index.js';
import { CorsIoAdapter } from '../../lib/websockets/socket-io.js';
import type { CorsGatewayOptions } from '../../lib/websockets/cors-gateway-options.interface.js';
import { ADAPTERS, createApp, RecordingLogger, type AdapterName } from './app-factory.js';
import {
  connectSocketIo,
  corsHeadersOf,
  freePort,
  listen,
  pollingPath,
  sendRequest,
  sidOf,
  socketIoConnectError,
  upgradeStatus,
  varyOfAnswer,
} from './websockets-clients.js';

const ALLOWED = 'https://app.example.com';
const REFUSED = 'https://evil.example.net';
const PARTNER = 'https://partner.example.org';

/** A socket.io chat gateway on `port` (0: the app's own server) with an optional `@Cors()`. */
function chatGateway(port: number, cors?: CorsPolicyReference) {
  @WebSocketGateway(port)
  class ChatGateway {
    @SubscribeMessage('echo')
    echo(@MessageBody() text: string) {
      return `echo: ${text}`;
    }
  }
  if (cors !== undefined) Cors(cors)(ChatGateway);
  return ChatGateway;
}

type Placement = 'app port' | 'own port';
const PLACEMENTS: Placement[] = ['app port', 'own port'];

describe.each(ADAPTERS.flatMap((adapter) => PLACEMENTS.map((placement) => [adapter, placement] as const)))(
  'socket.io gateway (%s, %s)',
  (adapter: AdapterName, placement: Placement) => {
    let app: INestApplication | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    /** Boots an app with one chat gateway; returns the port its socket.io server answers on. */
    async function start(
      cors: CorsPolicyReference | undefined,
      moduleOptions: CorsModuleOptions = { origin: ALLOWED },
      adapterOptions?: CorsGatewayOptions,
    ): Promise<number> {
      const ownPort = placement === 'own port' ? await freePort() : 0;
      app = await createApp(
        adapter,
        { imports: [CorsModule.forRoot(moduleOptions)], providers: [chatGateway(ownPort, cors)] },
        { setup: (nest) => nest.useWebSocketAdapter(new CorsIoAdapter(nest, adapterOptions)) },
      );
      const appPort = await listen(app);
      return ownPort || appPort;
    }

    describe('from an allowed origin', () => {
      it('connects over long-polling and exchanges a message', async () => {
        const port = await start(undefined);
        const socket = await connectSocketIo(port, 'polling', ALLOWED);
        try {
          await expect(socket.timeout(5000).emitWithAck('echo', 'hi')).resolves.toBe('echo: hi');
        } finally {
          socket.close();
        }
      });

      it('connects over the websocket transport and exchanges a message', async () => {
        const port = await start(undefined);
        const socket = await connectSocketIo(port, 'websocket', ALLOWED);
        try {
          expect(socket.io.engine.transport.name).toBe('websocket');
          await expect(socket.timeout(5000).emitWithAck('echo', 'hi')).resolves.toBe('echo: hi');
        } finally {
          socket.close();
        }
      });

      it('gets the policy answer on the handshake, the polling GET and the polling POST', async () => {
        const port = await start({ exposedHeaders: 'X-Trace' });
        const handshake = await sendRequest(port, 'GET', pollingPath(), { Origin: ALLOWED });
        expect(handshake.status).toBe(200);
        expect(corsHeadersOf(handshake)).toEqual({
          'access-control-allow-origin': ALLOWED,
          'access-control-expose-headers': 'X-Trace',
        });
        expect(varyOfAnswer(handshake)).toEqual(['Origin']);
        const sid = sidOf(handshake);
        const post = await sendRequest(
          port,
          'POST',
          pollingPath(sid),
          { Origin: ALLOWED, 'Content-Type': 'text/plain;charset=UTF-8' },
          '40',
        );
        expect(post.status).toBe(200);
        expect(corsHeadersOf(post)['access-control-allow-origin']).toBe(ALLOWED);
        const poll = await sendRequest(port, 'GET', pollingPath(sid), { Origin: ALLOWED });
        expect(poll.status).toBe(200);
        expect(poll.body).toMatch(/^40/);
        expect(corsHeadersOf(poll)['access-control-allow-origin']).toBe(ALLOWED);
        expect(varyOfAnswer(poll)).toEqual(['Origin']);
      });

      it('answers a preflight of the polling POST like a controller route', async () => {
        const port = await start({ maxAge: 600 });
        const answer = await sendRequest(port, 'OPTIONS', pollingPath(), {
          Origin: ALLOWED,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type, authorization',
        });
        expect(answer.status).toBe(204);
        expect(corsHeadersOf(answer)).toEqual({
          'access-control-allow-origin': ALLOWED,
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type, authorization',
          'access-control-max-age': '600',
        });
        expect(varyOfAnswer(answer)).toEqual([
          'Origin',
          'Access-Control-Request-Method',
          'Access-Control-Request-Headers',
        ]);
      });

      it('sends Access-Control-Allow-Credentials when the policy allows credentials', async () => {
        const port = await start({ credentials: true });
        const handshake = await sendRequest(port, 'GET', pollingPath(), { Origin: ALLOWED });
        expect(corsHeadersOf(handshake)).toEqual({
          'access-control-allow-origin': ALLOWED,
          'access-control-allow-credentials': 'true',
        });
        const socket = await connectSocketIo(port, 'polling', ALLOWED, { withCredentials: true });
        try {
          await expect(socket.timeout(5000).emitWithAck('echo', 'with cookies')).resolves.toBe('echo: with cookies');
        } finally {
          socket.close();
        }
      });
    });

    describe('from a refused origin', () => {
      it('gets no Access-Control-* header on the polling requests', async () => {
        const port = await start(undefined);
        const handshake = await sendRequest(port, 'GET', pollingPath(), { Origin: REFUSED });
        expect(handshake.status).toBe(200);
        expect(corsHeadersOf(handshake)).toEqual({});
        expect(varyOfAnswer(handshake)).toEqual(['Origin']);
        const post = await sendRequest(
          port,
          'POST',
          pollingPath(sidOf(handshake)),
          { Origin: REFUSED, 'Content-Type': 'text/plain;charset=UTF-8' },
          '40',
        );
        expect(corsHeadersOf(post)).toEqual({});
      });

      it('gets 403 and no Access-Control-* header on a preflight', async () => {
        const port = await start(undefined);
        const answer = await sendRequest(port, 'OPTIONS', pollingPath(), {
          Origin: REFUSED,
          'Access-Control-Request-Method': 'POST',
        });
        expect(answer.status).toBe(403);
        expect(corsHeadersOf(answer)).toEqual({});
        expect(varyOfAnswer(answer)).toEqual([
          'Origin',
          'Access-Control-Request-Method',
          'Access-Control-Request-Headers',
        ]);
      });

      it('has its WebSocket upgrade refused with 403 before the handshake', async () => {
        const port = await start(undefined);
        await expect(
          upgradeStatus(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, REFUSED),
        ).resolves.toBe(403);
        await expect(socketIoConnectError(port, 'websocket', REFUSED)).resolves.toBe('Unexpected server response: 403');
      });

      it('cannot upgrade an open polling session to a WebSocket either', async () => {
        const port = await start(undefined);
        const sid = sidOf(await sendRequest(port, 'GET', pollingPath(), { Origin: ALLOWED }));
        const url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&sid=${sid}`;
        await expect(upgradeStatus(url, REFUSED)).resolves.toBe(403);
      });
    });

    it('lets an upgrade without Origin (a non-browser client) through, unless rejectMissingOrigin is set', async () => {
      const port = await start(undefined);
      const socket = await connectSocketIo(port, 'websocket');
      try {
        await expect(socket.timeout(5000).emitWithAck('echo', 'cli')).resolves.toBe('echo: cli');
      } finally {
        socket.close();
      }
      await app!.close();
      const strictPort = await start(undefined, undefined, { rejectMissingOrigin: true });
      await expect(upgradeStatus(`ws://127.0.0.1:${strictPort}/socket.io/?EIO=4&transport=websocket`)).resolves.toBe(
        403,
      );
      await expect(
        upgradeStatus(`ws://127.0.0.1:${strictPort}/socket.io/?EIO=4&transport=websocket`, ALLOWED),
      ).resolves.toBe(101);
    });

    it('reads rejectMissingOrigin from the gateway policy too', async () => {
      const port = await start({ rejectMissingOrigin: true });
      await expect(upgradeStatus(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`)).resolves.toBe(403);
      await expect(upgradeStatus(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, ALLOWED)).resolves.toBe(
        101,
      );
    });

    it("lets a page of the server's own host upgrade, unless allowSameOrigin is false", async () => {
      const port = await start(undefined);
      const own = `http://127.0.0.1:${port}`;
      await expect(upgradeStatus(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, own)).resolves.toBe(
        101,
      );
      await app!.close();
      const strictPort = await start(undefined, undefined, { allowSameOrigin: false });
      await expect(
        upgradeStatus(
          `ws://127.0.0.1:${strictPort}/socket.io/?EIO=4&transport=websocket`,
          `http://127.0.0.1:${strictPort}`,
        ),
      ).resolves.toBe(403);
    });

    it('@Cors(false) on the gateway: no CORS headers, preflights 403, cross-origin upgrades 403', async () => {
      const port = await start(false);
      const handshake = await sendRequest(port, 'GET', pollingPath(), { Origin: ALLOWED });
      expect(handshake.status).toBe(200);
      expect(corsHeadersOf(handshake)).toEqual({});
      const preflight = await sendRequest(port, 'OPTIONS', pollingPath(), {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'POST',
      });
      expect(preflight.status).toBe(403);
      expect(corsHeadersOf(preflight)).toEqual({});
      await expect(upgradeStatus(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, ALLOWED)).resolves.toBe(
        403,
      );
    });

    it('a named policy on the gateway replaces the module defaults', async () => {
      const port = await start('partners', { origin: ALLOWED, policies: { partners: { origin: PARTNER } } });
      const handshake = await sendRequest(port, 'GET', pollingPath(), { Origin: PARTNER });
      expect(corsHeadersOf(handshake)).toEqual({ 'access-control-allow-origin': PARTNER });
      const fromDefaults = await sendRequest(port, 'GET', pollingPath(), { Origin: ALLOWED });
      expect(corsHeadersOf(fromDefaults)).toEqual({});
      const socket = await connectSocketIo(port, 'websocket', PARTNER);
      socket.close();
      await expect(upgradeStatus(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, ALLOWED)).resolves.toBe(
        403,
      );
    });

    it('an asynchronous origin function decides polling headers and upgrades', async () => {
      const seen: string[] = [];
      const port = await start({
        origin: async (origin: string) => {
          seen.push(origin);
          await new Promise((resolve) => setTimeout(resolve, 5));
          return origin === PARTNER;
        },
      });
      const allowed = await sendRequest(port, 'GET', pollingPath(), { Origin: PARTNER });
      expect(corsHeadersOf(allowed)).toEqual({ 'access-control-allow-origin': PARTNER });
      const refused = await sendRequest(port, 'GET', pollingPath(), { Origin: REFUSED });
      expect(corsHeadersOf(refused)).toEqual({});
      const ws = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
      await expect(upgradeStatus(ws, PARTNER)).resolves.toBe(101);
      await expect(upgradeStatus(ws, REFUSED)).resolves.toBe(403);
      expect(seen).toEqual(expect.arrayContaining([PARTNER, REFUSED]));
    });
  },
);

describe.each(ADAPTERS)('socket.io gateway beside the HTTP layer (%s)', (adapter) => {
  it('is answered by its own policy, never by the HTTP layer (one set of CORS headers)', async () => {
    const app = await createApp(
      adapter,
      {
        imports: [CorsModule.forRoot({ origin: [ALLOWED, PARTNER] })],
        providers: [chatGateway(0, { origin: PARTNER })],
      },
      { setup: (nest) => nest.useWebSocketAdapter(new CorsIoAdapter(nest)) },
    );
    try {
      const port = await listen(app);
      const answer = await sendRequest(port, 'GET', pollingPath(), { Origin: ALLOWED });
      expect(corsHeadersOf(answer)).toEqual({});
      const partner = await sendRequest(port, 'GET', pollingPath(), { Origin: PARTNER });
      expect(partner.rawHeaders.filter((name) => name.toLowerCase().startsWith('access-control-'))).toEqual([
        'Access-Control-Allow-Origin',
      ]);
    } finally {
      await app.close();
    }
  });

  it('logs why it refused an upgrade or a preflight when debug is on', async () => {
    const logger = new RecordingLogger();
    const app = await createApp(
      adapter,
      { imports: [CorsModule.forRoot({ origin: ALLOWED, debug: true })], providers: [chatGateway(0)] },
      { logger, setup: (nest) => nest.useWebSocketAdapter(new CorsIoAdapter(nest)) },
    );
    try {
      const port = await listen(app);
      await expect(upgradeStatus(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, REFUSED)).resolves.toBe(
        403,
      );
      await sendRequest(port, 'OPTIONS', pollingPath(), { Origin: REFUSED, 'Access-Control-Request-Method': 'PUT' });
      expect(logger.corsLines('debug')).toEqual([
        expect.stringMatching(
          /^WebSocket upgrade \/socket\.io\/\?EIO=4&transport=websocket to ChatGateway from "https:\/\/evil\.example\.net" refused with 403: origin not allowed by ChatGateway \(origin from module options: https:\/\/app\.example\.com\)\.$/,
        ),
        expect.stringContaining(
          'CORS preflight PUT /socket.io/?EIO=4&transport=polling from "https://evil.example.net" refused by ChatGateway: origin not allowed',
        ),
      ]);
    } finally {
      await app.close();
    }
  });

  it('survives hostile upgrades and preflights', async () => {
    const app = await createApp(
      adapter,
      { imports: [CorsModule.forRoot({ origin: ALLOWED })], providers: [chatGateway(0)] },
      { setup: (nest) => nest.useWebSocketAdapter(new CorsIoAdapter(nest)) },
    );
    try {
      const port = await listen(app);
      const ws = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
      await expect(upgradeStatus(ws, `https://${'a'.repeat(5000)}.example.com`)).resolves.toBe(403);
      await expect(upgradeStatus(ws, `${ALLOWED}, ${REFUSED}`)).resolves.toBe(403);
      await expect(upgradeStatus(ws, 'null')).resolves.toBe(403);
      const malformed = await sendRequest(port, 'OPTIONS', pollingPath(), {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'P O S T',
        'Access-Control-Request-Headers': 'x-a, ,;bad',
      });
      expect(malformed.status).toBe(403);
      expect(corsHeadersOf(malformed)).toEqual({});
      await expect(upgradeStatus(ws, ALLOWED)).resolves.toBe(101);
    } finally {
      await app.close();
    }
  });
});
