/**
 * Jest runs the TypeScript sources as native ESM, transformed by swc; type-checking is `npm run typecheck`.
 * Three projects:
 * - unit: rules and tables, no I/O, no Java (seconds) — `npm run test:unit`
 * - integration: the real code against a DynamoDB Local the run starts itself (api, integration, infra)
 * - scale: long runs — the 100,000-row upload and the other runs listed in LONG_RUNS (crashes, fault
 *   injection, child processes, a browser, a terminal, request counts at 500 SKUs) — `npm run test:scale`
 * `npm test` runs unit + integration; CI (`.ci/run`) runs all three (`npm run test:all`).
 */
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
};
/** Integration tests that take tens of seconds each: CI runs them (`test:all`), `npm test` does not. */
const LONG_RUNS = [
  'test/integration/idempotency-crash.test.ts',
  'test/integration/idempotency-faults.test.ts',
  'test/integration/dynamodb-local-lifecycle.test.ts',
  'test/integration/local-runtime.test.ts',
  'test/integration/cli-terminal.test.ts',
  'test/integration/cli.test.ts',
  // docs/runbook.md's local blocks: npm start's runtime in a child process, the CLI as child processes
  'test/integration/runbook.test.ts',
  'test/integration/docs-page.test.ts',
  'test/integration/uploads.test.ts',
  // DynamoDB requests counted at scale (a catalogue of 500 SKUs)
  'test/integration/request-counts.test.ts',
];
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
      testPathIgnorePatterns: ['/node_modules/', ...LONG_RUNS],
    },
    {
      ...base,
      ...withDynamoDb,
      displayName: 'scale',
      testMatch: ['<rootDir>/test/scale/**/*.test.ts', ...LONG_RUNS.map((f) => `<rootDir>/${f}`)],
    },
  ],
  // a global option (jest ignores it inside a project); the long tests set their own
  testTimeout: 60000,
  // the long files first, in a planned order, also in a fresh clone (test/support/sequencer.mjs)
  testSequencer: '<rootDir>/test/support/sequencer.mjs',
  maxWorkers: 2,
};
