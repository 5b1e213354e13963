import type { CorsPolicy, CorsPolicyReference } from './cors-policy.interface.js';

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
   * Policies for paths no controller serves: GraphQL endpoints, Swagger UI,
   * static files. Keys are request paths as the browser sends them (the
   * global prefix is not added), `/graphql`, or prefixes ending in `/*`
   * (`/docs/*` covers `/docs` and everything under it; the longest pattern
   * wins). Matched as the servers behind them read paths: case-insensitively,
   * `%XX` decoded once, `//`, `.` and `..` resolved, absolute-form targets
   * reduced to their path, a trailing slash ignored on exact patterns.
   * Values are what `@Cors()` takes: a policy name, fields (merged
   * over the module defaults) or `false`. A request a controller route serves
   * always follows that route's policy.
   */
  paths?: Record<string, CorsPolicyReference>;
  /**
   * Let the app start although another CORS layer is active as well:
   * `app.enableCors()`, the `cors` option of `NestFactory.create()`,
   * `@fastify/cors` registered by hand (on the root instance or inside a
   * plugin) or the `cors` middleware (`app.use(cors())`). Without it the app
   * refuses to start, naming both layers.
   *
   * With it, the other layer keeps running, and this module's policy alone
   * decides `Access-Control-Allow-Origin`, `-Credentials` and
   * `-Expose-Headers`: before a response is written, the module removes the
   * other layer's values for an origin its policy refused (or a route with
   * `@Cors(false)`) and puts its own back where it allowed the origin. Costs
   * one wrapped `writeHead` per request, and only when another layer was
   * found. Default `false`.
   */
  allowOtherCorsLayers?: boolean;
  /**
   * Log one line through Nest's `Logger` (debug level) for each refused CORS
   * request: the route, the policy and where it was declared, the check that
   * failed and what would allow it. Default `false`.
   */
  debug?: boolean;
  /**
   * Print the effective policy of every route (method, path, origins,
   * credentials, methods, headers, and the level that set each field) at
   * boot, through Nest's `Logger`. The same rows come from
   * `CorsPolicyRegistry.report()`. Default `false`.
   */
  report?: boolean;
  /**
   * How an asynchronous `origin` function (a database lookup, say) is called.
   * Its answer is reused per origin for `cacheTtlMs` (default 60 000; `0`
   * turns the cache off) in an LRU of at most `cacheSize` origins (default
   * 1000), and an answer slower than `timeoutMs` (default 2000) refuses the
   * request. A throw, a rejection, a timeout or an answer other than
   * `true`/`false` refuses with one warning line; it is never a 500 or a hung
   * request. To drop an answer before its TTL (a tenant was removed), inject
   * `CorsOriginCache` and call `forget(origin)` or `clear()`.
   */
  asyncOrigin?: {
    timeoutMs?: number;
    cacheTtlMs?: number;
    cacheSize?: number;
  };
}

/** Implemented by a class passed to `forRootAsync({ useClass | useExisting })`. */
export interface CorsOptionsFactory {
  createCorsOptions(): CorsModuleOptions | Promise<CorsModuleOptions>;
}
