/**
 * The order jest starts test files in: longest first, so that no worker sits idle at the end of a
 * run while the other finishes a long file. Jest's own sequencer knows each file's last duration
 * from its cache; a fresh clone (CI, a new machine) has no cache, and jest then orders by file size,
 * which put a 30 s file last and cost the default run ~20 s. So a file jest has no duration for
 * gets the one below (seconds, measured on a 2-core machine; a file not listed counts as 2 s).
 * The figures only order the run: a stale one costs time, never a result.
 */
import Sequencer from '@jest/test-sequencer';
import { relative } from 'node:path';

const SECONDS = {
  'test/scale/uploads-100k.test.ts': 420,
  'test/scale/reports-10k.test.ts': 60,
  'test/integration/idempotency-crash.test.ts': 40,
  'test/integration/idempotency-faults.test.ts': 40,
  'test/integration/cli-terminal.test.ts': 30,
  'test/integration/cli.test.ts': 30,
  'test/integration/local-runtime.test.ts': 30,
  'test/integration/docs-page.test.ts': 20,
  'test/integration/uploads.test.ts': 20,
  'test/integration/dynamodb-local-lifecycle.test.ts': 15,
  'test/integration/hot-rows.test.ts': 30,
  'test/api/auth-and-bad-input.test.ts': 22,
  'test/integration/request-counts.test.ts': 22,
  'test/api/concurrency.test.ts': 22,
  'test/api/bulk.test.ts': 22,
  'test/infra/stack.test.ts': 17,
  'test/api/holds.test.ts': 18,
  'test/infra/operations.test.ts': 16,
  'test/api/inventory-family.test.ts': 16,
  'test/infra/bundles.test.ts': 14,
  'test/api/reconcile.test.ts': 12,
  'test/api/reports.test.ts': 10,
  'test/api/idempotency-exactly-once.test.ts': 9,
  'test/api/holds-concurrency.test.ts': 8,
  'test/api/reservations.test.ts': 7,
  'test/integration/dynamo-front.test.ts': 7,
  'test/api/write-guards.test.ts': 6,
  'test/api/location-levels.test.ts': 6,
  'test/api/variants.test.ts': 5,
};

const Base = Sequencer.default ?? Sequencer;

export default class LongestFirst extends Base {
  time(test) {
    return super.time(test) ?? (SECONDS[relative(test.context.config.rootDir, test.path)] ?? 2) * 1000;
  }
}
