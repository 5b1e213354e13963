import type { RequestMethod, Type } from '@nestjs/common';
import { HOST_METADATA, METHOD_METADATA, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants.js';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { CORS_METADATA } from '../cors.constants.js';
import type { CompiledPolicy } from '../engine/compiled-policy.js';
import { compileHostPatterns } from '../routing/host-patterns.js';
import { toPathList } from './declared-paths.js';
import type { HandlerEntry } from './handler-entry.interface.js';
import { MetadataReader } from './metadata-reader.js';
import type { PolicyCatalog } from './policy-catalog.js';
import { mayOverwriteVary } from './vary-writers.js';

/** Every policy found on the app's classes. Read once at boot; nothing is written to the classes. */
export interface DiscoveredPolicies {
  readonly handlers: readonly HandlerEntry[];
  /** Class policies of WebSocket gateways (when a CORS WebSocket adapter handles them). */
  readonly classes: ReadonlyMap<Function, CompiledPolicy>;
  /** `@Cors()` where it has no effect. */
  readonly warnings: readonly string[];
}

/**
 * Reads `@Cors()` from every controller and handler of the app (and from
 * gateways and other providers), and compiles each handler's policy through
 * the catalog. Problems go to the catalog's list.
 */
export function discoverPolicies(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  catalog: PolicyCatalog,
  isGateway: ((target: Function) => boolean) | undefined,
): DiscoveredPolicies {
  const handlers: HandlerEntry[] = [];
  const controllers = new Set<Function>();
  const metadata = new MetadataReader();
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as Type | undefined;
    if (typeof controller !== 'function' || controllers.has(controller)) continue;
    controllers.add(controller);
    handlers.push(...controllerHandlers(controller, scanner, catalog, metadata));
  }
  const classes = new Map<Function, CompiledPolicy>();
  const warnings: string[] = [];
  const seen = new Set<Function>();
  for (const wrapper of discovery.getProviders()) {
    const target = wrapper.metatype as Type | undefined;
    if (typeof target !== 'function' || !target.prototype || controllers.has(target) || seen.has(target)) continue;
    seen.add(target);
    const reference = metadata.read(CORS_METADATA, target) as unknown;
    const onMethods = scanner
      .getAllMethodNames(target.prototype)
      .filter((name) => metadata.read(CORS_METADATA, target.prototype[name] as Function) !== undefined)
      .map((name) => `${target.name}.${name}`);
    if (isGateway?.(target)) {
      classes.set(target, catalog.compile(catalog.resolve(reference, target.name), undefined, target.name));
      if (onMethods.length > 0) {
        warnings.push(
          `@Cors() on ${onMethods.join(', ')} has no effect: a gateway has one policy for its server; ` +
            'put @Cors() on the gateway class.',
        );
      }
      continue;
    }
    if (reference === undefined && onMethods.length === 0) continue;
    warnings.push(
      `@Cors() on ${reference !== undefined ? target.name : onMethods.join(', ')} has no effect: it is not an HTTP controller. ` +
        'For a GraphQL endpoint (resolvers), give its path a policy with the `paths` option of CorsModule; ' +
        "for a WebSocket gateway, use CorsIoAdapter or CorsWsAdapter from 'nestjs-cors/websockets'.",
    );
  }
  return { handlers, classes, warnings };
}

function controllerHandlers(
  controller: Type,
  scanner: MetadataScanner,
  catalog: PolicyCatalog,
  metadata: MetadataReader,
): HandlerEntry[] {
  const classLayer = catalog.resolve(metadata.read(CORS_METADATA, controller), controller.name);
  const host = metadata.read(HOST_METADATA, controller) as Parameters<typeof compileHostPatterns>[0] | undefined;
  const hosts = host === undefined ? undefined : compileHostPatterns(host);
  const controllerPaths = toPathList(metadata.read(PATH_METADATA, controller));
  const controllerVersion = metadata.read(VERSION_METADATA, controller) !== undefined;
  const found: Array<{
    readonly methodName: string;
    readonly handler: Function;
    readonly requestMethod: RequestMethod;
    readonly methodPaths: string | string[];
    readonly reference: unknown;
    readonly declaresVersion: boolean;
  }> = [];
  for (const methodName of scanner.getAllMethodNames(controller.prototype)) {
    const handler = controller.prototype[methodName] as Function;
    const requestMethod = metadata.read(METHOD_METADATA, handler) as RequestMethod | undefined;
    const methodPaths = metadata.read(PATH_METADATA, handler) as string | string[] | undefined;
    if (requestMethod === undefined || methodPaths === undefined) continue;
    found.push({
      methodName,
      handler,
      requestMethod,
      methodPaths,
      reference: metadata.read(CORS_METADATA, handler),
      declaresVersion: controllerVersion || metadata.read(VERSION_METADATA, handler) !== undefined,
    });
  }
  // Handlers without a @Cors() of their own share the class's policy: merged, validated and compiled once
  // (none at all where neither level sets a field: those handlers share the module defaults' policy).
  const classSetsNothing = catalog.setsNothing(classLayer);
  const sharing = classSetsNothing
    ? []
    : found.filter((each) => each.reference === undefined).map((each) => labelOf(controller, each.methodName));
  const shared = classSetsNothing
    ? catalog.defaults
    : sharing.length > 0
      ? catalog.compileShared(classLayer, sharing, controller.name)
      : undefined;
  // One object literal for every entry: the guard reads entries on every request, and entries built by
  // spreading would each get a V8 hidden class of their own.
  return found.map(({ methodName, handler, requestMethod, methodPaths, reference, declaresVersion }): HandlerEntry => {
    const label = labelOf(controller, methodName);
    const routeLayer = reference === undefined ? undefined : catalog.resolve(reference, label);
    const setsNothing = classSetsNothing && (routeLayer === undefined || catalog.setsNothing(routeLayer));
    const policy =
      reference === undefined
        ? shared!
        : setsNothing
          ? catalog.defaults
          : catalog.compile(classLayer, routeLayer, label);
    return {
      controller,
      methodName,
      handler,
      label,
      policy,
      equivalentPolicy: setsNothing ? catalog.defaults : policy,
      hosts,
      requestMethod,
      declaresVersion,
      controllerPaths,
      methodPaths,
      mayOverwriteVary:
        policy.enabled && policy.varyOnOrigin && mayOverwriteVary(controller, methodName, handler, metadata),
    };
  });
}

function labelOf(controller: Type, methodName: string): string {
  return `${controller.name}.${methodName}`;
}
