import { describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Cors, CorsConfigurationError, CorsModule } from '../../lib/index.js';
import { isGatewayClass, readGatewayDeclaration } from '../../lib/websockets/gateway-metadata.js';
import { CorsIoAdapter, CorsWsAdapter } from '../../lib/websockets/index.js';
import { ADAPTERS, bootFailure, createApp, RecordingLogger, type AdapterName } from './app-factory.js';
import { corsHeadersOf, listen, pollingPath, sendRequest } from './websockets-clients.js';

const ALLOWED = 'https://app.example.com';

@WebSocketGateway({ namespace: 'chat' })
@Cors({ origin: 'https://chat.example.com' })
class ChatGateway {
  @SubscribeMessage('say')
  say() {
    return 'ok';
  }
}

@WebSocketGateway({ namespace: 'news' })
@Cors({ origin: 'https://news.example.com', credentials: true })
class NewsGateway {}

@WebSocketGateway({ namespace: 'alerts' })
@Cors({ origin: 'https://chat.example.com' })
class AlertsGateway {}

@WebSocketGateway({ path: '/other', namespace: 'news' })
@Cors({ origin: 'https://news.example.com', credentials: true })
class OtherPathGateway {}

@WebSocketGateway()
@Cors({ origin: 'https://chat.example.com/', maxAge: -1, orgin: 'typo' } as never)
class BadGateway {}

@WebSocketGateway({ cors: { origin: '*' } })
class SelfCorsGateway {}

@WebSocketGateway({ path: '/ws-a' })
@Cors({ origin: ALLOWED })
class WsA {}

@WebSocketGateway({ path: '/ws-a/' })
@Cors(false)
class WsB {}

@WebSocketGateway()
class PlainGateway {
  @Cors({ origin: ALLOWED })
  @SubscribeMessage('x')
  x() {
    return 'x';
  }
}

@Controller('ok')
class OkController {
  @Get()
  ok() {
    return 'ok';
  }
}

type AdapterKind = 'socket.io' | 'ws';

async function boot(
  http: AdapterName,
  kind: AdapterKind,
  metadata: ModuleMetadata,
  logger: RecordingLogger | false = false,
): Promise<INestApplication> {
  return createApp(http, metadata, {
    logger,
    setup: (app) => app.useWebSocketAdapter(kind === 'socket.io' ? new CorsIoAdapter(app) : new CorsWsAdapter(app)),
  });
}

function bootError(http: AdapterName, kind: AdapterKind, metadata: ModuleMetadata): Promise<Error> {
  return bootFailure(() => boot(http, kind, metadata));
}

describe.each(ADAPTERS)('gateway policies at boot (%s)', (http) => {
  it('refuses gateways that share a socket.io server with different policies, naming them', async () => {
    const error = await bootError(http, 'socket.io', {
      imports: [CorsModule.forRoot({ origin: ALLOWED })],
      providers: [ChatGateway, NewsGateway, AlertsGateway, OtherPathGateway],
    });
    expect(error).toBeInstanceOf(CorsConfigurationError);
    const problems = (error as CorsConfigurationError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0].location).toBe('ChatGateway, NewsGateway, AlertsGateway');
    expect(problems[0].field).toBe('origin, credentials');
    expect(error.message).toContain("the socket.io server on the app's HTTP server, path /socket.io");
  });

  it('boots gateways that share a server with the same policy; a server on another path has its own', async () => {
    const app = await boot(http, 'socket.io', {
      imports: [CorsModule.forRoot({ origin: ALLOWED })],
      providers: [ChatGateway, AlertsGateway, OtherPathGateway],
    });
    try {
      const port = await listen(app);
      const chat = await sendRequest(port, 'GET', pollingPath(), { Origin: 'https://chat.example.com' });
      expect(corsHeadersOf(chat)).toEqual({ 'access-control-allow-origin': 'https://chat.example.com' });
      const other = await sendRequest(port, 'GET', pollingPath(undefined, '/other'), {
        Origin: 'https://news.example.com',
      });
      expect(corsHeadersOf(other)).toEqual({
        'access-control-allow-origin': 'https://news.example.com',
        'access-control-allow-credentials': 'true',
      });
    } finally {
      await app.close();
    }
  });

  it('refuses ws gateways on one path (written two ways) with different policies', async () => {
    const error = await bootError(http, 'ws', {
      imports: [CorsModule.forRoot({ origin: ALLOWED })],
      providers: [WsA, WsB],
    });
    expect((error as CorsConfigurationError).problems).toEqual([
      expect.objectContaining({ location: 'WsA, WsB', field: '@Cors' }),
    ]);
    expect(error.message).toContain("the ws server on the app's HTTP server, path /ws-a");
  });

  it.each<AdapterKind>(['socket.io', 'ws'])(
    'stops the app on an invalid @Cors on a gateway, naming the class and the fields (%s)',
    async (kind) => {
      const error = await bootError(http, kind, {
        imports: [CorsModule.forRoot({ origin: ALLOWED })],
        providers: [BadGateway],
      });
      expect(error).toBeInstanceOf(CorsConfigurationError);
      expect((error as CorsConfigurationError).problems.map((p) => `${p.location} › ${p.field}`)).toEqual(
        expect.arrayContaining(['BadGateway › origin', 'BadGateway › maxAge', 'BadGateway › orgin']),
      );
    },
  );

  it("refuses socket.io's own cors option on a gateway", async () => {
    const error = await bootError(http, 'socket.io', {
      imports: [CorsModule.forRoot({ origin: ALLOWED })],
      providers: [SelfCorsGateway],
    });
    expect((error as CorsConfigurationError).problems).toEqual([
      expect.objectContaining({ location: 'SelfCorsGateway', field: '@WebSocketGateway({ cors })' }),
    ]);
  });

  it('needs CorsModule in the app, and says so', async () => {
    const error = await bootError(http, 'socket.io', { providers: [ChatGateway] });
    expect(error.message).toMatch(/^CorsIoAdapter takes each gateway's policy from CorsModule: import CorsModule/);
  });

  it('warns about @Cors on a gateway method: a gateway has one policy', async () => {
    const logger = new RecordingLogger();
    const app = await boot(
      http,
      'socket.io',
      { imports: [CorsModule.forRoot({ origin: ALLOWED })], providers: [PlainGateway], controllers: [OkController] },
      logger,
    );
    await app.close();
    expect(logger.corsLines('warn')).toEqual([expect.stringContaining('@Cors() on PlainGateway.x has no effect')]);
  });
});

describe("@nestjs/websockets' metadata, as the adapters read it", () => {
  it('tells gateway classes and reads their port and options (fails when Nest changes its keys)', () => {
    @WebSocketGateway(4123, { path: '/live', namespace: 'n' })
    class LiveGateway {}
    expect(isGatewayClass(LiveGateway)).toBe(true);
    expect(isGatewayClass(OkController)).toBe(false);
    expect(readGatewayDeclaration(LiveGateway)).toEqual({
      target: LiveGateway,
      port: 4123,
      options: { path: '/live', namespace: 'n' },
    });
    expect(readGatewayDeclaration(PlainGateway)).toEqual({ target: PlainGateway, port: 0, options: {} });
  });
});

describe('the main entry point', () => {
  it('never loads lib/websockets or a WebSocket package (they are optional peer dependencies)', () => {
    const root = join(import.meta.dirname, '../../lib');
    const files = (function walk(dir: string): string[] {
      return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
      });
    })(root).filter((path) => !relative(root, path).startsWith('websockets'));
    const offenders = files.filter((path) =>
      /from '(?:@nestjs\/websockets|@nestjs\/platform-socket\.io|@nestjs\/platform-ws|socket\.io|ws|[./]+\/websockets\/[^']*)'/.test(
        readFileSync(path, 'utf8'),
      ),
    );
    expect(files.length).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });
});
