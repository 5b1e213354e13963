import { Injectable, Logger } from '@nestjs/common';
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
  type HeaderTarget,
} from './engine/cors-decision.js';
import { explainRefusal } from './engine/refusal-explainer.js';
import { CORS_ALLOWED_ORIGIN, CORS_POLICY, HttpExchange, type CorsIncomingMessage } from './http/http-exchange.js';

type Done = (error?: unknown) => void;
type RequestHook = (request: unknown, response: unknown, done: Done) => unknown;

/** The part of Nest's HTTP adapter the hook is installed on. */
export interface RequestHookHost {
  setOnRequestHook?(hook: RequestHook): void;
  getType?(): string;
  getInstance?(): unknown;
  onRequestHook?: RequestHook;
}

const FORBIDDEN = 403;

/** The parts of a preflight request the checks read. */
interface Preflight {
  readonly raw: CorsIncomingMessage;
  readonly origin: string;
  readonly requestMethod: string;
  readonly requestHeaders: string | undefined;
  readonly privateNetwork: boolean;
}

/** Judges a preflight against one policy: `undefined` when allowed, else the refusal. */
function judgePreflight(
  policy: CompiledPolicy,
  preflight: Preflight,
): CorsRefusal | undefined | Promise<CorsRefusal | undefined> {
  if (!policy.enabled) {
    return REFUSED_DISABLED;
  }
  const check = (allowed: boolean): CorsRefusal | undefined =>
    allowed
      ? checkPreflightRequest(policy, preflight.requestMethod, preflight.requestHeaders, preflight.privateNetwork)
      : REFUSED_ORIGIN;
  const allowed = policy.origins.matches(preflight.origin, preflight.raw);
  return allowed === true || allowed === false ? check(allowed) : allowed.then(check);
}

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
      this.handleWithoutOrigin(raw, response);
      return next();
    }
    const requestMethod = raw.headers['access-control-request-method'];
    if (raw.method === 'OPTIONS' && requestMethod !== undefined) {
      return this.handlePreflight(raw, response, origin, requestMethod, next);
    }
    return this.handleActual(raw, response, origin, next);
  }

  private handleWithoutOrigin(raw: CorsIncomingMessage, response: unknown): void {
    switch (this.registry.noOriginWork) {
      case NoOriginWork.VaryOnly:
        appendVary(this.exchange.headerTarget(response), 'Origin');
        return;
      case NoOriginWork.Lookup: {
        const policy = this.registry.resolve(raw.method!, raw.url!, raw.headers.host);
        raw[CORS_POLICY] = policy;
        if (policy.enabled) {
          writeOriginIndependentHeaders(policy, this.exchange.headerTarget(response));
        }
        return;
      }
    }
  }

  private handleActual(raw: CorsIncomingMessage, response: unknown, origin: string, next: Done): unknown {
    const policy = this.registry.resolve(raw.method!, raw.url!, raw.headers.host);
    raw[CORS_POLICY] = policy;
    if (!policy.enabled) {
      if (this.registry.debug) {
        this.logger.debug(explainRefusal('request', raw.method!, raw.url!, origin, policy, REFUSED_DISABLED));
      }
      return next();
    }
    const res = this.exchange.headerTarget(response);
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
    res: HeaderTarget,
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
    const preflight: Preflight = {
      raw,
      origin,
      requestMethod,
      requestHeaders: raw.headers['access-control-request-headers'],
      privateNetwork: raw.headers['access-control-request-private-network'] === 'true',
    };
    // One policy, but for handlers that share a route and differ by header version.
    const policies = this.registry.resolvePreflight(requestMethod, raw.url!, raw.headers.host);
    let firstRefusal: CorsRefusal | undefined;
    for (let i = 0; i < policies.length; i++) {
      const verdict = judgePreflight(policies[i], preflight);
      if (verdict instanceof Promise) {
        return this.judgeAsync(preflight, policies, i, verdict, firstRefusal, response, next);
      }
      if (verdict === undefined) {
        return this.allowPreflight(preflight, policies[i], response, next);
      }
      firstRefusal ??= verdict;
    }
    return this.refusePreflight(preflight, policies[0], firstRefusal ?? REFUSED_DISABLED, response);
  }

  private async judgeAsync(
    preflight: Preflight,
    policies: readonly CompiledPolicy[],
    from: number,
    pending: Promise<CorsRefusal | undefined>,
    firstRefusal: CorsRefusal | undefined,
    response: unknown,
    next: Done,
  ): Promise<void> {
    for (let i = from; i < policies.length; i++) {
      const verdict = i === from ? await pending : await judgePreflight(policies[i], preflight);
      if (verdict === undefined) {
        return this.allowPreflight(preflight, policies[i], response, next);
      }
      firstRefusal ??= verdict;
    }
    this.refusePreflight(preflight, policies[0], firstRefusal ?? REFUSED_DISABLED, response);
  }

  private allowPreflight(preflight: Preflight, policy: CompiledPolicy, response: unknown, next: Done): void {
    const { raw, origin } = preflight;
    writePreflightHeaders(
      policy,
      origin,
      preflight.requestMethod,
      preflight.requestHeaders,
      preflight.privateNetwork,
      this.exchange.headerTarget(response),
    );
    raw[CORS_POLICY] = policy;
    raw[CORS_ALLOWED_ORIGIN] = policy.wildcardOrigin ? '*' : origin;
    if (policy.preflightContinue) {
      return next();
    }
    this.exchange.endEmpty(response, policy.optionsSuccessStatus);
  }

  private refusePreflight(preflight: Preflight, policy: CompiledPolicy, refusal: CorsRefusal, response: unknown): void {
    if (this.registry.debug) {
      this.logger.debug(
        explainRefusal('preflight', preflight.requestMethod, preflight.raw.url!, preflight.origin, policy, refusal),
      );
    }
    preflight.raw[CORS_POLICY] = policy;
    appendVary(this.exchange.headerTarget(response), policy.preflightVary);
    this.exchange.endEmpty(response, FORBIDDEN);
  }
}
