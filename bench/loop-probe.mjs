import inject from 'light-my-request';
import { createBenchApp } from './app.mjs';
import { scenarioRequest } from './scenarios.mjs';
const [adapterName, variant, routes, scenario = 'actual', count = '40000'] = process.argv.slice(2);
const app = await createBenchApp(adapterName, variant, Number(routes));
await app.init();
const instance = app.getHttpAdapter().getInstance();
if (adapterName === 'fastify') await instance.ready();
const { method, path, headers } = scenarioRequest(scenario, Number(routes));
const options = { method, url: path, headers };
const send = adapterName === 'fastify' ? () => instance.inject(options) : () => inject(instance, options);
for (let i = 0; i < Number(count); i++) {
  await send();
  // Lets the event loop run the callbacks each injected request leaves (bench/findings.md, section 3e).
  if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
}
await app.close();
