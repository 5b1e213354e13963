/**
 * Boot cost of one app in a fresh process (run with --expose-gc):
 *   node --expose-gc bench/boot.mjs <express|fastify> <none|module> <routes>
 * Prints one JSON line: `NestFactory.create()` and `app.init()` times, and the
 * heap and RSS the booted app keeps (after forced GCs, over the process
 * before the app was built), and for the module, what its own boot work took.
 */
import { performance } from 'node:perf_hooks';
import { createBenchApp } from './app.mjs';

const [adapterName, variant, routes] = process.argv.slice(2);

function settledHeap() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage();
}

// Load every module first, so that the heap figures are the app's, not the code's.
await import('@nestjs/platform-express');
await import('@nestjs/platform-fastify');
if (variant === 'module') {
  const { libraryUrl } = await import('./library.mjs');
  await import(libraryUrl('index.js'));
}
const before = settledHeap();
let started = performance.now();
const app = await createBenchApp(adapterName, variant, Number(routes));
const createMillis = performance.now() - started;
started = performance.now();
await app.init();
const initMillis = performance.now() - started;
const after = settledHeap();
process.stdout.write(
  `${JSON.stringify({
    adapter: adapterName,
    variant,
    routes: Number(routes),
    createMillis,
    initMillis,
    heapBytes: after.heapUsed - before.heapUsed,
    rssBytes: after.rss - before.rss,
  })}\n`,
);
await app.close();
