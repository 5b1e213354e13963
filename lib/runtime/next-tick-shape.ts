/**
 * Keeps Node's `process.nextTick` on its fast path in large apps.
 *
 * Why (bench/findings.md, "nextTick"): `nextTick` builds each queued tick as
 * an object literal with computed keys. V8 records that literal's definitions
 * as monomorphic or megamorphic only, and goes megamorphic for good the first
 * time the shape it recorded is gone. The shape is gone when a full GC runs
 * while no tick object is alive (the hidden classes are held weakly), which a
 * large app's boot does by chance. From then on every tick takes V8's slow
 * path: 7–11 µs more server CPU per Fastify request in the bench, in apps with
 * or without this module. Keeping one tick object alive keeps its shape, so the
 * recorded feedback stays valid.
 *
 * The tick object comes from the public `async_hooks` API: a hook is enabled
 * for one `nextTick` call and disabled again. This is the one place that
 * depends on how Node builds ticks; if Node stops reporting them as
 * `TickObject` resources, nothing is kept and nothing else changes
 * (test/e2e/next-tick-shape.e2e-spec.ts fails then).
 */
import { createHook } from 'node:async_hooks';

let keptTick: object | undefined;

function ignore(): void {}

/** Keeps one `nextTick` tick object alive for the life of the process (once; cheap to call again). */
export function keepNextTickShape(): void {
  if (keptTick !== undefined) return;
  try {
    const hook = createHook({
      init(_asyncId, type, _triggerAsyncId, resource) {
        if (type === 'TickObject' && keptTick === undefined) keptTick = resource;
      },
    });
    hook.enable();
    try {
      process.nextTick(ignore);
    } finally {
      hook.disable();
    }
  } catch {
    // A runtime without async_hooks: nothing to keep.
  }
}

/** Whether a tick object is kept (for the test that guards the dependency on Node). */
export function isNextTickShapeKept(): boolean {
  return keptTick !== undefined;
}
