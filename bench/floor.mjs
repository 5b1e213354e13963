/**
 * The "floor" variant: the least a request hook can do to give this app's
 * responses the headers nestjs-cors gives them. It knows the answers in
 * advance (the three allowed origins, the exact header values), so it does
 * no policy work at all: a Set lookup, a method check, constant strings.
 * What the module costs beyond this is the price of deciding per route.
 */
import { benchPolicy } from './scenarios.mjs';

const policy = benchPolicy();
const ALLOWED = new Set(policy.origin);
const EXPOSE = policy.exposedHeaders.join(', ');
const MAX_AGE = String(policy.maxAge);
const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';
/** Longer `Access-Control-Request-Headers` are refused (the module refuses the 16 KiB one with 403). */
const MAX_REQUEST_HEADERS = 1024;

/** `set(name, value)` on the adapter's response object, `end(status)` to answer a preflight. */
function writers(adapterName) {
  if (adapterName === 'fastify') {
    return {
      set: (reply, name, value) => reply.header(name, value),
      end: (reply, status) => reply.code(status).header('content-length', '0').send(),
    };
  }
  return {
    set: (res, name, value) => res.setHeader(name, value),
    end: (res, status) => {
      res.statusCode = status;
      res.setHeader('Content-Length', '0');
      res.end();
    },
  };
}

/** `wrap`: what the hook is passed through before it is installed (own-time.mjs puts a clock around it). */
export function installFloorHook(httpAdapter, adapterName, wrap = (hook) => hook) {
  const { set, end } = writers(adapterName);
  const fastify = adapterName === 'fastify';
  const hook = (request, response, done) => {
    const headers = fastify ? request.raw.headers : request.headers;
    const origin = headers.origin;
    if (origin === undefined || !ALLOWED.has(origin)) {
      set(response, 'Vary', 'Origin');
      return done();
    }
    const requestMethod = headers['access-control-request-method'];
    if (request.method === 'OPTIONS' && requestMethod !== undefined) {
      const requestHeaders = headers['access-control-request-headers'];
      set(response, 'Vary', PREFLIGHT_VARY);
      if (requestHeaders !== undefined && requestHeaders.length > MAX_REQUEST_HEADERS) return end(response, 403);
      set(response, 'Access-Control-Allow-Origin', origin);
      set(response, 'Access-Control-Allow-Credentials', 'true');
      set(response, 'Access-Control-Allow-Methods', requestMethod);
      if (requestHeaders) set(response, 'Access-Control-Allow-Headers', requestHeaders);
      set(response, 'Access-Control-Max-Age', MAX_AGE);
      return end(response, 204);
    }
    set(response, 'Access-Control-Allow-Origin', origin);
    set(response, 'Access-Control-Allow-Credentials', 'true');
    set(response, 'Access-Control-Expose-Headers', EXPOSE);
    set(response, 'Vary', 'Origin');
    return done();
  };
  httpAdapter.setOnRequestHook(wrap(hook));
}
