/* global module, jest */
// Jest only. A node_modules mock in a `roots` folder applies to every suite of
// a config; this folder is a root of both jest.config.js (roots: test) and
// jest.browser.config.js (roots: test/browser), so one file serves both (two
// would be reported as duplicate manual mocks).
//
// `@fastify/static` 10 (loaded by Mercurius, @nestjs/serve-static and the
// sample on Fastify) is CommonJS but requires `content-disposition` 3, an ES
// module. Node 20.19+ loads that natively (require(esm)); Jest's module
// runtime does not before Node 24.9 and fails the suite with "Must use import
// to load ES Module". Here every `require('content-disposition')` gets
// version 2, the CommonJS build Express 5 already uses, with the same
// `create()` and `parse()`. Nothing outside Jest is replaced.
module.exports = jest.requireActual('content-disposition');
