/**
 * What V8's dictionary mode costs on Nest's HTTP adapter: the reads Nest's
 * per-request code makes on it (Express's first middleware reads
 * `onResponseHook`, `onRequestHook` twice and `runRequestHook`; the response
 * controller calls `status` and `reply`), timed in a loop on a real adapter
 * object in fast mode and in dictionary mode (made so by an accessor on
 * `onRequestHook`, as the module's request-hook slot did before
 * bench/findings.md, section 3f). Run each mode in its own process:
 *
 *   node bench/adapter-reads.mjs <express|fastify> <fast|dictionary>
 */
const [adapterName, mode] = process.argv.slice(2);
if (!['express', 'fastify'].includes(adapterName) || !['fast', 'dictionary'].includes(mode)) {
  throw new Error('usage: node bench/adapter-reads.mjs <express|fastify> <fast|dictionary>');
}
const adapter =
  adapterName === 'express'
    ? new (await import('@nestjs/platform-express')).ExpressAdapter()
    : new (await import('@nestjs/platform-fastify')).FastifyAdapter();
const hook = () => {};
if (mode === 'dictionary') {
  Object.defineProperty(adapter, 'onRequestHook', { configurable: true, enumerable: true, get: () => hook, set() {} });
} else {
  adapter.setOnRequestHook(hook);
}

function readsOfOneRequest(target) {
  let found = 0;
  if (target.onResponseHook) found++;
  if (target.onRequestHook) found++;
  if (typeof target.runRequestHook === 'function') found++;
  if (target.onRequestHook) found++;
  if (typeof target.status === 'function') found++;
  if (typeof target.reply === 'function') found++;
  return found;
}

const CALLS = 5e6;
let sink = 0;
for (let i = 0; i < 2e6; i++) sink += readsOfOneRequest(adapter);
const rounds = [];
for (let round = 0; round < 7; round++) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) sink += readsOfOneRequest(adapter);
  rounds.push(Number(process.hrtime.bigint() - start) / CALLS);
}
rounds.sort((a, b) => a - b);
console.log(
  JSON.stringify({ adapter: adapterName, mode, nsPerRequest: Number(rounds[3].toFixed(1)), checked: sink > 0 }),
);
