// LWC unit tests (sfdx-lwc-jest's preset). Only test/lwc is searched, so jest never sees the vitest files under
// test/**/*.test.ts, and vitest (which includes only *.test.ts) never sees these *.test.js files. The tests live
// outside force-app so they are never part of a deployment.
const path = require('node:path');
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
  ...jestConfig,
  rootDir: path.resolve(__dirname, '..'),
  roots: ['<rootDir>/test/lwc'],
  testMatch: ['<rootDir>/test/lwc/**/*.test.js'],
  moduleNameMapper: {
    // lightning/actions has no stub in sfdx-lwc-jest 7.9.0.
    '^lightning/actions$': '<rootDir>/test/lwc/stubs/lightning-actions.js',
  },
  testEnvironmentOptions: { url: 'http://localhost/' },
};
