import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { CorsPolicyRegistry } from './cors-policy.registry.js';
import { answerActualRequest, clearCorsHeaders } from './engine/cors-decision.js';
import { CORS_POLICY, recordDecision, type CorsIncomingMessage } from './http/http-exchange.js';
import { keepOriginInVary } from './http/vary-repair.js';
import { CorsRequestHook } from './cors-request.hook.js';
import type { HandlerEntry } from './policies/handler-entry.interface.js';

/** Where an HTTP execution context keeps the request and the response among its arguments. */
const REQUEST = 0;
const RESPONSE = 1;

/**
 * The module's global guard (`APP_GUARD`): the check against the exact
 * handler Nest runs, on every HTTP request that reaches one.
 *
 * The early layer answered from the route table; where that was not this
 * handler's own policy (handlers that share a route and differ by version,
 * hosts behind a proxy), the guard rewrites the CORS headers from the
 * handler's compiled policy (a constant-time lookup, nothing merged per
 * request). It enforces `rejectDisallowedOrigins` with a 403 that goes
 * through the app's exception filters, and, on handlers that may overwrite
 * `Vary`, arranges for `Origin` to stay in it. Preflights never get here
 * (the early layer answered them); other contexts (RPC, WebSocket, GraphQL)
 * pass untouched.
 */
@Injectable()
export class CorsGuard implements CanActivate {
  constructor(
    private readonly registry: CorsPolicyRegistry,
    private readonly hook: CorsRequestHook,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // One policy app-wide and nothing to enforce or repair: the early layer's answer stands.
    if (this.registry.guardHasNoWork && this.hook.installed) return true;
    if (context.getType() !== 'http') return true;
    const entry = this.registry.entryFor(context.getClass(), context.getHandler());
    if (entry === undefined) return true;
    const policy = entry.policy;
    // An HTTP context's arguments are (request, response, next). Read directly: `switchToHttp()` assigns three
    // new closures to the context on every call.
    const exchange = this.hook.httpExchange;
    const raw = exchange.rawRequest(context.getArgByIndex(REQUEST)) as CorsIncomingMessage | undefined;
    if (raw === undefined || raw.headers === undefined) return true;
    if (entry.mayOverwriteVary)
      keepOriginInVary(exchange.rawResponse(context.getArgByIndex(RESPONSE)) as ServerResponse);
    const origin = raw.headers.origin;
    // The early layer's decision stands when it used this handler's policy or one that answers alike.
    const decided = raw[CORS_POLICY];
    const same = decided === policy || decided === entry.equivalentPolicy;
    if (same && (origin === undefined || !policy.rejectDisallowedOrigins)) return true;
    if (origin === undefined) {
      // No decision recorded: the early layer wrote at most `Vary: Origin`, all that an
      // origin-dependent (or disabled) policy writes without `Origin`.
      if (decided === undefined ? !policy.wildcardOrigin : same) return true;
      this.rewrite(entry, raw, context.getArgByIndex(RESPONSE), undefined, false);
      return true;
    }
    if (raw.method === 'OPTIONS' && raw.headers['access-control-request-method'] !== undefined) {
      // A preflight the early layer handed on (preflightContinue): judged by the target handler's policy.
      return true;
    }
    const allowed = policy.enabled && policy.origins.matches(origin, raw);
    const response: unknown = context.getArgByIndex(RESPONSE);
    if (allowed === true || allowed === false) return this.settle(entry, raw, response, origin, allowed);
    return allowed.then((value) => this.settle(entry, raw, response, origin, value));
  }

  private settle(
    entry: HandlerEntry,
    raw: CorsIncomingMessage,
    response: unknown,
    origin: string,
    allowed: boolean,
  ): boolean {
    const decided = raw[CORS_POLICY];
    if (decided !== entry.policy && decided !== entry.equivalentPolicy)
      this.rewrite(entry, raw, response, origin, allowed);
    if (!allowed && entry.policy.enabled && entry.policy.rejectDisallowedOrigins) {
      throw new ForbiddenException('Origin not allowed by the CORS policy of this route');
    }
    return true;
  }

  private rewrite(
    entry: HandlerEntry,
    raw: CorsIncomingMessage,
    response: unknown,
    origin: string | undefined,
    allowed: boolean,
  ): void {
    const target = this.hook.httpExchange.headerTarget(response);
    clearCorsHeaders(target);
    recordDecision(raw, entry.policy, answerActualRequest(entry.policy, origin, allowed, target));
  }
}
