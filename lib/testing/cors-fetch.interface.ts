/** A request's credentials mode (Fetch "request credentials mode"); `fetch()` defaults to `'same-origin'`. */
export type CredentialsMode = 'omit' | 'same-origin' | 'include';

/** Request headers as a script passes them to `fetch()`: an object, or `[name, value]` pairs (repeats allowed). */
export type HeadersInit = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

/** One cross-origin `fetch()`, as the page's script would write it. */
export interface CorsFetchInit {
  /**
   * The page's origin, serialized as a browser sends it in `Origin`:
   * `'https://app.example.com'`, `'http://localhost:4200'`, `'http://[::1]:8080'`, or `'null'`.
   */
  readonly origin: string;
  /** Path and query on the server. Default `'/'`. */
  readonly path?: string;
  /** Default `'GET'`. Normalized like `fetch()` does: `delete`, `get`, `head`, `options`, `post`, `put` are upper-cased, other methods kept as written. */
  readonly method?: string;
  /** The headers the script sets. Forbidden request headers (`Cookie`, `Origin`, `Host`, `Sec-*`, …) are refused with an error: a script cannot set them. */
  readonly headers?: HeadersInit;
  /** Default `'same-origin'`, as in `fetch()`: for a cross-origin request no cookie is sent and the CORS check is the one without credentials. */
  readonly credentials?: CredentialsMode;
  /** A string body gets `Content-Type: text/plain;charset=UTF-8` unless the script set one, as in a browser. Not allowed with GET or HEAD. */
  readonly body?: string | Uint8Array;
  /** The `Cookie` line the browser's cookie jar would add; sent on the actual request with `credentials: 'include'` only. */
  readonly cookie?: string;
  /** Per HTTP exchange. Default 10,000 ms. */
  readonly timeoutMs?: number;
}

/** A response as it came off the wire. */
export interface CorsWireResponse {
  readonly status: number;
  /** The header lines as received, `[name, value, name, value, …]`: two `Access-Control-Allow-Origin` lines stay two. */
  readonly rawHeaders: readonly string[];
  /** Every header by lower-cased name, repeated lines joined with `', '` (Fetch "get"). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, decoded as UTF-8. */
  readonly body: string;
}

/** Where the browser reached its verdict: the preflight (the actual request was never sent), or the actual response. */
export type CorsStage = 'preflight' | 'response';

interface CorsFetchOutcome {
  /** Why the browser sends a preflight first (empty: a simple request, no preflight). */
  readonly preflightReasons: readonly string[];
  /** The preflight's answer, when one was sent. */
  readonly preflight?: CorsWireResponse;
  /** The headers the script could read (`response.headers`), by lower-cased name; empty unless readable. */
  readonly exposedHeaders: Readonly<Record<string, string>>;
}

/** The script can read the response. */
export interface CorsFetchReadable extends CorsFetchOutcome {
  readonly readable: true;
  readonly stage: 'response';
  readonly reason?: undefined;
  readonly response: CorsWireResponse;
}

/** The browser failed the fetch: the script sees only a network error ("Failed to fetch"). */
export interface CorsFetchBlocked extends CorsFetchOutcome {
  readonly readable: false;
  readonly stage: CorsStage;
  /** What failed, e.g. `'header x-admin-token not allowed'`. */
  readonly reason: string;
  /** The actual response; absent when the preflight failed, as the request was then never sent. */
  readonly response?: CorsWireResponse;
}

/** What a browser concludes from one cross-origin `fetch()`. */
export type CorsFetchResult = CorsFetchReadable | CorsFetchBlocked;

/** The minimum the response checks need: the status and the raw header lines. */
export interface WireResponse {
  readonly status: number;
  readonly rawHeaders: readonly string[];
}

/** What the CORS check needs to know about the request. */
export interface CorsCheckRequest {
  /** The serialized request origin, as sent in `Origin`. */
  readonly origin: string;
  readonly credentials: CredentialsMode;
}

/** What the CORS-preflight check needs to know about the request. */
export interface PreflightCheckRequest extends CorsCheckRequest {
  /** The normalized method of the actual request (what `Access-Control-Request-Method` carries). */
  readonly method: string;
  /** The CORS-unsafe request-header names (what `Access-Control-Request-Headers` carries). */
  readonly unsafeHeaderNames: readonly string[];
}
