/**
 * lib/runtime/next-tick-shape.ts works around a V8 behaviour that slowed big
 * apps by 7–11 µs per request (bench/findings.md, "nextTick"): a full GC while
 * no tick object is alive loses the shape `process.nextTick` recorded for its
 * tick literal, and V8 then marks that literal megamorphic for good.
 *
 * The child processes below reproduce that with Node alone and show that the
 * kept tick prevents it. They read V8's feedback with `%DebugPrint` (stdout of
 * the child). If Node changes how it builds ticks, the control or the shape
 * check fails: the workaround must then be re-measured, or removed.
 */
import { describe, expect, it } from '@jest/globals';
import { isNextTickShapeKept } from '../../lib/runtime/next-tick-shape.js';
import { ADAPTERS, createApp } from './app-factory.js';
import { pingAppModule, runWithNextTickHelper } from './next-tick-helpers.js';

/**
 * Eight rounds of "queue a few ticks, let them run, then a full GC with the
 * queue empty" (what a big app's boot does by chance), then the feedback of
 * the literal `nextTick` builds each tick with.
 */
const CHILD = `
const keep = process.argv[2] === 'keep';
if (keep) {
  const { keepNextTickShape, isNextTickShapeKept } = await import(process.argv[3]);
  keepNextTickShape();
  if (!isNextTickShapeKept()) throw new Error('no tick object was kept');
}
for (let round = 0; round < 8; round++) {
  for (let i = 0; i < 50; i++) process.nextTick(() => {});
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  await new Promise((resolve) => setImmediate(resolve));
}
%DebugPrint(process.nextTick);
`;

/** The feedback states of `nextTick`'s computed-key literal definitions, as V8 prints them. */
function literalFeedback(mode: 'control' | 'keep'): string[] {
  const stdout = runWithNextTickHelper(CHILD, [mode]);
  return [...stdout.matchAll(/slot #\d+ DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((match) => match[1]);
}

describe('the kept nextTick shape', () => {
  it('control: without it, full GCs with an empty tick queue make the tick literal megamorphic (Node behaviour)', () => {
    const states = literalFeedback('control');
    // nextTick still builds its tick with computed keys: the case the workaround is for.
    expect(states.length).toBeGreaterThanOrEqual(2);
    expect(states).toContain('MEGAMORPHIC');
  });

  it('with it, the same GCs leave every definition of the literal monomorphic', () => {
    const states = literalFeedback('keep');
    expect(states.length).toBeGreaterThanOrEqual(2);
    expect(states.every((state) => state === 'MONOMORPHIC')).toBe(true);
  });

  it('is not kept before a CorsModule is built', () => {
    expect(isNextTickShapeKept()).toBe(false);
  });

  it.each(ADAPTERS)('%s: an app with CorsModule keeps it from the moment the module is built', async (adapter) => {
    const AppModule = pingAppModule();
    const app = await createApp(adapter, { imports: [AppModule] });
    try {
      expect(isNextTickShapeKept()).toBe(true);
    } finally {
      await app.close();
    }
  });
});
