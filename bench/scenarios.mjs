/**
 * What every variant of the benchmark app shares: the CORS policy (the same
 * object goes to `app.enableCors()` and to `CorsModule.forRoot()`), the route
 * set, and the requests each scenario sends.
 */

export const ALLOWED_ORIGIN = 'https://app.example.com';
export const REFUSED_ORIGIN = 'https://evil.example.net';

/** The policy of every variant that has CORS: an origin list with credentials. */
export function benchPolicy() {
  return {
    origin: ['https://app.example.com', 'https://admin.example.com', 'https://partner.example.org'],
    credentials: true,
    methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Requested-With'],
    exposedHeaders: ['X-Request-Id'],
    maxAge: 600,
  };
}

export const GLOBAL_PREFIX = 'api';
export const DEFAULT_VERSION = '1';

/** The ten routes of every controller (`:id` and `:itemId` are path params). */
export const CONTROLLER_ROUTES = [
  { verb: 'Get', path: '' },
  { verb: 'Post', path: '' },
  { verb: 'Get', path: 'search' },
  { verb: 'Get', path: ':id' },
  { verb: 'Put', path: ':id' },
  { verb: 'Delete', path: ':id' },
  { verb: 'Get', path: ':id/items' },
  { verb: 'Post', path: ':id/items' },
  { verb: 'Get', path: ':id/items/:itemId' },
  { verb: 'Put', path: ':id/items/:itemId' },
];

/** The two app sizes: 1 controller (10 routes) and 100 controllers (1,000 routes). */
export const APP_SIZES = [10, 1000];

export function controllerCount(routes) {
  return Math.max(1, Math.round(routes / CONTROLLER_ROUTES.length));
}

/** The controller every scenario hits: the middle one (Express tries routes in order). */
export function targetController(routes) {
  return Math.floor(controllerCount(routes) / 2);
}

export function targetPath(routes) {
  return `/${GLOBAL_PREFIX}/v${DEFAULT_VERSION}/r${targetController(routes)}/123/items/456`;
}

/** 16 KiB of commas and names: far over any sane `Access-Control-Request-Headers`. */
export const HOSTILE_REQUEST_HEADERS = ',,,,,,,x-hostile-header-name'.repeat(700).slice(0, 16 * 1024);
export const NORMAL_REQUEST_HEADERS = 'content-type, x-requested-with';

/** The servers get room for the hostile header (Node's default limit is 16 KiB for all headers). */
export const SERVER_NODE_OPTIONS = ['--max-http-header-size=65536'];

export const SCENARIOS = [
  { id: 'actual', label: 'GET, allowed origin' },
  { id: 'preflight', label: 'preflight (OPTIONS)' },
  { id: 'no-origin', label: 'GET without Origin' },
  { id: 'refused', label: 'GET, refused origin' },
  { id: 'hostile', label: 'preflight, 16 KiB request-headers' },
];

/** The request of one scenario against an app with `routes` routes. */
export function scenarioRequest(id, routes) {
  const path = targetPath(routes);
  switch (id) {
    case 'actual':
      return { method: 'GET', path, headers: { origin: ALLOWED_ORIGIN } };
    case 'preflight':
      return {
        method: 'OPTIONS',
        path,
        headers: {
          origin: ALLOWED_ORIGIN,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': NORMAL_REQUEST_HEADERS,
        },
      };
    case 'no-origin':
      return { method: 'GET', path, headers: {} };
    case 'refused':
      return { method: 'GET', path, headers: { origin: REFUSED_ORIGIN } };
    case 'hostile':
      return {
        method: 'OPTIONS',
        path,
        headers: {
          origin: ALLOWED_ORIGIN,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': HOSTILE_REQUEST_HEADERS,
        },
      };
    default:
      throw new Error(`unknown scenario ${id}`);
  }
}

/** The request of one scenario as `light-my-request` options (bench/inject-server.mjs, bench/own-time.mjs). */
export function injectRequest(id, routes) {
  const { method, path, headers } = scenarioRequest(id, routes);
  return { method, url: path, headers };
}

/**
 * `scenarios`: where a variant is measured (all when absent). The global
 * no-op guard only matters on requests that reach a handler; the floor
 * writes no answer of its own to a refused origin beyond `Vary`.
 */
export const VARIANTS = [
  { id: 'none', label: 'no CORS' },
  { id: 'none-guard', label: 'no CORS + global no-op guard', scenarios: ['actual', 'no-origin'] },
  { id: 'enable-cors', label: 'app.enableCors()' },
  { id: 'floor', label: 'floor (hand-written hook)' },
  { id: 'module', label: 'nestjs-cors' },
];

export function variantMeasures(variant, scenarioId) {
  return variant.scenarios === undefined || variant.scenarios.includes(scenarioId);
}

/** The realistic scenario: a route that awaits ~1 ms behind the app's own global interceptor and auth guard. */
export const REALISTIC_PATH = 'orders';
export const REALISTIC_TOKEN = 'bench-token';
export const REALISTIC_WORK_MS = 1;
export const REALISTIC_VARIANTS = ['none', 'enable-cors', 'module'];

export function realisticRequest() {
  return {
    method: 'GET',
    path: `/${GLOBAL_PREFIX}/v${DEFAULT_VERSION}/${REALISTIC_PATH}/42`,
    headers: { origin: ALLOWED_ORIGIN, authorization: `Bearer ${REALISTIC_TOKEN}` },
  };
}

export const ADAPTERS = ['express', 'fastify'];
