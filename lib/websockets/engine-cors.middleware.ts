import { ServerResponse, type IncomingMessage } from 'node:http';
import { Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import {
  appendVary,
  checkPreflightRequest,
  REFUSED_DISABLED,
  REFUSED_ORIGIN,
  writeActualHeaders,
  writeOriginIndependentHeaders,
  writePreflightHeaders,
  type CorsRefusal,
} from '../engine/cors-decision.js';
import { explainRefusal } from '../engine/refusal-explainer.js';
import { explainUpgradeRefusal, judgeUpgrade, type UpgradeRules } from './upgrade-check.js';

type Next = (error?: unknown) => void;

/** An engine.io middleware (`server.engine.use()`): it runs for every HTTP request and upgrade of the engine's path. */
export type EngineMiddleware = (request: IncomingMessage, response: unknown, next: Next) => void | Promise<void>;

const FORBIDDEN = 403;
const FORBIDDEN_UPGRADE = 'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * The CORS layer of a socket.io server's engine, from one policy:
 *
 * - the HTTP long-polling transport (handshake GET, polling GET and POST,
 *   their preflights) gets exactly the answer a controller route with that
 *   policy gets;
 * - a WebSocket upgrade is judged by {@link judgeUpgrade} and refused with
 *   403 before the handshake.
 *
 * Requests it answers (preflights, refusals) never reach engine.io; the others
 * go on with their headers set (engine.io's `writeHead` keeps them).
 */
export function engineCorsMiddleware(rules: UpgradeRules, debug?: (message: string) => void): EngineMiddleware {
  const { policy } = rules;
  return (request, response, next) => {
    if (!(response instanceof ServerResponse || response instanceof Http2ServerResponse)) {
      // engine.io hands an upgrade a stand-in response; the connection is request.socket.
      return settle(judgeUpgrade(rules, request), (refusal) => {
        if (refusal === undefined) return next();
        debug?.(explainUpgradeRefusal(rules, request, refusal));
        refuseUpgrade(request.socket);
      });
    }
    const res = response as ServerResponse;
    const origin = request.headers.origin;
    if (origin === undefined) {
      writeOriginIndependentHeaders(policy, res);
      return next();
    }
    const requestMethod = request.headers['access-control-request-method'];
    if (request.method === 'OPTIONS' && requestMethod !== undefined) {
      return answerPreflight(request, res, origin, requestMethod);
    }
    if (!policy.enabled) {
      return next();
    }
    return settle(policy.origins.matches(origin, request), (allowed) => {
      if (allowed) {
        writeActualHeaders(policy, origin, res);
        return next();
      }
      writeOriginIndependentHeaders(policy, res);
      debug?.(explainRefusal('request', request.method ?? 'GET', request.url ?? '', origin, policy, REFUSED_ORIGIN));
      if (policy.rejectDisallowedOrigins) {
        return endEmpty(res, FORBIDDEN);
      }
      next();
    });
  };

  function answerPreflight(
    request: IncomingMessage,
    res: ServerResponse,
    origin: string,
    requestMethod: string,
  ): void | Promise<void> {
    const requestHeaders = request.headers['access-control-request-headers'];
    const privateNetwork = request.headers['access-control-request-private-network'] === 'true';
    const answer = (refusal: CorsRefusal | undefined): void => {
      if (refusal === undefined) {
        writePreflightHeaders(policy, origin, requestMethod, requestHeaders, privateNetwork, res);
        return endEmpty(res, policy.optionsSuccessStatus);
      }
      debug?.(explainRefusal('preflight', requestMethod, request.url ?? '', origin, policy, refusal));
      appendVary(res, policy.preflightVary);
      endEmpty(res, FORBIDDEN);
    };
    if (!policy.enabled) {
      return answer(REFUSED_DISABLED);
    }
    return settle(policy.origins.matches(origin, request), (allowed) =>
      answer(allowed ? checkPreflightRequest(policy, requestMethod, requestHeaders, privateNetwork) : REFUSED_ORIGIN),
    );
  }
}

/** Runs `then` on a value that may come later (asynchronous origin functions), without a tick when it does not. */
function settle<T>(value: T | Promise<T>, then: (value: T) => void): void | Promise<void> {
  return value instanceof Promise ? value.then(then) : then(value);
}

function endEmpty(res: ServerResponse, status: number): void {
  res.statusCode = status;
  res.setHeader('Content-Length', '0');
  res.end();
}

/** Answers an upgrade with 403 on its raw connection, before any WebSocket handshake. */
export function refuseUpgrade(socket: Duplex): void {
  socket.on('error', () => {});
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(FORBIDDEN_UPGRADE);
}
