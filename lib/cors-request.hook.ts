import { Injectable, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { CorsPolicyRegistry, NoOriginWork } from './cors-policy.registry.js';
import type { CompiledPolicy } from './engine/compiled-policy.js';
import {
  appendVary,
  checkPreflightRequest,
  REFUSED_DISABLED,
  REFUSED_ORIGIN,
  writeActualHeaders,
  writeOriginIndependentHeaders,
  writePreflightHeaders,
  type CorsRefusal,
} from './engine/cors-decision.js';
import { explainRefusal } from './engine/refusal-explainer.js';
import { CORS_ALLOWED_ORIGIN, CORS_POLICY, HttpExchange, type CorsIncomingMessage } from './http/http-exchange.js';

type Done = (error?: unknown) => void;
type RequestHook = (request: unknown, response: unknown, done: Done) => unknown;

/** The part of Nest's HTTP adapter the hook is installed on. */
export interface RequestHookHost {
  setOnRequestHook?(hook: RequestHook): void;
  getType?(): string;
  onRequestHook?: RequestHook;
}

const FORBIDDEN = 403;

/**
 * The early layer: runs first for every HTTP request, through the adapter's
 * request hook (before body parsers, middleware, routing, guards and the 404
 * handler), on Express and Fastify alike.
 *
 * - Preflights are answered here, judged by the policy of the handler that
 *   will serve the actual request, and never reach the application.
 * - Actual requests get their CORS headers on the raw response now, so every
 *   response the route can produce carries them: guard 401s, pipe 400s,
 *   handler 500s, 404s and body-parser 400/413s.
 */
@Injectable()
export class CorsRequestHook {
  private readonly logger = new Logger('CorsModule');
  private exchange = new HttpExchange(false);
  private previous?: RequestHook;

  constructor(private readonly registry: CorsPolicyRegistry) {}

  /** Installs the hook, keeping any hook set before it (called after this one). */
  install(adapter: RequestHookHost): boolean {
    if (typeof adapter.setOnRequestHook !== 'function') {
      return false;
    }
    this.exchange = HttpExchange.forAdapterType(adapter.getType?.());
    this.previous = typeof adapter.onRequestHook === 'function' ? adapter.onRequestHook : undefined;
    const hook: RequestHook = (request, response, done) => this.handle(request, response, done);
    adapter.setOnRequestHook(hook);
    return true;
  }

  get httpExchange(): HttpExchange {
    return this.exchange;
  }

  private handle(request: unknown, response: unknown, done: Done): unknown {
    const next: Done = this.previous
      ? (error) => (error ? done(error) : this.previous!(request, response, done))
      : done;
    const raw = this.exchange.rawRequest(request);
    const origin = raw.headers.origin;
    if (origin === undefined) {
      this.handleWithoutOrigin(raw, this.exchange.rawResponse(response));
      return next();
    }
    const requestMethod = raw.headers['access-control-request-method'];
    if (raw.method === 'OPTIONS' && requestMethod !== undefined) {
      return this.handlePreflight(raw, response, origin, requestMethod, next);
    }
    return this.handleActual(raw, this.exchange.rawResponse(response), origin, next);
  }

  private handleWithoutOrigin(raw: CorsIncomingMessage, res: ServerResponse): void {
    switch (this.registry.noOriginWork) {
      case NoOriginWork.VaryOnly:
        appendVary(res, 'Origin');
        return;
      case NoOriginWork.Lookup: {
        const policy = this.registry.resolve(raw.method!, raw.url!, raw.headers.host);
        raw[CORS_POLICY] = policy;
        writeOriginIndependentHeaders(policy, res);
        return;
      }
    }
  }

  private handleActual(raw: CorsIncomingMessage, res: ServerResponse, origin: string, next: Done): unknown {
    const policy = this.registry.resolve(raw.method!, raw.url!, raw.headers.host);
    raw[CORS_POLICY] = policy;
    if (!policy.enabled) {
      return next();
    }
    const allowed = policy.origins.matches(origin, raw);
    if (allowed === true || allowed === false) {
      this.applyActual(raw, res, origin, policy, allowed);
      return next();
    }
    return allowed.then((value) => {
      this.applyActual(raw, res, origin, policy, value);
      next();
    });
  }

  private applyActual(
    raw: CorsIncomingMessage,
    res: ServerResponse,
    origin: string,
    policy: CompiledPolicy,
    allowed: boolean,
  ): void {
    if (allowed) {
      writeActualHeaders(policy, origin, res);
      raw[CORS_ALLOWED_ORIGIN] = policy.wildcardOrigin ? '*' : origin;
    } else {
      writeOriginIndependentHeaders(policy, res);
      raw[CORS_ALLOWED_ORIGIN] = policy.wildcardOrigin ? '*' : undefined;
      if (this.registry.debug) {
        this.logger.debug(explainRefusal('request', raw.method!, raw.url!, origin, policy, REFUSED_ORIGIN));
      }
    }
  }

  private handlePreflight(
    raw: CorsIncomingMessage,
    response: unknown,
    origin: string,
    requestMethod: string,
    next: Done,
  ): unknown {
    const policy = this.registry.resolve(requestMethod, raw.url!, raw.headers.host);
    if (!policy.enabled) {
      return this.refusePreflight(raw, response, origin, policy, REFUSED_DISABLED);
    }
    const allowed = policy.origins.matches(origin, raw);
    if (allowed === true || allowed === false) {
      return this.answerPreflight(raw, response, origin, requestMethod, policy, allowed, next);
    }
    return allowed.then((value) => this.answerPreflight(raw, response, origin, requestMethod, policy, value, next));
  }

  private answerPreflight(
    raw: CorsIncomingMessage,
    response: unknown,
    origin: string,
    requestMethod: string,
    policy: CompiledPolicy,
    originAllowed: boolean,
    next: Done,
  ): void {
    if (!originAllowed) {
      return this.refusePreflight(raw, response, origin, policy, REFUSED_ORIGIN);
    }
    const requestHeaders = raw.headers['access-control-request-headers'];
    const privateNetwork = raw.headers['access-control-request-private-network'] === 'true';
    const refusal = checkPreflightRequest(policy, requestMethod, requestHeaders, privateNetwork);
    if (refusal) {
      return this.refusePreflight(raw, response, origin, policy, refusal);
    }
    writePreflightHeaders(policy, origin, requestHeaders, privateNetwork, this.exchange.rawResponse(response));
    if (policy.preflightContinue) {
      raw[CORS_POLICY] = policy;
      raw[CORS_ALLOWED_ORIGIN] = policy.wildcardOrigin ? '*' : origin;
      return next();
    }
    this.exchange.endEmpty(response, policy.optionsSuccessStatus);
  }

  private refusePreflight(
    raw: CorsIncomingMessage,
    response: unknown,
    origin: string,
    policy: CompiledPolicy,
    refusal: CorsRefusal,
  ): void {
    if (this.registry.debug) {
      this.logger.debug(
        explainRefusal(
          'preflight',
          String(raw.headers['access-control-request-method']),
          raw.url!,
          origin,
          policy,
          refusal,
        ),
      );
    }
    appendVary(this.exchange.rawResponse(response), policy.preflightVary);
    this.exchange.endEmpty(response, FORBIDDEN);
  }
}
