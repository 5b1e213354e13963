import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The compiled library: the build run.mjs made (NESTJS_CORS_DIST), else the repository's dist/. */
export function libraryUrl(file = '') {
  const dir = process.env.NESTJS_CORS_DIST;
  return dir ? pathToFileURL(join(dir, file)).href : new URL(`../dist/${file}`, import.meta.url).href;
}
