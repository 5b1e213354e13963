/** The adapter method Nest hands a module's middleware to (`consumer.apply()` in `configure()`). */
interface MiddlewareFactoryHost {
  createMiddlewareFactory?(requestMethod: unknown): unknown;
}

/**
 * Calls `found` once, when a module's middleware is registered: Nest calls
 * the adapter's `createMiddlewareFactory()` after every module's
 * `configure()` (so after `CorsModule.configure()` put this in place), and
 * the factory it returns once per route of a `consumer.apply()`. Returns the
 * function that stops watching. (`app.use()` is seen by
 * `OtherCorsLayerDetector`, from `NestFactory.create()` on.)
 */
export function watchMiddlewareFactory(adapter: object, found: () => void): () => void {
  const host = adapter as MiddlewareFactoryHost;
  const create = host.createMiddlewareFactory;
  if (typeof create !== 'function') return () => undefined;
  let seen = false;
  const announce = (factory: unknown) =>
    typeof factory !== 'function'
      ? factory
      : (...args: unknown[]) => {
          if (!seen) {
            seen = true;
            found();
          }
          return (factory as (...args: unknown[]) => unknown)(...args);
        };
  const watched = function (this: unknown, requestMethod: unknown) {
    const factory = create.call(this, requestMethod);
    return factory instanceof Promise ? factory.then(announce) : announce(factory);
  };
  host.createMiddlewareFactory = watched;
  return () => {
    // Assigned back, not deleted: the adapter stays out of V8's dictionary mode (bench/findings.md, section 3f).
    if (host.createMiddlewareFactory === watched) host.createMiddlewareFactory = create;
  };
}
