import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { CompiledPolicy } from '../engine/compiled-policy.js';
import { CORS_ALLOWED_ORIGIN, CORS_POLICY, type CorsIncomingMessage } from './http-exchange.js';

const ALLOW_ORIGIN = 'access-control-allow-origin';
const ALLOW_CREDENTIALS = 'access-control-allow-credentials';
const EXPOSE_HEADERS = 'access-control-expose-headers';
/** The headers that give an origin access to a response: only the module's policy decides them. */
const ACCESS_HEADERS = [ALLOW_ORIGIN, ALLOW_CREDENTIALS, EXPOSE_HEADERS] as const;
type AccessHeader = (typeof ACCESS_HEADERS)[number];

/** Marks a response whose `writeHead` is already wrapped. */
const REPAIRED = Symbol('nestjs-cors:repaired');

type HeadersArgument = OutgoingHttpHeaders | OutgoingHttpHeader[];
type WriteHead = ServerResponse['writeHead'];
type RepairableResponse = ServerResponse & { [REPAIRED]?: true };

/**
 * The values of the three access headers the module's decision stands for
 * (`undefined`: no such header), from what the early hook (or the guard)
 * stored on the raw request.
 */
export function moduleAccessHeaders(raw: CorsIncomingMessage): Record<AccessHeader, string | undefined> {
  const policy: CompiledPolicy | undefined = raw[CORS_POLICY];
  let allowOrigin = raw[CORS_ALLOWED_ORIGIN];
  if (allowOrigin === undefined && raw.headers.origin === undefined && policy?.enabled && policy.wildcardOrigin) {
    // A request without Origin under a public policy: the hook wrote `*` without recording it.
    allowOrigin = '*';
  }
  if (allowOrigin === undefined || policy === undefined || !policy.enabled) {
    return { [ALLOW_ORIGIN]: undefined, [ALLOW_CREDENTIALS]: undefined, [EXPOSE_HEADERS]: undefined };
  }
  // A preflight answer exposes no headers: only the actual response does.
  const preflight = raw.method === 'OPTIONS' && raw.headers['access-control-request-method'] !== undefined;
  return {
    [ALLOW_ORIGIN]: allowOrigin,
    [ALLOW_CREDENTIALS]: policy.credentials ? 'true' : undefined,
    [EXPOSE_HEADERS]: preflight ? undefined : policy.exposeHeadersValue,
  };
}

/** Sets (or removes) the access headers on the response and in the headers passed to `writeHead`. */
function applyAccessHeaders(
  res: ServerResponse,
  headers: HeadersArgument | undefined,
  wanted: Record<AccessHeader, string | undefined>,
): HeadersArgument | undefined {
  for (const name of ACCESS_HEADERS) {
    const value = wanted[name];
    if (value === undefined) {
      if (res.hasHeader(name)) res.removeHeader(name);
    } else if (res.getHeader(name) !== value) {
      res.setHeader(name, value);
    }
  }
  if (headers === undefined) return undefined;
  if (Array.isArray(headers)) {
    // The flat `[name, value, name, value…]` form: drop the access headers, the response has the module's.
    const kept: OutgoingHttpHeader[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (!(ACCESS_HEADERS as readonly string[]).includes(String(headers[i]).toLowerCase())) {
        kept.push(headers[i], headers[i + 1]);
      }
    }
    return kept;
  }
  let copy: OutgoingHttpHeaders | undefined;
  for (const key of Object.keys(headers)) {
    if ((ACCESS_HEADERS as readonly string[]).includes(key.toLowerCase())) {
      copy ??= { ...headers };
      delete copy[key];
    }
  }
  if (copy === undefined) return headers;
  for (const name of ACCESS_HEADERS) {
    if (wanted[name] !== undefined) copy[name] = wanted[name];
  }
  return copy;
}

/**
 * Makes one response carry exactly the module's access headers
 * (`Access-Control-Allow-Origin`, `-Credentials`, `-Expose-Headers`) whatever
 * another CORS layer set: `writeHead` is wrapped on this response object
 * only, and every way Node sends headers goes through it (an explicit
 * `writeHead(status, headers)` as Fastify's reply does, or the implicit one of
 * `write()`/`end()`/`flushHeaders()`). Idempotent.
 */
export function repairResponse(req: IncomingMessage, res: ServerResponse): void {
  const response = res as RepairableResponse;
  if (response[REPAIRED]) return;
  response[REPAIRED] = true;
  const writeHead: WriteHead = response.writeHead;
  const raw = req as CorsIncomingMessage;
  response.writeHead = function repairedWriteHead(this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    if (!this.headersSent) {
      const wanted = moduleAccessHeaders(raw);
      const last = rest.length - 1;
      if (last >= 0 && typeof rest[last] === 'object' && rest[last] !== null) {
        rest[last] = applyAccessHeaders(this, rest[last] as HeadersArgument, wanted);
      } else {
        applyAccessHeaders(this, undefined, wanted);
      }
    }
    return (writeHead as (this: ServerResponse, ...args: unknown[]) => ServerResponse).call(this, statusCode, ...rest);
  } as WriteHead;
}

/**
 * Repairs every response of a server from now on: a `request` listener put
 * before the framework's, so it runs first on every request (404s, errors,
 * responses a middleware or a plugin ends itself). Returns the function that
 * removes it.
 */
export function repairEveryResponse(server: Server): () => void {
  const listener = (req: IncomingMessage, res: ServerResponse) => repairResponse(req, res);
  server.prependListener('request', listener);
  return () => server.removeListener('request', listener);
}
