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
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 60000,
};
