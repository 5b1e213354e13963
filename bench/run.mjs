/**
 * `npm run bench`: engine micro-benchmark, HTTP benchmark (3 variants × 2
 * adapters × 2 app sizes × 5 scenarios), CPU profile of the nestjs-cors
 * server, then bench/RESULTS.md. See bench/README.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hrtime } from 'node:process';
import { fileURLToPath } from 'node:url';
import { libraryUrl } from './library.mjs';
import { CONNECTIONS, probe, runLoad, startServer } from './load.mjs';
import { PAIRED_SETUPS, runPaired } from './paired.mjs';
import { analyzeProfile } from './profile.mjs';
import { renderResults } from './report.mjs';
import {
  ADAPTERS,
  APP_SIZES,
  realisticRequest,
  REALISTIC_VARIANTS,
  scenarioRequest,
  SCENARIOS,
  SERVER_NODE_OPTIONS,
  VARIANTS,
  variantMeasures,
} from './scenarios.mjs';
import { median, minMax, rotate, shuffled } from './stats.mjs';

const ALL_VARIANTS = VARIANTS;
/** What own-time.mjs times: the floor (the control) and the module with and without route lookups. */
const OWN_TIME_VARIANTS = ['floor', 'module', 'module-routed'];

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';

const config = {
  quick: QUICK,
  /** Each session starts fresh server processes, warms them up, then runs its rounds. */
  sessions: Number(process.env.BENCH_SESSIONS ?? (QUICK ? 1 : 3)),
  roundsPerSession: Number(process.env.BENCH_ROUNDS ?? 2),
  seconds: Number(process.env.BENCH_SECONDS ?? (QUICK ? 0.5 : 0.7)),
  warmupChunkSeconds: QUICK ? 0.5 : 0.7,
  warmupMinChunks: QUICK ? 2 : 3,
  warmupMaxChunks: QUICK ? 3 : 5,
  /** The JIT has settled when a warm-up chunk is within this of the one before. */
  warmupTolerance: 0.03,
  profileWarmupSeconds: QUICK ? 1 : 2,
  profileSeconds: QUICK ? 2 : 5,
  /** Fresh profiled processes per adapter and size for the flat-cost cross-check (medians). */
  flatProfileRepeats: QUICK ? 1 : 3,
  connections: CONNECTIONS,
  parts: (process.env.BENCH_ONLY ?? 'engine,http,paired,own,realistic,boot,profile').split(','),
  /**
   * The paired in-process part (paired.mjs): blocks of requests per round, rounds
   * with every app in one process, and sets of fresh processes (one per app) with their rounds.
   */
  pairedBlock: 25,
  pairedWarmupRounds: QUICK ? 10 : 40,
  pairedSharedRounds: Number(process.env.BENCH_PAIRED_ROUNDS ?? (QUICK ? 30 : 400)),
  pairedSeparateSets: 1,
  pairedSeparateRounds: QUICK ? 20 : 100,
  /** The module's own time per request (own-time.mjs): fresh processes per adapter, variant and size, and rounds in each. */
  ownRepeats: Number(process.env.BENCH_OWN_REPEATS ?? (QUICK ? 1 : 5)),
  ownRounds: QUICK ? 15 : 60,
  ownWarmupRounds: QUICK ? 20 : 120,
  /** Variants of the HTTP benchmark (all by default). */
  variants: (process.env.BENCH_VARIANTS ?? VARIANTS.map((variant) => variant.id).join(',')).split(','),
  /** The realistic scenario: seconds per run and rounds (one session of fresh processes per adapter). */
  realisticSeconds: QUICK ? 1 : 2,
  realisticRounds: Number(process.env.BENCH_REALISTIC_ROUNDS ?? (QUICK ? 2 : 5)),
  /** Boot cost: app sizes, and fresh processes per adapter, variant and size. */
  bootSizes: (process.env.BENCH_BOOT_SIZES ?? '1000,10000').split(',').map(Number),
  bootRepeats: Number(process.env.BENCH_BOOT_REPEATS ?? 5),
  adapters: (process.env.BENCH_ADAPTERS ?? ADAPTERS.join(',')).split(','),
  sizes: (process.env.BENCH_SIZES ?? APP_SIZES.join(',')).split(',').map(Number),
  scenarios: (process.env.BENCH_SCENARIOS ?? SCENARIOS.map((scenario) => scenario.id).join(',')).split(','),
  output: process.env.BENCH_RESULTS ?? join(ROOT, 'bench', 'RESULTS.md'),
};

const work = mkdtempSync(join(tmpdir(), 'nestjs-cors-bench-'));

/**
 * lib/ compiled with tsconfig.build.json into a directory of this run, so
 * that an `npm run build` elsewhere (tests do it) cannot remove or half-write
 * the code under measurement. Under node_modules/ so that its imports resolve.
 * BENCH_DIST=<dir> uses an existing build instead (e.g. BENCH_DIST=dist).
 */
function compileLibrary() {
  if (process.env.BENCH_DIST) {
    const given = resolve(ROOT, process.env.BENCH_DIST);
    if (!existsSync(join(given, 'index.js'))) throw new Error(`${given}/index.js not found: build it first`);
    return { dir: given, own: false };
  }
  const cache = join(ROOT, 'node_modules', '.cache', 'nestjs-cors-bench');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'dist-'));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', dir], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error('compiling lib/ failed');
  }
  return { dir, own: true };
}

function log(message) {
  console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
}

function packageVersion(...candidates) {
  for (const candidate of candidates) {
    const file = join(ROOT, 'node_modules', candidate, 'package.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version;
  }
  return 'not found';
}

/** The commit the library was built from, and whether lib/ differed from it. */
function revision() {
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  return git('status', '--porcelain', '--', 'lib') ? `${commit} + uncommitted lib/ changes` : commit;
}

function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  return {
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    nest: packageVersion('@nestjs/core'),
    platformExpress: packageVersion('@nestjs/platform-express'),
    platformFastify: packageVersion('@nestjs/platform-fastify'),
    express: packageVersion('@nestjs/platform-express/node_modules/express', 'express'),
    fastify: packageVersion('@nestjs/platform-fastify/node_modules/fastify', 'fastify'),
    cors: packageVersion('@nestjs/platform-express/node_modules/cors', 'cors'),
    fastifyCors: packageVersion('@nestjs/platform-fastify/node_modules/@fastify/cors', '@fastify/cors'),
    findMyWay: packageVersion('find-my-way'),
    autocannon: packageVersion('autocannon'),
    mitata: packageVersion('mitata'),
    library: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
    revision: revision(),
  };
}

function runEngine() {
  const file = join(work, 'engine.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', join(ROOT, 'bench', 'engine.mjs'), '--json', file], {
      stdio: 'inherit',
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(readFileSync(file, 'utf8'))) : reject(new Error(`engine bench exited ${code}`)),
    );
  });
}

/** Mixed load (every scenario in turn) until two chunks in a row agree: the JIT has settled. */
async function warmUp(server, routes) {
  const mixed = SCENARIOS.map((scenario) => scenarioRequest(scenario.id, routes));
  const chunks = [];
  for (let index = 0; index < config.warmupMaxChunks; index++) {
    chunks.push(Math.round((await runLoad(server.port, mixed, config.warmupChunkSeconds)).rps));
    const [previous, last] = chunks.slice(-2);
    if (chunks.length >= config.warmupMinChunks && Math.abs(last - previous) / last <= config.warmupTolerance) {
      return { chunks, settled: true };
    }
  }
  return { chunks, settled: false };
}

async function startVariants(adapter, routes, variants) {
  const servers = {};
  try {
    for (const variant of variants) {
      servers[variant.id] = await startServer(adapter, variant.id, routes);
    }
  } catch (error) {
    await stopAll(servers);
    throw error;
  }
  return servers;
}

async function stopAll(servers) {
  for (const server of Object.values(servers)) await server.stop();
}

/**
 * One adapter and app size: `sessions` times, fresh server processes (a
 * process can settle into a slower or faster state than another, so one
 * process per variant would carry its luck into every round), warmed up,
 * then `rounds` rounds of every scenario on every variant, interleaved.
 */
async function benchGroup(adapter, routes) {
  const VARIANTS = ALL_VARIANTS.filter((variant) => config.variants.includes(variant.id));
  const scenarios = SCENARIOS.filter((scenario) => config.scenarios.includes(scenario.id));
  const perScenario = () =>
    Object.fromEntries(
      scenarios.map((scenario) => [
        scenario.id,
        Object.fromEntries(
          VARIANTS.filter((variant) => variantMeasures(variant, scenario.id)).map((variant) => [variant.id, []]),
        ),
      ]),
    );
  const runs = perScenario();
  const cpu = perScenario();
  const cpuShare = perScenario();
  const gc = perScenario();
  const loads = [];
  const warmup = Object.fromEntries(VARIANTS.map((variant) => [variant.id, []]));
  const probes = {};
  const problems = [];
  let round = 0;
  for (let session = 0; session < config.sessions; session++) {
    const servers = await startVariants(adapter, routes, VARIANTS);
    try {
      if (session === 0) {
        for (const variant of VARIANTS) {
          probes[variant.id] = {};
          for (const scenario of scenarios.filter((scenario) => variantMeasures(variant, scenario.id))) {
            const request = scenarioRequest(scenario.id, routes);
            probes[variant.id][scenario.id] = await probe(servers[variant.id].port, request);
          }
        }
      }
      for (const variant of VARIANTS) {
        warmup[variant.id].push(await warmUp(servers[variant.id], routes));
      }
      const chunks = (variant) => warmup[variant.id][session].chunks.join('→');
      log(
        `${adapter}, ${routes} routes, session ${session + 1}: warm-up ${VARIANTS.map((v) => `${v.id} ${chunks(v)}`).join('; ')}`,
      );
      for (let sessionRound = 0; sessionRound < config.roundsPerSession; sessionRound++, round++) {
        for (const [scenarioIndex, scenario] of scenarios.entries()) {
          const request = scenarioRequest(scenario.id, routes);
          const measured = VARIANTS.filter((variant) => variantMeasures(variant, scenario.id));
          for (const variant of rotate(measured, round + scenarioIndex)) {
            const server = servers[variant.id];
            const result = await runLoad(server.port, request, config.seconds, server.pid, server);
            runs[scenario.id][variant.id].push(result.rps);
            cpu[scenario.id][variant.id].push(result.cpuMicrosPerRequest);
            cpuShare[scenario.id][variant.id].push(result.cpuShare);
            gc[scenario.id][variant.id].push(result.gc);
            if (result.errors > 0)
              problems.push(`${variant.id}/${scenario.id}: ${result.errors} socket errors/timeouts`);
          }
        }
        loads.push(loadavg()[0]);
        log(
          `${adapter}, ${routes} routes: round ${round + 1}/${config.sessions * config.roundsPerSession} done (load ${loadavg()[0].toFixed(2)})`,
        );
      }
    } finally {
      await stopAll(servers);
    }
  }
  return {
    adapter,
    routes,
    variants: VARIANTS.map((variant) => variant.id),
    probes,
    warmup,
    runs,
    cpu,
    cpuShare,
    gc,
    loads,
    problems,
  };
}

/**
 * The realistic scenario on one adapter: none, enableCors and the module,
 * each in a fresh process, warmed up, then rounds of interleaved runs.
 */
async function benchRealistic(adapter) {
  const variants = ALL_VARIANTS.filter((variant) => REALISTIC_VARIANTS.includes(variant.id));
  const request = realisticRequest();
  const servers = {};
  const data = Object.fromEntries(variants.map((variant) => [variant.id, { rps: [], cpu: [], p50: [], p99: [] }]));
  const probes = {};
  const loads = [];
  try {
    for (const variant of variants) {
      servers[variant.id] = await startServer(adapter, variant.id, 10, [], 'realistic');
      probes[variant.id] = await probe(servers[variant.id].port, request);
      for (let chunk = 0; chunk < config.warmupMaxChunks; chunk++) {
        await runLoad(servers[variant.id].port, request, config.warmupChunkSeconds);
      }
    }
    for (let round = 0; round < config.realisticRounds; round++) {
      for (const variant of rotate(variants, round)) {
        const server = servers[variant.id];
        const result = await runLoad(server.port, request, config.realisticSeconds, server.pid, undefined, {
          latency: true,
        });
        data[variant.id].rps.push(result.rps);
        data[variant.id].cpu.push(result.cpuMicrosPerRequest);
        data[variant.id].p50.push(result.latencyP50);
        data[variant.id].p99.push(result.latencyP99);
      }
      loads.push(loadavg()[0]);
      log(`realistic, ${adapter}: round ${round + 1}/${config.realisticRounds} done (load ${loadavg()[0].toFixed(2)})`);
    }
  } finally {
    await stopAll(servers);
  }
  return { adapter, probes, data, loads };
}

/** `app.init()` time and heap of one app, each in a fresh process (boot.mjs). */
function bootOnce(adapter, variant, routes) {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', join(ROOT, 'bench', 'boot.mjs'), adapter, variant, String(routes)],
    { encoding: 'utf8', env: process.env, maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) throw new Error(`boot ${adapter}/${variant}/${routes} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop());
}

/**
 * Boot of each size without the module, with it (one policy app-wide: no route
 * table is built) and `module-routed` (one route with a policy of its own: the
 * route table is built). One row per module variant, against the same `none`.
 */
async function benchBoot() {
  const variants = ['none', 'module', 'module-routed'];
  const rows = [];
  for (const routes of config.bootSizes) {
    for (const adapter of config.adapters) {
      const samples = Object.fromEntries(variants.map((variant) => [variant, []]));
      for (let repeat = 0; repeat < config.bootRepeats; repeat++) {
        for (const variant of variants) samples[variant].push(bootOnce(adapter, variant, routes));
      }
      const summary = (variant) => {
        const of = (key) => median(samples[variant].map((sample) => sample[key]));
        return {
          createMillis: of('createMillis'),
          initMillis: of('initMillis'),
          heapBytes: of('heapBytes'),
          rssBytes: of('rssBytes'),
          moduleWorkMillis: variant === 'none' ? undefined : of('moduleWorkMillis'),
          // The spread over processes: one process's own work moves by a quarter either way on this machine.
          moduleWorkRange:
            variant === 'none' ? undefined : minMax(samples[variant].map((sample) => sample.moduleWorkMillis)),
        };
      };
      const none = summary('none');
      for (const variant of ['module', 'module-routed']) {
        const row = { adapter, routes, variant, load: loadavg()[0], none, module: summary(variant) };
        rows.push(row);
        log(
          `boot: ${adapter}, ${routes} routes, ${variant}: init ${row.none.initMillis.toFixed(0)} → ${row.module.initMillis.toFixed(0)} ms, own work ${row.module.moduleWorkMillis.toFixed(1)} ms`,
        );
      }
    }
  }
  return rows;
}

/** One fresh process of own-time.mjs: the module's (or the floor's) own time per request, per scenario. */
function measureOwnTime(adapter, variant, routes) {
  const script = fileURLToPath(new URL('./own-time.mjs', import.meta.url));
  const child = spawnSync(
    process.execPath,
    [
      ...SERVER_NODE_OPTIONS,
      script,
      adapter,
      variant,
      String(routes),
      String(config.ownRounds),
      String(config.ownWarmupRounds),
    ],
    { encoding: 'utf8', env: process.env, maxBuffer: 1 << 20, timeout: 10 * 60 * 1000 },
  );
  if (child.status !== 0) throw new Error(`own-time.mjs ${adapter} ${variant} ${routes} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop());
}

function nowMicros() {
  return Number(hrtime.bigint() / 1000n);
}

/** One module server under `--cpu-prof`: the mixed load by default, or one scenario's request. */
async function profileModule(adapter, routes, scenario, repeat = 0) {
  const name = `module-${adapter}-${routes}-${scenario ?? 'mixed'}-${repeat}.cpuprofile`;
  const server = await startServer(adapter, 'module', routes, [
    '--cpu-prof',
    `--cpu-prof-dir=${work}`,
    `--cpu-prof-name=${name}`,
    '--cpu-prof-interval=250',
  ]);
  const load = scenario ? scenarioRequest(scenario, routes) : SCENARIOS.map((each) => scenarioRequest(each.id, routes));
  let from;
  let to;
  let requests;
  try {
    await runLoad(server.port, load, config.profileWarmupSeconds);
    from = nowMicros();
    ({ requests } = await runLoad(server.port, load, config.profileSeconds));
    to = nowMicros();
  } finally {
    await server.stop();
  }
  const file = join(work, name);
  return { adapter, routes, scenario, file, requests, analysis: analyzeProfile(file, libraryUrl('./'), from, to) };
}

const started = Date.now();

async function main() {
  log('compiling lib/ (tsconfig.build.json)');
  const library = compileLibrary();
  process.env.NESTJS_CORS_DIST = library.dir;
  try {
    await measureAll();
  } finally {
    if (library.own) rmSync(library.dir, { recursive: true, force: true });
  }
}

async function measureAll() {
  const results = { meta: { ...machine(), date: new Date().toISOString(), loadBefore: loadavg() }, config, work };
  log(`library under test: ${process.env.NESTJS_CORS_DIST}; raw results and profiles go to ${work}`);
  if (config.parts.includes('engine')) {
    log('engine micro-benchmark (mitata)');
    results.engine = await runEngine();
  }
  if (config.parts.includes('http')) {
    results.http = [];
    for (const routes of config.sizes) {
      for (const adapter of config.adapters) {
        log(`HTTP: ${adapter}, ${routes} routes`);
        results.http.push(await benchGroup(adapter, routes));
      }
    }
  }
  if (config.parts.includes('paired')) {
    results.paired = [];
    for (const adapter of config.adapters) {
      const modes = [{ shared: true, set: 0, rounds: config.pairedSharedRounds }];
      for (let set = 0; set < config.pairedSeparateSets; set++) {
        modes.push({ shared: false, set, rounds: config.pairedSeparateRounds });
      }
      for (const { shared, set, rounds } of modes) {
        log(`paired, in-process: ${adapter}, ${shared ? 'one process' : `fresh processes, set ${set + 1}`}`);
        const measured = await runPaired({
          adapter,
          setups: PAIRED_SETUPS,
          scenarios: config.scenarios,
          rounds,
          block: config.pairedBlock,
          warmupRounds: config.pairedWarmupRounds,
          shared,
        });
        results.paired.push({ adapter, shared, set, rounds, ...measured });
      }
    }
  }
  if (config.parts.includes('own')) {
    results.own = [];
    for (let repeat = 0; repeat < config.ownRepeats; repeat++) {
      for (const adapter of config.adapters) {
        log(`own time per request, timed in place: ${adapter}, set ${repeat + 1}/${config.ownRepeats}`);
        const setups = OWN_TIME_VARIANTS.flatMap((variant) => config.sizes.map((routes) => ({ variant, routes })));
        for (const { variant, routes } of shuffled(setups)) {
          results.own.push({ repeat, ...measureOwnTime(adapter, variant, routes) });
        }
      }
    }
  }
  if (config.parts.includes('realistic')) {
    results.realistic = [];
    for (const adapter of config.adapters) {
      log(`realistic scenario: ${adapter}`);
      results.realistic.push(await benchRealistic(adapter));
    }
  }
  if (config.parts.includes('boot')) {
    log('boot cost: app.init() time and heap');
    results.boot = await benchBoot();
  }
  if (config.parts.includes('profile')) {
    results.profiles = [];
    results.flatProfiles = [];
    for (const adapter of config.adapters) {
      const routes = Math.max(...config.sizes);
      log(`CPU profile: nestjs-cors on ${adapter}, ${routes} routes`);
      results.profiles.push(await profileModule(adapter, routes));
      // Every size, allowed-origin GET, sizes interleaved: the flat-cost cross-check by profile (report.mjs).
      for (let repeat = 0; repeat < config.flatProfileRepeats; repeat++) {
        for (const size of [...config.sizes].sort((a, b) => a - b)) {
          log(`CPU profile ${repeat + 1}/${config.flatProfileRepeats}: ${adapter}, ${size} routes, allowed-origin GET`);
          results.flatProfiles.push(await profileModule(adapter, size, 'actual', repeat));
        }
      }
    }
  }
  results.meta.loadAfter = loadavg();
  results.meta.seconds = (Date.now() - started) / 1000;
  writeFileSync(join(work, 'results.json'), JSON.stringify(results, null, 2));
  // Keep the soak section (written by soak.mjs) across benchmark runs.
  const previous = existsSync(config.output) ? readFileSync(config.output, 'utf8') : '';
  const soak = /<!-- soak:start -->[\s\S]*<!-- soak:end -->/.exec(previous)?.[0];
  const findingsFile = join(ROOT, 'bench', 'findings.md');
  const rendered = renderResults(results, existsSync(findingsFile) ? readFileSync(findingsFile, 'utf8') : undefined);
  writeFileSync(config.output, soak ? `${rendered.trimEnd()}\n\n${soak}\n` : rendered);
  log(`wrote ${config.output} (raw: ${join(work, 'results.json')})`);
}

await main();
