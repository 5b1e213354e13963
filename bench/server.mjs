/**
 * Child process: serves one variant of the benchmark app on a loopback port.
 * Usage (from run.mjs, with an IPC channel):
 *   node server.mjs <express|fastify> <none|none-guard|enable-cors|floor|module> <routes> [hello|realistic]
 * Answers `{ type: 'gc' }` with the garbage collections it has seen so far.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { createBenchApp } from './app.mjs';

const [adapterName, variant, routes, flavour = 'hello'] = process.argv.slice(2);

const gc = { minor: 0, major: 0, incremental: 0, weak: 0, millis: 0 };
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = KINDS[entry.detail?.kind];
    if (kind) gc[kind]++;
    gc.millis += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

const app = await createBenchApp(adapterName, variant, Number(routes), flavour);
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address();

function stop() {
  // Exits without closing keep-alive sockets first; --cpu-prof still writes its profile.
  process.exit(0);
}

process.on('message', (message) => {
  if (message?.type === 'stop') stop();
  if (message?.type === 'gc') process.send({ type: 'gc', gc: { ...gc } });
});
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.send({ type: 'ready', port });
