import {
  Logger,
  Module,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { ConfigurableCorsModule } from './cors.module-definition.js';
import { CorsGuard } from './cors.guard.js';
import { CorsInterceptor } from './cors.interceptor.js';
import { CorsPolicyRegistry } from './cors-policy.registry.js';
import { formatPolicyReport } from './cors-policy.report.js';
import { CorsRequestHook, type RequestHookHost } from './cors-request.hook.js';
import { OtherCorsLayerDetector } from './other-cors-layer.detector.js';
import type { RouteMatchingOptions } from './routing/route-table.js';
import { attachToHandler } from './routing/handler-enhancers.js';
import { RouteRegistrationRecorder } from './routing/route-registration-recorder.js';

/** Applications this module already serves: a second `forRoot()` would answer every request twice. */
const configuredApps = new WeakSet<ModulesContainer>();

interface HttpAdapterLike extends RequestHookHost {
  getRouteMatchingOptions?(): Partial<RouteMatchingOptions>;
}

/**
 * Per-route CORS for Nest: `CorsModule.forRoot(options)` or
 * `CorsModule.forRootAsync({ imports, inject, useFactory | useClass | useExisting })`,
 * then `@Cors()` on controllers and handlers.
 *
 * Import it once, in the root module. At `app.init()` it validates every
 * policy (the app does not start with an invalid one), compiles each
 * handler's merged policy, installs the early request hook, and builds the
 * route table from the routes Nest registers.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [CorsPolicyRegistry, CorsRequestHook, CorsGuard, CorsInterceptor, OtherCorsLayerDetector],
  exports: [CorsPolicyRegistry],
})
export class CorsModule
  extends ConfigurableCorsModule
  implements NestModule, OnModuleInit, OnApplicationBootstrap, OnModuleDestroy
{
  private readonly logger = new Logger('CorsModule');
  private readonly recorder = new RouteRegistrationRecorder();
  private recording = false;
  private detachAfterRegistration: Array<() => void> = [];
  private detachAtShutdown: Array<() => void> = [];

  constructor(
    private readonly registry: CorsPolicyRegistry,
    private readonly hook: CorsRequestHook,
    private readonly adapterHost: HttpAdapterHost,
    private readonly modulesContainer: ModulesContainer,
    private readonly guard: CorsGuard,
    private readonly interceptor: CorsInterceptor,
    private readonly otherLayers: OtherCorsLayerDetector,
  ) {
    super();
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
    this.registry.compile();
    this.attachEnhancers();
    const adapter = this.adapterHost.httpAdapter as unknown as HttpAdapterLike | undefined;
    if (adapter) this.otherLayers.watch(adapter, { allow: this.registry.allowOtherCorsLayers });
    if (!adapter || !this.hook.install(adapter)) {
      this.logger.warn('The HTTP adapter has no request hook: preflights and error responses will lack CORS headers.');
      return;
    }
    const fastify = adapter.getType?.() === 'fastify';
    const matching = adapter.getRouteMatchingOptions?.() ?? {};
    this.registry.startRouteTable(
      {
        caseSensitive: matching.caseSensitive ?? fastify,
        ignoreTrailingSlash: matching.ignoreTrailingSlash ?? !fastify,
      },
      fastify ? 'find-my-way' : 'path-to-regexp',
    );
    this.recorder.start(adapter, (method, path, handler) => this.registry.recordRoute(method, path, handler));
    this.recording = true;
  }

  /**
   * Puts `CorsGuard` and `CorsInterceptor` on exactly the handlers where they
   * have a job (see `CorsRouteEntry.needsGuard` / `needsInterceptor`); Nest
   * reads them when it registers the routes, right after this.
   */
  private attachEnhancers(): void {
    for (const entry of this.registry.routes) {
      if (!entry.needsGuard && !entry.needsInterceptor) continue;
      const handler = entry.controller.prototype[entry.methodName] as Function;
      const detach = attachToHandler(
        handler,
        entry.needsGuard ? this.guard : undefined,
        entry.needsInterceptor ? this.interceptor : undefined,
      );
      (entry.requestScoped ? this.detachAtShutdown : this.detachAfterRegistration).push(detach);
    }
  }

  /** Runs right after Nest registered every route. */
  onModuleInit(): void {
    // Nest copied the enhancers of static routes at registration: take ours off the shared classes again.
    this.detachAfterRegistration.forEach((detach) => detach());
    this.detachAfterRegistration = [];
    if (!this.recording) return;
    this.recorder.stop();
    this.recording = false;
    this.registry.finishRouteTable();
    if (this.registry.routes.length > 0 && this.registry.routeCount === 0) {
      throw new Error(
        'nestjs-cors saw none of the routes Nest registered, so preflights would be judged by the module defaults only. ' +
          'This Nest version registers routes differently from the ones nestjs-cors supports; please report it.',
      );
    }
  }

  onApplicationBootstrap(): void {
    this.otherLayers.check();
    if (this.registry.printReport) {
      this.logger.log(`Effective CORS policies:\n${formatPolicyReport(this.registry.report())}`);
    }
  }

  onModuleDestroy(): void {
    this.detachAtShutdown.forEach((detach) => detach());
    this.detachAtShutdown = [];
    this.recorder.stop();
    this.registry.release();
    configuredApps.delete(this.modulesContainer);
  }
}
