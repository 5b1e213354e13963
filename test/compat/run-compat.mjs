#!/usr/bin/env node
// npm run test:compat [-- --fresh]
//
// Builds and packs nestjs-cors, checks what the tarball holds (file list,
// attw, publint), installs it into throwaway apps under .compat-work/ (a
// CommonJS app on Nest 11, a CommonJS app on Nest 12, an ESM app on Nest 12),
// boots each on Express and Fastify, checks the CORS headers with real HTTP
// requests, and type-checks an import of the tarball under node16, nodenext
// and bundler resolution. Prints a matrix; exits 1 on any failure.
//
// Installs are cached: an app whose dependencies did not change keeps its
// node_modules and lockfile, and only the freshly packed nestjs-cors is
// reinstalled. `--fresh` wipes the apps and resolves every version again
// (latest 11.x and 12.x); a clean clone (CI) is always fresh.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const FIXTURES = join(HERE, 'fixtures');
const WORK = join(ROOT, '.compat-work');
const APPS_DIR = join(WORK, 'apps');
const TARBALL = join(WORK, 'nestjs-cors.tgz');
/** The tarball, unpacked: what every app must end up with in node_modules/nestjs-cors. */
const UNPACKED = join(WORK, 'unpacked', 'package');
const FRESH = process.argv.includes('--fresh');
const BIN = join(ROOT, 'node_modules', '.bin');
const TSC = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');

/** What the tarball may hold. */
const ALLOWED_TOP_LEVEL = new Set(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']);
/** Must be in the tarball. */
const REQUIRED_FILES = ['package.json', 'LICENSE', 'dist/index.js', 'dist/index.d.ts'];
/** Should be in the tarball: reported as a warning while missing. */
const EXPECTED_FILES = ['README.md', 'CHANGELOG.md'];
/** Test sources, compiled tests and their maps (tsconfig.build.json only includes lib/, this guards it). */
const TEST_ARTIFACT = /(^|\/)(test|tests|__tests__|fixtures|e2e)\/|\.(spec|e2e-spec|test)\.(d\.)?[cm]?[jt]s(\.map)?$/;
/**
 * attw: nestjs-cors is ESM-only. Under node16 from a CommonJS file TypeScript
 * reports that `require` resolves to ESM ("dynamic import only"). Node ≥ 20.19
 * (our engines floor) loads it through require(esm), which the cjs-* apps
 * below prove, and TypeScript accepts it under `module: nodenext`/`node20`.
 * Every other rule stays on.
 */
const ATTW_IGNORED_RULES = ['cjs-resolves-to-esm'];
/**
 * tsconfig.<profile>.json in fixtures/types. nodenext also checks the .d.ts
 * files themselves (skipLibCheck: false, the slow one); node16 and bundler
 * check resolution and usage, where a type that resolved to `any` fails the
 * `@ts-expect-error` lines and the implicit-any parameters of the consumer.
 */
const TYPE_PROFILES = ['node16', 'nodenext', 'bundler'];
const ADAPTERS = ['express', 'fastify'];

const APP_ORIGIN = 'https://app.example';
const ADMIN_ORIGIN = 'https://admin.example';
const EVIL_ORIGIN = 'https://evil.example';
const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

/**
 * The HTTP checks, against the app in fixtures/app.{cjs,mjs}:
 * ItemsController   @Cors({ origin: app, credentials, methods: GET, POST })
 *   GET  /items     (controller policy)
 *   PUT  /items/:id @Cors({ origin: admin, methods: PUT, exposedHeaders: X-Total-Count })
 *   DELETE /items/:id (controller policy: DELETE not in its methods)
 *   GET  /items/off @Cors(false)
 * PublicController  @Cors('public') → forRoot({ policies: { public: { origin: '*' } } })
 * `cors` is the exact set of Access-Control-* response headers; `vary` the exact Vary (null: absent).
 */
const CHECKS = [
  {
    name: 'preflight, controller @Cors',
    request: ['OPTIONS', '/items', { origin: APP_ORIGIN, 'access-control-request-method': 'GET' }],
    status: 204,
    cors: {
      'access-control-allow-origin': APP_ORIGIN,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET',
    },
    vary: PREFLIGHT_VARY,
    body: '',
  },
  {
    name: 'GET, controller @Cors',
    request: ['GET', '/items', { origin: APP_ORIGIN }],
    status: 200,
    cors: { 'access-control-allow-origin': APP_ORIGIN, 'access-control-allow-credentials': 'true' },
    vary: 'Origin',
    body: '{"handler":"list"}',
  },
  {
    name: 'preflight, route @Cors override',
    request: [
      'OPTIONS',
      '/items/7',
      {
        origin: ADMIN_ORIGIN,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    ],
    status: 204,
    cors: {
      'access-control-allow-origin': ADMIN_ORIGIN,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'content-type',
    },
    vary: PREFLIGHT_VARY,
    body: '',
  },
  {
    name: 'preflight, controller origin on override → 403',
    request: ['OPTIONS', '/items/7', { origin: APP_ORIGIN, 'access-control-request-method': 'PUT' }],
    status: 403,
    cors: {},
    vary: PREFLIGHT_VARY,
    body: '',
  },
  {
    name: 'PUT, route @Cors override',
    request: ['PUT', '/items/7', { origin: ADMIN_ORIGIN }],
    status: 200,
    cors: {
      'access-control-allow-origin': ADMIN_ORIGIN,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Total-Count',
    },
    vary: 'Origin',
    body: '{"handler":"update"}',
  },
  {
    name: 'preflight, unknown origin → 403',
    request: ['OPTIONS', '/items', { origin: EVIL_ORIGIN, 'access-control-request-method': 'GET' }],
    status: 403,
    cors: {},
    vary: PREFLIGHT_VARY,
    body: '',
  },
  {
    name: 'preflight, method not in methods → 403',
    request: ['OPTIONS', '/items/7', { origin: APP_ORIGIN, 'access-control-request-method': 'DELETE' }],
    status: 403,
    cors: {},
    vary: PREFLIGHT_VARY,
    body: '',
  },
  {
    name: 'preflight, method no route serves → 403',
    request: ['OPTIONS', '/items', { origin: APP_ORIGIN, 'access-control-request-method': 'PATCH' }],
    status: 403,
    cors: {},
    vary: PREFLIGHT_VARY,
    body: '',
  },
  {
    name: 'GET, unknown origin: no ACA-*',
    request: ['GET', '/items', { origin: EVIL_ORIGIN }],
    status: 200,
    cors: {},
    vary: 'Origin',
    body: '{"handler":"list"}',
  },
  {
    name: 'preflight, @Cors(false) → 403',
    request: ['OPTIONS', '/items/off', { origin: APP_ORIGIN, 'access-control-request-method': 'GET' }],
    status: 403,
    cors: {},
    vary: PREFLIGHT_VARY,
    body: '',
  },
  {
    name: "preflight, @Cors('public') → *",
    request: ['OPTIONS', '/public', { origin: EVIL_ORIGIN, 'access-control-request-method': 'GET' }],
    status: 204,
    cors: {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET',
    },
    vary: 'Access-Control-Request-Method, Access-Control-Request-Headers',
    body: '',
  },
  {
    name: "GET, @Cors('public') → *",
    request: ['GET', '/public', { origin: EVIL_ORIGIN }],
    status: 200,
    cors: { 'access-control-allow-origin': '*' },
    vary: null,
    body: '{"handler":"ping"}',
  },
];

const MATRIX_ROWS = ['one module copy (require === import)', ...CHECKS.map((check) => check.name)];

const failures = [];
const notes = [];
const durations = [];

// ---------------------------------------------------------------- helpers

/** Runs at most `slots` CPU-heavy tasks (tsc, app boots) at once; installs are not limited. */
function limiter(slots) {
  const waiting = [];
  let running = 0;
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async (task) => {
    if (running >= slots) await new Promise((resolvePromise) => waiting.push(resolvePromise));
    running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
const cpuBound = limiter(Math.max(2, availableParallelism()));

/** Child processes get no npm-run context (it would point npm at this package). */
function childEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_(package|lifecycle)_/i.test(key) || /^npm_config_local_prefix$/i.test(key)) delete env[key];
  }
  return env;
}

function run(command, args, { cwd = ROOT, timeoutMs = 300_000 } = {}) {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n[compat] ${command} ${args.join(' ')} timed out after ${timeoutMs} ms\n`;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolvePromise({ code: -1, stdout, stderr: `${stderr}${error.message}`, ms: performance.now() - started });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

async function timed(label, fn) {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    durations.push([label, performance.now() - started]);
  }
}

function fail(where, message) {
  failures.push(`${where}: ${message}`);
}

function commandOutput(result) {
  return `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^npm warn Unknown (user|env) config/i.test(line))
    .map((line) => `      ${line}`)
    .join('\n');
}

function sha256(...parts) {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)}s`;
}

// ---------------------------------------------------------------- package

/** Builds, checks the packed file list and packs into a temp dir; returns the packed paths. */
async function buildAndPack() {
  const build = await timed('build', () => run('npm', ['run', 'build']));
  if (build.code !== 0) {
    fail('build', `npm run build failed\n${commandOutput(build)}`);
    return undefined;
  }
  const dry = await run('npm', ['pack', '--dry-run', '--json']);
  if (dry.code !== 0) {
    fail('pack', `npm pack --dry-run failed\n${commandOutput(dry)}`);
    return undefined;
  }
  const files = JSON.parse(dry.stdout)[0].files.map((file) => file.path);
  checkFileList(files);

  const dest = await mkdtemp(join(tmpdir(), 'nestjs-cors-pack-'));
  try {
    const pack = await timed('pack', () => run('npm', ['pack', '--json', '--pack-destination', dest]));
    if (pack.code !== 0) {
      fail('pack', `npm pack failed\n${commandOutput(pack)}`);
      return undefined;
    }
    const [packed] = JSON.parse(pack.stdout);
    const packedFiles = packed.files.map((file) => file.path);
    if (packedFiles.join('\n') !== files.join('\n')) {
      fail('pack', 'npm pack and npm pack --dry-run list different files');
    }
    await mkdir(WORK, { recursive: true });
    await copyFile(join(dest, packed.filename), TARBALL);
    await rm(dirname(UNPACKED), { recursive: true, force: true });
    await mkdir(dirname(UNPACKED), { recursive: true });
    const untar = await run('tar', ['-xzf', TARBALL, '-C', dirname(UNPACKED)]);
    if (untar.code !== 0) {
      fail('pack', `could not unpack the tarball\n${commandOutput(untar)}`);
      return undefined;
    }
    return { files: packedFiles, filename: packed.filename, size: packed.size };
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

function checkFileList(files) {
  const offenders = files.filter((path) => !path.startsWith('dist/') && !ALLOWED_TOP_LEVEL.has(path));
  if (offenders.length > 0) {
    fail(
      'tarball',
      `files outside dist/, README.md, LICENSE, CHANGELOG.md, package.json:\n        ${offenders.join('\n        ')}`,
    );
  }
  const testArtifacts = files.filter((path) => TEST_ARTIFACT.test(path));
  if (testArtifacts.length > 0) {
    fail('tarball', `test files or test maps in the tarball:\n        ${testArtifacts.join('\n        ')}`);
  }
  for (const path of REQUIRED_FILES) {
    if (!files.includes(path)) fail('tarball', `${path} is missing`);
  }
  for (const path of EXPECTED_FILES) {
    if (!files.includes(path)) {
      notes.push(
        existsSync(join(ROOT, path))
          ? `tarball: ${path} exists but is not packed (npm only adds it when package.json "files" lists it)`
          : `tarball: ${path} does not exist yet`,
      );
    }
  }
}

async function attw() {
  const result = await timed('attw', () =>
    run(join(BIN, 'attw'), [TARBALL, '--ignore-rules', ...ATTW_IGNORED_RULES, '--format', 'table', '--no-color']),
  );
  if (result.code !== 0) fail('attw', `attw reported problems\n${commandOutput(result)}`);
  return result.code === 0;
}

async function publint() {
  const result = await timed('publint', () => run(join(BIN, 'publint'), ['run', TARBALL, '--strict']));
  if (result.code !== 0) fail('publint', `publint reported problems\n${commandOutput(result)}`);
  else if (!/All good/.test(result.stdout)) notes.push(`publint:\n${commandOutput(result)}`);
  return result.code === 0;
}

// ---------------------------------------------------------------- apps

async function npmVersion() {
  const result = await run('npm', ['--version']);
  return result.stdout.trim();
}

/** Creates (or reuses) one app directory and installs the packed nestjs-cors into it. */
async function installApp(name, app, npm, packed) {
  const dir = join(APPS_DIR, name);
  const manifest = {
    name: `compat-${name}`,
    private: true,
    type: app.type,
    dependencies: { ...app.dependencies, 'nestjs-cors': 'file:../../nestjs-cors.tgz' },
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const stamp = sha256(manifestText, process.version, npm);
  const stampFile = join(dir, '.compat-stamp');
  const lockFile = join(dir, 'package-lock.json');
  const cached =
    !FRESH &&
    existsSync(join(dir, 'node_modules')) &&
    existsSync(lockFile) &&
    (await readFile(stampFile, 'utf8').catch(() => '')) === stamp;

  if (cached) {
    // Keep every other package; make npm take nestjs-cors from the new tarball.
    await rm(join(dir, 'node_modules', 'nestjs-cors'), { recursive: true, force: true });
    const lock = JSON.parse(await readFile(lockFile, 'utf8'));
    delete lock.packages?.['node_modules/nestjs-cors'];
    await writeFile(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
  } else {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), manifestText);
  }
  const args = ['install', '--no-audit', '--no-fund', ...(cached ? ['--prefer-offline'] : [])];
  const install = await timed(`install ${name}${cached ? ' (cached)' : ''}`, () => run('npm', args, { cwd: dir }));
  if (install.code !== 0) {
    fail(name, `npm install failed\n${commandOutput(install)}`);
    await rm(stampFile, { force: true });
    return undefined;
  }
  await writeFile(stampFile, stamp);
  await copyFile(join(FIXTURES, app.entry), join(dir, app.entry));
  await copyFile(join(FIXTURES, 'compat-app.cjs'), join(dir, 'compat-app.cjs'));

  for (const path of packed.files) {
    const [installed, packedFile] = await Promise.all([
      readFile(join(dir, 'node_modules', 'nestjs-cors', path)).catch(() => undefined),
      readFile(join(UNPACKED, path)),
    ]);
    if (!installed || !installed.equals(packedFile)) {
      fail(name, `installed nestjs-cors differs from the packed tarball at ${path}`);
      break;
    }
  }
  const versions = {};
  for (const pkg of ['@nestjs/core', '@nestjs/common', '@nestjs/platform-express', '@nestjs/platform-fastify']) {
    versions[pkg] = JSON.parse(await readFile(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  }
  return { dir, cached, versions };
}

/** Starts the app (Express and Fastify servers) and waits for its ready line. */
function startApp(name, app, dir) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [app.entry], { cwd: dir, env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const output = [];
    let buffered = '';
    let settled = false;
    const settle = (value) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolvePromise(value);
      }
    };
    const stop = () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.on('close', () => {
          clearTimeout(killer);
          done();
        });
        child.stdin.end();
      });
    const timer = setTimeout(() => {
      settle({ error: `no ready line within 60 s\n${output.join('\n')}`, output, stop });
    }, 60_000);
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('COMPAT-READY ')) settle({ ready: JSON.parse(line.slice(13)), output, stop });
        else if (line.trim()) output.push(line);
      }
    });
    child.stderr.on('data', (chunk) =>
      output.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line.trim()),
      ),
    );
    child.on('close', (code) =>
      settle({ error: `exited with ${code} before it was ready\n${output.join('\n')}`, output, stop }),
    );
  });
}

function request(port, method, path, headers) {
  return new Promise((resolvePromise, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolvePromise({ status: res.statusCode, headers: res.headers, body }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Runs one check; returns the list of differences (empty: passed). */
async function runCheck(port, check) {
  const [method, path, headers] = check.request;
  let response;
  try {
    response = await request(port, method, path, headers);
  } catch (error) {
    return [`request failed: ${error.message}`];
  }
  const problems = [];
  if (response.status !== check.status) problems.push(`status ${response.status}, expected ${check.status}`);
  const cors = Object.fromEntries(
    Object.entries(response.headers).filter(([key]) => key.startsWith('access-control-')),
  );
  for (const key of new Set([...Object.keys(cors), ...Object.keys(check.cors)])) {
    if (cors[key] !== check.cors[key]) {
      problems.push(
        `${key}: ${JSON.stringify(cors[key] ?? null)}, expected ${JSON.stringify(check.cors[key] ?? null)}`,
      );
    }
  }
  const vary = response.headers.vary ?? null;
  if (vary !== check.vary) problems.push(`vary: ${JSON.stringify(vary)}, expected ${JSON.stringify(check.vary)}`);
  if (response.body !== check.body)
    problems.push(`body ${JSON.stringify(response.body)}, expected ${JSON.stringify(check.body)}`);
  return problems;
}

/** Boots one installed app and runs every check on both adapters; returns row → adapter → ok. */
async function exerciseApp(name, app, installed) {
  const cells = {};
  const mark = (row, adapter, ok) => ((cells[row] ??= {})[adapter] = ok);
  const started = await cpuBound(() =>
    timed(`boot+HTTP ${name}`, async () => {
      const started = await startApp(name, app, installed.dir);
      if (started.error) {
        fail(name, `app did not start: ${started.error}`);
        for (const adapter of ADAPTERS) {
          for (const row of MATRIX_ROWS) mark(row, adapter, false);
        }
        await started.stop();
        return started;
      }
      const { ready } = started;
      const singleCopy = ready.singleCopy === true;
      if (!singleCopy) fail(name, 'require("nestjs-cors") and import("nestjs-cors") gave different CorsModule/Cors');
      const expected = join(installed.dir, 'node_modules', 'nestjs-cors', 'dist', 'index.js');
      if (ready.resolved !== expected) fail(name, `nestjs-cors resolved to ${ready.resolved}, expected ${expected}`);
      for (const adapter of ADAPTERS) {
        mark(MATRIX_ROWS[0], adapter, singleCopy);
        for (const check of CHECKS) {
          const problems = await runCheck(ready.ports[adapter], check);
          mark(check.name, adapter, problems.length === 0);
          if (problems.length > 0) fail(`${name}/${adapter}`, `${check.name}: ${problems.join('; ')}`);
        }
      }
      await started.stop();
      return started;
    }),
  );
  if (started.output.length > 0) notes.push(`${name} printed:\n${started.output.map((l) => `      ${l}`).join('\n')}`);
  return cells;
}

/** Type-checks consumer.{mts,cts,ts} against the installed tarball under each resolution mode. */
async function typecheckApp(name, installed) {
  const dir = join(installed.dir, 'types');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const source = await readFile(join(FIXTURES, 'types', 'consumer.ts.tpl'), 'utf8');
  for (const ext of ['mts', 'cts', 'ts']) await writeFile(join(dir, `consumer.${ext}`), source);
  const results = {};
  await Promise.all(
    TYPE_PROFILES.map(async (profile) => {
      const config = `tsconfig.${profile}.json`;
      await copyFile(join(FIXTURES, 'types', config), join(dir, config));
      const result = await cpuBound(() =>
        timed(`tsc ${name} ${profile}`, () => run(process.execPath, [TSC, '-p', config], { cwd: dir })),
      );
      results[profile] = result.code === 0;
      if (result.code !== 0) fail(`${name} types`, `tsc -p ${config} failed\n${commandOutput(result)}`);
    }),
  );
  return results;
}

// ---------------------------------------------------------------- report

function printMatrix(appNames, installs, cells, types, packageResults, packed, npm) {
  const head = `nestjs-cors compat matrix — Node ${process.version}, npm ${npm}, TypeScript ${
    createRequire(join(ROOT, 'package.json'))('typescript/package.json').version
  }`;
  const labelWidth = Math.max(...MATRIX_ROWS.map((row) => row.length)) + 2;
  const colWidth = 10;
  const cell = (value) => (value === undefined ? '—' : value ? 'ok' : 'FAIL').padEnd(colWidth);
  const appWidth = colWidth * ADAPTERS.length;
  const lines = ['', head, ''];
  lines.push(' '.repeat(labelWidth) + appNames.map((name) => name.padEnd(appWidth)).join(''));
  lines.push(
    ' '.repeat(labelWidth) +
      appNames.map((name) => `Nest ${installs[name]?.versions['@nestjs/core'] ?? '?'}`.padEnd(appWidth)).join(''),
  );
  lines.push(' '.repeat(labelWidth) + appNames.map(() => ADAPTERS.map((a) => a.padEnd(colWidth)).join('')).join(''));
  for (const row of MATRIX_ROWS) {
    lines.push(
      row.padEnd(labelWidth) +
        appNames.map((name) => ADAPTERS.map((adapter) => cell(cells[name]?.[row]?.[adapter])).join('')).join(''),
    );
  }
  lines.push('');
  const typeApps = appNames.filter((name) => types[name]);
  if (typeApps.length > 0) {
    lines.push('types: tsc --noEmit'.padEnd(labelWidth) + typeApps.map((name) => `${name}`.padEnd(appWidth)).join(''));
    for (const profile of TYPE_PROFILES) {
      const files = profile === 'node16' ? '.mts' : profile === 'nodenext' ? '.mts + .cts' : '.ts';
      lines.push(
        `  ${profile} (${files})`.padEnd(labelWidth) +
          typeApps.map((name) => cell(types[name][profile]).padEnd(appWidth)).join(''),
      );
    }
    lines.push('');
  }
  lines.push(
    `package: ${packed ? `${packed.filename}, ${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} kB` : 'not packed'}`,
  );
  for (const [label, ok] of packageResults) lines.push(`  ${label}`.padEnd(labelWidth) + cell(ok));
  console.log(lines.join('\n'));
}

// ---------------------------------------------------------------- main

async function main() {
  const started = performance.now();
  const apps = JSON.parse(await readFile(join(FIXTURES, 'apps.json'), 'utf8'));
  const appNames = Object.keys(apps);
  const npm = await npmVersion();
  if (FRESH) await rm(APPS_DIR, { recursive: true, force: true });

  const packed = await buildAndPack();
  const installs = {};
  const cells = {};
  const types = {};
  const packageResults = [];
  if (packed) {
    packageResults.push(['file list', !failures.some((f) => f.startsWith('tarball'))]);
    const [attwOk, publintOk] = await Promise.all([
      attw(),
      publint(),
      ...appNames.map(async (name) => {
        const installed = await installApp(name, apps[name], npm, packed);
        if (!installed) {
          const none = Object.fromEntries(ADAPTERS.map((adapter) => [adapter, false]));
          cells[name] = Object.fromEntries(MATRIX_ROWS.map((row) => [row, none]));
          if (apps[name].typecheck) types[name] = Object.fromEntries(TYPE_PROFILES.map((profile) => [profile, false]));
          return;
        }
        installs[name] = installed;
        const [appCells, appTypes] = await Promise.all([
          exerciseApp(name, apps[name], installed),
          apps[name].typecheck ? typecheckApp(name, installed) : undefined,
        ]);
        cells[name] = appCells;
        if (appTypes) types[name] = appTypes;
      }),
    ]);
    packageResults.push([`attw (ignoring ${ATTW_IGNORED_RULES.join(', ')})`, attwOk], ['publint --strict', publintOk]);
  }

  printMatrix(appNames, installs, cells, types, packageResults, packed, npm);
  if (notes.length > 0) console.log(`\nnotes:\n${notes.map((note) => `  - ${note}`).join('\n')}`);
  console.log(`\ndurations:\n${durations.map(([label, ms]) => `  ${label.padEnd(32)} ${seconds(ms)}`).join('\n')}`);
  console.log(`  ${'total'.padEnd(32)} ${seconds(performance.now() - started)}`);
  if (failures.length > 0) {
    console.log(`\n${failures.length} failure(s):\n${failures.map((f) => `  ✗ ${f}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log('\nall compat checks passed');
  }
}

await main();
