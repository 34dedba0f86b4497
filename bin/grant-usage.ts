/**
 * The grant audit, from the run's side: what every function was allowed to do through the DynamoDB
 * front during a test run, against what its role grants (lib/functions.ts tableGrants, the stack's
 * grants). Record a run, then compare:
 *
 *   DYNAMO_FRONT_USAGE_LOG=.local/grant-usage.tsv npm test
 *   npm run grants:usage -- .local/grant-usage.tsv
 *
 * Prints, per function, the granted actions the run never used (and whether it used the indexes it may
 * query). Exit code 1 with `--strict` when any is unused and not in NOT_EXERCISED below (CI runs it
 * after the whole suite, .ci/run). What a function used but lacks cannot be in the file: the front
 * refused it (AccessDeniedException) and the test failed.
 */
import { readFileSync } from 'node:fs';
import { tableGrants } from '../lib/functions.ts';

/**
 * Grants the code needs that the test run may not send, each with the reason: the gate lets these
 * pass unused (and says so), and fails on any other unused grant. Keep it short.
 */
const NOT_EXERCISED: Record<string, { actions: string[]; reason: string }> = {
  UploadProcessor: {
    actions: ['ConditionCheckItem'],
    reason:
      'a CSV row lowering a hot level checks its empty shards: the row pipeline bulk runs too (core/rows.ts), proven for InventoryBulk by test/api/hot-level-routes.test.ts',
  },
  TransfersReceive: {
    actions: ['ConditionCheckItem'],
    reason:
      "the door's stateWrite checks a hot level's empty shards when a write lowers available; a receipt never does (the code is the move's and the ship's, proven by InventoryMoves and TransfersShip)",
  },
  TransfersCancel: {
    actions: ['ConditionCheckItem'],
    reason: 'as TransfersReceive: a cancel only gives units back (stateWrite, proven by InventoryMoves and TransfersShip)',
  },
  // reads of an item's levels through its Query or a BatchGet: a hot level's first pass uses the row read there,
  // so GetItem is sent only when that read is torn
  ...Object.fromEntries(
    ['AdminLevelsList', 'AdminItemsAvailability', 'AdminReservationsList', 'AdminVariantsGet', 'VariantsAvailability', 'Reconcile'].map((fn) => [
      fn,
      {
        actions: ['GetItem'],
        reason:
          "a hot level read torn (a park between its row and its shards) is read again by the level's GetItem (store/levels.ts shownHot); the first pass uses the row the caller read, so a run without a torn read sends none (staged in test/integration/hot-mode.test.ts)",
      },
    ]),
  ),
};

const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: npm run grants:usage -- <usage log> [--strict]');
  process.exit(2);
}
const used = new Map<string, Set<string>>();
for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
  const [fn, action, where] = line.split('\t');
  if (!used.has(fn)) used.set(fn, new Set());
  used.get(fn)!.add(action);
  if (where === 'index') used.get(fn)!.add('(indexes)');
}
let unusedCount = 0;
const rows: string[] = [];
for (const [fn, grant] of tableGrants()) {
  if (!grant) continue;
  const u = used.get(fn) ?? new Set();
  const never: string[] = grant.actions.filter((a) => !u.has(a));
  if (grant.indexes && !u.has('(indexes)')) never.push('(indexes)');
  const allowed = new Set(NOT_EXERCISED[fn]?.actions ?? []);
  const unused = never.filter((a) => !allowed.has(a));
  const excused = never.filter((a) => allowed.has(a));
  unusedCount += unused.length;
  rows.push(
    `${unused.length ? 'UNUSED ' : '       '}${fn.padEnd(28)} used: ${[...u].sort().join(', ') || '—'}${unused.length ? `   never used: ${unused.join(', ')}` : ''}${excused.length ? `   not exercised (allowed): ${excused.join(', ')}` : ''}`,
  );
}
for (const [fn, { actions, reason }] of Object.entries(NOT_EXERCISED)) rows.push(`allowed unused: ${fn} ${actions.join(', ')}: ${reason}`);
console.log(rows.join('\n'));
console.log(`\n${tableGrants().size} functions; ${used.size} used the table in this run; ${unusedCount} granted action(s) never used`);
if (process.argv.includes('--strict') && unusedCount) process.exit(1);
