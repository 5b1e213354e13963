import type { CanActivate, NestInterceptor } from '@nestjs/common';

/**
 * Nest's own metadata keys and values (`@nestjs/common` constants and the
 * `RouteParamtypes` enum; stable across 11 and 12). `@UseGuards()` and
 * `@UseInterceptors()` write the first two.
 */
export const NEST_GUARDS_METADATA = '__guards__';
export const NEST_INTERCEPTORS_METADATA = '__interceptors__';
export const NEST_HEADERS_METADATA = '__headers__';
export const NEST_ROUTE_ARGS_METADATA = '__routeArguments__';
export const NEST_VERSION_METADATA = '__version__';
const RESPONSE_PARAM = '1:';
const NEXT_PARAM = '2:';

/** Whether a handler sets `Vary` with `@Header()`. */
export function setsVaryHeader(handler: Function): boolean {
  const headers = Reflect.getMetadata(NEST_HEADERS_METADATA, handler) as Array<{ name: string }> | undefined;
  return headers?.some((header) => header.name.toLowerCase() === 'vary') ?? false;
}

/** Whether a handler takes the response object (`@Res()` / `@Next()`), and so may write any header. */
export function takesResponse(controller: Function, methodName: string): boolean {
  const args = Reflect.getMetadata(NEST_ROUTE_ARGS_METADATA, controller, methodName) as object | undefined;
  return (
    args !== undefined && Object.keys(args).some((key) => key.startsWith(RESPONSE_PARAM) || key.startsWith(NEXT_PARAM))
  );
}

/** Whether a controller or handler declares a version (routes that may share a path with another version). */
export function declaresVersion(controller: Function, handler: Function): boolean {
  return (
    Reflect.getMetadata(NEST_VERSION_METADATA, handler) !== undefined ||
    Reflect.getMetadata(NEST_VERSION_METADATA, controller) !== undefined
  );
}

/**
 * Puts the CORS guard and interceptor on the handlers that need them, the way
 * `@UseGuards()` / `@UseInterceptors()` would, just before Nest registers the
 * routes (Nest reads this metadata when it registers a route). Every other
 * route runs without them: a global interceptor alone costs each request
 * more than the whole early hook. Returns a function that takes them off again.
 */
export function attachToHandler(
  handler: Function,
  guard: CanActivate | undefined,
  interceptor: NestInterceptor | undefined,
): () => void {
  const undo: Array<() => void> = [];
  const prepend = (key: string, enhancer: object) => {
    const had = Reflect.hasOwnMetadata(key, handler);
    const before = Reflect.getMetadata(key, handler) as unknown[] | undefined;
    Reflect.defineMetadata(key, [enhancer, ...(before ?? [])], handler);
    undo.push(() => (had ? Reflect.defineMetadata(key, before, handler) : Reflect.deleteMetadata(key, handler)));
  };
  if (guard) prepend(NEST_GUARDS_METADATA, guard);
  if (interceptor) prepend(NEST_INTERCEPTORS_METADATA, interceptor);
  return () => undo.forEach((step) => step());
}
