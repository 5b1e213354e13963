/**
 * For the tests of lib/runtime/next-tick-shape.ts's workarounds: a child
 * process to read V8's own state in, and the smallest app with the module.
 */
import { expect } from '@jest/globals';
import { Controller, Get, Module, type Type } from '@nestjs/common';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { CorsModule } from '../../lib/index.js';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '../../lib/runtime/next-tick-shape.ts');

/**
 * Runs a small ES module in a fresh Node process with V8's natives syntax and
 * `gc()`, next to lib/runtime/next-tick-shape.ts compiled for it (the child
 * gets the helper's path as its last argument). Returns the child's stdout;
 * fails the test if it wrote to stderr or exited badly.
 */
export function runWithNextTickHelper(
  source: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): string {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-cors-next-tick-'));
  try {
    const helper = join(dir, 'next-tick-shape.mjs');
    const compiled = ts.transpileModule(readFileSync(SOURCE, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(helper, compiled.outputText);
    const child = join(dir, 'child.mjs');
    writeFileSync(child, source);
    const result = spawnSync(
      process.execPath,
      ['--allow-natives-syntax', '--expose-gc', ...nodeFlags, child, ...args, helper],
      // The test runner's NODE_OPTIONS (vm modules) are not the child's business.
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 20000, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return result.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A root module with `CorsModule.forRoot()` and one `GET /ping` handler. */
export function pingAppModule(): Type {
  @Controller('ping')
  class PingController {
    @Get()
    ping() {
      return 'pong';
    }
  }
  @Module({ imports: [CorsModule.forRoot({ origin: ['https://app.example'] })], controllers: [PingController] })
  class AppModule {}
  return AppModule;
}
