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

/** A Fastify reply, as far as this module uses it. */
interface FastifyReplyLike {
  raw: ServerResponse;
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  getHeader(name: string): number | string | string[] | undefined;
  send(payload?: unknown): unknown;
}

/**
 * Reaches the Node request and response behind an adapter's objects. Headers
 * go on the raw `ServerResponse` so that they survive every way a response
 * ends: guards, filters, 404s, body-parser errors, and Fastify replies built
 * from the raw response.
 */
export class HttpExchange {
  constructor(private readonly fastify: boolean) {}

  static forAdapterType(type: string | undefined): HttpExchange {
    return new HttpExchange(type === 'fastify');
  }

  rawRequest(request: unknown): CorsIncomingMessage {
    return (this.fastify ? (request as { raw: IncomingMessage }).raw : request) as CorsIncomingMessage;
  }

  rawResponse(response: unknown): ServerResponse {
    return (this.fastify ? (response as FastifyReplyLike).raw : response) as ServerResponse;
  }

  /**
   * Where headers set after the handler must go to win: Fastify merges its
   * reply's own headers over the raw response's, so the reply there.
   */
  lateHeaderTarget(response: unknown): HeaderTarget {
    if (!this.fastify) return response as ServerResponse;
    const reply = response as FastifyReplyLike;
    return {
      getHeader: (name) => reply.getHeader(name),
      setHeader: (name, value) => reply.header(name, value),
      removeHeader: (name) => reply.raw.removeHeader(name),
    };
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
