/**
 * The benchmark app, built without a compiler: controllers are generated
 * classes decorated with `Reflect.decorate`, which is what TypeScript emits
 * for `@Controller()` / `@Get()` (no handler takes parameters, so no
 * `design:paramtypes` metadata is needed).
 */
import 'reflect-metadata';
import inject from 'light-my-request';
import * as common from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { tap } from 'rxjs';
import { libraryUrl } from './library.mjs';
import { installFloorHook } from './floor.mjs';
import {
  benchPolicy,
  CONTROLLER_ROUTES,
  controllerCount,
  DEFAULT_VERSION,
  GLOBAL_PREFIX,
  REALISTIC_PATH,
  REALISTIC_TOKEN,
  REALISTIC_WORK_MS,
} from './scenarios.mjs';

const { Controller, Module, VersioningType, UnauthorizedException } = common;

const BODY = Object.freeze({ id: 123, name: 'item', tags: ['a', 'b'] });

function defineHandler(prototype, name, verb, path, body = () => BODY) {
  const handler = {
    [name]() {
      return body();
    },
  }[name];
  Object.defineProperty(prototype, name, { value: handler, writable: true, configurable: true, enumerable: false });
  const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
  const decorated = Reflect.decorate([common[verb](path)], prototype, name, descriptor);
  Object.defineProperty(prototype, name, decorated ?? descriptor);
}

/**
 * `count` controllers `r0`…`rN` of ten routes each. Odd controllers answer
 * versions 1 and 2, even ones the default version 1.
 */
function buildControllers(count, classDecorators) {
  const controllers = [];
  for (let index = 0; index < count; index++) {
    const name = `R${index}Controller`;
    let controller = { [name]: class {} }[name];
    CONTROLLER_ROUTES.forEach((route, routeIndex) => {
      defineHandler(controller.prototype, `${route.verb.toLowerCase()}${routeIndex}`, route.verb, route.path);
    });
    const options = index % 2 === 1 ? { path: `r${index}`, version: ['1', '2'] } : `r${index}`;
    controller = Reflect.decorate([Controller(options), ...classDecorators], controller);
    controllers.push(controller);
  }
  return controllers;
}

/** The realistic route: `GET /api/v1/orders/:id`, awaiting ~1 ms of I/O-like work (a timer) before it answers. */
function buildRealisticController(classDecorators) {
  let controller = class OrdersController {};
  defineHandler(controller.prototype, 'findOne', 'Get', ':id', async () => {
    await sleep(REALISTIC_WORK_MS);
    return BODY;
  });
  controller = Reflect.decorate([Controller(REALISTIC_PATH), ...classDecorators], controller);
  return controller;
}

/**
 * One route with a policy of its own (`GET /api/v1/special`, `maxAge: 300`):
 * what makes the `module-routed` variant an app whose routes do not all
 * answer alike, so that the module looks up the route of every request
 * (with one policy app-wide it needs no lookup).
 */
function buildPolicyController(Cors) {
  let controller = class SpecialController {};
  defineHandler(controller.prototype, 'special', 'Get', '');
  Reflect.decorate(
    [Cors({ maxAge: 300 })],
    controller.prototype,
    'special',
    Object.getOwnPropertyDescriptor(controller.prototype, 'special'),
  );
  controller = Reflect.decorate([Controller('special')], controller);
  return controller;
}

/** A global guard that lets everything through: the reference cost of any `APP_GUARD`. */
export class NoopGuard {
  canActivate() {
    return true;
  }
}

/** The realistic app's own auth guard: a bearer token compared with a constant. */
class AuthGuard {
  canActivate(context) {
    const request = context.switchToHttp().getRequest();
    if (request.headers.authorization !== `Bearer ${REALISTIC_TOKEN}`) throw new UnauthorizedException();
    return true;
  }
}

/** The realistic app's own interceptor: times the handler and sets a response header, as logging/metrics ones do. */
class TimingInterceptor {
  intercept(context, next) {
    const started = performance.now();
    const response = context.switchToHttp().getResponse();
    return next.handle().pipe(
      tap(() => {
        const timing = `app;dur=${(performance.now() - started).toFixed(2)}`;
        if (typeof response.header === 'function') response.header('Server-Timing', timing);
        else response.setHeader('Server-Timing', timing);
      }),
    );
  }
}

async function createAdapter(adapterName) {
  if (adapterName === 'express') {
    const { ExpressAdapter } = await import('@nestjs/platform-express');
    return new ExpressAdapter();
  }
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return new FastifyAdapter();
}

/**
 * The same app five ways: `none` (no CORS), `none-guard` (no CORS, a global
 * no-op `APP_GUARD`: what any global guard costs), `enable-cors`
 * (`app.enableCors(policy)`), `floor` (a hand-written request hook that
 * writes the module's headers for the module's origins, no policy logic;
 * `floor-guard` is the floor with the global no-op guard, the floor with the
 * cost Nest gives any global guard, which the module's targets include) and
 * `module` (`CorsModule.forRoot(policy)`, `@Cors()` on every controller),
 * imported from the compiled `dist/`; `module-routed` is `module` plus one
 * route with a policy of its own (paired and own-time parts only).
 *
 * `wrapFloorHook` wraps the floor's request hook, `noopGuard` adds the global
 * no-op guard to any variant (own-time.mjs: its control).
 *
 * `flavour` `realistic`: the app also gets a global interceptor and an auth
 * guard of its own, and the route `GET /api/v1/orders/:id` that awaits
 * ~1 ms before it answers.
 */
/**
 * The bench app initialised without a socket, and `send(options)`, which
 * injects one request (`light-my-request` options) into it: Fastify's own
 * `inject()`; an Express app is itself the request listener.
 */
export async function injectableBenchApp(adapterName, variant, routes, options) {
  const app = await createBenchApp(adapterName, variant, routes, 'hello', options);
  await app.init();
  const instance = app.getHttpAdapter().getInstance();
  if (adapterName === 'fastify') await instance.ready();
  const send =
    adapterName === 'fastify' ? (request) => instance.inject(request) : (request) => inject(instance, request);
  return { app, send };
}

export async function createBenchApp(
  adapterName,
  variant,
  routes,
  flavour = 'hello',
  { wrapFloorHook, noopGuard } = {},
) {
  const imports = [];
  const providers = [];
  const classDecorators = [];
  let extraControllers = [];
  if (variant === 'module' || variant === 'module-routed') {
    const { CorsModule, Cors } = await import(libraryUrl('index.js'));
    imports.push(CorsModule.forRoot(benchPolicy()));
    classDecorators.push(Cors());
    if (variant === 'module-routed') extraControllers = [buildPolicyController(Cors)];
  }
  if (variant === 'none-guard' || variant === 'floor-guard' || noopGuard) {
    providers.push({ provide: APP_GUARD, useClass: NoopGuard });
  }
  const controllers = [...buildControllers(controllerCount(routes), classDecorators), ...extraControllers];
  if (flavour === 'realistic') {
    controllers.push(buildRealisticController(classDecorators));
    providers.push(
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_INTERCEPTOR, useClass: TimingInterceptor },
    );
  }
  const AppModule = Reflect.decorate([Module({ imports, controllers, providers })], class BenchAppModule {});
  const app = await NestFactory.create(AppModule, await createAdapter(adapterName), {
    logger: ['error', 'warn'],
  });
  app.setGlobalPrefix(GLOBAL_PREFIX);
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: DEFAULT_VERSION });
  if (variant === 'enable-cors') app.enableCors(benchPolicy());
  if (variant === 'floor' || variant === 'floor-guard') {
    installFloorHook(app.getHttpAdapter(), adapterName, wrapFloorHook);
  }
  return app;
}
