/**
 * Jest runs the TypeScript sources as native ESM, transformed by swc; type-checking is `npm run typecheck`.
 * Three projects:
 * - unit: rules and tables, no I/O, no Java (seconds) — `npm run test:unit`
 * - integration: the real code against a DynamoDB Local the run starts itself (test/api, test/integration, test/infra)
 * - scale: long runs, test/scale — the 100,000-row upload, crashes and fault injection, child processes,
 *   a browser, a terminal, the runbook's commands, request counts at 500 SKUs — `npm run test:scale`
 * A file's folder names its project: there is no second list.
 * `npm test` runs unit + integration; CI (`.ci/run`) runs all three (`npm run test:all`).
 */
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
};
const withDynamoDb = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

export default {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...base,
      ...withDynamoDb,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/{api,integration,infra}/**/*.test.ts'],
    },
    {
      ...base,
      ...withDynamoDb,
      displayName: 'scale',
      testMatch: ['<rootDir>/test/scale/**/*.test.ts'],
    },
  ],
  // a global option (jest ignores it inside a project); the long tests set their own
  testTimeout: 60000,
  // the long files first, in a planned order, also in a fresh clone (test/support/sequencer.mjs)
  testSequencer: '<rootDir>/test/support/sequencer.mjs',
  maxWorkers: 2,
};
