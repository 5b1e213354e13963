import type { CorsPolicy } from './cors-policy.interface.js';

/**
 * Options of `CorsModule.forRoot()` / `forRootAsync()`.
 *
 * The policy fields at the top level are the module defaults: they govern
 * every route without `@Cors()`, every field a route or controller leaves
 * unset, and paths no controller serves (so their 404s stay readable).
 */
export interface CorsModuleOptions extends CorsPolicy {
  /** Named policies, referenced with `@Cors('name')`. */
  policies?: Record<string, CorsPolicy>;
  /**
   * Log one line through Nest's `Logger` (debug level) for each refused CORS
   * request: the route, the policy and where it was declared, the check that
   * failed and what would allow it. Default `false`.
   */
  debug?: boolean;
}

/** Implemented by a class passed to `forRootAsync({ useClass | useExisting })`. */
export interface CorsOptionsFactory {
  createCorsOptions(): CorsModuleOptions | Promise<CorsModuleOptions>;
}
