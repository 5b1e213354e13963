// `npm run build [-- --out-dir <dir>]`: compiles lib/ to a CommonJS dist/
// (tsconfig.build.json) and marks it as CommonJS with its own package.json,
// since the repository root is "type": "module" (the tests, the sample and the
// tools run as ESM). `--out-dir` builds elsewhere (the benchmarks do).
//
// Why CommonJS, in one build and no ESM twin: see README, "Shipping format".
// In short: Jest with ts-jest in Nest 11 CommonJS apps can only load CommonJS,
// Node >= 20.19 loads ESM-only Nest 12 from it through require(esm), ESM apps
// and Vitest import it like any CommonJS package, and a single build means a
// single copy of every class, whichever way it is loaded.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDirFlag = process.argv.indexOf('--out-dir');
const dist = outDirFlag > 0 ? resolve(process.argv[outDirFlag + 1]) : join(root, 'dist');
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');

rmSync(dist, { recursive: true, force: true });
const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', dist], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);
writeFileSync(join(dist, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
