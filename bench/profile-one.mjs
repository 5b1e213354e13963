/**
 * One variant under one scenario with `node --cpu-prof`, for profile-driven
 * work: prints server CPU µs/request and the profile's path.
 *   node bench/profile-one.mjs <adapter> <variant> <routes> <scenario> [seconds] [outDir]
 * Uses NESTJS_CORS_DIST, else dist/ (run `npm run build` first).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hrtime } from 'node:process';
import { libraryUrl } from './library.mjs';
import { runLoad, startServer } from './load.mjs';
import { analyzeProfile } from './profile.mjs';
import { scenarioRequest } from './scenarios.mjs';

const [adapter, variant, routes, scenario, seconds = '4', outDir] = process.argv.slice(2);
const dir = outDir ?? mkdtempSync(join(tmpdir(), 'nestjs-cors-profile-'));
const name = `${variant}-${adapter}-${routes}-${scenario}.cpuprofile`;
const profile = process.env.PROFILE !== '0';
const server = await startServer(adapter, variant, Number(routes), [
  ...(process.env.SERVER_FLAGS ? process.env.SERVER_FLAGS.split(' ') : []),
  ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`, '--cpu-prof-interval=200'] : []),
]);
const request = scenarioRequest(scenario, Number(routes));
const now = () => Number(hrtime.bigint() / 1000n);
let result;
let from;
let to;
try {
  await runLoad(server.port, request, 3);
  from = now();
  result = await runLoad(server.port, request, Number(seconds), server.pid, server);
  to = now();
} finally {
  await server.stop();
}
const summary = {
  variant,
  cpuMicrosPerRequest: Number(result.cpuMicrosPerRequest.toFixed(2)),
  rps: Math.round(result.rps),
  gcPer100k: result.gc,
};
if (profile) {
  const file = join(dir, name);
  const analysis = analyzeProfile(file, libraryUrl('./'), from, to, 400);
  const perRequest = (share) => Number(((share * analysis.totalMillis * 1000) / result.requests).toFixed(3));
  Object.assign(summary, {
    profile: file,
    libraryMicrosPerRequest: perRequest(analysis.libraryShare),
    pipelineMicrosPerRequest: perRequest(analysis.pipelineShare),
    nextTickMicrosPerRequest: perRequest(
      analysis.overall.filter((entry) => entry.name === 'nextTick').reduce((sum, entry) => sum + entry.share, 0),
    ),
    top: analysis.overall
      .slice(0, Number(process.env.PROFILE_TOP ?? 15))
      .map((entry) => `${perRequest(entry.share)} µs ${entry.name} ${entry.location}`),
    library: analysis.underLibrary
      .slice(0, 15)
      .map((entry) => `${perRequest(entry.share)} µs ${entry.name} ${entry.location}`),
  });
}
console.log(JSON.stringify(summary, null, 1));
