import { Injectable } from '@nestjs/common';
import { OriginAnswerCache } from './engine/origin-answer-cache.js';

/**
 * The answers of asynchronous `origin` functions, which the module reuses per
 * origin for `asyncOrigin.cacheTtlMs` (default 60 s). Inject it to drop
 * answers that are no longer true before they expire, typically when a
 * tenant is removed from the table the origin function reads:
 *
 * ```ts
 * @Injectable()
 * export class TenantsService {
 *   constructor(private readonly corsOrigins: CorsOriginCache) {}
 *
 *   async remove(tenant: Tenant): Promise<void> {
 *     await this.tenants.delete(tenant.id);
 *     this.corsOrigins.forget(tenant.origin); // its next request asks the origin function again
 *   }
 * }
 * ```
 *
 * A lookup still in flight when its origin is forgotten answers that one
 * request, but its answer is not kept. Synchronous origin functions, origin
 * lists and patterns are not cached, so there is nothing to drop for them.
 */
@Injectable()
export class CorsOriginCache extends OriginAnswerCache {
  /**
   * Drops the cached answer for one origin, for every origin function of the
   * app: call it when a tenant (or any origin your function allows) is
   * removed, so that the removal takes effect on the next request instead of
   * after the cache TTL. `origin` is written as browsers send it
   * (`https://tenant.example.com`); a URL of that origin works too.
   */
  override forget(origin: string): void {
    super.forget(origin);
  }

  /** Drops every cached answer, e.g. after reloading the whole tenant table. */
  override clear(): void {
    super.clear();
  }
}
