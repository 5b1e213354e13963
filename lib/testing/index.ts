/**
 * `nestjs-cors/testing`: test your CORS setup the way a browser judges it,
 * without a browser. {@link corsFetch} replays one cross-origin `fetch()`
 * against a Nest application (Express or Fastify), its HTTP server or a base
 * URL, and returns what the page's script could read, or at which stage and
 * why the browser would block it. Works in Jest and Vitest; needs nothing but
 * Node.
 *
 * The model behind it is written from the WHATWG Fetch standard, not from
 * nestjs-cors, so it judges any CORS setup — this library's, `enableCors()`,
 * or a proxy's. Its parts are exported for finer tests: the request rules
 * ({@link preflightReasons}, {@link corsUnsafeRequestHeaderNames}) and the
 * response checks ({@link corsCheck}, {@link preflightCheck},
 * {@link readableHeaders}).
 *
 * @packageDocumentation
 */
export { corsFetch } from './cors-fetch.js';
export type {
  CorsCheckRequest,
  CorsFetchBlocked,
  CorsFetchInit,
  CorsFetchReadable,
  CorsFetchResult,
  CorsStage,
  CorsWireResponse,
  CredentialsMode,
  HeadersInit,
  PreflightCheckRequest,
  WireResponse,
} from './cors-fetch.interface.js';
export {
  corsUnsafeRequestHeaderNames,
  corsUnsafeRequestHeaders,
  isSafelistedMethod,
  normalizeMethod,
  preflightReasons,
  requestHeaderLines,
  safelistFailure,
  SAFELISTED_TOTAL_LIMIT,
  SAFELISTED_VALUE_LIMIT,
  type HeaderLine,
} from './fetch-request.js';
export {
  corsCheck,
  exposedHeaderNames,
  extractHeaderListValues,
  getHeader,
  isOkStatus,
  preflightCheck,
  readableHeaders,
} from './fetch-response.js';
export type { CorsFetchTarget } from './http-target.js';
