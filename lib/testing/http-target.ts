/**
 * Where `corsFetch()` sends its requests, and how: a Nest application, its
 * Node HTTP server or a base URL, reached with `node:http` (or `node:https`),
 * one fresh connection per exchange (`Connection: close`, no agent), so that
 * no socket outlives the call. A server that is not listening yet is put on
 * an ephemeral loopback port for the duration of the calls that need it.
 */
import type { INestApplication } from '@nestjs/common';
import { request as httpRequest, type IncomingMessage, type RequestOptions, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { CorsWireResponse } from './cors-fetch.interface.js';

/** What `corsFetch()` can talk to. */
export type CorsFetchTarget = INestApplication | Server | string | URL;

/** A resolved target: how to reach it, and `release()` once done. */
export interface HttpEndpoint {
  /** The server's origin (`http://127.0.0.1:PORT`), or `undefined` for a Unix socket. */
  readonly origin: string | undefined;
  send(exchange: HttpExchange): Promise<CorsWireResponse>;
  release(): Promise<void>;
}

export interface HttpExchange {
  readonly method: string;
  readonly path: string;
  /** Header lines in order, `Content-Length` included when there is a body; `Host` and `Connection: close` are added. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: string | Uint8Array;
  readonly timeoutMs: number;
}

/** Servers this module put on a port, with the number of calls still using each. */
const borrowed = new WeakMap<Server, { users: number; address: Promise<AddressInfo> }>();

function isNestApplication(target: unknown): target is INestApplication {
  return (
    typeof target === 'object' && target !== null && typeof (target as INestApplication).getHttpServer === 'function'
  );
}

function isServer(target: unknown): target is Server {
  return (
    typeof target === 'object' &&
    target !== null &&
    typeof (target as Server).listen === 'function' &&
    typeof (target as Server).address === 'function'
  );
}

/** Resolves what `corsFetch()` was given into an endpoint. */
export async function resolveTarget(target: CorsFetchTarget): Promise<HttpEndpoint> {
  if (typeof target === 'string' || target instanceof URL) return urlEndpoint(target);
  if (isNestApplication(target)) {
    // Idempotent in Nest; a test that forgot init() gets routes instead of 404s.
    await target.init();
    const server: unknown = target.getHttpServer();
    if (!isServer(server)) throw new TypeError('corsFetch: app.getHttpServer() did not return a Node HTTP server');
    if (!server.listening) {
      // Fastify registers its routes when it is ready; listen() would wait for that, a raw server does not.
      const instance = target.getHttpAdapter?.().getInstance?.() as { ready?: () => unknown } | undefined;
      if (typeof instance?.ready === 'function') await instance.ready();
    }
    return serverEndpoint(server);
  }
  if (isServer(target)) return serverEndpoint(target);
  throw new TypeError('corsFetch: the target must be a Nest application, a Node HTTP server or a base URL');
}

function urlEndpoint(target: string | URL): HttpEndpoint {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new TypeError(`corsFetch: ${JSON.stringify(String(target))} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`corsFetch: only http: and https: URLs can be fetched; got ${url.protocol}`);
  }
  const basePath = url.pathname.replace(/\/+$/, '');
  const secure = url.protocol === 'https:';
  return {
    origin: url.origin,
    send: (exchange) =>
      exchangeOnce(
        secure,
        { hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (secure ? 443 : 80) },
        url.host,
        { ...exchange, path: basePath + exchange.path },
      ),
    release: async () => undefined,
  };
}

async function serverEndpoint(server: Server): Promise<HttpEndpoint> {
  let address = server.listening ? server.address() : null;
  let release = async () => undefined;
  if (address === null) {
    const lease = borrowed.get(server) ?? { users: 0, address: listenOnLoopback(server) };
    borrowed.set(server, lease);
    lease.users += 1;
    release = async () => {
      lease.users -= 1;
      if (lease.users > 0) return;
      borrowed.delete(server);
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    };
    try {
      address = await lease.address;
    } catch (error) {
      borrowed.delete(server);
      throw error;
    }
  }
  if (typeof address === 'string') {
    return {
      origin: undefined,
      send: (exchange) => exchangeOnce(false, { socketPath: address }, 'localhost', exchange),
      release,
    };
  }
  // A wildcard address is reached through the loopback of its family.
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    origin: `http://${hostPort}`,
    send: (exchange) => exchangeOnce(false, { hostname: host, port: address.port }, hostPort, exchange),
    release,
  };
}

function listenOnLoopback(server: Server): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** One request on a fresh connection; resolves with the whole answer. */
function exchangeOnce(
  secure: boolean,
  where: Pick<RequestOptions, 'hostname' | 'port' | 'socketPath'>,
  host: string,
  exchange: HttpExchange,
): Promise<CorsWireResponse> {
  const lines = [['Host', host], ...exchange.headers, ['Connection', 'close']].flat();
  const options: RequestOptions = {
    ...where,
    method: exchange.method,
    path: exchange.path,
    headers: lines as unknown as RequestOptions['headers'],
    agent: false,
  };
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(options);
    // The caller frames the body with Content-Length, as browsers do; never chunked.
    req.useChunkedEncodingByDefault = false;
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`corsFetch: ${exchange.method} ${exchange.path} failed: ${error.message}`, { cause: error }));
    };
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${exchange.timeoutMs} ms`)),
      exchange.timeoutMs,
    );
    req.on('error', fail);
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        const headers = new Map<string, string>();
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i].toLowerCase();
          const seen = headers.get(name);
          headers.set(name, seen === undefined ? res.rawHeaders[i + 1] : `${seen}, ${res.rawHeaders[i + 1]}`);
        }
        resolve({
          status: res.statusCode!,
          rawHeaders: res.rawHeaders,
          headers: Object.fromEntries(headers),
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.end(exchange.body);
  });
}
