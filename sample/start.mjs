// `npm start`: compiles the sample with the project's own TypeScript (tsc, for
// the decorator metadata Nest's injection needs) into sample-dist/, then runs
// it: the API and the playground page, on two ports printed at startup.
// Installs nothing: run `npm install` once before.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'sample-dist');

let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  console.error('TypeScript is not installed in this checkout: run `npm install` first.');
  process.exit(1);
}

console.log('Compiling the sample (tsc -p sample/tsconfig.json) ...');
rmSync(outDir, { recursive: true, force: true });
const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'sample', 'tsconfig.json')], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('The sample did not compile.');
  process.exit(build.status ?? 1);
}

const main = join(outDir, 'sample', 'main.js');
if (!existsSync(main)) {
  console.error(`tsc produced no ${main}.`);
  process.exit(1);
}
await import(pathToFileURL(main).href);
