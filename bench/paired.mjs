/**
 * Paired, in-process measurement: several variants of the benchmark app, all
 * alive at once (each in its own fresh process, or all in one:
 * inject-server.mjs), take turns serving short blocks of injected requests,
 * in a new random order every round. Each block is timed inside its process
 * while the others wait, so a slow moment of this shared machine lands on one
 * block of one variant, not on a whole run, and a difference between two
 * variants is read per round (paired) before taking medians.
 *
 * It resolves a few µs (the same app measured twice), where the socket
 * benchmark moves by ±10 µs per process; not the 0.5 µs of the flat target.
 * Several 1,000-route Express apps in one process slow each other down by
 * boot order (bench/findings.md, section 3a). See bench/README.md.
 *
 * As a command, for A/B work on the library (a setup is variant:routes, or
 * variant:routes:distDir to load another build of the library; PAIRED_SHARED=1
 * puts all setups in one process, PAIRED_ROUNDS, PAIRED_BLOCK and
 * PAIRED_WARMUP set the rounds):
 *   node bench/paired.mjs <express|fastify> <scenario[,scenario…]> <setup> <setup> [setup…]
 */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_OPTIONS } from './scenarios.mjs';
import { median, shuffled } from './stats.mjs';

const CHILD = fileURLToPath(new URL('./inject-server.mjs', import.meta.url));

/**
 * What `npm run bench` pairs: no CORS, `enableCors()` and the module at both
 * app sizes, a second module app at 10 routes, whose difference to the first
 * is the resolution of the measurement (the same app twice), and the module
 * in an app where one route has a policy of its own (`module-routed`: every
 * request is looked up; with one policy app-wide none is), and the floor
 * (bench/floor.mjs: the same headers from a hand-written hook), what any
 * request hook that writes these headers costs, alone and with a global
 * no-op guard (`floor-guard`: Nest's guard pipeline, which the module's
 * global guard switches on, added to the floor).
 */
export const PAIRED_SETUPS = [
  { id: 'none@10', variant: 'none', routes: 10 },
  { id: 'enable-cors@10', variant: 'enable-cors', routes: 10 },
  { id: 'module@10', variant: 'module', routes: 10 },
  { id: 'module@10 again', variant: 'module', routes: 10 },
  { id: 'none@1000', variant: 'none', routes: 1000 },
  { id: 'enable-cors@1000', variant: 'enable-cors', routes: 1000 },
  { id: 'module@1000', variant: 'module', routes: 1000 },
  { id: 'module-routed@10', variant: 'module-routed', routes: 10 },
  { id: 'module-routed@1000', variant: 'module-routed', routes: 1000 },
  { id: 'floor@10', variant: 'floor', routes: 10 },
  { id: 'floor@1000', variant: 'floor', routes: 1000 },
  { id: 'floor-guard@10', variant: 'floor-guard', routes: 10 },
  { id: 'floor-guard@1000', variant: 'floor-guard', routes: 1000 },
];

/** One inject server holding `setups` (same library build); `ask()` sends a message and resolves with its reply. */
function startInjectServer(adapter, setups) {
  const env = { ...process.env };
  const { dist } = setups[0];
  if (dist !== undefined) env.NESTJS_CORS_DIST = resolve(dist);
  const list = setups.map(({ variant, routes }) => `${variant}:${routes}`).join(',');
  const child = fork(CHILD, [adapter, list], {
    execArgv: SERVER_NODE_OPTIONS,
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending;
  child.on('message', (message) => {
    const waiting = pending;
    pending = undefined;
    if (message?.type === 'error') waiting?.reject(new Error(`${list}: ${message.message}`));
    else waiting?.resolve(message);
  });
  child.once('exit', (code) => pending?.reject(new Error(`${list}: exited with ${code}`)));
  const ask = (message) =>
    new Promise((resolveReply, reject) => {
      pending = { resolve: resolveReply, reject };
      if (message !== undefined) child.send(message);
    });
  return {
    ready: ask(undefined),
    ask,
    stop: () =>
      new Promise((resolveExit) => {
        if (child.exitCode !== null) return resolveExit();
        child.once('exit', () => resolveExit());
        child.send({ type: 'stop' });
      }),
  };
}

/**
 * Runs every scenario on every setup: warm-up rounds, then `rounds` rounds of
 * one `block` of requests per setup, in random order. `shared`: all setups in
 * one process (what tells the module's own work at two sizes apart to a
 * fraction of a microsecond: no process-to-process difference in what the JIT
 * made of the code); otherwise a fresh process each (what a deployment runs).
 * Returns, per setup id, the first answer of each scenario (status and CORS
 * headers) and the µs per request of each block, round by round (index r of
 * every setup is the same round).
 */
export async function runPaired({ adapter, setups, scenarios, rounds, block, warmupRounds, shared = false }) {
  const servers = [];
  const targets = [];
  try {
    // Booted one at a time: a boot competing with another for the CPU would be slower, not different.
    for (const group of shared ? [setups] : setups.map((setup) => [setup])) {
      const server = startInjectServer(adapter, group);
      servers.push(server);
      await server.ready;
      group.forEach((_, app) => targets.push({ server, app }));
    }
    const answers = {};
    const samples = {};
    for (const setup of setups) {
      answers[setup.id] = {};
      samples[setup.id] = {};
    }
    for (const scenario of scenarios) {
      for (const [index, setup] of setups.entries()) {
        const { server, app } = targets[index];
        answers[setup.id][scenario] = (await server.ask({ type: 'answer', app, scenario })).answer;
        samples[setup.id][scenario] = [];
      }
      const order = setups.map((_, index) => index);
      for (let round = 0; round < warmupRounds + rounds; round++) {
        for (const index of shuffled(order)) {
          const { server, app } = targets[index];
          const { micros } = await server.ask({ type: 'run', app, scenario, count: block });
          if (round >= warmupRounds) samples[setups[index].id][scenario].push(micros);
        }
      }
    }
    return { answers, samples };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** Median over rounds of a per-round combination of setups' samples (`combine(valuesOfRound)`). */
export function pairedMedian(samples, ids, scenario, combine) {
  const series = ids.map((id) => samples[id][scenario]);
  const perRound = series[0].map((_, round) => combine(...series.map((values) => values[round])));
  return median(perRound);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [adapter, scenarioList, ...setupArgs] = process.argv.slice(2);
  const setups = setupArgs.map((arg, index) => {
    const [variant, routes, dist] = arg.split(':');
    return { id: `${index}:${arg}`, variant, routes: Number(routes), dist };
  });
  const scenarios = scenarioList.split(',');
  const { answers, samples } = await runPaired({
    adapter,
    setups,
    scenarios,
    rounds: Number(process.env.PAIRED_ROUNDS ?? 300),
    block: Number(process.env.PAIRED_BLOCK ?? 25),
    warmupRounds: Number(process.env.PAIRED_WARMUP ?? 40),
    shared: process.env.PAIRED_SHARED === '1',
  });
  const [base] = setups;
  for (const scenario of scenarios) {
    console.log(`\n${adapter}, ${scenario}: median µs per request; paired difference to ${base.id} (median of rounds)`);
    for (const setup of setups) {
      const difference = pairedMedian(samples, [setup.id, base.id], scenario, (a, b) => a - b);
      const ratio = pairedMedian(samples, [setup.id, base.id], scenario, (a, b) => b / a);
      const { status, headers } = answers[setup.id][scenario];
      console.log(
        `${setup.id.padEnd(28)} ${median(samples[setup.id][scenario]).toFixed(2).padStart(8)}  ${difference >= 0 ? '+' : ''}${difference.toFixed(2)}  ${base.id}/this ${ratio.toFixed(3)}  ${status} ${headers['access-control-allow-origin'] ?? '-'}`,
      );
    }
  }
}
