/**
 * Calls `seen` with the arguments of every later `adapter.use(...)` call (what
 * `app.use()` hands the HTTP adapter), then lets the call through unchanged.
 * Returns the function that stops observing.
 *
 * Used on Fastify only: middie keeps its middleware where no public API
 * reaches it, and Nest's adapter wraps each one before middie gets it, so
 * `app.use(cors())` can only be recognised on its way in.
 */
export function observeUse(adapter: object, seen: (args: readonly unknown[]) => void): () => void {
  const holder = adapter as { use?: (...args: unknown[]) => unknown };
  const use = holder.use;
  if (typeof use !== 'function') return () => undefined;
  const own = Object.prototype.hasOwnProperty.call(holder, 'use');
  const observed = function (this: unknown, ...args: unknown[]) {
    seen(args);
    return use.apply(this, args);
  };
  holder.use = observed;
  return () => {
    if (holder.use !== observed) return;
    if (own) holder.use = use;
    else delete holder.use;
  };
}
