import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompiledPolicy } from '../engine/compiled-policy.js';
import type { HeaderTarget } from '../engine/cors-decision.js';

/** What the early hook decided for a request, kept on the raw request for the guard and interceptor. */
export const CORS_POLICY = Symbol('nestjs-cors:policy');
/** The `Access-Control-Allow-Origin` value the module wrote, if any. */
export const CORS_ALLOWED_ORIGIN = Symbol('nestjs-cors:allowed-origin');

export interface CorsRequestState {
  [CORS_POLICY]?: CompiledPolicy;
  [CORS_ALLOWED_ORIGIN]?: string;
}

export type CorsIncomingMessage = IncomingMessage & CorsRequestState;

/**
 * Records what the module decided for a request: both fields, always in this
 * order (`undefined` where there is nothing to record), on every request the
 * early layer sees in an app where something reads them (the guard, the
 * response repair). Every raw request then gets the same two properties at
 * the same point, or none does, so it keeps one hidden class per app instead
 * of one per kind of request, and the property reads of the router and
 * middleware that run after the hook stay monomorphic.
 */
export function recordDecision(
  raw: CorsIncomingMessage,
  policy: CompiledPolicy | undefined,
  allowedOrigin: string | undefined,
): void {
  raw[CORS_POLICY] = policy;
  raw[CORS_ALLOWED_ORIGIN] = allowedOrigin;
}

/** A Fastify reply, as far as this module uses it. */
interface FastifyReplyLike {
  raw: ServerResponse;
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  getHeader(name: string): number | string | string[] | undefined;
  removeHeader(name: string): unknown;
  send(payload?: unknown): unknown;
}

/**
 * A Fastify reply seen as a header target. With `mirror`, every write is made
 * on the Node response too (while its head is not sent): a response that
 * middleware ends itself (`res.end()`) never passes the reply, and Fastify
 * merges the Node response's headers into the ones it sends, the reply's
 * winning (the same values here).
 */
class ReplyHeaders implements HeaderTarget {
  constructor(
    private readonly reply: FastifyReplyLike,
    private readonly mirror: boolean,
  ) {}
  getHeader(name: string) {
    return this.reply.getHeader(name);
  }
  setHeader(name: string, value: string) {
    this.reply.header(name, value);
    if (this.mirror && !this.reply.raw.headersSent) this.reply.raw.setHeader(name, value);
  }
  removeHeader(name: string) {
    this.reply.removeHeader(name);
    if (this.mirror && !this.reply.raw.headersSent) this.reply.raw.removeHeader(name);
  }
}

/** Reaches the Node request behind an adapter's objects, and the place its CORS headers go. */
export class HttpExchange {
  /** Fastify: CORS headers go to the Node response too (see {@link headerTarget}). */
  private mirror = false;

  constructor(private readonly fastify: boolean) {}

  static forAdapterType(type: string | undefined): HttpExchange {
    return new HttpExchange(type === 'fastify');
  }

  /** Fastify: the app has middleware, which may end a response itself; from now on headers are mirrored. */
  mirrorToNodeResponse(): void {
    this.mirror = true;
  }

  rawRequest(request: unknown): CorsIncomingMessage {
    return (this.fastify ? (request as { raw: IncomingMessage }).raw : request) as CorsIncomingMessage;
  }

  /** The Node response behind an adapter's response object. */
  rawResponse(response: unknown): ServerResponse {
    return (this.fastify ? (response as FastifyReplyLike).raw : response) as ServerResponse;
  }

  /**
   * Where CORS headers go. Express: the response itself. Fastify: the reply,
   * whose headers Fastify keeps on every way it ends a request (errors, 404s,
   * parser errors); and, once the app has middleware ({@link
   * mirrorToNodeResponse}), the Node response as well, for a response that
   * middleware ends itself (`res.statusCode = 401; res.end()`), as Nest's own
   * `enableCors()` does. Only then: headers on the Node response cost every
   * reply a merge in Node's \`writeHead\`.
   */
  headerTarget(response: unknown): HeaderTarget {
    if (!this.fastify) return response as ServerResponse;
    return new ReplyHeaders(response as FastifyReplyLike, this.mirror);
  }

  /** Ends a request with an empty body (a preflight answer), bypassing the application. */
  endEmpty(response: unknown, status: number): void {
    if (this.fastify) {
      (response as FastifyReplyLike).code(status).header('content-length', '0').send();
      return;
    }
    const res = response as ServerResponse;
    res.statusCode = status;
    res.setHeader('Content-Length', '0');
    res.end();
  }
}
