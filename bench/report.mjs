/**
 * Renders the results of run.mjs as bench/RESULTS.md.
 */
import { SCENARIOS, VARIANTS } from './scenarios.mjs';
import { median, minMax, pairedRatios } from './stats.mjs';

const MODULE_VS_ENABLE_CORS = 1.0;
const MODULE_VS_NONE = 0.97;
const MODULE_VS_NONE_SCENARIOS = ['actual', 'no-origin'];
const DECISION_BUDGET_NS = 1000;
const HOSTILE_EXTRA_NS = 100;

const ADAPTER_LABELS = { express: 'Express', fastify: 'Fastify' };

function int(value) {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

function ratio(value) {
  return Number.isFinite(value) ? value.toFixed(3) : 'n/a';
}

function range([low, high]) {
  return `${ratio(low)}–${ratio(high)}`;
}

function ns(value) {
  return value < 1000 ? `${value.toFixed(1)} ns` : `${(value / 1000).toFixed(2)} µs`;
}

function micros(value) {
  return Number.isFinite(value) ? value.toFixed(1) : 'n/a';
}

function percentInt(value) {
  return Number.isFinite(value) ? `${Math.round(value * 100)} %` : 'n/a';
}

function percent(value) {
  return `${(value * 100).toFixed(1)} %`;
}

function table(header, rows) {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

function measuredScenarios(group) {
  return SCENARIOS.filter((scenario) => group.runs[scenario.id] !== undefined);
}

function groupStats(group) {
  return measuredScenarios(group).map((scenario) => {
    const runs = group.runs[scenario.id];
    const none = median(runs.none);
    const enableCors = median(runs['enable-cors']);
    const module = median(runs.module);
    return {
      scenario,
      none,
      enableCors,
      module,
      vsEnableCors: module / enableCors,
      vsNone: module / none,
      vsEnableCorsRange: minMax(pairedRatios(runs.module, runs['enable-cors'])),
      vsNoneRange: minMax(pairedRatios(runs.module, runs.none)),
      cpu: Object.fromEntries(VARIANTS.map((variant) => [variant.id, median(group.cpu[scenario.id][variant.id])])),
      busy: Object.fromEntries(
        VARIANTS.map((variant) => [variant.id, median(group.cpuShare[scenario.id][variant.id])]),
      ),
    };
  });
}

function verdict(pass, spread, threshold) {
  if (pass) return '**pass**';
  return spread[1] >= threshold ? '**fail** (within noise: some rounds pass)' : '**fail**';
}

function httpSection(http) {
  const parts = [];
  const targets = [];
  for (const group of http) {
    const title = `${ADAPTER_LABELS[group.adapter]}, ${group.routes.toLocaleString('en-US')} routes`;
    const stats = groupStats(group);
    parts.push(`### ${title}`);
    parts.push(
      table(
        [
          'scenario',
          'none req/s',
          'enableCors req/s',
          'nestjs-cors req/s',
          'module/enableCors (rounds)',
          'module/none (rounds)',
          'server CPU µs/req: none / enableCors / module',
          'server busy: none / enableCors / module',
        ],
        stats.map((row) => [
          row.scenario.label,
          int(row.none),
          int(row.enableCors),
          int(row.module),
          `${ratio(row.vsEnableCors)} (${range(row.vsEnableCorsRange)})`,
          `${ratio(row.vsNone)} (${range(row.vsNoneRange)})`,
          VARIANTS.map((variant) => micros(row.cpu[variant.id])).join(' / '),
          VARIANTS.map((variant) => percentInt(row.busy[variant.id])).join(' / '),
        ]),
      ),
    );
    parts.push(
      `Responses (checked once before the load; status, then \`Access-Control-Allow-Origin\` when sent): ` +
        measuredScenarios(group)
          .map(
            (scenario) =>
              `${scenario.label}: ${VARIANTS.map((variant) => {
                const answer = group.probes[variant.id][scenario.id];
                const allowOrigin = answer.headers['access-control-allow-origin'];
                return `${variant.id} ${answer.status}${allowOrigin ? ' + ACAO' : ''}`;
              }).join(', ')}`,
          )
          .join('; ') +
        '.',
    );
    parts.push(
      `Warm-up (mixed load, req/s per chunk, per session): ${VARIANTS.map(
        (variant) =>
          `${variant.id} ${group.warmup[variant.id]
            .map((session) => `${session.chunks.map(int).join(' → ')}${session.settled ? '' : ' (cap reached)'}`)
            .join(' / ')}`,
      ).join('; ')}.`,
    );
    if (group.problems.length > 0) parts.push(`Problems: ${group.problems.join('; ')}.`);
    for (const row of stats) {
      const cpuVsEnableCors = row.cpu['enable-cors'] / row.cpu.module;
      targets.push({
        what: `module/enableCors ≥ ${MODULE_VS_ENABLE_CORS.toFixed(2)}`,
        where: `${title}, ${row.scenario.label}`,
        value: row.vsEnableCors,
        verdict: verdict(row.vsEnableCors >= MODULE_VS_ENABLE_CORS, row.vsEnableCorsRange, MODULE_VS_ENABLE_CORS),
        cpu: cpuVsEnableCors,
        cpuVerdict: cpuVsEnableCors >= MODULE_VS_ENABLE_CORS ? 'pass' : 'fail',
      });
      if (MODULE_VS_NONE_SCENARIOS.includes(row.scenario.id)) {
        const cpuVsNone = row.cpu.none / row.cpu.module;
        targets.push({
          what: `module/none ≥ ${MODULE_VS_NONE.toFixed(2)}`,
          where: `${title}, ${row.scenario.label}`,
          value: row.vsNone,
          verdict: verdict(row.vsNone >= MODULE_VS_NONE, row.vsNoneRange, MODULE_VS_NONE),
          cpu: cpuVsNone,
          cpuVerdict: cpuVsNone >= MODULE_VS_NONE ? 'pass' : 'fail',
        });
      }
    }
  }
  return { text: parts.join('\n\n'), targets };
}

function engineSection(engine) {
  const byId = Object.fromEntries(engine.map((row) => [row.id, row]));
  const text = table(
    ['case', 'p50', 'mean'],
    engine.map((row) => [row.label, ns(row.p50), ns(row.avg)]),
  );
  const targets = [];
  for (const id of ['exact-10k', 'exact-10k-fresh', 'refused-10k-fresh']) {
    if (!byId[id]) continue;
    targets.push({
      what: `one decision < ${ns(DECISION_BUDGET_NS)} at 10,000 origins`,
      where: byId[id].label,
      value: ns(byId[id].p50),
      verdict: byId[id].p50 < DECISION_BUDGET_NS ? '**pass**' : '**fail**',
    });
  }
  if (byId['acrh-hostile'] && byId['acrh-normal']) {
    const extra = byId['acrh-hostile'].p50 - byId['acrh-normal'].p50;
    targets.push({
      what: `hostile 16 KiB request-headers ≤ normal + ${HOSTILE_EXTRA_NS} ns`,
      where: 'checkPreflightRequest',
      value: `${extra >= 0 ? '+' : '−'}${ns(Math.abs(extra))}`,
      verdict: extra <= HOSTILE_EXTRA_NS ? '**pass**' : '**fail**',
    });
  }
  return { text, targets };
}

function profileSection(profiles) {
  return profiles
    .map(({ adapter, routes, analysis }) => {
      const rows = (entries) =>
        entries.map((entry) => [`\`${entry.name}\``, `\`${entry.location}\``, percent(entry.share)]);
      return [
        `### ${ADAPTER_LABELS[adapter]}, ${routes.toLocaleString('en-US')} routes, mixed load`,
        `${analysis.totalMillis.toFixed(0)} ms of samples${analysis.windowed ? ' (load window only)' : ' (whole process: the load window was not found)'}; ` +
          `the server was busy ${percent(analysis.busyShare)} of it. ` +
          `nestjs-cors's own request path (dist/ frames and the Node internals and find-my-way code they call, ` +
          `not what runs after the hook calls \`next()\`): **${percent(analysis.libraryShare)}** of all samples. ` +
          `Samples in Nest's guard and interceptor pipelines or rxjs, what a guard or interceptor on a route costs ` +
          `(a lower bound: the continuations of their promises are not on those stacks): **${percent(analysis.pipelineShare)}**.`,
        'Self time of nestjs-cors functions:',
        table(['function', 'where', 'share of samples'], rows(analysis.librarySelf)),
        "Everything the library's samples spend time in (self time, including Node internals and find-my-way):",
        table(['function', 'where', 'share of samples'], rows(analysis.underLibrary)),
        "The library's samples by outermost nestjs-cors function:",
        table(['function', 'where', 'share of samples'], rows(analysis.entryPoints)),
        'Top self time of the whole server, for scale:',
        table(['function', 'where', 'share of samples'], rows(analysis.overall)),
      ].join('\n\n');
    })
    .join('\n\n');
}

export function renderResults(results) {
  const { meta, config } = results;
  const out = [];
  out.push('# nestjs-cors benchmark results');
  out.push(
    `Generated by \`npm run bench\`${config.quick ? ' with `BENCH_QUICK=1` (a smoke run: too short to judge the targets)' : ''} ` +
      `on ${meta.date}; the run took ${(meta.seconds / 60).toFixed(1)} minutes. How to run: [README.md](./README.md).`,
  );
  out.push('## Machine and versions');
  out.push(
    table(
      ['', ''],
      [
        ['CPU', `${meta.cpu}, ${meta.cores} cores`],
        [
          'Load average (1/5/15 min) before → after',
          `${meta.loadBefore.map((v) => v.toFixed(2)).join(' / ')} → ${meta.loadAfter.map((v) => v.toFixed(2)).join(' / ')}`,
        ],
        ['Node.js', meta.node],
        ['NestJS (@nestjs/core)', meta.nest],
        ['@nestjs/platform-express / Express / cors', `${meta.platformExpress} / ${meta.express} / ${meta.cors}`],
        [
          '@nestjs/platform-fastify / Fastify / @fastify/cors',
          `${meta.platformFastify} / ${meta.fastify} / ${meta.fastifyCors}`,
        ],
        ['nestjs-cors / find-my-way', `${meta.library} (lib/ at ${meta.revision}) / ${meta.findMyWay}`],
        ['autocannon / mitata', `${meta.autocannon} / ${meta.mitata}`],
      ],
    ),
  );
  out.push('## Method');
  out.push(
    [
      '- One Nest app, three ways: **none** (no CORS), **enableCors** (`app.enableCors(policy)`: the `cors` package on Express, `@fastify/cors` on Fastify) and **nestjs-cors** (`CorsModule.forRoot(policy)` from lib/ compiled with `tsconfig.build.json`, `@Cors()` on every controller). The policy is the same object for both: three allowed origins with credentials, six methods, three allowed headers, one exposed header, `maxAge` 600.',
      '- Two sizes: 1 controller of 10 routes, and 100 controllers of 10 routes (1,000 routes). Both have the global prefix `api`, URI versioning (default version 1; odd controllers also answer version 2) and path params; every request targets `GET|PUT /api/v1/r{middle}/123/items/456` (the middle controller, since Express tries routes in order).',
      '- Each variant runs in its own child process (Node, `--max-http-header-size=65536` so that the 16 KiB header reaches the app) on a loopback port; autocannon runs in the parent process with ' +
        `${config.connections} connections, no pipelining.`,
      `- Warm-up of each server process: mixed load (every scenario in turn) in ${config.warmupChunkSeconds} s chunks until two chunks in a row are within ${config.warmupTolerance * 100} % (at least ${config.warmupMinChunks}, at most ${config.warmupMaxChunks} chunks).`,
      `- ${config.sessions} session(s), each with fresh server processes (one process can settle faster or slower than another; a new one per session keeps that luck out of every round), warmed up, then ${config.roundsPerSession} rounds: ${config.sessions * config.roundsPerSession} rounds in all. In each round every scenario runs ${config.seconds} s on each variant, variants back to back in an order rotated every round and scenario. Reported: the median req/s over rounds, module/enableCors and module/none as ratios of those medians, and in parentheses the lowest and highest ratio of the runs of the same round. "Server CPU µs/req" is the CPU time of the server's main thread (Linux \`/proc/<pid>/schedstat\`) per completed request, median over rounds: less sensitive to the machine's load than req/s, it shows what the module adds per request. "Server busy" is that thread's CPU time over the run's wall time: well under 100 % means the load generator or other processes, not the server, set the pace.`,
      '- For **none**, preflights reach Nest and get its 404: reported, but the meaningful preflight comparison is nestjs-cors against enableCors. With `allowedHeaders` configured, `cors` and `@fastify/cors` never read `Access-Control-Request-Headers` and answer the 16 KiB preflight with 204; nestjs-cors refuses it with 403.',
      '- **Noise:** the machine has 2 cores shared by the load generator, the server and other agents running tests at the same time. Single runs swing by ±10 % or more; interleaving the variants and taking medians keeps the ratios usable, but a ratio within a few percent of its threshold is within noise (see the per-round range). Beyond that, a server process sometimes settles into a state 2–4 µs per request slower than another process of the same variant on Fastify (seen repeatedly in side experiments, from run to run, with the same code): that is why each session starts fresh processes, and why a Fastify ratio around 0.8–0.9 can move by ±0.1 between runs.',
    ].join('\n'),
  );
  const targets = [];
  if (results.http) {
    const http = httpSection(results.http);
    out.push('## HTTP benchmark (req/s, median of rounds)');
    out.push(http.text);
    targets.push(...http.targets);
  }
  if (results.engine) {
    const engine = engineSection(results.engine);
    out.push('## Policy engine micro-benchmark (mitata)');
    out.push(
      'Compiled `dist/engine` functions: `isOriginAllowed` for one decision, `checkPreflightRequest` + `writePreflightHeaders` on a plain-object header target for a preflight. "Fresh string" cases build the origin from bytes on every call, as the HTTP parser does (its hash is not cached yet); the baseline row is that copy alone.',
    );
    out.push(engine.text);
    targets.push(...engine.targets);
  }
  if (targets.length > 0) {
    out.push('## Targets');
    out.push(
      'The verdict is on the req/s ratio, as the targets are stated. The last column is the same ratio computed from server CPU time per request (other ÷ module), a cross-check that the load on the machine moves less.',
    );
    out.push(
      table(
        ['target', 'where', 'measured (req/s)', 'verdict', 'from CPU µs/req'],
        targets.map((target) => [
          target.what,
          target.where,
          typeof target.value === 'number' ? ratio(target.value) : target.value,
          target.verdict,
          target.cpu === undefined ? '' : `${ratio(target.cpu)} (${target.cpuVerdict})`,
        ]),
      ),
    );
  }
  if (results.profiles) {
    out.push('## CPU profile of the nestjs-cors server (`node --cpu-prof`)');
    out.push(
      `The nestjs-cors server under mixed load (all five scenarios in turn), sampled every 250 µs for ${config.profileSeconds} s after ${config.profileWarmupSeconds} s of warm-up; the profiles are in the run's raw directory.`,
    );
    out.push(profileSection(results.profiles));
  }
  return `${out.join('\n\n')}\n`;
}
