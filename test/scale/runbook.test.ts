/**
 * docs/runbook.md as an operator uses it:
 * every block tagged `sh local` runs, in the page's order and in one shell session
 * (test/support/doc-shell.ts), against `npm start`'s runtime (bin/local.ts in a child process, with its
 * own front, table and `.local` folder, on the run's DynamoDB Local); each must exit 0 and print what
 * the page says it prints. A block without expectations here fails the test: add them. (That the page
 * names every alarm and dashboard widget the stack makes is checked in test/infra/operations.test.ts.)
 *
 * The child and the shell get INVENTORY_REPAIR_QUIET_SECONDS=0 (reconcile repairs a level changed a
 * moment ago; the runbook explains the default 60 s) and the shell gets the child's TABLE_NAME and
 * INVENTORY_LOCAL_DIR, which a reader's `npm start` leaves at their defaults.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { freePort } from '../../lib/local/dynamodb-local.ts';
import { keys } from '../../functions/store/keys.ts';
import { DocShell, shellBlocks } from '../support/doc-shell.ts';
import { startLocalChild } from '../support/local-child.ts';
import type { LocalChild } from '../support/local-child.ts';
import type { DocBlock } from '../support/doc-shell.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const RUNBOOK = readFileSync(join(ROOT, 'docs/runbook.md'), 'utf8');
const blocks = shellBlocks(RUNBOOK, 'local');

const TABLE = `runbook-${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'inventory-runbook-'));
let port: number;
let local: LocalChild | undefined;
let shell: DocShell;

const ddb = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: process.env.DYNAMODB_LOCAL_ENDPOINT, region: 'local', credentials: { accessKeyId: 'admin', secretAccessKey: 'local' } }),
);

beforeAll(async () => {
  port = await freePort();
  // the run's table and front are not the child's: it starts its own front before the run's DynamoDB Local
  const { DYNAMODB_ENDPOINT: _e, TABLE_NAME: _t, ...inherited } = process.env;
  const env = { ...inherited, PORT: String(port), TABLE_NAME: TABLE, INVENTORY_LOCAL_DIR: dir, INVENTORY_REPAIR_QUIET_SECONDS: '0' };
  local = await startLocalChild(port, { ...env, DYNAMODB_ENDPOINT: process.env.DYNAMODB_LOCAL_ENDPOINT, INVENTORY_REQUEST_LOG: '0' });
  shell = new DocShell({ cwd: ROOT, env, timeoutMs: 120_000 });
}, 90_000);

afterAll(async () => {
  shell?.dispose();
  await local?.stop();
  await ddb.send(new DeleteTableCommand({ TableName: TABLE })).catch(() => undefined);
  ddb.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** The service as the blocks see it, with npm start's dev key. */
async function call(method: string, path: string, body?: unknown) {
  const key = readFileSync(join(dir, 'dev-key'), 'utf8').trim();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** What a block needs that a reader's data would already hold: a drift to reconcile, a level to report. */
const before: Record<string, () => Promise<void>> = {
  'reconcile-report': async () => {
    await call('POST', '/api/warehouses', { id: 'wh_drift', name: 'Drift' });
    const iid = (await call('POST', '/admin/inventory-items', { sku: 'RB-DRIFT' })).body.inventory_item.id;
    expect((await call('POST', `/admin/inventory-items/${iid}/location-levels`, { location_id: 'wh_drift', stocked_quantity: 5 })).status).toBeLessThan(300);
    // a reserved figure no reservation accounts for
    await ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: keys.level('default', iid, 'wh_drift'),
        UpdateExpression: 'SET reserved_quantity = :r',
        ExpressionAttributeValues: { ':r': 2 },
      }),
    );
  },
  'low-stock-report': async () => {
    await call('POST', '/api/warehouses', { id: 'wh_low', name: 'Low' });
    await call('POST', '/v1/inventory', { productId: 'RB-LOW', warehouseId: 'wh_low', initialQty: 50, reorderLevel: 10 });
    await call('PUT', '/api/inventory/RB-LOW', { warehouse_id: 'wh_low', quantity: 4 });
    const deadline = Date.now() + 30_000;
    while (!(await call('GET', '/v1/inventory/low-stock')).body.data.some((r: any) => r.productId === 'RB-LOW')) {
      if (Date.now() > deadline) throw new Error('the stream consumer did not flag RB-LOW within 30 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  },
};

/** What each block's output must show (beyond exiting 0). */
const expected: Record<string, (RegExp | string)[]> = {
  setup: [/^ok$/m],
  'hot-mode': [/"hot_shards": 16,\s*"hot_design": "escrow",\s*"available_quantity": 5000/, /"hot_shards": null,\s*"available_quantity": 5000/],
  'keys-create': [
    /Created key key_\w+ "erp" for tenant default \(inventory:read, inventory:write\)/,
    /Secret \(shown once/,
    /  shop  \[inventory:read reservations:write\]/,
  ],
  'keys-rotate': ['new key: 200', /"name": "shop",\s*"last_used_at": null/, /"name": "shop",\s*"revoked_at": "20/, 'old key: 401'],
  'keys-revoke': [/Revoked key key_\w+ "erp" at 20/],
  'keys-warehouse': [/^5$/m, '"FORBIDDEN_WAREHOUSE"', /Created key key_\w+ "south-store" for tenant default \(inventory:read\)/],
  'reconcile-report': [/"kind": "reserved",\s*"recorded": 2,\s*"expected": 0/, 'RB-DRIFT @ wh_drift: reserved recorded 2, expected 0', 'reconcile exit 3'],
  'reconcile-repair': ['{"sku":"RB-DRIFT","kind":"reserved","recorded":2,"expected":0,"repaired":true,"note":null}', /levels, \d+ open reservations: no drift/],
  'low-stock-report': [
    /"sku": "RB-LOW",\s*"warehouse": "Low",\s*"available": 4,\s*"reorder_level": 10/,
    /^sku,title,warehouse,bin,stocked,reserved,incoming,available/m,
    /^RB-LOW,,Low,/m,
    '{"productId":"RB-LOW","warehouseId":"wh_low","availableQty":4,"reorderLevel":10}',
  ],
};

test('the runbook has local blocks, each named, set-up first, and each with expectations here', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(9);
  expect(blocks[0]!.name).toBe('setup');
  for (const b of blocks) expect({ line: b.line, name: b.name, known: !!b.name && b.name in expected }).toEqual({ line: b.line, name: b.name, known: true });
  expect(new Set(blocks.map((b) => b.name)).size).toBe(blocks.length);
});

test.each(blocks.map((b): [string, DocBlock] => [`${b.name} (docs/runbook.md line ${b.line})`, b]))(
  'local block %s',
  async (_label, block) => {
    await before[block.name!]?.();
    const run = await shell.run(block.code);
    const shown = `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
    expect({ code: run.code, shown }).toEqual({ code: 0, shown });
    for (const want of expected[block.name!] ?? []) {
      if (typeof want === 'string') expect(run.stdout).toContain(want);
      else expect(run.stdout).toMatch(want);
    }
  },
  180_000,
);
