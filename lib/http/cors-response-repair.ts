import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { CompiledPolicy } from '../engine/compiled-policy.js';
import { CORS_ALLOWED_ORIGIN, CORS_POLICY, type CorsIncomingMessage } from './http-exchange.js';

const ALLOW_ORIGIN = 'access-control-allow-origin';
const ALLOW_CREDENTIALS = 'access-control-allow-credentials';
const EXPOSE_HEADERS = 'access-control-expose-headers';
/** The headers that give an origin access to a response: only the module's policy decides them. */
export const ACCESS_HEADERS = [ALLOW_ORIGIN, ALLOW_CREDENTIALS, EXPOSE_HEADERS] as const;
type AccessHeader = (typeof ACCESS_HEADERS)[number];

type HeadersArgument = OutgoingHttpHeaders | OutgoingHttpHeader[];
type WriteHead = ServerResponse['writeHead'];

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
  if (headers === undefined || headers === null || typeof headers !== 'object') return headers;
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
  // Edited in place: whoever passed it (Fastify's reply, say) is done with it once writeHead runs.
  // Node sets these over the response's own headers, so they must say the same.
  for (const key in headers) {
    const name = key.toLowerCase();
    if (name === ALLOW_ORIGIN || name === ALLOW_CREDENTIALS || name === EXPOSE_HEADERS) {
      const value = wanted[name];
      if (value === undefined) delete headers[key];
      else if (headers[key] !== value) headers[key] = value;
    }
  }
  return headers;
}

type AnyWriteHead = (this: ServerResponse, statusCode: number, reason?: unknown, headers?: unknown) => ServerResponse;

/** Puts the module's access headers on the response, then lets the class's own `writeHead` run. */
function repairedWriteHead(this: ServerResponse, statusCode: number, reason?: unknown, headers?: unknown) {
  const original = (Object.getPrototypeOf(this) as { writeHead: AnyWriteHead }).writeHead;
  if (this.headersSent) {
    return original.call(this, statusCode, reason, headers);
  }
  const wanted = moduleAccessHeaders(this.req as CorsIncomingMessage);
  if (typeof reason === 'string') {
    return original.call(this, statusCode, reason, applyAccessHeaders(this, headers as HeadersArgument, wanted));
  }
  if (reason === undefined) {
    applyAccessHeaders(this, undefined, wanted);
    return original.call(this, statusCode);
  }
  return original.call(this, statusCode, applyAccessHeaders(this, reason as HeadersArgument, wanted));
}

/**
 * Makes one response carry exactly the module's access headers
 * (`Access-Control-Allow-Origin`, `-Credentials`, `-Expose-Headers`) whatever
 * another CORS layer set: `writeHead` is replaced on this response object
 * only, and every way Node sends headers goes through it (an explicit
 * `writeHead(status, headers)` as Fastify's reply does, or the implicit one of
 * `write()`/`end()`/`flushHeaders()`). One function for every response (it
 * reads the decision from `res.req`); idempotent.
 */
export function repairResponse(req: IncomingMessage, res: ServerResponse): void {
  if (res.writeHead === (repairedWriteHead as WriteHead)) return;
  if (Object.prototype.hasOwnProperty.call(res, 'writeHead') || res.req !== req) {
    // Someone replaced writeHead on this object first (or a response without its request): wrap theirs.
    const theirs = res.writeHead;
    const raw = req as CorsIncomingMessage;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (!this.headersSent) {
        const wanted = moduleAccessHeaders(raw);
        const last = args.length - 1;
        if (last >= 1 && typeof args[last] === 'object' && args[last] !== null) {
          args[last] = applyAccessHeaders(this, args[last] as HeadersArgument, wanted);
        } else {
          applyAccessHeaders(this, undefined, wanted);
        }
      }
      return (theirs as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as WriteHead;
    return;
  }
  res.writeHead = repairedWriteHead as WriteHead;
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
