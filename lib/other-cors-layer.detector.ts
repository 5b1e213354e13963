import { Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { repairEveryResponse, repairResponse } from './http/cors-response-repair.js';
import { observeUse } from './http/adapter-use.observer.js';

/** A CORS layer other than this module, found at boot. */
export interface OtherCorsLayer {
  /** What it is and what adds it. */
  readonly name: string;
  /** What to remove. */
  readonly fix: string;
}

/** The part of Nest's HTTP adapter the detector reads. */
export interface OtherCorsLayerHost {
  getType?(): string;
  getInstance?(): unknown;
  getHttpServer?(): unknown;
}

/** Thrown at boot when another CORS layer is active and `allowOtherCorsLayers` is not set. */
export class OtherCorsLayerError extends Error {
  constructor(readonly layers: readonly OtherCorsLayer[]) {
    super(otherLayerMessage(layers));
    this.name = 'OtherCorsLayerError';
  }
}

/** The name of the `cors` package's middleware function (Express layers are named after their handler). */
const CORS_MIDDLEWARE_NAME = 'corsMiddleware';
/** The request decorator `@fastify/cors` adds to the instance it is registered on. */
const FASTIFY_CORS_DECORATOR = 'corsPreflightEnabled';
const FASTIFY_CORS_PLUGIN = '@fastify/cors';

const EXPRESS_CORS_MIDDLEWARE: OtherCorsLayer = {
  name:
    "the cors middleware in Express's middleware stack (added by app.enableCors(), " +
    'the cors option of NestFactory.create(), or app.use(cors()))',
  fix: 'remove app.enableCors(), the cors option of NestFactory.create() and app.use(cors())',
};

const FASTIFY_CORS_ON_ROOT: OtherCorsLayer = {
  name:
    '@fastify/cors on the root Fastify instance (registered by app.enableCors(), ' +
    'the cors option of NestFactory.create(), or app.register(fastifyCors))',
  fix: 'remove app.enableCors(), the cors option of NestFactory.create() and app.register(fastifyCors)',
};

const FASTIFY_MIDDIE_CORS: OtherCorsLayer = {
  name: 'the cors middleware run by @fastify/middie (app.use(cors()))',
  fix: 'remove app.use(cors())',
};

function fastifyCorsInPlugin(prefix: string | undefined): OtherCorsLayer {
  const where = prefix ? ` (prefix ${JSON.stringify(prefix)})` : '';
  return {
    name: `@fastify/cors registered inside an encapsulated Fastify plugin${where}`,
    fix: `remove the register(fastifyCors) call from that plugin${where}`,
  };
}

/** The boot error: both layers, what to remove, where the options go, and the opt-in. */
export function otherLayerMessage(layers: readonly OtherCorsLayer[]): string {
  return [
    'Another CORS layer is active next to CorsModule, and the two would answer CORS for the same requests: ' +
      'the other one sends Access-Control-Allow-Origin to origins your CorsModule policies refuse.',
    '  - nestjs-cors: CorsModule.forRoot()/forRootAsync() and @Cors()',
    ...layers.map((layer) => `  - ${layer.name}`),
    `Fix: ${layers.map((layer) => layer.fix).join('; ')}. ` +
      'Its options move to CorsModule.forRoot() (module defaults) or @Cors() (one route): ' +
      'origin, methods, allowedHeaders, exposedHeaders, credentials, maxAge, preflightContinue and ' +
      'optionsSuccessStatus keep their names.',
    'To keep both layers on purpose, set allowOtherCorsLayers: true in CorsModule.forRoot(): ' +
      "CorsModule then removes the other layer's Access-Control-Allow-Origin, -Credentials and " +
      '-Expose-Headers wherever its own policy decides otherwise.',
  ].join('\n');
}

interface ExpressLayerLike {
  name?: string;
  handle?: { stack?: unknown };
}

interface FastifyRouteLike {
  method: string | string[];
  url: string;
  prefix?: string;
}

interface FastifyLike {
  addHook(name: 'onRoute', hook: (this: FastifyLike, route: FastifyRouteLike) => void): unknown;
  addHook(name: 'onReady', hook: (done: (error?: Error) => void) => void): unknown;
  addHook(
    name: 'onRequest',
    hook: (request: { raw: IncomingMessage }, reply: { raw: ServerResponse }, done: () => void) => void,
  ): unknown;
  hasRequestDecorator(name: string): boolean;
  printPlugins(): string;
}

/** `@fastify/cors` always adds an `OPTIONS *` route (under its context's prefix). */
function isFastifyCorsRoute(route: FastifyRouteLike): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods.includes('OPTIONS') && route.url.endsWith('*');
}

function isCorsMiddleware(arg: unknown): boolean {
  return Array.isArray(arg)
    ? arg.some(isCorsMiddleware)
    : typeof arg === 'function' && arg.name === CORS_MIDDLEWARE_NAME;
}

/** The cors middleware anywhere in an Express router stack (routers mounted with `use()` included). */
function hasCorsMiddleware(stack: unknown, depth = 0): boolean {
  if (!Array.isArray(stack) || depth > 8) return false;
  return (stack as ExpressLayerLike[]).some(
    (layer) => layer?.name === CORS_MIDDLEWARE_NAME || hasCorsMiddleware(layer?.handle?.stack, depth + 1),
  );
}

/**
 * Whether `printPlugins()` lists `@fastify/cors` below the root level, i.e.
 * inside another plugin. Each line is a tree branch (`├── `, `│ └─┬ `…)
 * followed by the plugin's name and its load time.
 */
function fastifyCorsInPluginTree(tree: string): boolean {
  return tree.split('\n').some((line) => {
    const match = /^([│ ]*)[├└]─[─┬] (.*?)(?: -?\d+ ms)?$/.exec(line);
    return match !== null && match[1].length > 0 && match[2] === FASTIFY_CORS_PLUGIN;
  });
}

/**
 * Finds another CORS layer when the app boots, and refuses to start with one
 * error naming both layers — unless `allowOtherCorsLayers: true`, in which case
 * every response is made to carry exactly this module's access headers.
 *
 * - Express: the `cors` middleware (`app.enableCors()`, the `cors` option,
 *   `app.use(cors())`) in the router stack.
 * - Fastify: `@fastify/cors` on the root instance (its request decorator; Nest's
 *   `enableCors()` and the `cors` option load it too); inside an encapsulated
 *   plugin (its `OPTIONS *` route seen through `onRoute`, or its entry in
 *   `printPlugins()` for a plugin loaded before the adapter reached Nest);
 *   the `cors` middleware passed to `app.use()` (run by middie).
 *
 * It starts looking as soon as Nest has the HTTP adapter (`HttpAdapterHost.init$`),
 * before main.ts or a test's setup can call `app.use()` / `app.register()`.
 * `check()` runs at the end of `app.init()`, and on Fastify once more in
 * `onReady`, where the plugins registered without `await` (and the one of
 * `enableCors()`) have loaded: before `listen()` binds the port.
 */
@Injectable()
export class OtherCorsLayerDetector implements OnModuleDestroy {
  private readonly logger = new Logger('CorsModule');
  private adapter?: OtherCorsLayerHost;
  private watching = false;
  /** Set once the end of `app.init()` was checked: a layer added later is refused where it is added. */
  private checked = false;
  private allow = false;
  private corsMiddlewareUsed = false;
  private readonly inPlugins = new Map<string, OtherCorsLayer>();
  private repairing = false;
  private stopRepair?: () => void;
  private stopObservingUse?: () => void;
  private middlewareUsed = false;
  private middlewareListeners: Array<() => void> = [];

  constructor(@Optional() adapterHost?: HttpAdapterHost) {
    // Replays at once when the adapter is already set (NestFactory.create()); a test module sets it later.
    adapterHost?.init$?.subscribe(() => this.attach(adapterHost.httpAdapter as OtherCorsLayerHost | undefined));
  }

  /**
   * Starts checking an application's adapter (called from `CorsModule.configure()`,
   * before Nest registers the routes); `allow` is `allowOtherCorsLayers`.
   */
  watch(adapter: OtherCorsLayerHost, options: { allow: boolean }): void {
    this.attach(adapter);
    this.watching = true;
    this.allow = options.allow;
    const fastify = this.fastify();
    if (fastify !== undefined && options.allow) {
      // Responses that never pass the HTTP server (`app.inject()`) are repaired here;
      // the flag stays off, and this costs one test per request, unless another layer is found.
      fastify.addHook('onRequest', (request, reply, done) => {
        if (this.repairing) repairResponse(request.raw, reply.raw);
        done();
      });
    }
  }

  /** The other CORS layers active now. */
  find(): OtherCorsLayer[] {
    const adapter = this.adapter;
    if (adapter === undefined) return [];
    const fastify = this.fastify();
    if (fastify === undefined) {
      const app = adapter.getInstance?.() as
        { router?: { stack?: unknown }; _router?: { stack?: unknown } } | undefined;
      const found = this.corsMiddlewareUsed || hasCorsMiddleware((app?._router ?? app?.router)?.stack);
      return found ? [EXPRESS_CORS_MIDDLEWARE] : [];
    }
    const layers: OtherCorsLayer[] = [];
    if (fastify.hasRequestDecorator(FASTIFY_CORS_DECORATOR)) layers.push(FASTIFY_CORS_ON_ROOT);
    layers.push(...this.inPlugins.values());
    if (this.inPlugins.size === 0 && fastifyCorsInPluginTree(fastify.printPlugins())) {
      layers.push(fastifyCorsInPlugin(undefined));
    }
    if (this.corsMiddlewareUsed) layers.push(FASTIFY_MIDDIE_CORS);
    return layers;
  }

  /**
   * Throws `OtherCorsLayerError` when another layer is active and not allowed;
   * when allowed, starts the response repair (once) and says so.
   */
  check(): void {
    this.checked = true;
    const layers = this.find();
    if (layers.length === 0) return;
    if (!this.allow) throw new OtherCorsLayerError(layers);
    if (this.repairing) return;
    this.repairing = true;
    const server = this.adapter?.getHttpServer?.() as Server | undefined;
    if (typeof server?.prependListener === 'function') {
      this.stopRepair = repairEveryResponse(server);
    }
    this.logger.log(
      `allowOtherCorsLayers: true, next to ${layers.map((layer) => layer.name).join(' and ')}: ` +
        'every response carries the Access-Control-Allow-Origin, -Credentials and -Expose-Headers ' +
        'of the CorsModule policy, whatever the other layer set.',
    );
  }

  /** Calls `listener` once the app has middleware from `app.use()` (at once if it has already). */
  onMiddleware(listener: () => void): void {
    if (this.middlewareUsed) listener();
    else this.middlewareListeners.push(listener);
  }

  private noteMiddleware(): void {
    if (this.middlewareUsed) return;
    this.middlewareUsed = true;
    const listeners = this.middlewareListeners;
    this.middlewareListeners = [];
    for (const listener of listeners) listener();
  }

  onModuleDestroy(): void {
    this.middlewareListeners = [];
    this.stopRepair?.();
    this.stopObservingUse?.();
    this.stopRepair = this.stopObservingUse = undefined;
    this.repairing = this.watching = this.checked = false;
    this.inPlugins.clear();
    this.adapter = undefined;
  }

  /** Starts looking at an adapter: Fastify's hooks, and what `app.use()` is given. */
  private attach(adapter: OtherCorsLayerHost | undefined): void {
    if (adapter === undefined || adapter === this.adapter) return;
    this.adapter = adapter;
    // On Fastify, middie keeps no middleware a framework could look up, and Nest hands it wrapped; on both,
    // a cors middleware added after app.init() (in main.ts, before listen()) is refused right in app.use().
    this.stopObservingUse = observeUse(adapter, (args) => {
      this.noteMiddleware();
      if (!args.some(isCorsMiddleware)) return;
      this.corsMiddlewareUsed = true;
      if (this.checked) this.check();
    });
    const fastify = this.fastify();
    if (fastify === undefined) return;
    const inPlugins = this.inPlugins;
    fastify.addHook('onRoute', function (this: FastifyLike, route) {
      // `this` is the context the route is registered in; the root's decorator is checked in `find()`.
      if (this !== fastify && isFastifyCorsRoute(route) && this.hasRequestDecorator(FASTIFY_CORS_DECORATOR)) {
        inPlugins.set(route.prefix ?? '', fastifyCorsInPlugin(route.prefix));
      }
    });
    fastify.addHook('onReady', (done) => {
      if (!this.watching) return done();
      try {
        this.check();
        done();
      } catch (error) {
        done(error as Error);
      }
    });
  }

  private fastify(): FastifyLike | undefined {
    if (this.adapter?.getType?.() !== 'fastify') return undefined;
    const instance = this.adapter.getInstance?.() as FastifyLike | undefined;
    return typeof instance?.hasRequestDecorator === 'function' ? instance : undefined;
  }
}
