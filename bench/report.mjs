/**
 * Renders the results of run.mjs as bench/RESULTS.md.
 */
import { SCENARIOS, VARIANTS } from './scenarios.mjs';
import { pairedMedian } from './paired.mjs';
import { median, minMax, pairedRatios } from './stats.mjs';

const MODULE_VS_ENABLE_CORS = 1.0;
/** module/none: ≥ 0.97 without `Origin`, ≥ 0.95 from an allowed origin. */
const MODULE_VS_NONE = { 'no-origin': 0.97, actual: 0.95 };
/** Extra server CPU per request at the largest size within this of the extra at the smallest. */
const FLAT_MICROS = 0.5;
/** Module server CPU per request within this of the floor's. */
const FLOOR_MICROS = 1.0;
const DECISION_BUDGET_NS = 1000;
/** The module's own boot work, as a share of Nest's `app.init()` without it: "a small share" (issue 12). */
const BOOT_OWN_SHARE = 0.1;
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
  return Number.isFinite(value) ? value.toFixed(1) : '–';
}

function signedMicros(value) {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)} µs`;
}

function percentInt(value) {
  return Number.isFinite(value) ? `${Math.round(value * 100)} %` : '–';
}

function percent(value) {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1).replace('-', '−')} %` : 'n/a';
}

function mb(bytes) {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : 'n/a';
}

function table(header, rows) {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

function loadRange(loads) {
  if (!loads || loads.length === 0) return 'n/a';
  const [low, high] = minMax(loads);
  return low === high ? low.toFixed(1) : `${low.toFixed(1)}–${high.toFixed(1)}`;
}

function measuredScenarios(group) {
  return SCENARIOS.filter((scenario) => group.runs[scenario.id] !== undefined);
}

function variantsOf(group) {
  return VARIANTS.filter((variant) => (group.variants ?? ['none', 'enable-cors', 'module']).includes(variant.id));
}

function groupStats(group) {
  return measuredScenarios(group).map((scenario) => {
    const runs = group.runs[scenario.id];
    const has = (id) => runs[id] !== undefined && runs[id].length > 0;
    const rps = Object.fromEntries(Object.entries(runs).map(([id, values]) => [id, median(values)]));
    const paired = (a, b) => (has(a) && has(b) ? minMax(pairedRatios(runs[a], runs[b])) : [NaN, NaN]);
    const cpu = Object.fromEntries(Object.entries(group.cpu[scenario.id]).map(([id, values]) => [id, median(values)]));
    const busy = Object.fromEntries(
      Object.entries(group.cpuShare[scenario.id]).map(([id, values]) => [id, median(values)]),
    );
    const gc = Object.fromEntries(
      Object.entries(group.gc?.[scenario.id] ?? {}).map(([id, values]) => [
        id,
        {
          minor: median(values.map((value) => value?.minor)),
          major: median(values.map((value) => value?.major)),
          millis: median(values.map((value) => value?.millis)),
        },
      ]),
    );
    return {
      scenario,
      rps,
      cpu,
      busy,
      gc,
      vsEnableCors: rps.module / rps['enable-cors'],
      vsNone: rps.module / rps.none,
      vsFloor: rps.module / rps.floor,
      vsEnableCorsRange: paired('module', 'enable-cors'),
      vsNoneRange: paired('module', 'none'),
      vsFloorRange: paired('module', 'floor'),
      extra: cpu.module - cpu.none,
      floorExtra: cpu.floor - cpu.none,
      guardExtra: cpu['none-guard'] - cpu.none,
    };
  });
}

function verdict(pass, spread, threshold) {
  if (pass) return '**met**';
  return spread[1] >= threshold ? '**missed** (within noise: some rounds meet it)' : '**missed**';
}

function groupTitle(group) {
  return `${ADAPTER_LABELS[group.adapter]}, ${group.routes.toLocaleString('en-US')} routes`;
}

function httpSection(http) {
  const parts = [];
  const targets = [];
  for (const group of http) {
    const title = groupTitle(group);
    const stats = groupStats(group);
    const variants = variantsOf(group);
    parts.push(`### ${title}`);
    parts.push(`Load average (1 min) during the rounds: ${loadRange(group.loads)}.`);
    parts.push(
      table(
        [
          'scenario',
          `req/s: ${variants.map((variant) => variant.id).join(' / ')}`,
          'module/enableCors (rounds)',
          'module/none (rounds)',
          'module/floor (rounds)',
          `server CPU µs/req: ${variants.map((variant) => variant.id).join(' / ')}`,
          'module − none',
          'floor − none',
          'server busy: none / module',
        ],
        stats.map((row) => [
          row.scenario.label,
          variants.map((variant) => (row.rps[variant.id] === undefined ? '–' : int(row.rps[variant.id]))).join(' / '),
          `${ratio(row.vsEnableCors)} (${range(row.vsEnableCorsRange)})`,
          `${ratio(row.vsNone)} (${range(row.vsNoneRange)})`,
          `${ratio(row.vsFloor)} (${range(row.vsFloorRange)})`,
          variants.map((variant) => micros(row.cpu[variant.id])).join(' / '),
          signedMicros(row.extra),
          signedMicros(row.floorExtra),
          `${percentInt(row.busy.none)} / ${percentInt(row.busy.module)}`,
        ]),
      ),
    );
    const guardRows = stats.filter((row) => Number.isFinite(row.guardExtra));
    if (guardRows.length > 0) {
      parts.push(
        `Global guard reference (\`none-guard\`: the \`none\` app with a global no-op \`APP_GUARD\`): ` +
          guardRows
            .map(
              (row) =>
                `${row.scenario.label}: ${signedMicros(row.guardExtra)} server CPU per request over none, ` +
                `req/s ratio none-guard/none ${ratio(row.rps['none-guard'] / row.rps.none)}`,
            )
            .join('; ') +
          '. This is what any global guard costs. The module pays it only where its guard has something to check: ' +
          'with one policy app-wide, as in the `module` variant here, the routes leave its guard out of their ' +
          'guard lists and Nest runs no guard pipeline for it (bench/findings.md, section 10).',
      );
    }
    const gcRows = stats.filter((row) => Object.keys(row.gc).length > 0);
    if (gcRows.length > 0) {
      parts.push(
        'Garbage collection per 100,000 requests (median of rounds; scavenges / mark-compact incl. incremental marking / GC ms):',
      );
      parts.push(
        table(
          ['scenario', ...variants.map((variant) => variant.id)],
          gcRows.map((row) => [
            row.scenario.label,
            ...variants.map((variant) => {
              const gc = row.gc[variant.id];
              return gc ? `${int(gc.minor)} / ${int(gc.major)} / ${micros(gc.millis)}` : '–';
            }),
          ]),
        ),
      );
    }
    parts.push(
      `Responses (checked once before the load; status, then \`Access-Control-Allow-Origin\` when sent): ` +
        measuredScenarios(group)
          .map(
            (scenario) =>
              `${scenario.label}: ${variants
                .filter((variant) => group.probes[variant.id]?.[scenario.id] !== undefined)
                .map((variant) => {
                  const answer = group.probes[variant.id][scenario.id];
                  const allowOrigin = answer.headers['access-control-allow-origin'];
                  return `${variant.id} ${answer.status}${allowOrigin ? ' + ACAO' : ''}`;
                })
                .join(', ')}`,
          )
          .join('; ') +
        '.',
    );
    const floorDiffers = measuredScenarios(group).filter((scenario) => {
      const floor = group.probes.floor?.[scenario.id];
      const module = group.probes.module?.[scenario.id];
      // Same status and the same header values; the order headers were set in does not matter.
      const canonical = (answer) =>
        JSON.stringify([answer.status, Object.entries(answer.headers).sort(([a], [b]) => a.localeCompare(b))]);
      return floor && module && canonical(floor) !== canonical(module);
    });
    if (group.probes.floor) {
      parts.push(
        floorDiffers.length === 0
          ? 'The floor answered every scenario with exactly the status and CORS headers (and `Vary`) of the module.'
          : `The floor's answer differs from the module's in: ${floorDiffers.map((scenario) => scenario.label).join(', ')}.`,
      );
    }
    parts.push(
      `Warm-up (mixed load, req/s per chunk, per session): ${variants
        .map(
          (variant) =>
            `${variant.id} ${group.warmup[variant.id]
              .map((session) => `${session.chunks.map(int).join(' → ')}${session.settled ? '' : ' (cap reached)'}`)
              .join(' / ')}`,
        )
        .join('; ')}.`,
    );
    if (group.problems.length > 0) parts.push(`Problems: ${group.problems.join('; ')}.`);
    for (const row of stats) {
      const where = `${title}, ${row.scenario.label}`;
      if (Number.isFinite(row.vsEnableCors)) {
        const cpuVsEnableCors = row.cpu['enable-cors'] / row.cpu.module;
        targets.push({
          what: `module/enableCors ≥ ${MODULE_VS_ENABLE_CORS.toFixed(2)}`,
          where,
          value: row.vsEnableCors,
          verdict: verdict(row.vsEnableCors >= MODULE_VS_ENABLE_CORS, row.vsEnableCorsRange, MODULE_VS_ENABLE_CORS),
          cpu: cpuVsEnableCors,
          cpuVerdict: cpuVsEnableCors >= MODULE_VS_ENABLE_CORS ? 'met' : 'missed',
        });
      }
      const threshold = MODULE_VS_NONE[row.scenario.id];
      if (threshold !== undefined && Number.isFinite(row.vsNone)) {
        const cpuVsNone = row.cpu.none / row.cpu.module;
        targets.push({
          what: `module/none ≥ ${threshold.toFixed(2)}`,
          where,
          value: row.vsNone,
          verdict: verdict(row.vsNone >= threshold, row.vsNoneRange, threshold),
          cpu: cpuVsNone,
          cpuVerdict: cpuVsNone >= threshold ? 'met' : 'missed',
        });
      }
      if (Number.isFinite(row.cpu.floor)) {
        const overFloor = row.cpu.module - row.cpu.floor;
        targets.push({
          what: `server CPU within ${FLOOR_MICROS.toFixed(1)} µs of the floor`,
          where,
          value: `module − floor ${signedMicros(overFloor)}`,
          verdict: overFloor <= FLOOR_MICROS ? '**met**' : '**missed**',
          cpu: row.vsFloor,
          cpuVerdict: 'req/s module/floor',
        });
      }
    }
  }
  targets.push(...flatTargets(http));
  return { text: parts.join('\n\n'), targets };
}

/** Extra server CPU (module − none) at the largest size against the smallest, per adapter and scenario. */
function flatTargets(http) {
  const targets = [];
  const sizes = [...new Set(http.map((group) => group.routes))].sort((a, b) => a - b);
  if (sizes.length < 2) return targets;
  const small = sizes[0];
  const large = sizes[sizes.length - 1];
  for (const adapter of new Set(http.map((group) => group.adapter))) {
    const at = (routes) => http.find((group) => group.adapter === adapter && group.routes === routes);
    if (!at(small) || !at(large)) continue;
    const smallStats = groupStats(at(small));
    for (const row of groupStats(at(large))) {
      const before = smallStats.find((other) => other.scenario.id === row.scenario.id);
      if (!before) continue;
      const growth = row.extra - before.extra;
      targets.push({
        what: `flat: extra CPU at ${large.toLocaleString('en-US')} routes ≤ extra at ${small} + ${FLAT_MICROS} µs`,
        where: `${ADAPTER_LABELS[adapter]}, ${row.scenario.label}`,
        value: `${signedMicros(before.extra)} → ${signedMicros(row.extra)} (${signedMicros(growth)})`,
        verdict: growth <= FLAT_MICROS ? '**met**' : '**missed**',
      });
    }
  }
  return targets;
}

function realisticSection(realistic) {
  const rows = realistic.map(({ adapter, data, loads }) => {
    const m = (variant, key) => median(data[variant][key]);
    const extraCpu = m('module', 'cpu') - m('none', 'cpu');
    return [
      ADAPTER_LABELS[adapter],
      ['none', 'enable-cors', 'module'].map((variant) => int(m(variant, 'rps'))).join(' / '),
      ['none', 'enable-cors', 'module'].map((variant) => `${m(variant, 'p50')}`).join(' / '),
      ['none', 'enable-cors', 'module'].map((variant) => `${m(variant, 'p99')}`).join(' / '),
      ['none', 'enable-cors', 'module'].map((variant) => micros(m(variant, 'cpu'))).join(' / '),
      signedMicros(extraCpu),
      percent(extraCpu / m('module', 'cpu')),
      percent((m('module', 'cpu') - m('enable-cors', 'cpu')) / m('module', 'cpu')),
      loadRange(loads),
    ];
  });
  return table(
    [
      'adapter',
      'req/s: none / enableCors / module',
      'latency p50 ms',
      'latency p99 ms',
      'server CPU µs/req',
      'module − none CPU',
      "module's share of the request's server CPU",
      'module − enableCors, share',
      'load (1 min)',
    ],
    rows,
  );
}

function bootSection(boot) {
  return table(
    [
      'adapter, routes (variant)',
      '`app.init()` ms: none / module',
      'module extra ms (share of init)',
      "module's own boot work ms (share of Nest's init)",
      'create ms: none / module',
      'heap kept by the app: none / module',
      'module extra heap (per route)',
      'load (1 min)',
    ],
    boot.map((row) => {
      const extraMillis = row.module.initMillis - row.none.initMillis;
      const extraHeap = row.module.heapBytes - row.none.heapBytes;
      return [
        bootRowLabel(row),
        `${int(row.none.initMillis)} / ${int(row.module.initMillis)}`,
        `${signedMicros(extraMillis).replace(' µs', ' ms')} (${percent(extraMillis / row.module.initMillis)})`,
        ownBootWork(row),
        `${int(row.none.createMillis)} / ${int(row.module.createMillis)}`,
        `${mb(row.none.heapBytes)} / ${mb(row.module.heapBytes)}`,
        `${mb(extraHeap)} (${int(extraHeap / row.routes)} B)`,
        row.load.toFixed(1),
      ];
    }),
  );
}

/** `Express, 1,000 (module-routed)`; rows of older results name no variant (they were `module`). */
function bootRowLabel(row) {
  return `${ADAPTER_LABELS[row.adapter]}, ${row.routes.toLocaleString('en-US')} (${row.variant ?? 'module'})`;
}

/** The module's own boot work (bench/boot.mjs clocks it) and its share of the app's `app.init()` without the module. */
function ownBootWork(row) {
  const own = row.module.moduleWorkMillis;
  if (own === undefined) return '–';
  const range = row.module.moduleWorkRange;
  const spread = range === undefined ? '' : `; ${range[0].toFixed(1)}–${range[1].toFixed(1)} ms over the processes`;
  return `${own.toFixed(1)} ms (${percent(own / row.none.initMillis)}${spread})`;
}

/**
 * The boot target: what the module itself does at boot (compiling policies,
 * the route table, identifying each route) stays a small share of Nest's own
 * `app.init()`, read as at most {@link BOOT_OWN_SHARE} of it.
 */
function bootTargets(boot) {
  return boot
    .filter((row) => row.module.moduleWorkMillis !== undefined)
    .map((row) => {
      const share = row.module.moduleWorkMillis / row.none.initMillis;
      return {
        what: `boot: the module's own work ≤ ${percentInt(BOOT_OWN_SHARE)} of Nest's \`app.init()\``,
        where: bootRowLabel(row),
        value: ownBootWork(row),
        verdict: share <= BOOT_OWN_SHARE ? '**met**' : '**missed**',
      };
    });
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
      verdict: byId[id].p50 < DECISION_BUDGET_NS ? '**met**' : '**missed**',
    });
  }
  if (byId['acrh-hostile'] && byId['acrh-normal']) {
    const extra = byId['acrh-hostile'].p50 - byId['acrh-normal'].p50;
    targets.push({
      what: `hostile 16 KiB request-headers ≤ normal + ${HOSTILE_EXTRA_NS} ns`,
      where: 'checkPreflightRequest',
      value: `${extra >= 0 ? '+' : '−'}${ns(Math.abs(extra))}`,
      verdict: extra <= HOSTILE_EXTRA_NS ? '**met**' : '**missed**',
    });
  }
  for (const lookup of new Set(engine.filter((row) => row.lookup !== undefined).map((row) => row.lookup))) {
    const rows = engine.filter((row) => row.lookup === lookup);
    if (rows.length < 2) continue;
    const before = rows.reduce((a, b) => (b.routes < a.routes ? b : a));
    const after = rows.reduce((a, b) => (b.routes > a.routes ? b : a));
    const growth = after.p50 - before.p50;
    targets.push({
      what: `flat, route lookup: at ${after.routes.toLocaleString('en-US')} routes ≤ at ${before.routes} + ${FLAT_MICROS} µs`,
      where: lookup,
      value: `${ns(before.p50)} → ${ns(after.p50)} (${growth >= 0 ? '+' : '−'}${ns(Math.abs(growth))})`,
      verdict: growth <= FLAT_MICROS * 1000 ? '**met**' : '**missed**',
    });
  }
  return { text, targets };
}

/** µs per request of one share of a profile's samples (`undefined` for profiles saved before requests were counted). */
function perRequest(profile, share) {
  if (!profile.requests) return undefined;
  return (share * profile.analysis.totalMillis * 1000) / profile.requests;
}

/** The module's extra work per request in one profile, and its parts (µs; `undefined` without a request count). */
function profileCosts(profile) {
  const { libraryShare, pipelineShare, nextTickShare = 0, busyShare } = profile.analysis;
  const path = perRequest(profile, libraryShare);
  const pipeline = perRequest(profile, pipelineShare);
  const nextTick = perRequest(profile, nextTickShare);
  // Its own frames, the guard pipeline its global guard switches on (the bench app has no other guard or
  // interceptor), and nextTick, where its indirect cost showed before (bench/findings.md, section 1).
  return { path, pipeline, nextTick, busy: perRequest(profile, busyShare), extra: path + pipeline + nextTick };
}

/** Profiles by adapter and size, in the order of the run. */
function profileGroups(profiles) {
  const groups = new Map();
  for (const profile of profiles) {
    if (!profile.requests) continue;
    const key = `${profile.adapter}|${profile.routes}`;
    if (!groups.has(key)) groups.set(key, { adapter: profile.adapter, routes: profile.routes, costs: [] });
    groups.get(key).costs.push(profileCosts(profile));
  }
  return [...groups.values()];
}

/**
 * The flat-cost cross-check: what the module's own request path, Nest's
 * guard pipeline and `nextTick` cost per request at each size, by profile
 * (samples attributed to those frames, so the ±10 µs per process that system
 * calls move the server CPU figures by does not enter it). Medians of the
 * processes, each process's figure in brackets.
 */
function profilePerRequest(profiles) {
  const cell = (costs, key) => {
    const values = costs.map((cost) => cost[key]);
    return `${median(values).toFixed(2)}${values.length > 1 ? ` (${values.map((value) => value.toFixed(2)).join(' / ')})` : ''}`;
  };
  return table(
    [
      'adapter',
      'routes',
      "module's own request path µs/req",
      "Nest's guard pipeline µs/req",
      '`nextTick` µs/req',
      'the three together',
      'server busy µs/req (all samples)',
    ],
    profileGroups(profiles).map(({ adapter, routes, costs }) => [
      ADAPTER_LABELS[adapter],
      routes.toLocaleString('en-US'),
      cell(costs, 'path'),
      cell(costs, 'pipeline'),
      cell(costs, 'nextTick'),
      cell(costs, 'extra'),
      cell(costs, 'busy'),
    ]),
  );
}

function processes(count) {
  return count === 1 ? 'one process' : `median of ${count} processes`;
}

/** Growth of the module's extra work (by profile, medians) from the smallest to the largest size, per adapter. */
export function profileFlatTargets(profiles = []) {
  const targets = [];
  const groups = profileGroups(profiles);
  for (const adapter of new Set(groups.map((group) => group.adapter))) {
    const mine = groups.filter((group) => group.adapter === adapter);
    if (mine.length < 2) continue;
    const small = mine.reduce((a, b) => (b.routes < a.routes ? b : a));
    const large = mine.reduce((a, b) => (b.routes > a.routes ? b : a));
    const extra = (group) => median(group.costs.map((cost) => cost.extra));
    const growth = extra(large) - extra(small);
    targets.push({
      what: `flat, by profile: the module's request path + guard pipeline + \`nextTick\` at ${large.routes.toLocaleString('en-US')} routes ≤ at ${small.routes} + ${FLAT_MICROS} µs`,
      where: `${ADAPTER_LABELS[adapter]}, GET, allowed origin (${processes(Math.min(small.costs.length, large.costs.length))})`,
      value: `${extra(small).toFixed(2)} → ${extra(large).toFixed(2)} µs (${signedMicros(growth)})`,
      verdict: growth <= FLAT_MICROS ? '**met**' : '**missed**',
    });
  }
  return targets;
}

function profileSection(profiles, flatProfiles = []) {
  const details = profiles.map(({ adapter, routes, analysis }) => {
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
  });
  if (flatProfiles.length === 0) return details.join('\n\n');
  return [
    '### Per request, by profile, at every size',
    'GET from an allowed origin (the scenario whose cost grew with the routes before; bench/findings.md, section 1), fresh processes per adapter and size (sizes interleaved), the same warm-up and window; medians, each process in brackets. Samples attributed to frames, divided by the requests served in the window: the flat-cost cross-check in Targets, free of the system-call variance of the server CPU tables (on this request the module writes no response itself, so its path holds no system call).',
    profilePerRequest(flatProfiles),
    ...details,
  ].join('\n\n');
}

export function renderResults(results, findings) {
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
      "- One Nest app, five ways: **none** (no CORS), **none-guard** (no CORS and a global no-op `APP_GUARD`: the reference for what the module's global guard costs, measured on requests that reach a handler), **enableCors** (`app.enableCors(policy)`: the `cors` package on Express, `@fastify/cors` on Fastify), **floor** (`bench/floor.mjs`: a hand-written request hook that writes exactly the module's headers for the module's three origins with no policy logic: a Set lookup and constant strings) and **module** (`CorsModule.forRoot(policy)` from lib/ compiled with `tsconfig.build.json`, `@Cors()` on every controller, its global guard in place). The policy is the same object for enableCors and the module: three allowed origins with credentials, six methods, three allowed headers, one exposed header, `maxAge` 600.",
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
  if (results.paired) {
    const paired = pairedSection(results.paired);
    out.push('## Per request without the socket (paired, in-process)');
    out.push(
      `Each variant of the app takes requests through \`light-my-request\` (\`inject()\`), straight into the adapter's request handler, with no socket and no system call: what remains is the JavaScript of a request, where the module's cost lives. ${results.config.pairedBlock} requests per block, one block per app per round in a new random order, timed inside the app's process while the others wait; every figure is a median over rounds of a per-round difference or ratio (paired), so a slow moment of the machine cancels out. "One process": all the apps in one Node process (the same code at both sizes, so only the app's size differs); the target verdicts are on it. On Express it is confounded at 1,000 routes: an app there costs more the more 1,000-route apps were booted before it in the process (bench/findings.md, section 3a), so the Express verdicts at 1,000 routes measure the boot order. "Fresh processes": one process per app, what a deployment runs, where each process's JIT history adds its own µs (tens of µs at 1,000 Express routes). "Same app twice": the module app at 10 routes measured twice in the same process, the resolution. µs here are this machine's (about five times a quiet desktop's; bench/findings.md, section 0). bench/paired.mjs runs the same for any two builds of the library.`,
    );
    out.push(paired.text);
    targets.push(...paired.targets);
  }
  if (results.own) {
    const own = ownTimeSection(results.own);
    out.push("## The module's own time per request (timed in place)");
    out.push(
      `\`bench/own-time.mjs\`: one fresh process per adapter, variant and size (${results.config.ownRepeats} of each, in random order), requests injected as in the part above, every scenario in blocks of 50, in a new random order each round, ${results.config.ownRounds} rounds after ${results.config.ownWarmupRounds ?? 20} of warm-up (long enough for the JIT to finish with the guard: bench/own-time.mjs). A clock (\`performance.now()\`) around the two places the module runs on a request, the early layer's entry and the global guard's \`canActivate\`, stopped while the hook's continuation runs the rest of the request; the same clock around the floor's hook (bench/floor.mjs) and a global no-op guard, the control: code that cannot depend on the routes, so its growth from 10 to 1,000 routes is what a larger app does to any code in those two places, the clock included (CPU caches, the heap; bench/findings.md, section 3c). Medians of the blocks in each process, then of the processes. On preflights the module and the floor write the answer inside the clock (\`res.end()\` and what the emulated socket does with it): shown, with no target, as that part is larger than the module's work and moves by several µs between processes. What the clock cannot see, costs the module causes outside its own frames (bench/findings.md, section 1), is measured by the part above and the socket benchmark.`,
    );
    out.push(own.text);
    targets.push(...own.targets);
  }
  if (results.realistic) {
    out.push('## Realistic scenario');
    out.push(
      "`GET /api/v1/orders/:id` from an allowed origin with `Authorization`, in the 10-route app plus the app's own global auth guard (a bearer-token compare) and global interceptor (times the handler, sets `Server-Timing`); the handler awaits a 1 ms timer (I/O-like work) before it answers. " +
        `Fresh processes per variant, warmed up, then ${config.realisticRounds} interleaved rounds of ${config.realisticSeconds} s, 10 connections; medians. ` +
        "The module's share is its extra server CPU per request over none, divided by the whole request's server CPU with the module.",
    );
    out.push(realisticSection(results.realistic));
  }
  if (results.boot) {
    out.push('## Boot cost');
    out.push(
      `\`NestFactory.create()\` then \`app.init()\` of the benchmark app (no listen), each in a fresh process (\`node --expose-gc bench/boot.mjs <adapter> <none|module|module-routed> <routes>\`), median of ${config.bootRepeats}. Two module variants against the same app without the module: \`module\` (one policy app-wide, as the HTTP tables: every route answers as the module defaults, so no route table is built) and \`module-routed\` (the same app plus one route with a policy of its own: route tables are built, holding that route and the routes that may share a request with it). Heap: \`heapUsed\` after four forced GCs once the app is initialised, minus the same before the app was built (all code already loaded): what the app keeps.`,
    );
    out.push(bootSection(results.boot));
    targets.push(...bootTargets(results.boot));
  }
  if (results.engine) {
    const engine = engineSection(results.engine);
    out.push('## Policy engine micro-benchmark (mitata)');
    out.push(
      'Compiled `dist/engine` functions: `isOriginAllowed` for one decision, `checkPreflightRequest` + `writePreflightHeaders` on a plain-object header target for a preflight; and the route tables (`dist/routing`) filled with the bench app\'s routes at each size, looked up for the bench target with a new request object each call. "Fresh string" cases build the origin from bytes on every call, as the HTTP parser does (its hash is not cached yet); the baseline row is that copy alone.',
    );
    out.push(engine.text);
    targets.push(...engine.targets);
  }
  targets.push(...profileFlatTargets(results.flatProfiles));
  if (targets.length > 0) {
    out.push('## Targets');
    out.push(
      'Ratio targets: the verdict is on the req/s ratio, as the targets are stated; the last column is the same ratio computed from server CPU time per request (other ÷ module), a cross-check that the load on the machine moves less. The floor and flat targets are on server CPU µs per request (the last column of a floor row is the req/s ratio module/floor). Why a target is missed and what would fix it: see Findings below.',
    );
    out.push(
      table(
        ['target', 'where', 'measured (req/s)', 'verdict', 'from CPU µs/req'],
        targets.map((target) => [
          target.what,
          target.where,
          typeof target.value === 'number' ? ratio(target.value) : target.value,
          target.verdict,
          target.cpu === undefined
            ? ''
            : `${typeof target.cpu === 'number' ? ratio(target.cpu) : target.cpu} (${target.cpuVerdict})`,
        ]),
      ),
    );
  }
  if (findings) {
    out.push(findings.trim());
  }
  if (results.profiles) {
    out.push('## CPU profile of the nestjs-cors server (`node --cpu-prof`)');
    out.push(
      `The nestjs-cors server under mixed load (all five scenarios in turn), sampled every 250 µs for ${config.profileSeconds} s after ${config.profileWarmupSeconds} s of warm-up; the profiles are in the run's raw directory.`,
    );
    out.push(profileSection(results.profiles, results.flatProfiles));
  }
  return `${out.join('\n\n')}\n`;
}

/** Scenarios where the own-time figures carry a target: the module writes no answer itself. */
const OWN_TIME_TARGET_SCENARIOS = ['actual', 'no-origin', 'refused'];

/** own-time.mjs results: per adapter, the floor's and the module's own µs per request at each size, and the flat targets. */
export function ownTimeSection(own = []) {
  const parts = [];
  const targets = [];
  const ownMedian = (adapter, variant, routes, scenario, key = 'ownMicros') =>
    median(
      own
        .filter((entry) => entry.adapter === adapter && entry.variant === variant && entry.routes === routes)
        .map((entry) => entry.scenarios[scenario]?.[key]),
    );
  for (const adapter of [...new Set(own.map((entry) => entry.adapter))]) {
    const sizes = [...new Set(own.filter((entry) => entry.adapter === adapter).map((entry) => entry.routes))].sort(
      (a, b) => a - b,
    );
    if (sizes.length < 2) continue;
    const [small, large] = [sizes[0], sizes[sizes.length - 1]];
    const growth = (variant, scenario) =>
      ownMedian(adapter, variant, large, scenario) - ownMedian(adapter, variant, small, scenario);
    const overFloor = (variant, routes, scenario) =>
      ownMedian(adapter, variant, routes, scenario) - ownMedian(adapter, 'floor', routes, scenario);
    const fixed = (value) => (Number.isFinite(value) ? value.toFixed(2) : '–');
    const cell = (variant, scenario) =>
      `${fixed(ownMedian(adapter, variant, small, scenario))} → ${fixed(ownMedian(adapter, variant, large, scenario))} (${signedMicros(growth(variant, scenario))})`;
    const rows = SCENARIOS.filter((scenario) => Number.isFinite(ownMedian(adapter, 'module', small, scenario.id))).map(
      (scenario) => [
        scenario.label,
        cell('floor', scenario.id),
        cell('module', scenario.id),
        cell('module-routed', scenario.id),
        signedMicros(growth('module', scenario.id) - growth('floor', scenario.id)),
        signedMicros(growth('module-routed', scenario.id) - growth('floor', scenario.id)),
        `${signedMicros(overFloor('module', small, scenario.id))} / ${signedMicros(overFloor('module', large, scenario.id))}`,
        `${micros(ownMedian(adapter, 'module', small, scenario.id, 'wallMicros'))} / ${micros(ownMedian(adapter, 'module', large, scenario.id, 'wallMicros'))}`,
      ],
    );
    const label = ADAPTER_LABELS[adapter];
    parts.push(`### ${label}: µs per request, ${small} → ${large.toLocaleString('en-US')} routes`);
    parts.push(
      table(
        [
          'scenario',
          'floor (control)',
          'module (one policy app-wide)',
          'module-routed (every request looked up)',
          'module: growth − floor growth',
          'module-routed: growth − floor growth',
          'module − floor at 10 / 1,000',
          'whole request, module, at 10 / 1,000 (for scale)',
        ],
        rows,
      ),
    );
    for (const variant of ['module', 'module-routed']) {
      for (const scenario of SCENARIOS.filter((each) => OWN_TIME_TARGET_SCENARIOS.includes(each.id))) {
        const mine = growth(variant, scenario.id);
        const control = growth('floor', scenario.id);
        if (!Number.isFinite(mine) || !Number.isFinite(control)) continue;
        targets.push({
          what: `flat, own time: the module's growth from ${small} to ${large.toLocaleString('en-US')} routes ≤ the floor's growth + ${FLAT_MICROS} µs`,
          where: `${label}, ${scenario.label}${variant === 'module' ? '' : ` (${variant})`}`,
          value: `module ${signedMicros(mine)}, floor ${signedMicros(control)} (${signedMicros(mine - control)})`,
          verdict: mine - control <= FLAT_MICROS ? '**met**' : '**missed**',
        });
      }
    }
    // The floor target, read where it resolves: the module's own µs over the floor's, at the same places.
    for (const variant of ['module', 'module-routed']) {
      for (const routes of [small, large]) {
        for (const scenario of SCENARIOS.filter((each) => OWN_TIME_TARGET_SCENARIOS.includes(each.id))) {
          const over = overFloor(variant, routes, scenario.id);
          if (!Number.isFinite(over)) continue;
          targets.push({
            what: `within ${FLOOR_MICROS.toFixed(1)} µs of the floor, own time`,
            where: `${label}, ${routes.toLocaleString('en-US')} routes, ${scenario.label}${variant === 'module' ? '' : ` (${variant})`}`,
            value: `module − floor ${signedMicros(over)}`,
            verdict: over <= FLOOR_MICROS ? '**met**' : '**missed**',
          });
        }
      }
    }
  }
  return { text: parts.join('\n\n'), targets };
}

/** The paired in-process part (paired.mjs): one table per adapter, and its targets. */
export function pairedSection(paired = []) {
  const parts = [];
  const targets = [];
  for (const adapter of [...new Set(paired.map((entry) => entry.adapter))]) {
    const shared = paired.find((entry) => entry.adapter === adapter && entry.shared);
    const separate = paired.filter((entry) => entry.adapter === adapter && !entry.shared);
    if (!shared) continue;
    const label = ADAPTER_LABELS[adapter];
    const rounds = `${shared.rounds} rounds${separate.length > 0 ? `; fresh processes: ${separate.length} set(s) of ${separate[0].rounds} rounds` : ''}`;
    parts.push(`### ${label} (${rounds})`);
    for (const module of PAIRED_MODULES) {
      if (!shared.samples[`${module.id}@10`]) continue;
      const section = pairedModuleTable(shared, separate, label, module);
      parts.push(module.title);
      parts.push(section.text);
      targets.push(...section.targets);
    }
    const scenarios = SCENARIOS.filter((scenario) => shared.samples['module@10']?.[scenario.id]);
    const answers = scenarios
      .map(
        (scenario) =>
          `${scenario.label}: ${['none@10', 'enable-cors@10', 'module@10', 'module-routed@10']
            .filter((id) => shared.answers[id])
            .map((id) => {
              const answer = shared.answers[id][scenario.id];
              return `${id.replace('@10', '')} ${answer.status}${answer.headers['access-control-allow-origin'] ? ' + ACAO' : ''}`;
            })
            .join(', ')}`,
      )
      .join('; ');
    parts.push(`First answers (10 routes): ${answers}.`);
  }
  return { text: parts.join('\n\n'), targets };
}

/** The module variants of the paired part: one policy app-wide, and one route with a policy of its own. */
const PAIRED_MODULES = [
  {
    id: 'module',
    title: 'One policy app-wide (`module`: every controller `@Cors()`, no route lookup needed)',
    ratios: true,
  },
  {
    id: 'module-routed',
    title: 'One route with a policy of its own (`module-routed`: every request looked up)',
    ratios: false,
  },
];

function pairedModuleTable(shared, separate, label, module) {
  const targets = [];
  const rows = [];
  const scenarios = SCENARIOS.filter((scenario) => shared.samples[`${module.id}@10`]?.[scenario.id]);
  const variant = module.id === 'module' ? '' : ` (${module.id})`;
  for (const scenario of scenarios) {
    const figures = pairedFigures(shared.samples, scenario.id, module.id);
    const fresh = separate.map((entry) => pairedFigures(entry.samples, scenario.id, module.id));
    const freshMedian = (key) => median(fresh.map((each) => each[key]));
    const at = (id) => micros(median(shared.samples[id][scenario.id]));
    rows.push([
      scenario.label,
      `${at('none@10')} / ${at('enable-cors@10')} / ${at(`${module.id}@10`)}`,
      `${at('none@1000')} / ${at('enable-cors@1000')} / ${at(`${module.id}@1000`)}`,
      `${signedMicros(figures.extra10)} → ${signedMicros(figures.extra1000)} (${signedMicros(figures.growth)})`,
      signedMicros(figures.controlGrowth),
      signedMicros(figures.sameApp),
      `${ratio(figures.vsEnableCors10)} / ${ratio(figures.vsEnableCors1000)}`,
      `${ratio(figures.vsNone10)} / ${ratio(figures.vsNone1000)}`,
      `${ratio(figures.floorVsNone10)} / ${ratio(figures.floorVsNone1000)}`,
      `${signedMicros(figures.overFloor10)} / ${signedMicros(figures.overFloor1000)}`,
      `${signedMicros(figures.guardPipeline10)}; ${signedMicros(figures.overFloorGuard10)} / ${signedMicros(figures.overFloorGuard1000)}`,
      fresh.map((each) => signedMicros(each.growth)).join('; ') || '–',
    ]);
    const where = `${label}, ${scenario.label}${variant}`;
    targets.push({
      what: `flat, in-process: extra at 1,000 routes ≤ extra at 10 + ${FLAT_MICROS} µs`,
      where: `${where} (one process)`,
      value: `${signedMicros(figures.extra10)} → ${signedMicros(figures.extra1000)} (${signedMicros(figures.growth)})`,
      verdict: figures.growth <= FLAT_MICROS ? '**met**' : '**missed**',
      cpu: fresh.length > 0 ? `${signedMicros(freshMedian('growth'))} in fresh processes` : undefined,
      cpuVerdict: `same app twice: ${signedMicros(freshMedian('sameApp'))}`,
    });
    targets.push({
      what: `flat against enableCors, in-process: the module's growth ≤ enableCors's growth + ${FLAT_MICROS} µs`,
      where: `${where} (one process)`,
      value: `module ${signedMicros(figures.growth)}, enableCors ${signedMicros(figures.controlGrowth)}, paired ${signedMicros(figures.growthOverControl)}`,
      verdict: figures.growthOverControl <= FLAT_MICROS ? '**met**' : '**missed**',
      cpu: fresh.length > 0 ? `${signedMicros(freshMedian('growthOverControl'))} in fresh processes` : undefined,
      cpuVerdict: 'paired',
    });
    // The target (bold), then its cross-check: the floor with a global no-op guard has Nest's guard pipeline,
    // which the module's global guard switches on where it has something to check (`module-routed`; with one
    // policy app-wide the routes leave it out: bench/findings.md, section 10).
    const floorTargets = [
      { key: 'overFloor', what: 'within', floor: 'floor', bold: true },
      { key: 'overFloorGuard', what: 'cross-check: within', floor: 'floor-guard', bold: false },
    ];
    for (const size of [10, 1000]) {
      for (const { key, what, floor, bold } of floorTargets) {
        const over = figures[`${key}${size}`];
        if (!Number.isFinite(over)) continue;
        const freshOver = freshMedian(`${key}${size}`);
        const verdict = over <= FLOOR_MICROS ? 'met' : 'missed';
        targets.push({
          what: `${what} ${FLOOR_MICROS.toFixed(1)} µs of the ${floor === 'floor' ? 'floor' : 'floor with a global no-op guard'}, in-process`,
          where: `${label}, ${size.toLocaleString('en-US')} routes, ${scenario.label}${variant} (one process)`,
          value: `module − ${floor} ${signedMicros(over)}`,
          verdict: bold ? `**${verdict}**` : verdict,
          cpu: fresh.length > 0 ? `${signedMicros(freshOver)} in fresh processes` : undefined,
          cpuVerdict: fresh.length > 0 ? (freshOver <= FLOOR_MICROS ? 'met' : 'missed') : undefined,
        });
      }
    }
    if (!module.ratios) continue;
    for (const size of [10, 1000]) {
      const sized = `${label}, ${size.toLocaleString('en-US')} routes, ${scenario.label} (one process)`;
      const ratioTarget = (name, key, threshold) => {
        const value = figures[`${key}${size}`];
        const freshValue = freshMedian(`${key}${size}`);
        return {
          what: `${name} ≥ ${threshold.toFixed(2)}, in-process`,
          where: sized,
          value,
          verdict: value >= threshold ? '**met**' : '**missed**',
          cpu: fresh.length > 0 ? freshValue : undefined,
          cpuVerdict: `fresh processes: ${freshValue >= threshold ? 'met' : 'missed'}`,
        };
      };
      targets.push(ratioTarget('module/enableCors', 'vsEnableCors', MODULE_VS_ENABLE_CORS));
      const threshold = MODULE_VS_NONE[scenario.id];
      if (threshold !== undefined) {
        const target = ratioTarget('module/none', 'vsNone', threshold);
        // What writing these headers from any request hook costs: the floor's ratio beside the module's.
        const floorVsNone = figures[`floorVsNone${size}`];
        if (Number.isFinite(floorVsNone)) target.cpuVerdict += `; floor/none ${ratio(floorVsNone)}`;
        targets.push(target);
      }
    }
  }
  const text = table(
    [
      'scenario',
      'µs/req at 10: none / enableCors / module',
      'at 1,000',
      'module − none, 10 → 1,000 (growth)',
      'enableCors − none: growth',
      'same app twice (`module` at 10)',
      'module/enableCors at 10 / 1,000',
      'module/none at 10 / 1,000',
      'floor/none at 10 / 1,000',
      'module − floor at 10 / 1,000',
      'floor-guard − floor at 10; module − floor-guard at 10 / 1,000',
      'growth in fresh processes, per set',
    ],
    rows,
  );
  return { text, targets };
}

/** Per-round paired figures of one scenario (medians over rounds). */
function pairedFigures(samples, scenario, module = 'module') {
  // NaN for a setup the run did not have (results of an older bench).
  const of = (ids, combine) =>
    ids.every((id) => samples[id]?.[scenario]) ? pairedMedian(samples, ids, scenario, combine) : NaN;
  const difference = (a, b) => a - b;
  const throughput = (module, other) => other / module;
  return {
    extra10: of([`${module}@10`, 'none@10'], difference),
    extra1000: of([`${module}@1000`, 'none@1000'], difference),
    growth: of([`${module}@1000`, 'none@1000', `${module}@10`, 'none@10'], (a, b, c, d) => a - b - (c - d)),
    // enableCors does the same work at every size: its "growth" is what a bigger app does to any extra work.
    controlGrowth: of(['enable-cors@1000', 'none@1000', 'enable-cors@10', 'none@10'], (a, b, c, d) => a - b - (c - d)),
    growthOverControl: of(
      [`${module}@1000`, 'enable-cors@1000', `${module}@10`, 'enable-cors@10'],
      (a, b, c, d) => a - b - (c - d),
    ),
    sameApp: of(['module@10 again', 'module@10'], difference),
    overFloor10: of([`${module}@10`, 'floor@10'], difference),
    overFloor1000: of([`${module}@1000`, 'floor@1000'], difference),
    overFloorGuard10: of([`${module}@10`, 'floor-guard@10'], difference),
    overFloorGuard1000: of([`${module}@1000`, 'floor-guard@1000'], difference),
    guardPipeline10: of(['floor-guard@10', 'floor@10'], difference),
    floorVsNone10: of(['floor@10', 'none@10'], throughput),
    floorVsNone1000: of(['floor@1000', 'none@1000'], throughput),
    vsEnableCors10: of([`${module}@10`, 'enable-cors@10'], throughput),
    vsEnableCors1000: of([`${module}@1000`, 'enable-cors@1000'], throughput),
    vsNone10: of([`${module}@10`, 'none@10'], throughput),
    vsNone1000: of([`${module}@1000`, 'none@1000'], throughput),
  };
}
