/**
 * The benchmark app, built without a compiler: controllers are generated
 * classes decorated with `Reflect.decorate`, which is what TypeScript emits
 * for `@Controller()` / `@Get()` (no handler takes parameters, so no
 * `design:paramtypes` metadata is needed).
 */
import 'reflect-metadata';
import * as common from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { libraryUrl } from './library.mjs';
import { benchPolicy, CONTROLLER_ROUTES, controllerCount, DEFAULT_VERSION, GLOBAL_PREFIX } from './scenarios.mjs';

const { Controller, Module, VersioningType } = common;

const BODY = Object.freeze({ id: 123, name: 'item', tags: ['a', 'b'] });

function defineHandler(prototype, name, verb, path) {
  const handler = {
    [name]() {
      return BODY;
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

async function createAdapter(adapterName) {
  if (adapterName === 'express') {
    const { ExpressAdapter } = await import('@nestjs/platform-express');
    return new ExpressAdapter();
  }
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return new FastifyAdapter();
}

/**
 * The same app three ways: `none` (no CORS), `enable-cors`
 * (`app.enableCors(policy)`) and `module` (`CorsModule.forRoot(policy)`,
 * `@Cors()` on every controller), imported from the compiled `dist/`.
 */
export async function createBenchApp(adapterName, variant, routes) {
  const imports = [];
  const classDecorators = [];
  if (variant === 'module') {
    const { CorsModule, Cors } = await import(libraryUrl('index.js'));
    imports.push(CorsModule.forRoot(benchPolicy()));
    classDecorators.push(Cors());
  }
  const controllers = buildControllers(controllerCount(routes), classDecorators);
  const AppModule = Reflect.decorate([Module({ imports, controllers })], class BenchAppModule {});
  const app = await NestFactory.create(AppModule, await createAdapter(adapterName), {
    logger: ['error', 'warn'],
  });
  app.setGlobalPrefix(GLOBAL_PREFIX);
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: DEFAULT_VERSION });
  if (variant === 'enable-cors') {
    app.enableCors(benchPolicy());
  }
  return app;
}
