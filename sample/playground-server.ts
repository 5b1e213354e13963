import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The static files of the playground, and their content types. */
const FILES: Readonly<Record<string, string>> = {
  '/index.html': 'text/html; charset=utf-8',
  '/playground.js': 'text/javascript; charset=utf-8',
  '/playground.css': 'text/css; charset=utf-8',
  '/realtime.js': 'text/javascript; charset=utf-8',
};

/** socket.io's browser client, served by the page's own server (it works even when the API is down). */
const SOCKET_IO_CLIENT = '/vendor/socket.io.js';

function socketIoClientFile(): string {
  return createRequire(import.meta.url).resolve('socket.io-client/dist/socket.io.js');
}

/**
 * `sample/public`, from the TypeScript sources (`sample/`) or from the
 * compiled output (`sample-dist/sample/`).
 */
export function findPublicDir(): string {
  const candidates = [new URL('./public/', import.meta.url), new URL('../../sample/public/', import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  throw new Error('Cannot find sample/public/index.html');
}

export interface PlaygroundServerOptions {
  /** `0`: any free port. */
  readonly port: number;
  /** Default `127.0.0.1`: reachable as http://localhost:PORT and http://127.0.0.1:PORT, two origins. */
  readonly host?: string;
  /** The API the page calls; can be set later on the returned server. */
  readonly apiUrl?: string;
  readonly publicDir?: string;
}

export interface PlaygroundServer {
  readonly port: number;
  /** The page origin listed in `CORS_ORIGINS` by default. */
  readonly appOrigin: string;
  /** The same page from another origin: only the `partners` policy and `/ops/metrics` admit it. */
  readonly partnerOrigin: string;
  apiUrl: string;
  close(): Promise<void>;
}

/**
 * Serves the CORS playground (plain HTML and JS, no build step) on its own
 * port, so that the page's origin differs from the API's. `/config.js` tells
 * the page where the API is.
 */
export async function startPlaygroundServer(options: PlaygroundServerOptions): Promise<PlaygroundServer> {
  const publicDir = options.publicDir ?? findPublicDir();
  const state = { apiUrl: options.apiUrl ?? '', port: 0 };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const path = new URL(request.url ?? '/', 'http://playground').pathname;
    let body: string;
    let type: string;
    if (path === '/config.js') {
      const config = {
        apiUrl: state.apiUrl,
        appOrigin: `http://localhost:${state.port}`,
        partnerOrigin: `http://127.0.0.1:${state.port}`,
      };
      body = `window.PLAYGROUND_CONFIG = ${JSON.stringify(config)};\n`;
      type = 'text/javascript; charset=utf-8';
    } else if (path === SOCKET_IO_CLIENT) {
      body = await readFile(socketIoClientFile(), 'utf8');
      type = 'text/javascript; charset=utf-8';
    } else {
      const file = path === '/' ? '/index.html' : path;
      const fileType = FILES[file];
      if (fileType === undefined) {
        response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
        return;
      }
      body = await readFile(join(publicDir, file.slice(1)), 'utf8');
      type = fileType;
    }
    response.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    response.end(request.method === 'HEAD' ? undefined : body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  state.port = (server.address() as AddressInfo).port;

  return {
    port: state.port,
    appOrigin: `http://localhost:${state.port}`,
    partnerOrigin: `http://127.0.0.1:${state.port}`,
    get apiUrl() {
      return state.apiUrl;
    },
    set apiUrl(value: string) {
      state.apiUrl = value;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
