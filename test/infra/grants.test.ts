/**
 * Least privilege from the code's side: every function's role (as synthesized) grants nothing its
 * bundle cannot call (lib/code-calls.ts reads the SDK commands each bundle reaches), and the S3,
 * EventBridge and ConditionCheck grants are exactly what the code reaches. What a function does at run
 * time and lacks is refused by the local DynamoDB front in every test that runs with IAM on.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleAll } from '../../lib/bundle-all.ts';
import type { BundleSize } from '../../lib/bundle-all.ts';
import { codeCalls } from '../../lib/code-calls.ts';
import type { CodeCalls } from '../../lib/code-calls.ts';
import { allFunctions, functionName, SERVICE_ACCESS } from '../../lib/functions.ts';
import { routes } from '../../functions/routes.ts';
import { actionsOf, makeStack, STACK_KEYS } from '../support/stack.ts';

/** Grants the code reaches but the role leaves out on purpose, with the reason. */
const NOT_GRANTED: Record<string, { actions: string[]; reason: string }> = {
  Reconcile: {
    actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
    reason: 'the scheduled reconcile runs in report mode only; repair (the same module) runs through POST /api/reconcile',
  },
};

const stack = makeStack({ stage: 'dev' }, 'Grants');
let calls: Map<string, CodeCalls>;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inventory-grants-'));
  try {
    const sizes: BundleSize[] = await bundleAll({ dir, keep: true });
    calls = new Map(sizes.map((s) => [s.name, codeCalls(readFileSync(s.file, 'utf8'))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);

test('every function has been read', () => {
  expect([...calls.keys()].sort()).toEqual(
    allFunctions()
      .map((f) => f.name)
      .sort(),
  );
});

test('no role grants a DynamoDB action its function cannot send (no BatchWriteItem, no ConditionCheckItem on read roles, …)', () => {
  const extra: string[] = [];
  for (const [name, c] of calls) {
    const granted = actionsOf(stack, STACK_KEYS[name]).filter((a) => a.startsWith('dynamodb:') && !/Stream|GetRecords|GetShardIterator/.test(a));
    for (const a of granted) if (!c.table.has(a.slice('dynamodb:'.length) as never)) extra.push(`${name} ${a}`);
  }
  expect(extra).toEqual([]);
  for (const name of calls.keys()) expect([name, actionsOf(stack, STACK_KEYS[name])]).not.toEqual([name, expect.arrayContaining(['dynamodb:BatchWriteItem'])]);
});

test('every function declares exactly what it sends to the table (`table`), within its access class', () => {
  const wrong: string[] = [];
  const declared = [...routes.map((r) => [functionName(r), r] as const), ...Object.entries(SERVICE_ACCESS)];
  for (const [name, d] of declared) {
    if (d.access === 'none') {
      if (d.table) wrong.push(`${name}: access none but a table use`);
      continue;
    }
    if (!d.table) wrong.push(`${name}: no \`table\` (the exact actions it sends)`);
    else if (d.access === 'read' && d.table.actions.some((a) => !['GetItem', 'BatchGetItem', 'Query'].includes(a)))
      wrong.push(`${name}: a read function that writes`);
  }
  expect(wrong).toEqual([]);
});

test('S3 and EventBridge: granted exactly where the code reaches them (route table `blobs`, `publishes`)', () => {
  const wrong: string[] = [];
  for (const [name, c] of calls) {
    const actions = actionsOf(stack, STACK_KEYS[name]);
    const skip = new Set(NOT_GRANTED[name]?.actions ?? []);
    const pairs: [string, boolean][] = [
      ['s3:GetObject', c.s3Get],
      ['s3:PutObject', c.s3Put],
      ['events:PutEvents', c.publishes],
    ];
    for (const [action, reached] of pairs) {
      if (skip.has(action)) continue;
      if (actions.includes(action) !== reached) wrong.push(`${name}: ${action} ${reached ? 'reached but not granted' : 'granted but not reached'}`);
    }
  }
  expect(wrong).toEqual([]);
  // the allow-list is short and each entry says why
  for (const [name, { reason }] of Object.entries(NOT_GRANTED)) expect([name, reason.length > 30]).toEqual([name, true]);
});
