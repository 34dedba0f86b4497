/**
 * The order jest starts test files in, the same in every run and clone. Jest's own sequencer orders
 * by each file's last duration from its cache, or by file size without one (a fresh clone, CI).
 * Measured here (2 cores), the order matters more than that: started side by side on a cold
 * DynamoDB Local, hot-rows and request-counts took 64 s and 44 s instead of 29 s and 25 s, and the
 * default run 187 s instead of 153 s. So the long files go first, each DynamoDB-heavy one paired
 * with one that barely uses it (the stack synth, the bundles), while the JVM warms up; the files
 * not listed follow in jest's order. An order only costs or saves time, never changes a result.
 */
import Sequencer from '@jest/test-sequencer';
import { relative } from 'node:path';

const FIRST = [
  // CI (`test:all`): the 100,000-row upload is most of the run; it starts at once
  'test/scale/uploads-100k.test.ts',
  'test/scale/reports-10k.test.ts',
  'test/scale/request-counts.test.ts',
  'test/infra/stack.test.ts',
  // a few hundred schedules of the explorer: the longest file of `npm test`
  'test/integration/schedule-explorer.test.ts',
  'test/api/auth-and-bad-input.test.ts',
  'test/infra/operations.test.ts',
  'test/infra/bundles.test.ts',
  'test/api/bulk.test.ts',
  'test/api/concurrency.test.ts',
  'test/integration/hot-rows.test.ts',
  'test/api/holds.test.ts',
  'test/api/inventory-family.test.ts',
  'test/api/reconcile.test.ts',
];

/**
 * Started after every other file: the schedule explorer's ≥ 5,000 schedules (CI) make a tenant each,
 * and the scheduled jobs tested elsewhere (the daily reconcile, the low-stock report) walk every
 * tenant of the shared test table — alongside the explorer they ran out of time.
 */
const LAST = ['test/scale/schedule-explorer.test.ts'];

const Base = Sequencer.default ?? Sequencer;

export default class PlannedOrder extends Base {
  sort(tests) {
    const rank = (t) => {
      const i = FIRST.indexOf(relative(t.context.config.rootDir, t.path));
      return i === -1 ? FIRST.length : i;
    };
    const last = (t) => LAST.includes(relative(t.context.config.rootDir, t.path));
    const rest = super.sort(tests.filter((t) => rank(t) === FIRST.length && !last(t)));
    return [...tests.filter((t) => rank(t) < FIRST.length).sort((a, b) => rank(a) - rank(b)), ...rest, ...tests.filter(last)];
  }
}
