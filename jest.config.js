/** Jest in native ESM mode: Nest 12 is ESM-only (see README, "Testing"). */
export default {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/test'],
  testRegex: '\\.(spec|e2e-spec)\\.ts$',
  // The user projects' own tests: run by `npm run test:compat` with each project's runner.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/compat/'],
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
  testTimeout: 30000,
};
