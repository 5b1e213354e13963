/**
 * A/B of server setups, for profile-driven work: every round starts a fresh
 * server process for each setup in turn (rotated order), warms it up with
 * mixed load, then measures one scenario. Prints the median server CPU µs
 * per request and req/s of each setup, and each round's figures.
 *
 *   node bench/ab.mjs <adapter> <scenario> <rounds> <setup> [<setup> ...]
 *
 * A setup is `variant:routes` or `variant:routes:distDir` (a build of lib/,
 * e.g. a copy of dist/ made before a change; default dist/).
 *   node bench/ab.mjs fastify actual 8 none:1000 module:1000 module:1000:/tmp/dist-old
 */
import { resolve } from 'node:path';
import { runLoad, startServer } from './load.mjs';
import { median } from './stats.mjs';
import { scenarioRequest, SCENARIOS } from './scenarios.mjs';

const [adapter, scenario, rounds, ...specs] = process.argv.slice(2);
if (!adapter || !scenario || !rounds || specs.length === 0) {
  console.error('usage: node bench/ab.mjs <adapter> <scenario> <rounds> <variant:routes[:distDir]> ...');
  process.exit(2);
}
const setups = specs.map((spec) => {
  const [variant, routes, dist] = spec.split(':');
  return { spec, variant, routes: Number(routes), dist: dist && resolve(dist), cpu: [], rps: [] };
});
const WARM_UP_SECONDS = 0.6;
const MEASURE_SECONDS = Number(process.env.AB_SECONDS ?? 2);

for (let round = 0; round < Number(rounds); round++) {
  const order = setups.map((_, index) => setups[(index + round) % setups.length]);
  for (const setup of order) {
    if (setup.dist) process.env.NESTJS_CORS_DIST = setup.dist;
    else delete process.env.NESTJS_CORS_DIST;
    const server = await startServer(adapter, setup.variant, setup.routes);
    try {
      for (let pass = 0; pass < 2; pass++) {
        for (const { id } of SCENARIOS) await runLoad(server.port, scenarioRequest(id, setup.routes), WARM_UP_SECONDS);
      }
      const result = await runLoad(server.port, scenarioRequest(scenario, setup.routes), MEASURE_SECONDS, server.pid);
      setup.cpu.push(result.cpuMicrosPerRequest);
      setup.rps.push(result.rps);
    } finally {
      await server.stop();
    }
  }
  console.log(
    `round ${round + 1}: ` + setups.map((setup) => `${setup.spec} ${setup.cpu.at(-1).toFixed(1)} µs`).join(' | '),
  );
}
for (const setup of setups) {
  console.log(
    `${setup.spec.padEnd(40)} median ${median(setup.cpu).toFixed(2)} µs/req, ${Math.round(median(setup.rps))} req/s` +
      `  (µs: ${setup.cpu.map((value) => value.toFixed(1)).join(' ')})`,
  );
}
