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
 * How many times the settling chain calls `nextTick` each way: enough that the
 * share V8 counts alive stays under 85 % even when the GC that decides is one
 * that finds about 850 of a site's arguments arrays alive (bench/findings.md,
 * section 9: a mark-compact during the boot of 1,000 Fastify routes).
 */
const SETTLING_ROUNDS = 300;
/** `nextTick` builds its tick object, plus an arguments array per count of 1, 2, 3 and more arguments. */
const WAYS_OF_CALLING = 5;
let settlingTicksLeft = 0;
let settled = false;

function nextSettlingTick(): void {
  const left = --settlingTicksLeft;
  if (left <= 0) return;
  switch (left % WAYS_OF_CALLING) {
    case 0:
      process.nextTick(nextSettlingTick);
      break;
    case 1:
      process.nextTick(nextSettlingTick, 1);
      break;
    case 2:
      process.nextTick(nextSettlingTick, 1, 2);
      break;
    case 3:
      process.nextTick(nextSettlingTick, 1, 2, 3);
      break;
    default:
      process.nextTick(nextSettlingTick, 1, 2, 3, 4);
  }
}

/**
 * Has V8 decide early that `nextTick`'s tick objects and the arrays that hold
 * a tick's arguments are short-lived, so that they stay in the young
 * generation for the life of the process (once per process; cheap to call
 * again).
 *
 * Why (bench/findings.md, section 9): V8 switches an object or array literal
 * to old-space allocation ("pretenuring"; no bench process ever switched
 * back) when, at a GC with the young generation at its maximum size, it counts
 * 85 % or more of the objects created from it since its last decision as
 * alive. It decides only at a GC that finds at least one of them alive, and
 * only once 100 or more were created. Fastify's boot queues two ticks per
 * route; in most bench processes with 1,000 routes and this module, V8
 * counted nearly all of them alive at a GC during `app.init()` (1,701 of
 * 1,718 in one trace; a heap snapshot at that stage holds two) and pretenured
 * the tick literal or the one- and two-argument arrays. From then on every
 * request's ticks were born old and kept what they point to (the request, the
 * response, their streams) alive across scavenges: a mark-compact every half
 * second and several µs more per request.
 *
 * A decision not to pretenure is final, and the chain below makes it the
 * likely one: 300 ticks through each way of calling `nextTick`, one alive at a
 * time, run before the routes are registered. They all count as created and
 * none as alive at whichever GC first decides for the site: even a GC that
 * finds 1,700 tick objects or 850 arrays of one kind alive then counts under
 * 85 %. 2–3.5 ms of boot, once per process, on Fastify only (Express's boot
 * queues no ticks per route).
 */
export function settleTickAllocation(): void {
  if (settled) return;
  settled = true;
  settlingTicksLeft = SETTLING_ROUNDS * WAYS_OF_CALLING + 1;
  process.nextTick(nextSettlingTick);
}

/** Whether the settling chain ran to its end (for the tests). */
export function isTickAllocationSettled(): boolean {
  return settled && settlingTicksLeft <= 0;
}

/** Whether a tick object is kept (for the test that guards the dependency on Node). */
export function isNextTickShapeKept(): boolean {
  return keptTick !== undefined;
}
