/**
 * `npm run test:browser`: the playground in a real Chromium (playwright-core,
 * Debian's /usr/bin/chromium; no browser is downloaded). Native ESM like
 * jest.config.js. The files end in `.browser.ts`, which the root config's
 * testRegex does not match, so `npm test` leaves them out.
 */
export default {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/test/browser'],
  testRegex: '\\.browser\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // @fastify/static 10 requires content-disposition 3, an ES module, which Jest can require() only on Node 24.9+:
    // tests get the CommonJS content-disposition 2 that Express uses (same API).
    '^content-disposition$': '<rootDir>/node_modules/content-disposition/dist/index.js',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 60000,
};
