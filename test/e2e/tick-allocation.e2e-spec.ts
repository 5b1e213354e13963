/**
 * lib/runtime/next-tick-shape.ts's `settleTickAllocation` works around a V8
 * behaviour that slowed Fastify apps of 1,000 routes by several µs per request
 * (bench/findings.md, section 9): a GC that counts most of the tick objects
 * (or argument arrays) created since V8 last decided as alive makes V8 allocate
 * every later one in the old generation.
 *
 * The child processes below reproduce that with Node alone: 850 ticks of each
 * way of calling `nextTick` queued at a GC (what V8 counted during a Fastify
 * boot), with the young generation pinned at its maximum size. V8's own trace
 * (`--trace-pretenuring-statistics`) says what it decided for each allocation
 * site in `nextTick`'s feedback (`%DebugPrint`). If Node or V8 changes so
 * that the control no longer pretenures, the workaround must be re-measured,
 * or removed.
 */
import { describe, expect, it } from '@jest/globals';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { isTickAllocationSettled } from '../../lib/runtime/next-tick-shape.js';
import { pingAppModule, runWithNextTickHelper } from './next-tick-helpers.js';

const CHILD = `
const turn = () => new Promise((resolve) => setImmediate(resolve));
const noop = () => {};
if (process.argv[2] === 'settle') {
  const { settleTickAllocation, isTickAllocationSettled } = await import(process.argv[3]);
  settleTickAllocation();
  await turn();
  if (!isTickAllocationSettled()) throw new Error('the settling chain did not run to its end');
}
for (let count = 0; count <= 4; count++) {
  const args = Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i < 850; i++) process.nextTick(noop, ...args);
  gc({ type: 'minor' });
  await turn();
}
%DebugPrint(process.nextTick);
`;

/** V8's last decision for each allocation site in `nextTick`'s feedback: the tick literal and the arguments arrays. */
function decisions(mode: 'control' | 'settle'): string[] {
  const stdout = runWithNextTickHelper(
    CHILD,
    [mode],
    ['--min-semi-space-size=16', '--max-semi-space-size=16', '--trace-pretenuring-statistics'],
  );
  const address = (hex: string) => BigInt(hex).toString(16);
  const last = new Map<string, string>();
  for (const [, site, decision] of stdout.matchAll(/AllocationSite\((0x[0-9a-f]+)\): .* => (.+)$/gm)) {
    last.set(address(site), decision);
  }
  const sites = [...stdout.matchAll(/(0x[0-9a-f]+) <AllocationSite>/g)].map(([, site]) => address(site));
  return sites.map((site) => last.get(site) ?? 'undecided');
}

describe('the settled tick allocation', () => {
  it('control: a GC that counts the queued ticks alive makes V8 pretenure the tick and every arguments array (V8 behaviour)', () => {
    const sites = decisions('control');
    // The tick literal and the arrays for 1, 2, 3 and more arguments.
    expect(sites).toHaveLength(5);
    expect(sites.every((decision) => decision === 'tenure')).toBe(true);
  });

  it('after the settling chain, the same GCs leave every site of nextTick unpretenured', () => {
    const sites = decisions('settle');
    expect(sites).toHaveLength(5);
    // Decided not to, or never decided (optimized code stops counting): never pretenured.
    expect(sites).not.toContain('tenure');
  });

  it('runs in a Fastify app built by NestFactory, not in an Express one', async () => {
    const AppModule = pingAppModule();
    const express = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false });
    await express.init();
    await new Promise((resolve) => setImmediate(resolve));
    await express.close();
    expect(isTickAllocationSettled()).toBe(false);

    const fastify = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
    await fastify.init();
    // The chain runs in the tick queue, between the steps of the boot.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      expect(isTickAllocationSettled()).toBe(true);
    } finally {
      await fastify.close();
    }
  });
});
