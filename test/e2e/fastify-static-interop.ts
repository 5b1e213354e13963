/**
 * Import this first in a suite that loads `@fastify/static` (Mercurius and
 * `@nestjs/serve-static` on Fastify load it). `@fastify/static` 10 is
 * CommonJS but requires `content-disposition` 3, an ES module: Node 20.19+
 * allows that (require(esm)), Jest's module runtime does not before Node
 * 24.9 and fails the suite with "Must use import to load ES Module". Inside
 * Jest only, that one `require()` gets `content-disposition` 2, the CommonJS
 * build with the same `create()` (Express 5 uses it). Outside Jest (the
 * sample, real apps) nothing is replaced.
 */
import { jest } from '@jest/globals';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
const fastifyStatic = dirname(require.resolve('@fastify/static/package.json'));
const esmBuild = require.resolve('content-disposition', { paths: [fastifyStatic] });

jest.doMock(esmBuild, () => jest.requireActual('content-disposition'));
