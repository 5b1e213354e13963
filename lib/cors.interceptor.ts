import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import { appendVary } from './engine/cors-decision.js';
import { CORS_POLICY } from './http/http-exchange.js';
import { CorsRequestHook } from './cors-request.hook.js';

/**
 * Global interceptor: keeps the CORS headers intact through the handler.
 *
 * `@Header()` values and headers a handler sets run after the early hook and
 * can replace its `Vary` (on Fastify a reply header also wins over the raw
 * response's). The interceptor puts `Origin` back into `Vary` before and
 * after the handler.
 */
@Injectable()
export class CorsInterceptor implements NestInterceptor {
  constructor(private readonly hook: CorsRequestHook) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') {
      return next.handle();
    }
    const exchange = this.hook.httpExchange;
    const http = context.switchToHttp();
    const raw = exchange.rawRequest(http.getRequest());
    const policy = raw?.[CORS_POLICY];
    if (!policy?.enabled) {
      return next.handle();
    }
    const target = exchange.headerTarget(http.getResponse());
    const keep = () => {
      if (policy.varyOnOrigin) {
        appendVary(target, 'Origin');
      }
    };
    keep();
    return next.handle().pipe(tap({ next: keep, error: keep }));
  }
}
