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
  // How long jest waits for a worker to be gone after its END message before it kills it and prints
  // "A worker process has failed to exit gracefully" (default 500 ms; the option is jest's since PR
  // #15984). Measured with test/support/worker-exit-probe.cjs: the workers' `exit` event fires 1–16 ms
  // after END with no socket, server, child or timer open, but the process ends 190–650 ms later on a
  // loaded 2-core machine — the worker's heap being torn down, not a leak. A real leak (a socket or
  // timer keeping the loop alive) still ends in that warning, 5 s later.
  workerGracefulExitTimeout: 5000,
};
