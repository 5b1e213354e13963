/** The adapter method Nest hands its 404 handler to (public on every `HttpAdapter`). */
interface NotFoundHandlerHost {
  setNotFoundHandler?(handler: unknown, ...rest: unknown[]): unknown;
}

/** What runs ahead of the 404 handler; it calls `proceed` (the handler) when done, and returns what that returns. */
export type BeforeNotFound = (request: unknown, response: unknown, proceed: () => unknown) => unknown;

/**
 * Runs `before` ahead of the 404 handler Nest gives the adapter
 * (`setNotFoundHandler()`, which `app.init()` calls after registering every
 * route, so after `CorsModule.configure()` put this in place): on Express,
 * for a request every route passed on. Watches that one call; returns the
 * function that stops watching before it (the handler given keeps `before`).
 */
export function watchNotFoundHandler(adapter: object, before: BeforeNotFound): () => void {
  const host = adapter as NotFoundHandlerHost;
  const set = host.setNotFoundHandler;
  if (typeof set !== 'function') return () => undefined;
  const stop = () => {
    // Assigned back, not deleted: the adapter stays out of V8's dictionary mode (bench/findings.md, section 3f).
    if (host.setNotFoundHandler === watched) host.setNotFoundHandler = set;
  };
  const watched = function (this: unknown, handler: unknown, ...rest: unknown[]) {
    stop(); // Nest sets its 404 handler once
    return set.call(this, typeof handler === 'function' ? preceded(handler, before) : handler, ...rest);
  };
  host.setNotFoundHandler = watched;
  return stop;
}

function preceded(handler: Function, before: BeforeNotFound): Function {
  return function (this: unknown, request: unknown, response: unknown, ...rest: unknown[]) {
    return before(request, response, () => handler.call(this, request, response, ...rest));
  };
}
