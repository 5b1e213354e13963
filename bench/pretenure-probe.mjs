/**
 * Fresh server processes, one after the other, each warmed up and then loaded
 * with one scenario: per process, the server CPU per request, the garbage
 * collections of the measured window, and whether (and when) V8 began to
 * allocate nextTick's tick objects or their argument arrays in the old
 * generation (bench/findings.md, sections 7 and 9). Setups are
 * variant:routes[:distDir], as for bench/ab.mjs:
 *   node bench/pretenure-probe.mjs fastify actual 8 module:1000 none:1000
 * PROBE_NODE_OPTIONS adds server flags (e.g. --no-allocation-site-pretenuring).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad, startServer } from './load.mjs';
import { scenarioRequest, SCENARIOS } from './scenarios.mjs';

const [adapter, scenario, rounds, ...specs] = process.argv.slice(2);
if (!adapter || !scenario || !rounds || specs.length === 0) {
  console.error('usage: node bench/pretenure-probe.mjs <adapter> <scenario> <rounds> <variant:routes[:distDir]> ...');
  process.exit(2);
}
const PROBE = fileURLToPath(new URL('./tick-site-probe.mjs', import.meta.url));
const extra = ['--allow-natives-syntax', '--import', PROBE, ...(process.env.PROBE_NODE_OPTIONS ?? '').split(' ')];
const SUMMARY = new Map(specs.map((spec) => [spec, { slow: 0, all: 0 }]));

/**
 * When the probe in that server first saw tick objects or their argument
 * arrays born in the old generation ("1442 ms: tick,args2"), if it did.
 */
function tickSiteOldSince(pid) {
  const file = join(tmpdir(), `nestjs-cors-tick-site-${pid}`);
  if (!existsSync(file)) return undefined;
  const [since, what] = readFileSync(file, 'utf8').split(' ');
  rmSync(file);
  return `${since} ms: ${what}`;
}

for (let round = 0; round < Number(rounds); round++) {
  for (const spec of specs) {
    const [variant, routes, dist] = spec.split(':');
    if (dist) process.env.NESTJS_CORS_DIST = resolve(dist);
    else delete process.env.NESTJS_CORS_DIST;
    const server = await startServer(adapter, variant, Number(routes), extra.filter(Boolean));
    try {
      for (let pass = 0; pass < 2; pass++) {
        for (const { id } of SCENARIOS) await runLoad(server.port, scenarioRequest(id, Number(routes)), 0.6);
      }
      const before = await server.gcStats();
      const result = await runLoad(server.port, scenarioRequest(scenario, Number(routes)), 2, server.pid);
      const after = await server.gcStats();
      const oldSince = tickSiteOldSince(server.pid);
      const summary = SUMMARY.get(spec);
      summary.all++;
      if (oldSince !== undefined) summary.slow++;
      console.log(
        `round ${round + 1} ${spec}: ${result.cpuMicrosPerRequest.toFixed(1)} µs/req, ` +
          `mark-compacts ${after.major - before.major}, GC ${(after.millis - before.millis).toFixed(0)} ms; ` +
          `tick objects and arguments ${oldSince === undefined ? 'young' : `old from ${oldSince}`}`,
      );
    } finally {
      await server.stop();
    }
  }
}
for (const [spec, { slow, all }] of SUMMARY)
  console.log(`${spec}: tick objects or arguments old in ${slow} of ${all} processes`);
