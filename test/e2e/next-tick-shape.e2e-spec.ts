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
import { Controller, Get, Module } from '@nestjs/common';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { CorsModule } from '../../lib/index.js';
import { isNextTickShapeKept, isTickAllocationSettled } from '../../lib/runtime/next-tick-shape.js';
import { ADAPTERS, createApp } from './app-factory.js';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '../../lib/runtime/next-tick-shape.ts');

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

/**
 * A GC while 300 ticks are queued (so V8 counts them all alive) with the young
 * generation at its maximum size (pinned by the flags), then `nextTick`
 * optimized: is a tick object born after that young? With `settle`, the
 * module's settling chain runs first and a GC follows it, as one does in a
 * boot. Prints `young` or `old`.
 */
const PRETENURING_CHILD = `
const isYoung = new Function('object', 'return %InYoungGeneration(object)');
const optimize = new Function('f', 'a', '%PrepareFunctionForOptimization(f); f(a); f(a); %OptimizeFunctionOnNextCall(f); f(a);');
const { createHook } = await import('node:async_hooks');
const turn = () => new Promise((resolve) => setImmediate(resolve));
if (process.argv[2] === 'settle') {
  const { settleTickAllocation } = await import(process.argv[3]);
  settleTickAllocation();
  await turn();
  gc({ type: 'minor' });
}
for (let i = 0; i < 300; i++) process.nextTick(() => {});
gc({ type: 'minor' });
await turn();
optimize(process.nextTick, () => {});
await turn();
let tick;
const hook = createHook({ init(_id, type, _trigger, resource) { if (type === 'TickObject' && !tick) tick = resource; } });
hook.enable();
process.nextTick(() => {});
hook.disable();
console.log(isYoung(tick) ? 'young' : 'old');
`;

/** Runs one of the children above with the helper compiled from lib/; returns its stdout. */
function runChild(source: string, args: string[], nodeFlags: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-cors-next-tick-'));
  try {
    const helper = join(dir, 'next-tick-shape.mjs');
    const compiled = ts.transpileModule(readFileSync(SOURCE, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(helper, compiled.outputText);
    const child = join(dir, 'child.mjs');
    writeFileSync(child, source);
    const result = spawnSync(
      process.execPath,
      ['--allow-natives-syntax', '--expose-gc', ...nodeFlags, child, ...args, helper],
      // The test runner's NODE_OPTIONS (vm modules) are not the child's business.
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 20000 },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return result.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The feedback states of `nextTick`'s computed-key literal definitions, as V8 prints them. */
function literalFeedback(mode: 'control' | 'keep'): string[] {
  const stdout = runChild(CHILD, [mode], []);
  return [...stdout.matchAll(/slot #\d+ DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((match) => match[1]);
}

/** Where a tick object is born after the GC of PRETENURING_CHILD. */
function tickGeneration(mode: 'control' | 'settle'): string {
  return runChild(PRETENURING_CHILD, [mode], ['--min-semi-space-size=1', '--max-semi-space-size=1']).trim();
}

describe('the settled tick allocation', () => {
  it('control: a GC that finds the ticks created since the last one alive makes V8 pretenure them (V8 behaviour)', () => {
    expect(tickGeneration('control')).toBe('old');
  });

  it('after the settling chain and a GC, the same GC leaves tick objects young', () => {
    expect(tickGeneration('settle')).toBe('young');
  });
});

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
    expect(isTickAllocationSettled()).toBe(false);
  });

  it.each(ADAPTERS)('%s: an app with CorsModule keeps it from the moment the module is built', async (adapter) => {
    @Controller('ping')
    class PingController {
      @Get()
      ping() {
        return 'pong';
      }
    }
    @Module({ imports: [CorsModule.forRoot({ origin: ['https://app.example'] })], controllers: [PingController] })
    class AppModule {}
    const app = await createApp(adapter, { imports: [AppModule] });
    try {
      expect(isNextTickShapeKept()).toBe(true);
      expect(isTickAllocationSettled()).toBe(true);
    } finally {
      await app.close();
    }
  });
});
