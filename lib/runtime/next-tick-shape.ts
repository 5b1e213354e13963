/**
 * Keeps Node's `process.nextTick` on its fast path in large apps: the shape of
 * its tick object (`keepNextTickShape`) and the generation it is born in
 * (`settleTickAllocation`).
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

/**
 * How many ticks the settling chain runs: V8 decides an allocation site's
 * pretenuring only once at least 100 objects were created from it since the
 * last GC; three times that leaves room for ticks other code queues meanwhile.
 */
const SETTLING_TICKS = 300;
let settlingTicksLeft = 0;
let settled = false;

function nextSettlingTick(): void {
  if (--settlingTicksLeft > 0) process.nextTick(nextSettlingTick);
}

/**
 * Has V8 decide early that `nextTick`'s tick objects are short-lived, so that
 * they stay in the young generation for the life of the process (once per
 * process; cheap to call again).
 *
 * Why (bench/findings.md, section 9): V8 switches an object literal to
 * old-space allocation ("pretenuring"; no bench process ever switched back)
 * when, at a GC with the young generation at its maximum size, it counts 85 %
 * or more of the objects created from it since the last GC as alive. Fastify's boot queues two ticks
 * per route; in most bench processes with 1,000 routes and this module, V8
 * counted nearly all of them alive at a GC during `app.init()` (1,701 of
 * 1,718 in one trace; a heap snapshot at that stage holds two), and pretenured
 * the tick literal. From then on every request's tick objects were born old
 * and kept what their arguments point to alive across scavenges: a
 * mark-compact every half second and several µs more per request. V8's
 * decision not to pretenure is final, and it makes it at the first GC after
 * 100 or more objects were created from the site with fewer than 85 % alive: a
 * chain of ticks with one alive at a time, run before the routes are
 * registered, is exactly that. 300 ticks: about a millisecond of boot.
 */
export function settleTickAllocation(): void {
  if (settled) return;
  settled = true;
  settlingTicksLeft = SETTLING_TICKS;
  process.nextTick(nextSettlingTick);
}

/** Whether the settling chain was started (for the test that guards the dependency on V8). */
export function isTickAllocationSettled(): boolean {
  return settled;
}

/** Whether a tick object is kept (for the test that guards the dependency on Node). */
export function isNextTickShapeKept(): boolean {
  return keptTick !== undefined;
}
