import type { IncomingMessage } from 'node:http';

/**
 * A predicate that decides whether an origin may read the response.
 *
 * It receives only origins that already parsed as one serialized origin
 * (`scheme://host[:port]`), and the raw Node request. Return `true` to allow.
 * A rejected promise, a thrown error or a timeout refuses the request; it never
 * becomes a 500.
 */
export type CorsOriginFunction = (origin: string, request: IncomingMessage) => boolean | Promise<boolean>;

/**
 * One allowed-origin entry:
 * - `'*'`: any origin (never together with `credentials`);
 * - an exact serialized origin: `'https://app.example.com'`, `'http://localhost:3000'`;
 * - a subdomain pattern: `'https://*.example.com'` (one or more labels, never the apex, same scheme and port);
 * - a port pattern: `'http://localhost:*'` (any port, or none);
 * - `'null'`, the opaque origin (sandboxed iframes, `file:` pages), only when listed;
 * - a `RegExp` anchored with `^` and `$`, tested against valid origins only.
 */
export type CorsOriginEntry = string | RegExp;

/**
 * Values of the `origin` of Nest's `CorsOptions` (the `cors` package's) that
 * have no safe equivalent here: `true` (reflect any origin), `false` (CORS
 * off) and the callback form `(origin, callback) => callback(null, allowed)`.
 * The types take them only so that an object typed as Nest's `CorsOptions`
 * compiles when moved from `app.enableCors()` into `CorsModule.forRoot()` or
 * `@Cors()`; the app then refuses to boot, naming what to write instead:
 * a list of origins (or `'*'` without credentials) for `true`, no `origin`
 * or `@Cors(false)` for `false`, and `(origin) => allowed` or
 * `async (origin) => allowed` for a callback.
 */
export type UnsupportedCorsOrigin = boolean | Function;

/** The `origin` field: one entry, a list of entries, or a predicate. */
export type CorsOrigin = CorsOriginEntry | CorsOriginEntry[] | CorsOriginFunction | UnsupportedCorsOrigin;

/**
 * The fields of a CORS policy. Names follow Nest's `CorsOptions` and the
 * `cors` package: an object typed as Nest's `CorsOptions` (from
 * `@nestjs/common/interfaces/external/cors-options.interface.js`) is
 * accepted by `CorsModule.forRoot()` and `@Cors()`, and the app refuses to
 * boot on the values that have no safe equivalent (`origin: true`,
 * `origin: false`, a callback-style origin function), with the replacement.
 *
 * Every field is optional: a policy declared on a controller or a handler only
 * sets the fields it names, the rest come from the less specific level.
 */
export interface CorsPolicy {
  /** Which origins may read responses. Unset at every level: no origin is allowed. */
  origin?: CorsOrigin;
  /**
   * Methods a preflight may ask for. Default: `GET, HEAD, PUT, PATCH, POST, DELETE`.
   * `'*'` (without credentials) allows any method.
   */
  methods?: string | string[];
  /**
   * Request headers a preflight may ask for. Default: unset, which allows any
   * syntactically valid header the preflight names and echoes them back.
   * `'*'` (without credentials) allows any header but `Authorization`, which must be listed.
   */
  allowedHeaders?: string | string[];
  /** Response headers readable from JavaScript (`Access-Control-Expose-Headers`). */
  exposedHeaders?: string | string[];
  /** Send `Access-Control-Allow-Credentials: true` (cookies, HTTP auth). Default `false`. */
  credentials?: boolean;
  /**
   * Seconds a browser may cache a preflight (`Access-Control-Max-Age`).
   * Unset: not sent, and browsers keep a preflight 5 seconds. At most 86,400
   * (Firefox's cap; a larger value stops the app at boot); above 7,200 the
   * app boots with a warning, since Chromium keeps a preflight at most 7,200
   * seconds (WebKit: 600).
   */
  maxAge?: number;
  /** Status of an allowed preflight answer, 200–299. Default `204`. */
  optionsSuccessStatus?: number;
  /**
   * Set the preflight headers but let the request continue to the application
   * (an `@Options()` handler) instead of answering it. Default `false`.
   */
  preflightContinue?: boolean;
  /**
   * Answer `Access-Control-Allow-Private-Network: true` when a preflight asks
   * for it (`Access-Control-Request-Private-Network: true`). Default `false`.
   * Needs explicit origins, never `'*'`.
   *
   * This is the legacy Private Network Access header (a WICG draft, now on
   * hold). Chromium replaced Private Network Access with Local Network Access
   * in Chrome 142 (October 2025): a page in a secure context that fetches a
   * local or loopback address gets a permission prompt for the user, and no
   * server header grants or refuses it, so this option changes nothing for
   * current Chromium. It still answers browsers and embedded webviews that
   * send the Private Network Access preflight.
   */
  allowPrivateNetwork?: boolean;
  /**
   * Answer actual requests from origins the policy does not allow with 403,
   * before the handler runs. Default `false`: the handler runs and the browser
   * hides the response (CORS protects reads, it is not authentication).
   */
  rejectDisallowedOrigins?: boolean;
  /**
   * WebSocket gateways only (`CorsIoAdapter`, `CorsWsAdapter`): refuse with
   * 403 upgrades that carry no `Origin` (non-browser clients). Not
   * authentication: any non-browser client can send any `Origin`. Default:
   * the adapter's `rejectMissingOrigin` option, else `false`. No effect on
   * HTTP routes.
   */
  rejectMissingOrigin?: boolean;
  /**
   * Allow `'null'` and plain-`http` (non-loopback) origins together with
   * `credentials`. Any page in a sandboxed iframe sends `Origin: null`, and an
   * `http` origin can be impersonated on the network: both let third parties
   * read credentialed responses. Default `false`.
   */
  dangerouslyAllowInsecureOriginsWithCredentials?: boolean;
}

/**
 * What `@Cors()` accepts: a policy (fields merged over the less specific
 * level), the name of a policy declared in `CorsModule.forRoot({ policies })`,
 * or `false` to turn CORS off at that level.
 */
export type CorsPolicyReference = CorsPolicy | string | false;
