import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { CorsPolicyRegistry, NoOriginWork } from './cors-policy.registry.js';
import type { CompiledPolicy } from './engine/compiled-policy.js';
import { clearCorsHeaders, writeActualHeaders, writeOriginIndependentHeaders } from './engine/cors-decision.js';
import { CORS_ALLOWED_ORIGIN, CORS_POLICY, type CorsIncomingMessage } from './http/http-exchange.js';
import { CorsRequestHook } from './cors-request.hook.js';

/**
 * Global guard: the check against the exact handler Nest picked.
 *
 * The early hook judges a request by the route table. When that was not the
 * handler's own policy (routes that share a path and differ by header
 * version or host, or a request the hook never saw because another request
 * hook replaced it), the guard rewrites the CORS headers from the handler's
 * policy. It also enforces `rejectDisallowedOrigins` with a 403 that goes
 * through the app's exception filters. Other contexts (RPC, WebSocket,
 * GraphQL) pass untouched.
 */
@Injectable()
export class CorsGuard implements CanActivate {
  constructor(
    private readonly registry: CorsPolicyRegistry,
    private readonly hook: CorsRequestHook,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const policy = this.registry.policyForHandler(context.getClass(), context.getHandler());
    if (!policy) {
      return true;
    }
    const http = context.switchToHttp();
    const exchange = this.hook.httpExchange;
    const raw = exchange.rawRequest(http.getRequest());
    const origin = raw?.headers?.origin;
    if (raw === undefined || (raw[CORS_POLICY] === policy && !policy.rejectDisallowedOrigins)) {
      return true;
    }
    if (raw.method === 'OPTIONS' && raw.headers['access-control-request-method'] !== undefined) {
      // A preflight the hook handed on (preflightContinue): it was judged by the target handler's policy.
      return true;
    }
    if (origin === undefined) {
      // Without a lookup, the hook wrote `Vary: Origin`: all this policy would write too.
      const varyOnly = raw[CORS_POLICY] === undefined && this.registry.noOriginWork === NoOriginWork.VaryOnly;
      if (raw[CORS_POLICY] !== policy && !(varyOnly && policy.enabled && !policy.wildcardOrigin)) {
        const res = exchange.headerTarget(http.getResponse());
        clearCorsHeaders(res);
        writeOriginIndependentHeaders(policy, res);
        raw[CORS_POLICY] = policy;
      }
      return true;
    }
    const allowed = policy.enabled && policy.origins.matches(origin, raw);
    if (allowed === true || allowed === false) {
      return this.settle(raw, http.getResponse(), origin, policy, allowed);
    }
    return allowed.then((value) => this.settle(raw, http.getResponse(), origin, policy, value));
  }

  private settle(
    raw: CorsIncomingMessage,
    response: unknown,
    origin: string,
    policy: CompiledPolicy,
    allowed: boolean,
  ): boolean {
    if (raw[CORS_POLICY] !== policy) {
      const res = this.hook.httpExchange.headerTarget(response);
      clearCorsHeaders(res);
      if (allowed) {
        writeActualHeaders(policy, origin, res);
      } else {
        writeOriginIndependentHeaders(policy, res);
      }
      raw[CORS_POLICY] = policy;
      raw[CORS_ALLOWED_ORIGIN] = allowed ? (policy.wildcardOrigin ? '*' : origin) : undefined;
    }
    if (!allowed && policy.enabled && policy.rejectDisallowedOrigins) {
      throw new ForbiddenException('Origin not allowed by the CORS policy of this route');
    }
    return true;
  }
}
