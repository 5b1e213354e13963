import type { CorsFetchInit, CorsFetchResult, CredentialsMode } from './cors-fetch.interface.js';
import {
  corsUnsafeRequestHeaderNames,
  normalizeMethod,
  preflightReasons,
  requestHeaderLines,
} from './fetch-request.js';
import { corsCheck, preflightCheck, readableHeaders } from './fetch-response.js';
import { resolveTarget, type CorsFetchTarget } from './http-target.js';

const CREDENTIALS_MODES: readonly CredentialsMode[] = ['omit', 'same-origin', 'include'];
const DEFAULT_TIMEOUT_MS = 10_000;

/** The `Content-Length` line a browser adds: the body's size, or 0 for a POST or PUT without one (Chromium). */
function contentLength(method: string, body: string | Uint8Array | undefined): Array<readonly [string, string]> {
  if (body === undefined) return method === 'POST' || method === 'PUT' ? [['Content-Length', '0']] : [];
  return [['Content-Length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength)]];
}

/** A serialized origin as `Origin` carries it: `scheme://host[:port]`, as the URL parser writes it, or `null`. */
function checkOrigin(origin: unknown): string {
  if (origin === 'null') return origin;
  let serialized: string | undefined;
  try {
    serialized = new URL(String(origin)).origin;
  } catch {
    serialized = undefined;
  }
  if (typeof origin !== 'string' || serialized !== origin || serialized === 'null') {
    throw new TypeError(
      `corsFetch: origin ${JSON.stringify(origin)} is not a serialized origin such as 'https://app.example.com' ` +
        `(lower case, no path, no default port) or 'null'`,
    );
  }
  return origin;
}

/**
 * Does what a browser does for one cross-origin `fetch()` from a page at
 * `init.origin`, and tells whether the page's script could read the answer:
 *
 * 1. decides whether a CORS preflight is needed (a method other than GET,
 *    HEAD, POST, or a CORS-unsafe request header; credentials alone do not
 *    need one) — with an empty preflight cache, as on a first visit;
 * 2. sends it (`OPTIONS` with `Origin`, `Access-Control-Request-Method` and
 *    `Access-Control-Request-Headers`, lower-cased, sorted, comma-separated,
 *    as Chromium writes it) and applies the CORS-preflight check: a CORS check
 *    for the credentials mode, an ok status, then the method and every unsafe
 *    header allowed (`*` counts only without credentials and never covers
 *    `Authorization`);
 * 3. sends the actual request (with `Origin`, and `init.cookie` when
 *    credentials are included) and applies the CORS check to its answer;
 * 4. resolves with the verdict: `readable`, the `stage` it was reached at, the
 *    `reason` when blocked, both responses, and the headers the script could
 *    read.
 *
 * The model is written from the WHATWG Fetch standard, independently of
 * nestjs-cors, and is checked against Chromium by the project's browser suite.
 * Redirects are not followed: a 3xx answer is judged as it is.
 *
 * `target` is a Nest application (initialized if it was not), its Node HTTP
 * server, or a base URL such as `'http://localhost:3000'` (the path is
 * appended to the URL's path). A server that is not listening is put on an
 * ephemeral loopback port for the call and closed afterwards; every exchange
 * uses its own connection, closed when the answer has arrived, so no handle
 * stays open.
 *
 * Throws (a `TypeError`, as `fetch()` would, or an `Error` for a transport
 * failure) for what is not a CORS verdict: a malformed origin, method or
 * header, a forbidden header, a body on GET or HEAD, a same-origin request,
 * a server that does not answer.
 *
 * @example
 * ```ts
 * const result = await corsFetch(app, {
 *   origin: 'https://app.example.com',
 *   method: 'PUT',
 *   path: '/items/1',
 *   headers: { 'content-type': 'application/json', 'x-token': 't' },
 *   credentials: 'include',
 *   body: '{}',
 * });
 * expect(result).toMatchObject({ readable: true, response: { status: 200 } });
 * ```
 */
export async function corsFetch(target: CorsFetchTarget, init: CorsFetchInit): Promise<CorsFetchResult> {
  const origin = checkOrigin(init.origin);
  const method = normalizeMethod(init.method ?? 'GET');
  const credentials = init.credentials ?? 'same-origin';
  if (!CREDENTIALS_MODES.includes(credentials)) {
    throw new TypeError(
      `corsFetch: credentials must be 'omit', 'same-origin' or 'include'; got ${String(credentials)}`,
    );
  }
  const path = init.path ?? '/';
  if (!path.startsWith('/')) throw new TypeError(`corsFetch: path must start with "/"; got ${JSON.stringify(path)}`);
  if (init.body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new TypeError(`corsFetch: a ${method} request cannot have a body`);
  }
  const lines = requestHeaderLines(init.headers, init.body);
  const timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const endpoint = await resolveTarget(target);
  try {
    if (endpoint.origin === origin) {
      throw new TypeError(`corsFetch: ${origin} is the server's own origin; that fetch would not be cross-origin`);
    }
    const reasons = preflightReasons(method, lines);
    const unsafeHeaderNames = corsUnsafeRequestHeaderNames(lines);
    const request = { origin, credentials, method, unsafeHeaderNames };
    let preflight;
    if (reasons.length > 0) {
      preflight = await endpoint.send({
        method: 'OPTIONS',
        path,
        headers: [
          ['Accept', '*/*'],
          ['Origin', origin],
          ['Access-Control-Request-Method', method],
          ...(unsafeHeaderNames.length > 0
            ? [['Access-Control-Request-Headers', unsafeHeaderNames.join(',')] as const]
            : []),
        ],
        timeoutMs,
      });
      const failure = preflightCheck(request, preflight);
      if (failure !== null) {
        return {
          readable: false,
          stage: 'preflight',
          reason: failure,
          preflightReasons: reasons,
          preflight,
          exposedHeaders: {},
        };
      }
    }
    const response = await endpoint.send({
      method,
      path,
      headers: [
        ...lines.map((line) => [line.name, line.value] as const),
        ['Origin', origin],
        ...(credentials === 'include' && init.cookie !== undefined ? [['Cookie', init.cookie] as const] : []),
        ...contentLength(method, init.body),
      ],
      body: init.body,
      timeoutMs,
    });
    const failure = corsCheck(request, response);
    if (failure !== null) {
      return {
        readable: false,
        stage: 'response',
        reason: failure,
        preflightReasons: reasons,
        preflight,
        response,
        exposedHeaders: {},
      };
    }
    return {
      readable: true,
      stage: 'response',
      preflightReasons: reasons,
      preflight,
      response,
      exposedHeaders: readableHeaders(request, response),
    };
  } finally {
    await endpoint.release();
  }
}
