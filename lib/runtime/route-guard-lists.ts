/**
 * Keeps a global guard with nothing to check out of the guard lists Nest
 * builds for its routes, so that those routes skip Nest's guard pipeline.
 *
 * Nest builds each route's list of guards once, while `app.init()` registers
 * the route, and leaves out every guard instance whose `canActivate` is not a
 * function at that moment (`GuardsContextCreator.createConcreteContext` in
 * @nestjs/core: what Nest does, not a public contract). A route left with no
 * guard runs no guard pipeline at all; with any global guard, every request
 * pays two async calls and an `ExecutionContext` for it (bench/findings.md,
 * section 10). This is the one place that relies on that filter.
 *
 * If Nest stops filtering, the guard stays in the lists and is called as
 * before, since its method is back by the time a request arrives: slower,
 * never wrong. test/e2e/idle-guard.e2e-spec.ts fails then.
 */
import type { CanActivate } from '@nestjs/common';

type GuardMethod = CanActivate['canActivate'];

/**
 * Hides `guard.canActivate` (an own property set to `undefined`, so the
 * object keeps V8's fast mode) until the returned function puts it back.
 * Guard lists Nest builds after that (request-scoped controllers build one
 * per request) include the guard again.
 */
export function leaveOutOfRouteGuardLists(guard: CanActivate): () => void {
  const method: GuardMethod = guard.canActivate;
  const slot = guard as { canActivate: GuardMethod | undefined };
  slot.canActivate = undefined;
  return () => {
    slot.canActivate = method;
  };
}
