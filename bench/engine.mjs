/**
 * Micro-benchmark of the policy engine alone (compiled `dist/engine`), with
 * mitata's `measure`. Prints a table; with `--json <file>` also writes the
 * results there (run.mjs reads them for RESULTS.md).
 *
 * Usage: node --expose-gc bench/engine.mjs [--json file]   (BENCH_QUICK=1: shorter)
 */
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { do_not_optimize, measure } from 'mitata';
import { libraryUrl } from './library.mjs';
import {
  APP_SIZES,
  CONTROLLER_ROUTES,
  DEFAULT_VERSION,
  GLOBAL_PREFIX,
  HOSTILE_REQUEST_HEADERS,
  NORMAL_REQUEST_HEADERS,
  targetPath,
} from './scenarios.mjs';

const { compilePolicy } = await import(libraryUrl('engine/compiled-policy.js'));
const { checkPreflightRequest, isOriginAllowed, writePreflightHeaders } = await import(
  libraryUrl('engine/cors-decision.js')
);
const { mergePolicyLayers } = await import(libraryUrl('engine/policy-merger.js'));
const { ExpressRequestRouter, FastifyRequestRouter } = await import(libraryUrl('routing/request-router.js'));
const { routeCandidate } = await import(libraryUrl('routing/route-candidate.js'));

const QUICK = process.env.BENCH_QUICK === '1';
const MIN_CPU_TIME_NS = (QUICK ? 80 : 500) * 1e6;

function policyOf(fields) {
  return compilePolicy(mergePolicyLayers([{ label: 'bench', fields }]), 'bench');
}

function origins(count) {
  return Array.from({ length: count }, (_, index) => `https://app${index}.example.com`);
}

const BASE = {
  credentials: true,
  methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
  allowedHeaders: ['Content-Type', 'Authorization', 'X-Requested-With'],
  maxAge: 600,
};

const policies = {
  one: policyOf({ ...BASE, origin: origins(1) }),
  hundred: policyOf({ ...BASE, origin: origins(100) }),
  tenThousand: policyOf({ ...BASE, origin: origins(10_000) }),
  patterns: policyOf({ ...BASE, origin: [...origins(100), 'https://*.example.org', 'http://localhost:*'] }),
  echoHeaders: policyOf({ ...BASE, allowedHeaders: undefined, origin: origins(3) }),
};

const request = { headers: {} };
const LAST_OF_100 = 'https://app99.example.com';
const MIDDLE_OF_10K = 'https://app5000.example.com';
const REFUSED = 'https://evil.example.net';
const SUBDOMAIN = 'https://eu.api.example.org';

/** Origins as a request parser makes them: a new string each time, its hash not yet computed. */
const middleBytes = Buffer.from(MIDDLE_OF_10K, 'latin1');
const refusedBytes = Buffer.from(REFUSED, 'latin1');

/** A response stand-in: a plain object of lower-cased names. */
function fakeTarget() {
  const headers = {};
  return {
    headers,
    getHeader: (name) => headers[name.toLowerCase()],
    setHeader: (name, value) => {
      headers[name.toLowerCase()] = value;
    },
    removeHeader: (name) => {
      delete headers[name.toLowerCase()];
    },
  };
}

/** A flat string, as the HTTP parser hands header values over (`repeat()` and `join()` build ropes). */
function flat(value) {
  return Buffer.from(value, 'latin1').toString('latin1');
}

const NORMAL = flat(NORMAL_REQUEST_HEADERS);
const HOSTILE = flat(HOSTILE_REQUEST_HEADERS);
const LONG_LEGITIMATE = flat(Array.from({ length: 64 }, (_, index) => `x-custom-header-${index}`).join(', '));
const COMMAS_AT_LIMIT = flat(','.repeat(2048));

/** `writePreflightHeaders` took the request method as a 3rd argument from f645ae2 on; older builds did not. */
const writePreflight =
  writePreflightHeaders.length >= 6
    ? (policy, method, requestHeaders, target) =>
        writePreflightHeaders(policy, LAST_OF_100, method, requestHeaders, false, target)
    : (policy, _method, requestHeaders, target) =>
        writePreflightHeaders(policy, LAST_OF_100, requestHeaders, false, target);

function preflight(policy, requestHeaders) {
  const refusal = checkPreflightRequest(policy, 'PUT', requestHeaders, false);
  if (refusal === undefined) {
    const target = fakeTarget();
    writePreflight(policy, 'PUT', requestHeaders, target);
    return target;
  }
  return refusal;
}

export const CASES = [
  {
    group: 'origin',
    id: 'exact-1',
    label: 'exact origin, 1 allowed',
    fn: () => isOriginAllowed(policies.one, 'https://app0.example.com', request),
  },
  {
    group: 'origin',
    id: 'exact-100',
    label: 'exact origin, 100 allowed',
    fn: () => isOriginAllowed(policies.hundred, LAST_OF_100, request),
  },
  {
    group: 'origin',
    id: 'exact-10k',
    label: 'exact origin, 10,000 allowed',
    fn: () => isOriginAllowed(policies.tenThousand, MIDDLE_OF_10K, request),
  },
  {
    group: 'origin',
    id: 'fresh-string',
    label: 'baseline: a fresh origin string from bytes',
    fn: () => middleBytes.toString('latin1'),
  },
  {
    group: 'origin',
    id: 'exact-10k-fresh',
    label: 'exact origin, 10,000 allowed, fresh string',
    fn: () => isOriginAllowed(policies.tenThousand, middleBytes.toString('latin1'), request),
  },
  {
    group: 'origin',
    id: 'subdomain',
    label: 'subdomain pattern https://*.example.org',
    fn: () => isOriginAllowed(policies.patterns, SUBDOMAIN, request),
  },
  {
    group: 'origin',
    id: 'refused-10k',
    label: 'refused origin, 10,000 exact allowed',
    fn: () => isOriginAllowed(policies.tenThousand, REFUSED, request),
  },
  {
    group: 'origin',
    id: 'refused-10k-fresh',
    label: 'refused origin, 10,000 exact allowed, fresh string',
    fn: () => isOriginAllowed(policies.tenThousand, refusedBytes.toString('latin1'), request),
  },
  {
    group: 'origin',
    id: 'refused-patterns',
    label: 'refused origin, exact + patterns (parsed)',
    fn: () => isOriginAllowed(policies.patterns, REFUSED, request),
  },
  {
    group: 'preflight',
    id: 'preflight-configured',
    label: 'check + write preflight headers (allowedHeaders set)',
    fn: () => preflight(policies.hundred, NORMAL),
  },
  {
    group: 'preflight',
    id: 'preflight-echo',
    label: 'check + write preflight headers (allowedHeaders unset)',
    fn: () => preflight(policies.echoHeaders, NORMAL),
  },
  {
    group: 'request-headers',
    id: 'acrh-normal',
    label: 'check, normal request-headers (2 names)',
    fn: () => checkPreflightRequest(policies.hundred, 'PUT', NORMAL, false),
  },
  {
    group: 'request-headers',
    id: 'acrh-hostile',
    label: 'check, hostile 16 KiB request-headers',
    fn: () => checkPreflightRequest(policies.hundred, 'PUT', HOSTILE, false),
  },
  {
    group: 'request-headers',
    id: 'acrh-long',
    label: 'check, long legitimate (64 names, 1.4 KiB), echo policy',
    fn: () => checkPreflightRequest(policies.echoHeaders, 'PUT', LONG_LEGITIMATE, false),
  },
  {
    group: 'request-headers',
    id: 'acrh-commas',
    label: 'check, 2,048 commas (at the length limit)',
    fn: () => checkPreflightRequest(policies.hundred, 'PUT', COMMAS_AT_LIMIT, false),
  },
];

/**
 * The module's route tables with the bench app's routes (`routes` of them:
 * controllers `r0`… of ten routes each, under `/api/v1`), filled the way the
 * module fills them at boot. The only per-request code whose input grows
 * with the app: its cost at 10 and at 1,000 routes is the flat check that
 * system calls do not blur.
 */
function routeTables(routes) {
  const policy = policyOf({ ...BASE, origin: origins(1) });
  const express = new ExpressRequestRouter({ caseSensitive: false, strict: false });
  const fastify = new FastifyRequestRouter({});
  for (let controller = 0; controller < routes / CONTROLLER_ROUTES.length; controller++) {
    for (const [index, route] of CONTROLLER_ROUTES.entries()) {
      const path = `/${GLOBAL_PREFIX}/v${DEFAULT_VERSION}/r${controller}${route.path ? `/${route.path}` : ''}`;
      const candidate = routeCandidate(policy, `R${controller}Controller.${route.verb.toLowerCase()}${index}`);
      const method = route.verb.toLowerCase();
      express.add(method, path, candidate);
      fastify.add(method, path, candidate);
      fastify.onRoute({ method: method.toUpperCase(), url: path, handler: () => {} });
      fastify.settle();
    }
  }
  return { express, fastify };
}

const tables = Object.fromEntries(APP_SIZES.map((routes) => [routes, routeTables(routes)]));

/** A request as the HTTP parser hands it over: a new object each time (the table caches its parse on it). */
function incoming(method, routes) {
  return { method, url: targetPath(routes), headers: { host: 'localhost' } };
}

/** The lookups timed at every size (`lookup`: what report.mjs compares across sizes). */
const LOOKUPS = [
  {
    lookup: 'Express table, GET to the bench target',
    fn: ({ express }, routes) => express.actual(undefined, incoming('GET', routes)),
  },
  {
    lookup: 'Express table, preflight for PUT',
    fn: ({ express }, routes) => {
      const request = incoming('OPTIONS', routes);
      return express.preflight(request, request, 'PUT');
    },
  },
  {
    lookup: 'Fastify preflight trie, preflight for PUT',
    // The request object stands for Fastify's: the router reads it only for gated or host-bound routes (none here).
    fn: ({ fastify }, routes) => {
      const request = incoming('OPTIONS', routes);
      return fastify.preflight(request, request, 'PUT');
    },
  },
];

for (const routes of APP_SIZES) {
  for (const [index, { lookup, fn }] of LOOKUPS.entries()) {
    CASES.push({
      group: 'routes',
      id: `lookup-${index}-${routes}`,
      label: `${lookup}, ${routes.toLocaleString('en-US')} routes`,
      lookup,
      routes,
      fn: () => fn(tables[routes], routes),
    });
  }
}

for (const testCase of CASES.filter((each) => each.group === 'routes')) {
  if (testCase.fn().length !== 1)
    throw new Error(`${testCase.label}: expected one route, found ${testCase.fn().length}`);
}

function formatNs(ns) {
  return ns < 1000 ? `${ns.toFixed(1)} ns` : `${(ns / 1000).toFixed(2)} µs`;
}

async function main() {
  const jsonIndex = process.argv.indexOf('--json');
  const jsonFile = jsonIndex === -1 ? undefined : process.argv[jsonIndex + 1];
  const results = [];
  for (const testCase of CASES) {
    const fn = testCase.fn;
    const stats = await measure(() => do_not_optimize(fn()), { min_cpu_time: MIN_CPU_TIME_NS });
    const row = {
      id: testCase.id,
      group: testCase.group,
      label: testCase.label,
      p50: stats.p50,
      avg: stats.avg,
      p99: stats.p99,
      ...(testCase.lookup === undefined ? {} : { lookup: testCase.lookup, routes: testCase.routes }),
    };
    results.push(row);
    console.log(
      `${testCase.label.padEnd(58)} p50 ${formatNs(row.p50).padStart(10)}   avg ${formatNs(row.avg).padStart(10)}`,
    );
  }
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(results));
}

await main();
