/**
 * Whether Nest's Fastify adapter leaves a route to its not-found handler
 * when one of the route's parameters matched an empty segment (`/items/`
 * for `/items/:id`, `/users//profile` for `/users/:id/profile`), as
 * path-to-regexp (Express) finds no route there. find-my-way matches such a
 * request; @nestjs/platform-fastify 11.2.8 and 12.2 and later wrap every
 * handler of a route with parameters so that it then calls
 * `reply.callNotFound()` (`FastifyAdapter.requireNonEmptyParams`), earlier
 * versions let the handler serve it.
 *
 * This is the one place that depends on it: the method's presence, which is
 * not a public contract. test/e2e/empty-route-params.e2e-spec.ts fails
 * loudly if what this says and what the installed adapter does part.
 */
export function emptyParamsFindNoHandler(adapter: object): boolean {
  return typeof (adapter as { requireNonEmptyParams?: unknown }).requireNonEmptyParams === 'function';
}

/** Whether a route parameter other than the wildcard (`*`, which may be empty) is empty. */
export function hasEmptyParam(params: Readonly<Record<string, unknown>> | undefined): boolean {
  for (const name in params) if (params[name] === '' && name !== '*') return true;
  return false;
}
