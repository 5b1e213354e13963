#!/usr/bin/env node
// npm run test:compat [-- --fresh]
//
// Builds and packs nestjs-cors, checks what the tarball holds (file list,
// attw, publint), installs it into throwaway apps under .compat-work/ (a
// CommonJS app on Nest 11, a CommonJS app on Nest 12, an ESM app on Nest 12),
// boots each on Express and Fastify, checks the CORS headers with real HTTP
// requests, and type-checks an import of the tarball under commonjs, node10,
// node16, nodenext and bundler resolution.
//
// Then the projects users have (fixtures/projects/): a stock Nest 11
// CommonJS project (`nest new`, CLI 11: Jest + ts-jest) and a stock Nest 12
// ESM project (CLI 12: Vitest), each with the tarball installed and a CORS
// e2e test next to the starter's own tests. Each runs its own `npm test`
// (unit), `npm run test:e2e`, `nest start` and `node dist/main` unchanged.
// Prints a matrix; exits 1 on any failure.
//
// Installs are cached: an app whose dependencies did not change keeps its
// node_modules and lockfile, and only the freshly packed nestjs-cors is
// reinstalled. `--fresh` wipes the apps and resolves every version again
// (latest 11.x and 12.x); a clean clone (CI) is always fresh.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
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
 * The entry points of the exports map, each with the built file that must
 * exist for it. `./testing` and `./websockets` come from lib/testing and
 * lib/websockets; while a branch has no such folder yet, its entry point is
 * reported as a note and left out of attw, publint and the runtime checks
 * (remove `optional` once both folders are merged).
 */
const ENTRY_POINTS = [
  { subpath: '.', file: 'dist/index.js' },
  { subpath: './testing', file: 'dist/testing/index.js' },
  { subpath: './websockets', file: 'dist/websockets/index.js' },
  { subpath: './websockets/socket.io', file: 'dist/websockets/socket-io.js' },
  { subpath: './websockets/ws', file: 'dist/websockets/ws.js' },
];
/**
 * tsconfig.<profile>.json in fixtures/types. nodenext also checks the .d.ts
 * files themselves (skipLibCheck: false, the slow one); the others check
 * resolution and usage, where a type that resolved to `any` fails the
 * `@ts-expect-error` lines and the implicit-any parameters of the consumer.
 * commonjs is `module: commonjs` with TypeScript's default resolution; node10
 * is what TypeScript 5 picks for it (older Nest 11 starters).
 */
const TYPE_PROFILES = ['commonjs', 'node10', 'node16', 'nodenext', 'bundler'];
const TYPE_PROFILE_FILES = {
  commonjs: '.ts',
  node10: '.ts',
  node16: '.mts',
  nodenext: '.mts + .cts',
  bundler: '.ts',
};
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

/** Entry points whose built file is in the tarball; the optional ones that are not get a note. */
function builtEntryPoints(packed) {
  const built = ENTRY_POINTS.filter((entry) => packed.files.includes(entry.file));
  for (const entry of ENTRY_POINTS) {
    if (built.includes(entry)) continue;
    if (entry.optional) {
      notes.push(`exports["${entry.subpath}"]: ${entry.file} is not built on this branch yet; not checked`);
    } else {
      fail('tarball', `exports["${entry.subpath}"] points at ${entry.file}, which is not in the tarball`);
    }
  }
  return built;
}

/** attw on every built entry point, with no rule ignored. */
async function attw(unbuilt) {
  const exclude = unbuilt.length > 0 ? ['--exclude-entrypoints', ...unbuilt.map((entry) => entry.subpath)] : [];
  const result = await timed('attw', () =>
    run(join(BIN, 'attw'), [TARBALL, ...exclude, '--format', 'table', '--no-color']),
  );
  if (result.code !== 0) fail('attw', `attw reported problems\n${commandOutput(result)}`);
  return result.code === 0;
}

/** publint --strict on the unpacked tarball; only "file does not exist" for an unbuilt optional entry point is left out. */
async function publint(unbuilt) {
  return timed('publint', async () => {
    const { publint: lint } = await import('publint');
    const { formatMessage } = await import('publint/utils');
    const { messages, pkg } = await lint({ pkgDir: UNPACKED, pack: false, strict: true, level: 'suggestion' });
    const unbuiltPaths = new Set(unbuilt.map((entry) => entry.subpath));
    const kept = messages.filter(
      (message) =>
        !(message.code === 'FILE_DOES_NOT_EXIST' && message.path[0] === 'exports' && unbuiltPaths.has(message.path[1])),
    );
    const errors = kept.filter((message) => message.type === 'error');
    const text = kept.map((message) => `      ${message.type}: ${formatMessage(message, pkg, { color: false })}`);
    if (errors.length > 0) fail('publint', `publint --strict reported problems\n${text.join('\n')}`);
    else if (kept.length > 0) notes.push(`publint:\n${text.join('\n')}`);
    return errors.length === 0;
  });
}

// ---------------------------------------------------------------- apps

async function npmVersion() {
  const result = await run('npm', ['--version']);
  return result.stdout.trim();
}

/** An install failure that a later attempt may not have: a stale or cut-off registry answer. */
const TRANSIENT_INSTALL_ERROR = /ETARGET|ECONNRESET|ETIMEDOUT|EAI_AGAIN|E5\d\d/;
/** Seconds before each retry of an install that failed with a {@link TRANSIENT_INSTALL_ERROR}. */
const INSTALL_RETRY_WAITS = [5, 30, 90];

/**
 * Installs the dependencies of `manifestText` in `dir`, reusing node_modules
 * when the manifest, Node and npm are unchanged (then only the freshly packed
 * nestjs-cors is reinstalled). Returns `{ cached }`, or undefined on failure.
 */
async function installDependencies(name, dir, manifestText, npm) {
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
  let install = await timed(`install ${name}${cached ? ' (cached)' : ''}`, () => run('npm', args, { cwd: dir }));
  // A registry answer that was stale or cut off (a dependency's release that names a version the registry does
  // not list yet, a dropped connection): again, asking the registry rather than the local cache, after a wait
  // long enough for a release to reach every registry node (one retry 25 s later was not: CI, 2026-12-03).
  for (const waitSeconds of INSTALL_RETRY_WAITS) {
    if (install.code === 0 || !TRANSIENT_INSTALL_ERROR.test(commandOutput(install))) break;
    await sleep(waitSeconds * 1000);
    install = await timed(`install ${name} (retry after ${waitSeconds} s)`, () =>
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-online'], { cwd: dir }),
    );
  }
  if (install.code !== 0) {
    fail(name, `npm install failed\n${commandOutput(install)}`);
    await rm(stampFile, { force: true });
    return undefined;
  }
  await writeFile(stampFile, stamp);
  return { cached };
}

/** Checks that node_modules/nestjs-cors in `dir` is byte for byte the packed tarball. */
async function checkInstalledTarball(name, dir, packed) {
  for (const path of packed.files) {
    const [installed, packedFile] = await Promise.all([
      readFile(join(dir, 'node_modules', 'nestjs-cors', path)).catch(() => undefined),
      readFile(join(UNPACKED, path)),
    ]);
    if (!installed || !installed.equals(packedFile)) {
      fail(name, `installed nestjs-cors differs from the packed tarball at ${path}`);
      return;
    }
  }
}

async function installedVersions(dir, packages) {
  const versions = {};
  for (const pkg of packages) {
    versions[pkg] = JSON.parse(await readFile(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  }
  return versions;
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
  const installed = await installDependencies(name, dir, `${JSON.stringify(manifest, null, 2)}\n`, npm);
  if (!installed) return undefined;
  await copyFile(join(FIXTURES, app.entry), join(dir, app.entry));
  await copyFile(join(FIXTURES, 'compat-app.cjs'), join(dir, 'compat-app.cjs'));
  await checkInstalledTarball(name, dir, packed);
  const versions = await installedVersions(dir, [
    '@nestjs/core',
    '@nestjs/common',
    '@nestjs/platform-express',
    '@nestjs/platform-fastify',
  ]);
  return { dir, cached: installed.cached, versions };
}

/** Starts the app (Express and Fastify servers) and waits for its ready line. */
function startApp(name, app, dir, subpaths) {
  return new Promise((resolvePromise) => {
    const env = { ...childEnv(), COMPAT_SUBPATHS: JSON.stringify(subpaths) };
    const child = spawn(process.execPath, [app.entry], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
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
async function exerciseApp(name, app, installed, subpaths) {
  const cells = {};
  const mark = (row, adapter, ok) => ((cells[row] ??= {})[adapter] = ok);
  const started = await cpuBound(() =>
    timed(`boot+HTTP ${name}`, async () => {
      const started = await startApp(name, app, installed.dir, subpaths);
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
      if (!singleCopy) {
        fail(name, 'require() and import() of nestjs-cors (or of its subpaths, or of Nest) gave different objects');
      }
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
async function typecheckApp(name, installed, subpaths) {
  const dir = join(installed.dir, 'types');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // Each built subpath must resolve to its declarations too (strict: an untyped module is an error).
  const subpathImports = subpaths.map(
    (subpath, index) => `import * as subpath${index} from 'nestjs-cors/${subpath}';\nexport { subpath${index} };\n`,
  );
  const source = (await readFile(join(FIXTURES, 'types', 'consumer.ts.tpl'), 'utf8')) + subpathImports.join('');
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

// ---------------------------------------------------------------- user projects

const PROJECTS_DIR = join(FIXTURES, 'projects');
/**
 * The projects users have, as `nest new` generates them (fixtures/projects/:
 * `shared/` holds the app and its tests, `<name>/` the starter's own files),
 * with nestjs-cors installed from the tarball. `tests` is how many tests each
 * script must run and pass (a runner that finds fewer fails the cell).
 * `commonjs`: the CommonJS starter writes relative imports without `.js`.
 */
const PROJECTS = [
  {
    name: 'nest11-jest',
    label: 'Nest 11 CJS, Jest',
    commonjs: true,
    runner: 'jest',
    tests: { 'npm test': 1, 'npm run test:e2e': 13 },
  },
  {
    name: 'nest12-vitest',
    label: 'Nest 12 ESM, Vitest',
    commonjs: false,
    runner: 'vitest',
    tests: { 'npm test': 1, 'npm run test:e2e': 13 },
  },
];
const PROJECT_SERVERS = ['nest start', 'node dist/main'];
const PROJECT_ROWS = [...Object.keys(PROJECTS[0].tests), ...PROJECT_SERVERS];

/**
 * `nest start` / `node dist/main` on the project's own main.ts (Express): the
 * origins come from .env through ConfigModule (`a, b`, trimmed).
 */
const SERVER_CHECKS = [
  {
    name: 'preflight, forRootAsync origin',
    request: [
      'OPTIONS',
      '/items',
      {
        origin: ADMIN_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    ],
    status: 204,
    cors: {
      'access-control-allow-origin': ADMIN_ORIGIN,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type',
    },
    vary: PREFLIGHT_VARY,
    body: '',
  },
  {
    name: 'GET, forRootAsync origin',
    request: ['GET', '/items', { origin: APP_ORIGIN }],
    status: 200,
    cors: { 'access-control-allow-origin': APP_ORIGIN },
    vary: 'Origin',
    body: '["a","b"]',
  },
  {
    name: "GET, @Cors('public')",
    request: ['GET', '/', { origin: EVIL_ORIGIN }],
    status: 200,
    cors: { 'access-control-allow-origin': '*' },
    vary: null,
    body: 'Hello World!',
  },
  {
    name: 'preflight, @Cors(false) → 403',
    request: ['OPTIONS', '/items/internal', { origin: APP_ORIGIN, 'access-control-request-method': 'GET' }],
    status: 403,
    cors: {},
    vary: PREFLIGHT_VARY,
    body: '',
  },
];

/** Writes the project's sources (every run: a fixture change needs no fresh install). */
async function writeProjectFiles(project, dir) {
  for (const folder of ['src', 'test', 'dist']) await rm(join(dir, folder), { recursive: true, force: true });
  for (const from of [join(PROJECTS_DIR, 'shared'), join(PROJECTS_DIR, project.name)]) {
    await cp(from, dir, { recursive: true, filter: (source) => basename(source) !== 'package.json' });
  }
  if (!project.commonjs) return;
  for (const folder of ['src', 'test']) {
    for (const file of await readdir(join(dir, folder), { recursive: true })) {
      if (!file.endsWith('.ts')) continue;
      const path = join(dir, folder, file);
      const source = await readFile(path, 'utf8');
      await writeFile(path, source.replace(/(from '[^']+)\.js'/g, "$1'"));
    }
  }
}

function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

/** Runs one of the project's test scripts; returns "n tests" or undefined (failed). */
async function runProjectTests(project, dir, script, expected) {
  const [command, ...args] = script.split(' ');
  const result = await cpuBound(() =>
    timed(`${project.name}: ${script}`, () => run(command, args, { cwd: dir, timeoutMs: 180_000 })),
  );
  // eslint-disable-next-line no-control-regex -- the runners color their summary
  const output = `${result.stdout}\n${result.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
  const summary =
    project.runner === 'jest'
      ? /^Tests:\s+(?<passed>\d+) passed, (?<total>\d+) total/m.exec(output)
      : /^\s*Tests\s+(?<passed>\d+) passed \((?<total>\d+)\)/m.exec(output);
  const passed = Number(summary?.groups.passed ?? -1);
  const total = Number(summary?.groups.total ?? -1);
  if (result.code !== 0 || passed !== expected || total !== expected) {
    fail(
      `${project.name}: ${script}`,
      `exit ${result.code}, ${passed} of ${total} tests passed, expected ${expected} of ${expected}\n${commandOutput(result)}`,
    );
    return undefined;
  }
  return `${passed} tests`;
}

/** Starts `nest start` or `node dist/main` on a free port, runs SERVER_CHECKS, stops it. */
async function runProjectServer(project, dir, how) {
  return cpuBound(() =>
    timed(`${project.name}: ${how}`, async () => {
      const port = await freePort();
      const [command, args] =
        how === 'nest start'
          ? [join(dir, 'node_modules', '.bin', 'nest'), ['start']]
          : [process.execPath, [join('dist', 'main.js')]];
      // Its own process group: `nest start` runs the app in a child process.
      const child = spawn(command, args, {
        cwd: dir,
        env: { ...childEnv(), PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const exited = new Promise((done) => child.on('close', done));
      const deadline = performance.now() + 90_000;
      let up = false;
      while (!up && child.exitCode === null && performance.now() < deadline) {
        up = await request(port, 'GET', '/', {}).then(
          () => true,
          () => new Promise((done) => setTimeout(() => done(false), 250)),
        );
      }
      const problems = [];
      if (!up) problems.push(`did not answer on port ${port}\n${output}`);
      else {
        for (const check of SERVER_CHECKS) {
          const differences = await runCheck(port, check);
          if (differences.length > 0) problems.push(`${check.name}: ${differences.join('; ')}`);
        }
      }
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await exited;
      if (problems.length > 0) {
        fail(`${project.name}: ${how}`, problems.join('\n      '));
        return undefined;
      }
      return `${SERVER_CHECKS.length} checks`;
    }),
  );
}

/** Installs one project and runs its test scripts, then its servers; returns row → result. */
async function exerciseProject(project, npm, packed) {
  const dir = join(APPS_DIR, project.name);
  const manifestText = await readFile(join(PROJECTS_DIR, project.name, 'package.json'), 'utf8');
  const installed = await installDependencies(project.name, dir, manifestText, npm);
  if (!installed) return { cells: {}, versions: undefined };
  await writeProjectFiles(project, dir);
  await checkInstalledTarball(project.name, dir, packed);
  const runnerPackage = project.runner === 'jest' ? 'jest' : 'vitest';
  const versions = await installedVersions(dir, ['@nestjs/core', '@nestjs/config', runnerPackage, 'typescript']);
  const cells = {};
  for (const [script, expected] of Object.entries(project.tests)) {
    cells[script] = await runProjectTests(project, dir, script, expected);
  }
  // `nest start` builds dist/ first; `node dist/main` then runs that build.
  for (const how of PROJECT_SERVERS) cells[how] = await runProjectServer(project, dir, how);
  return { cells, versions };
}

function printProjects(results) {
  const labelWidth = Math.max(...PROJECT_ROWS.map((row) => row.length)) + 2;
  const colWidth = 28;
  const lines = ['', 'user projects (their own scripts, unchanged)', ''];
  lines.push(' '.repeat(labelWidth) + PROJECTS.map((project) => project.label.padEnd(colWidth)).join(''));
  lines.push(
    ' '.repeat(labelWidth) +
      PROJECTS.map((project) => {
        const versions = results[project.name]?.versions;
        if (!versions) return 'not installed'.padEnd(colWidth);
        const runner = versions.jest ? `jest ${versions.jest}` : `vitest ${versions.vitest}`;
        return `Nest ${versions['@nestjs/core']}, ${runner}`.padEnd(colWidth);
      }).join(''),
  );
  lines.push(
    ' '.repeat(labelWidth) +
      PROJECTS.map((project) => {
        const versions = results[project.name]?.versions;
        return (versions ? `config ${versions['@nestjs/config']}, TS ${versions.typescript}` : '').padEnd(colWidth);
      }).join(''),
  );
  for (const row of PROJECT_ROWS) {
    lines.push(
      row.padEnd(labelWidth) +
        PROJECTS.map((project) => {
          const value = results[project.name]?.cells[row];
          return (value ? `ok (${value})` : 'FAIL').padEnd(colWidth);
        }).join(''),
    );
  }
  console.log(lines.join('\n'));
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
      const files = TYPE_PROFILE_FILES[profile];
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
  const projects = {};
  const packageResults = [];
  if (packed) {
    const built = builtEntryPoints(packed);
    const unbuilt = ENTRY_POINTS.filter((entry) => !built.includes(entry));
    const subpaths = built.filter((entry) => entry.subpath !== '.').map((entry) => entry.subpath.slice(2));
    packageResults.push(['file list', !failures.some((f) => f.startsWith('tarball'))]);
    const [attwOk, publintOk] = await Promise.all([
      attw(unbuilt),
      publint(unbuilt),
      ...PROJECTS.map(async (project) => {
        projects[project.name] = await exerciseProject(project, npm, packed);
      }),
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
          exerciseApp(name, apps[name], installed, subpaths),
          apps[name].typecheck ? typecheckApp(name, installed, subpaths) : undefined,
        ]);
        cells[name] = appCells;
        if (appTypes) types[name] = appTypes;
      }),
    ]);
    packageResults.push(['attw (every rule)', attwOk], ['publint --strict', publintOk]);
  }

  printMatrix(appNames, installs, cells, types, packageResults, packed, npm);
  if (packed) printProjects(projects);
  if (notes.length > 0) console.log(`\nnotes:\n${notes.map((note) => `  - ${note}`).join('\n')}`);
  console.log(`\ndurations:\n${durations.map(([label, ms]) => `  ${label.padEnd(40)} ${seconds(ms)}`).join('\n')}`);
  console.log(`  ${'total'.padEnd(40)} ${seconds(performance.now() - started)}`);
  if (failures.length > 0) {
    console.log(`\n${failures.length} failure(s):\n${failures.map((f) => `  ✗ ${f}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log('\nall compat checks passed');
  }
}

await main();
