/* global module, jest */
// The browser suite's copy of test/__mocks__/content-disposition.cjs (its
// Jest config has test/browser as its only root): the sample on Fastify loads
// Mercurius, whose @fastify/static requires content-disposition 3, an ES
// module Jest cannot require on Node 20. Version 2 (CommonJS) has the same API.
module.exports = jest.requireActual('content-disposition');
