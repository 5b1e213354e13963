import {
  Logger,
  Module,
  RequestMethod,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { ConfigurableCorsModule } from './cors.module-definition.js';
import { CorsConfigurationError } from './cors-configuration.error.js';
import { CorsGuard } from './cors.guard.js';
import { CorsOriginCache } from './cors-origin-cache.service.js';
import { CorsPolicyRegistry } from './cors-policy.registry.js';
import { formatPolicyReport } from './cors-policy.report.js';
import { CorsRequestHook } from './cors-request.hook.js';
import { OtherCorsLayerDetector } from './other-cors-layer.detector.js';
import { watchMiddlewareFactory } from './http/middleware-watch.js';
import type { RequestHookHost } from './http/request-hook-slot.js';
import { emptyParamsFindNoHandler, routeParamsMatchers } from './routing/route-params-gate.js';
import { readFastifyRouterOptions } from './routing/fastify-route-table.js';
import { adapterHostname } from './routing/host-patterns.js';
import { RouteRegistrationRecorder } from './routing/route-registration-recorder.js';
import { keepNextTickShape, settleTickAllocation } from './runtime/next-tick-shape.js';
import { leaveOutOfRouteGuardLists } from './runtime/route-guard-lists.js';
import {
  ExpressRequestRouter,
  FastifyRequestRouter,
  type FastifyRouteOptions,
  type RequestRouter,
} from './routing/request-router.js';

/** Applications this module already serves: a second `forRoot()` would answer every request twice. */
const configuredApps = new WeakSet<ModulesContainer>();

interface HttpAdapterLike extends RequestHookHost {
  getRouteMatchingOptions?(): { caseSensitive?: boolean; ignoreTrailingSlash?: boolean };
  getRequestHostname?(request: unknown): string | undefined;
}

interface ExpressAppLike {
  router?: { caseSensitive?: boolean; strict?: boolean };
}

interface FastifyInstanceLike {
  initialConfig?: unknown;
  addHook(name: 'onRoute', hook: (route: FastifyRouteOptions) => void): unknown;
}

/**
 * Per-route CORS for Nest: `CorsModule.forRoot(options)` or
 * `CorsModule.forRootAsync({ imports, inject, useFactory | useClass | useExisting })`,
 * then `@Cors()` on controllers and handlers.
 *
 * Import it once, in the root module. At `app.init()` it validates every
 * policy (the app does not start with an invalid one), compiles each
 * handler's merged policy, installs the early request hook and builds the
 * route table from the routes Nest registers. Its guard is global
 * (`APP_GUARD`); nothing is attached to your controllers.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    CorsPolicyRegistry,
    CorsRequestHook,
    CorsOriginCache,
    OtherCorsLayerDetector,
    CorsGuard,
    { provide: APP_GUARD, useExisting: CorsGuard },
  ],
  exports: [CorsPolicyRegistry, CorsOriginCache],
})
export class CorsModule
  extends ConfigurableCorsModule
  implements NestModule, OnModuleInit, OnApplicationBootstrap, OnModuleDestroy
{
  private readonly logger = new Logger('CorsModule');
  private readonly recorder = new RouteRegistrationRecorder();
  private router?: RequestRouter;
  private recording = false;
  private stopWatchingMiddleware?: () => void;
  private restoreGuard?: () => void;

  constructor(
    private readonly registry: CorsPolicyRegistry,
    private readonly hook: CorsRequestHook,
    private readonly adapterHost: HttpAdapterHost,
    private readonly modulesContainer: ModulesContainer,
    private readonly otherLayers: OtherCorsLayerDetector,
    private readonly guard: CorsGuard,
  ) {
    super();
    // Before app.init() registers the routes: see lib/runtime/next-tick-shape.ts.
    keepNextTickShape();
    // Only Fastify's boot floods the tick queue (two ticks per route); the
    // adapter is not known yet when a testing module builds this one.
    const adapterType = adapterHost.httpAdapter?.getType();
    if (adapterType === undefined || adapterType === 'fastify') settleTickAllocation();
  }

  /**
   * Runs in `app.init()` after `main.ts` set the global prefix and versioning,
   * and before Nest registers the routes: the moment to compile policies,
   * install the hook and start recording routes.
   */
  configure(_consumer: MiddlewareConsumer): void {
    if (configuredApps.has(this.modulesContainer)) {
      throw new Error(
        'CorsModule.forRoot()/forRootAsync() is imported more than once in this application. ' +
          'Import it once, in the root module: @Cors() works in every module.',
      );
    }
    configuredApps.add(this.modulesContainer);
    try {
      this.registry.compile();
    } catch (error) {
      if (error instanceof CorsConfigurationError) {
        // Printed once, as the list it is; the rejection Node prints after it is one line.
        this.logger.error(error.message);
        throw error.markReported();
      }
      throw error;
    }
    const adapter = this.adapterHost.httpAdapter as unknown as HttpAdapterLike | undefined;
    if (!adapter) return;
    this.otherLayers.watch(adapter, { allow: this.registry.allowOtherCorsLayers });
    // Every route answering as the module defaults do (the usual app): the early layer never looks a route
    // up, so no route table is built (bench/findings.md, section 7: most of the module's boot work per route).
    const router = this.registry.uniformRoutes === undefined ? this.createRouter(adapter) : undefined;
    this.router = router;
    if (!this.hook.install(adapter, router)) {
      this.logger.warn('The HTTP adapter has no request hook: preflights and error responses will lack CORS headers.');
      return;
    }
    if (adapter.getType?.() === 'fastify') {
      // Middleware may end a response itself, past Fastify's reply: from then on the headers go to both.
      const mirror = () => this.hook.httpExchange.mirrorToNodeResponse();
      this.otherLayers.onMiddleware(mirror);
      this.stopWatchingMiddleware = watchMiddlewareFactory(adapter, mirror);
    }
    if (router === undefined) {
      // No route table to fill: which handler each route serves is worked out only if the report is asked for.
      this.recorder.startDeferred(adapter, this.registry.handlers);
    } else {
      this.recorder.start(
        adapter,
        this.registry.handlers,
        ({ method, path, entry, conditional }) =>
          router.add(
            method,
            path,
            entry === undefined ? this.registry.defaultsRoute : this.registry.candidateFor(entry, conditional),
          ),
        {
          registered: router instanceof FastifyRequestRouter ? () => router.settle() : undefined,
          needsIdentifying: this.registry.routesToIdentify,
        },
      );
    }
    // The report's rows are built only if it is asked for (most apps never do).
    this.registry.recordRoutesOnDemand(() =>
      this.recorder.replay(this.registry.handlers, (method, path, entry) =>
        this.registry.recordRoute(method, path, entry),
      ),
    );
    this.recording = true;
    // Nothing for the guard to check on any route: the routes Nest registers next run no guard pipeline for it.
    if (this.registry.guardHasNoWork) this.restoreGuard = leaveOutOfRouteGuardLists(this.guard);
  }

  private createRouter(adapter: HttpAdapterLike): RequestRouter {
    if (adapter.getType?.() === 'fastify') {
      const fastify = adapter.getInstance?.() as FastifyInstanceLike;
      const exposeHeadRoutes = (fastify.initialConfig as { exposeHeadRoutes?: boolean } | undefined)?.exposeHeadRoutes;
      const router = new FastifyRequestRouter(
        {
          ...readFastifyRouterOptions(fastify.initialConfig),
          exposeHeadRoutes,
          emptyParamsFindNoHandler: emptyParamsFindNoHandler(adapter),
          paramsMatchers: routeParamsMatchers(adapter),
          hostname: adapterHostname(adapter),
          declaresHeadRoutes: this.registry.handlers.some(
            ({ requestMethod }) => requestMethod === RequestMethod.HEAD || requestMethod === RequestMethod.ALL,
          ),
        },
        this.registry.defaultsRoute,
      );
      fastify.addHook('onRoute', (route) => router.onRoute(route));
      return router;
    }
    const app = adapter.getInstance?.() as ExpressAppLike | undefined;
    const matching = adapter.getRouteMatchingOptions?.();
    return new ExpressRequestRouter(
      {
        caseSensitive: matching?.caseSensitive ?? app?.router?.caseSensitive ?? false,
        strict:
          matching?.ignoreTrailingSlash === undefined ? (app?.router?.strict ?? false) : !matching.ignoreTrailingSlash,
        hostname: adapterHostname(adapter),
      },
      this.registry.defaultsRoute,
    );
  }

  /** Runs right after Nest registered every route. */
  onModuleInit(): void {
    this.putGuardBack();
    if (!this.recording) return;
    this.recorder.stop();
    this.router?.seal();
    this.recording = false;
    if (this.registry.handlers.length > 0 && this.recorder.routesSeen === 0) {
      throw new Error(
        'nestjs-cors saw none of the routes Nest registered, so preflights would be judged by the module defaults only. ' +
          'This Nest version registers routes differently from the ones nestjs-cors supports; please report it.',
      );
    }
  }

  private putGuardBack(): void {
    this.restoreGuard?.();
    this.restoreGuard = undefined;
  }

  onApplicationBootstrap(): void {
    // Another CORS layer found by now (Express: all of them; Fastify checks again once its plugins loaded) stops the boot.
    this.otherLayers.check();
    this.hook.watchSlot(this.adapterHost.httpAdapter?.getHttpServer?.());
    this.hook.appendFallThrough(this.adapterHost.httpAdapter ?? {});
    if (this.registry.printReport) {
      this.logger.log(`Effective CORS policies:\n${formatPolicyReport(this.registry.report())}`);
    }
  }

  onModuleDestroy(): void {
    this.putGuardBack();
    this.stopWatchingMiddleware?.();
    this.stopWatchingMiddleware = undefined;
    this.recorder.stop();
    this.hook.uninstall();
    configuredApps.delete(this.modulesContainer);
  }
}
