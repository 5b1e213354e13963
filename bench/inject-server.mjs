/**
 * Child process: the benchmark app without a socket. Boots one or more
 * variants (`variant:routes` each, comma-separated), then, on each
 * `{ type: 'run', app, scenario, count }` from its parent (paired.mjs), sends
 * `count` copies of that scenario's request to app number `app` through `light-my-request`
 * (what Fastify's `inject()` is built on) straight into the adapter's request
 * handler, one after the other, and answers with the wall time per request.
 *
 * No system call is on this path, so what is left is the JavaScript a request
 * runs: Node's HTTP objects (emulated), the router, Nest's pipeline and the
 * CORS layer. The socket path adds `writev` and the event loop, which move by
 * ±10 µs per process on this machine (bench/findings.md, section 0) and are
 * the same at every app size.
 *
 *   node inject-server.mjs <express|fastify> <variant:routes[,variant:routes…]>
 */
import { hrtime } from 'node:process';
import { injectableBenchApp } from './app.mjs';
import { injectRequest } from './scenarios.mjs';

const [adapterName, setupList] = process.argv.slice(2);

/** One app per `variant:routes` of the list, in this one process. */
const apps = [];
for (const setup of setupList.split(',')) {
  const [variant, routes] = setup.split(':');
  const { app, send } = await injectableBenchApp(adapterName, variant, Number(routes));
  apps.push({ app, routes: Number(routes), requests: new Map(), send });
}

function optionsOf(target, scenario) {
  let options = target.requests.get(scenario);
  if (options === undefined) {
    options = injectRequest(scenario, target.routes);
    target.requests.set(scenario, options);
  }
  return options;
}

async function run(target, scenario, count) {
  const options = optionsOf(target, scenario);
  const { send } = target;
  const start = hrtime.bigint();
  for (let i = 0; i < count; i++) await send(options);
  return Number(hrtime.bigint() - start) / 1000 / count;
}

/** What one request of the scenario gets: the check that each variant answers as it should. */
async function answer(target, scenario) {
  const response = await target.send(optionsOf(target, scenario));
  const headers = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (name.startsWith('access-control-') || name === 'vary') headers[name] = String(value);
  }
  return { status: response.statusCode, headers };
}

process.on('message', async (message) => {
  try {
    if (message?.type === 'run') {
      process.send({ type: 'ran', micros: await run(apps[message.app], message.scenario, message.count) });
    } else if (message?.type === 'answer') {
      process.send({ type: 'answer', answer: await answer(apps[message.app], message.scenario) });
    } else if (message?.type === 'stop') {
      for (const { app } of apps) await app.close();
      process.exit(0);
    }
  } catch (error) {
    process.send({ type: 'error', message: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
