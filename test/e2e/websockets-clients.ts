/**
 * Real clients for the gateway suites: socket.io-client (polling and
 * websocket transports), ws, and raw HTTP for socket.io's polling requests.
 */
import type { INestApplication } from '@nestjs/common';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';

const TIMEOUT_MS = 5000;

/** A port nothing listens on right now (for gateways on their own port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the app's HTTP server on a free port; returns the port. */
export async function listen(app: INestApplication): Promise<number> {
  await app.listen(0, '127.0.0.1');
  return (app.getHttpServer().address() as AddressInfo).port;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** `[name, value, name, value, …]`, as received. */
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

/** One HTTP request with exactly these headers, on a fresh connection. */
export function sendRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: text });
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/** The `Access-Control-*` headers of an answer. */
export function corsHeadersOf(answer: HttpAnswer): Record<string, string> {
  return Object.fromEntries(
    Object.entries(answer.headers).filter(([name]) => name.startsWith('access-control-')) as [string, string][],
  );
}

/** The names in an answer's `Vary`. */
export function varyOfAnswer(answer: HttpAnswer): string[] {
  const vary = answer.headers.vary;
  return vary
    ? String(vary)
        .split(',')
        .map((name) => name.trim())
    : [];
}

/** The path of a socket.io long-polling request (`sid` for an open session). */
export function pollingPath(sid?: string, path = '/socket.io'): string {
  return `${path}/?EIO=4&transport=polling${sid ? `&sid=${encodeURIComponent(sid)}` : ''}`;
}

/** The session id in an engine.io handshake answer (`0{"sid":...}`). */
export function sidOf(answer: HttpAnswer): string {
  return (JSON.parse(answer.body.slice(1)) as { sid: string }).sid;
}

/** Connects socket.io-client with one transport, sending `origin` (if any) on every request and the upgrade. */
export function connectSocketIo(
  port: number,
  transport: 'polling' | 'websocket',
  origin?: string,
  options: { path?: string; withCredentials?: boolean } = {},
): Promise<Socket> {
  const socket = io(`http://127.0.0.1:${port}`, {
    transports: [transport],
    extraHeaders: origin === undefined ? {} : { origin },
    path: options.path,
    withCredentials: options.withCredentials,
    reconnection: false,
    forceNew: true,
    timeout: TIMEOUT_MS,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Why socket.io-client could not connect: the server's answer to the upgrade, as ws reports it. */
export async function socketIoConnectError(
  port: number,
  transport: 'polling' | 'websocket',
  origin?: string,
): Promise<string> {
  try {
    const socket = await connectSocketIo(port, transport, origin);
    socket.close();
  } catch (error) {
    const description = (error as { description?: { message?: string } }).description;
    return description?.message ?? String(error);
  }
  throw new Error('socket.io-client connected');
}

/** What a ws client saw: the open connection, or the HTTP status the server answered the upgrade with. */
export type WsOutcome = { readonly open: WebSocket } | { readonly status: number };

/** Opens a WebSocket (ws client) with `origin` (none if undefined), resolving on open or on a non-101 answer. */
export function openWebSocket(url: string, origin?: string): Promise<WsOutcome> {
  const socket = new WebSocket(url, origin === undefined ? {} : { origin });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ open: socket }));
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

/** Sends one Nest ws message (`{ event, data }`) and waits for the reply. */
export function wsRoundTrip(socket: WebSocket, event: string, data: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no reply')), TIMEOUT_MS);
    socket.once('message', (message) => {
      clearTimeout(timer);
      resolve(JSON.parse(String(message)));
    });
    socket.send(JSON.stringify({ event, data }));
  });
}

/** The status a ws client saw, or `101` for an open connection (closed right away). */
export async function upgradeStatus(url: string, origin?: string): Promise<number> {
  const outcome = await openWebSocket(url, origin);
  if ('open' in outcome) {
    outcome.open.close();
    return 101;
  }
  return outcome.status;
}
