/**
 * Boot cost of one app in a fresh process (run with --expose-gc):
 *   node --expose-gc bench/boot.mjs <express|fastify> <none|module|module-routed> <routes>
 * Prints one JSON line: `NestFactory.create()` and `app.init()` times, and the
 * heap and RSS the booted app keeps (after forced GCs, over the process
 * before the app was built), and for the module, what its own boot work took.
 */
import { performance } from 'node:perf_hooks';
import { createBenchApp } from './app.mjs';

const [adapterName, variant, routes] = process.argv.slice(2);

/**
 * Where the module works at boot, outside any request: `configure()` (policies
 * compiled, the hook installed, the recorder started), each route Nest
 * registers (the recorder's work before and after the adapter's own call:
 * the route identified, added to the route table and the report; and on
 * Fastify its `onRoute` hook) and the later lifecycle hooks. One clock per
 * stretch of the module's work for a route, so that all of it is counted
 * (the route listener's own steps too) and the clocks themselves little;
 * calls made inside another timed call are not counted twice. What this leaves out is work the module causes in Nest's and the
 * adapter's own frames (per route, Nest builds a guard pipeline because of the
 * global guard; the garbage collector has more heap to walk): that is in the
 * difference of the two `app.init()` times.
 */
const MODULE_BOOT_WORK = [
  ['cors.module.js', 'CorsModule', ['configure', 'onModuleInit', 'onApplicationBootstrap']],
  ['routing/request-router.js', 'FastifyRequestRouter', ['onRoute']],
];

/** The recorder's wrapper of an adapter method, whose `before` and `after` callbacks are the module's work per route. */
const RECORDER = ['routing/route-registration-recorder.js', 'RouteRegistrationRecorder', 'wrap'];

/** Puts the clocks in place; returns what they have counted so far, in ms. */
async function clockModuleBootWork(libraryUrl) {
  let depth = 0;
  let millis = 0;
  const clocked = (original) =>
    function timed(...args) {
      const outermost = depth++ === 0;
      const started = outermost ? performance.now() : 0;
      try {
        return original.apply(this, args);
      } finally {
        depth--;
        if (outermost) millis += performance.now() - started;
      }
    };
  const prototypeOf = async (file, className, method) => {
    const prototype = (await import(libraryUrl(file)))[className]?.prototype;
    if (typeof prototype?.[method] !== 'function')
      throw new Error(`boot.mjs: ${className}.${method} is gone from ${file}`);
    return prototype;
  };
  for (const [file, className, methods] of MODULE_BOOT_WORK) {
    for (const method of methods) {
      const prototype = await prototypeOf(file, className, method);
      prototype[method] = clocked(prototype[method]);
    }
  }
  const [file, className, method] = RECORDER;
  const recorder = await prototypeOf(file, className, method);
  const wrap = recorder[method];
  recorder[method] = function clockedWrap(target, name, before, after) {
    return wrap.call(this, target, name, clocked(before), after && clocked(after));
  };
  return () => millis;
}

function settledHeap() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage();
}

// Load every module first, so that the heap figures are the app's, not the code's.
await import('@nestjs/platform-express');
await import('@nestjs/platform-fastify');
let moduleWork;
if (variant === 'module' || variant === 'module-routed') {
  const { libraryUrl } = await import('./library.mjs');
  await import(libraryUrl('index.js'));
  moduleWork = await clockModuleBootWork(libraryUrl);
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
    moduleWorkMillis: moduleWork?.(),
  })}\n`,
);
await app.close();
