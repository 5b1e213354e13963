/**
 * Soak: one minute of mixed traffic per adapter against nestjs-cors (allowed,
 * refused, preflights, hostile headers, a flood of distinct origins through
 * an async origin function), then: zero errors, zero 5xx, zero timeouts, and
 * the heap after GC no larger at the end than after warm-up (within 10 %).
 * Writes the figures into the "Soak" section of bench/RESULTS.md.
 *
 * Usage: npm run bench:soak   (SOAK_SECONDS=60 by default; needs `npm run build`)
 */
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const SERVER = fileURLToPath(new URL('./soak-server.mjs', import.meta.url));

let sequence = 0;
const hostileHeaders = ','.repeat(12_000);
/** One request of the mix, chosen round-robin; origins of the flood never repeat. */
function nextRequest() {
  const n = sequence++;
  switch (n % 10) {
    case 0:
      return { method: 'GET', path: '/exact/1', headers: { origin: 'https://app.example.com' } };
    case 1:
      return { method: 'GET', path: '/exact/2', headers: { origin: 'https://evil.example' } };
    case 2:
      return {
        method: 'OPTIONS',
        path: '/exact/3',
        headers: {
          origin: 'https://admin.example.com',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'content-type',
        },
      };
    case 3:
      return {
        method: 'OPTIONS',
        path: '/off/4',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
      };
    case 4:
      return { method: 'GET', path: '/pattern/5', headers: { origin: `https://h${n}.example.com` } };
    case 5:
      return { method: 'GET', path: '/tenant/6', headers: { origin: `https://t${n}.tenants.example.com` } };
    case 6:
      return { method: 'GET', path: '/tenant/7', headers: { origin: `https://flood${n}.evil.example` } };
    case 7:
      return {
        method: 'OPTIONS',
        path: '/exact/8',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': hostileHeaders,
        },
      };
    case 8:
      return {
        method: 'GET',
        path: '/public/9',
        headers: { origin: `https://x.example.com, https://evil${n}.example` },
      };
    default:
      return { method: 'GET', path: '/nowhere', headers: {} };
  }
}

async function soak(adapter) {
  const child = fork(SERVER, [adapter], {
    execArgv: ['--expose-gc', '--max-http-header-size=65536'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise((resolve) => child.on('message', (m) => m.type === 'ready' && resolve(m.port)));
  const heap = () =>
    new Promise((resolve) => {
      const onMessage = (m) => {
        if (m.type === 'heap') {
          child.off('message', onMessage);
          resolve(m);
        }
      };
      child.on('message', onMessage);
      child.send({ type: 'heap' });
    });
  const load = (duration) =>
    new Promise((resolve, reject) => {
      const statuses = {};
      const instance = autocannon(
        {
          url: `http://127.0.0.1:${port}`,
          connections: 10,
          duration,
          timeout: 5,
          requests: [{ setupRequest: (req) => ({ ...req, ...nextRequest() }) }],
        },
        (error, result) => (error ? reject(error) : resolve({ result, statuses })),
      );
      instance.on('response', (_client, statusCode) => {
        statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      });
    });
  await load(5);
  const start = await heap();
  const samples = [start.heapUsed];
  const runs = [];
  const chunk = Math.max(1, Math.round(SECONDS / 6));
  for (let elapsed = 0; elapsed < SECONDS; elapsed += chunk) {
    runs.push(await load(chunk));
    samples.push((await heap()).heapUsed);
  }
  child.send({ type: 'stop' });
  const statuses = {};
  for (const { statuses: s } of runs)
    for (const [code, count] of Object.entries(s)) statuses[code] = (statuses[code] ?? 0) + count;
  const total = (key) => runs.reduce((sum, { result }) => sum + result[key], 0);
  const requests = runs.reduce((sum, { result }) => sum + result.requests.total, 0);
  const fiveXX = Object.entries(statuses)
    .filter(([code]) => code >= '500')
    .reduce((sum, [, count]) => sum + count, 0);
  const growth = samples.at(-1) / samples[0] - 1;
  return {
    adapter,
    requests,
    rps: Math.round(requests / SECONDS),
    errors: total('errors'),
    timeouts: total('timeouts'),
    fiveXX,
    statuses,
    samples,
    growth,
  };
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const rows = [];
for (const adapter of ['express', 'fastify']) {
  const row = await soak(adapter);
  rows.push(row);
  console.log(
    `${adapter}: ${row.requests} requests, errors ${row.errors}, timeouts ${row.timeouts}, 5xx ${row.fiveXX}, heap after GC ${row.samples.map(mb).join(' → ')} MB`,
  );
}
const ok = rows.every((r) => r.errors === 0 && r.timeouts === 0 && r.fiveXX === 0 && r.growth < 0.1);
const section = [
  '<!-- soak:start -->',
  '## Soak',
  '',
  `Generated by \`npm run bench:soak\` on ${new Date().toISOString()}: ${SECONDS} s of mixed traffic per adapter after a 5 s warm-up, 10 connections, through nestjs-cors only. The mix, round-robin: allowed GET, refused GET, allowed preflight with headers, preflight to a \`@Cors(false)\` route, subdomain-pattern origins (all distinct), an async origin function with distinct allowed origins and a flood of distinct refused ones (its LRU holds 500), a preflight with 12 KB of commas in \`Access-Control-Request-Headers\`, a comma-joined \`Origin\`, and a request to an unknown path. The heap is read after two forced GCs (\`--expose-gc\`) after warm-up and after each sixth of the run.`,
  '',
  '| adapter | requests | req/s | errors | timeouts | 5xx | statuses | heap after GC (MB) | growth | verdict |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.adapter} | ${r.requests.toLocaleString('en-US')} | ${r.rps.toLocaleString('en-US')} | ${r.errors} | ${r.timeouts} | ${r.fiveXX} | ${Object.entries(
        r.statuses,
      )
        .map(([code, count]) => `${code}: ${count}`)
        .join(
          ', ',
        )} | ${r.samples.map(mb).join(' → ')} | ${(r.growth * 100).toFixed(1)} % | ${r.errors === 0 && r.timeouts === 0 && r.fiveXX === 0 && r.growth < 0.1 ? 'pass' : '**fail**'} |`,
  ),
  '<!-- soak:end -->',
].join('\n');
if (existsSync(RESULTS)) {
  const current = readFileSync(RESULTS, 'utf8');
  const next = /<!-- soak:start -->[\s\S]*<!-- soak:end -->/.test(current)
    ? current.replace(/<!-- soak:start -->[\s\S]*<!-- soak:end -->/, section)
    : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(RESULTS, next);
}
console.log(ok ? 'soak: pass' : 'soak: FAIL');
process.exit(ok ? 0 : 1);
