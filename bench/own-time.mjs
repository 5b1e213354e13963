/**
 * The module's own time per request, timed in place: one fresh process boots
 * one benchmark app, wraps the two places where the module runs on a request
 * (the early layer's entry, `CorsRequestHook.prototype.handle`, and the global
 * guard's `CorsGuard.prototype.canActivate`, both of the library's own
 * classes, here only) with a clock, and injects requests of every scenario
 * (`light-my-request`, no socket) in blocks, scenarios in a new random order
 * every round. It prints, per scenario, the time spent inside those two
 * methods per request, and the wall time of the whole request for scale:
 * medians of the blocks, so that a garbage collection landing in one block
 * does not decide the figure.
 *
 * What it resolves that the whole-request figures cannot: on Express at
 * 1,000 routes a request costs 350–550 µs, most of it Express's own linear
 * router, and that moves by tens of µs between processes and by boot order
 * (bench/findings.md, section 3a), while the module's part is a few µs.
 *
 * The clock stops while the hook's continuation runs (on Express the rest of
 * the request runs inside it), and at the first `await` of an asynchronous
 * path (no bench scenario has one). It does not see costs the module causes
 * outside its own frames (section 1 was one): the in-process and socket parts
 * measure those.
 *
 * `floor` is the control: the hand-written hook of bench/floor.mjs and a
 * global no-op guard, timed with the same clock at the same two places. Its
 * code cannot depend on the routes, so its growth from 10 to 1,000 routes is
 * what a larger app does to any code in those places, the clock included
 * (caches evicted by Express's walk over 1,000 routes, a larger heap): the
 * clock around a guard that returns at once reads about 1 µs at 10 routes and
 * 1.8 µs at 1,000 on Express. The module's growth less the control's is the
 * module's own.
 *
 * Warm-up is long on purpose: the guard's `canActivate` takes about 9,000
 * calls to reach its steady cost on Fastify (0.8 µs per request over the
 * first 1,000, 0.15 µs from there on), and a short warm-up measured the
 * module's bigger code before the JIT had finished with it, not the floor's.
 *
 *   node bench/own-time.mjs <express|fastify> <module|module-routed|floor> <routes> [rounds] [warm-up rounds]
 * Uses NESTJS_CORS_DIST, else dist/. Prints one JSON object.
 */
import { performance } from 'node:perf_hooks';
import { injectableBenchApp, NoopGuard } from './app.mjs';
import { libraryUrl } from './library.mjs';
import { injectRequest, SCENARIOS } from './scenarios.mjs';
import { median, shuffled } from './stats.mjs';

const [adapterName, variant, routesArgument, roundsArgument, warmupArgument] = process.argv.slice(2);
const routes = Number(routesArgument);
const WARMUP_ROUNDS = Number(warmupArgument ?? 120);
const ROUNDS = Number(roundsArgument ?? 60);
const BLOCK = 50;

let spent = 0;
/** Wraps `prototype[name]` so that its synchronous run time adds to `spent`. */
function timed(prototype, name) {
  const original = prototype[name];
  prototype[name] = function (...args) {
    const start = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      spent += performance.now() - start;
    }
  };
}
/**
 * A request hook `(request, response, done)` that adds its run time to
 * `spent`. `done` continues the request (on Express the router, middleware,
 * guard and handler run inside that call when the hook calls it
 * synchronously): the clock stops while it runs.
 */
function timedHook(hook) {
  return function (request, response, done) {
    let start = performance.now();
    const proceed = (...args) => {
      spent += performance.now() - start;
      try {
        return done(...args);
      } finally {
        start = performance.now();
      }
    };
    try {
      return hook.call(this, request, response, proceed);
    } finally {
      spent += performance.now() - start;
    }
  };
}

if (variant === 'module' || variant === 'module-routed') {
  const { CorsRequestHook } = await import(libraryUrl('cors-request.hook.js'));
  const { CorsGuard } = await import(libraryUrl('cors.guard.js'));
  CorsRequestHook.prototype.handle = timedHook(CorsRequestHook.prototype.handle);
  timed(CorsGuard.prototype, 'canActivate');
} else if (variant === 'floor') {
  timed(NoopGuard.prototype, 'canActivate');
} else {
  throw new Error(`own-time.mjs times module, module-routed or floor, not ${variant}`);
}

const { app, send } = await injectableBenchApp(adapterName, variant, routes, {
  wrapFloorHook: timedHook,
  noopGuard: variant === 'floor',
});

/**
 * Lets the event loop turn once, outside the clock. An injected request
 * resolves without one, and each leaves a `setImmediate` callback (holding
 * its response) that only a turn runs: without this, a whole run (45,000
 * requests) never turns, the heap grows by 10–14 KiB per request to
 * hundreds of MB and every scavenge copies the backlog (bench/findings.md,
 * section 3e). A server on a socket turns on every request.
 */
function eventLoopTurn() {
  return new Promise((resolve) => setImmediate(resolve));
}

const scenarios = SCENARIOS.map(({ id }) => ({ id, options: injectRequest(id, routes), own: [], wall: [] }));

for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  for (const scenario of shuffled(scenarios)) {
    spent = 0;
    const start = performance.now();
    for (let i = 0; i < BLOCK; i++) await send(scenario.options);
    const wall = performance.now() - start;
    await eventLoopTurn();
    if (round < WARMUP_ROUNDS) continue;
    scenario.own.push((spent * 1000) / BLOCK);
    scenario.wall.push((wall * 1000) / BLOCK);
  }
}
await app.close();

const result = { adapter: adapterName, variant, routes, scenarios: {} };
for (const { id, own, wall } of scenarios) {
  result.scenarios[id] = { ownMicros: median(own), wallMicros: median(wall), blocks: own.length, block: BLOCK };
}
console.log(JSON.stringify(result));
