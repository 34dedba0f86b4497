/**
 * The upload processor against DynamoDB Local: 100,000 rows applied completely and exactly once;
 * a processor killed part way (SIGKILL, a real child process) and run again ends where an
 * uninterrupted run ends; a second delivery of the same event changes nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { processUpload } from '../../functions/core/uploads.ts';
import { getJob } from '../../functions/store/uploads.ts';
import { db, tableName } from '../../functions/store/db.ts';
import { keys } from '../../functions/store/keys.ts';
import { itemIdBySku } from '../../functions/store/items.ts';
import { adjustFile, catalogue, stageUpload } from '../support/uploads.ts';
import type { Catalogue } from '../support/uploads.ts';

process.env.INVENTORY_BLOB_DIR = mkdtempSync(join(tmpdir(), 'inventory-uploads-'));

/** Every level's stocked quantity, and the upload's ledger rows, read straight from the table. */
async function state(c: Catalogue, uploadId: string) {
  const stock = new Map<string, number>();
  let ledger = 0;
  for (const sku of c.skus) {
    const iid = (await itemIdBySku(c.actor.tenant, sku))!;
    let start: Record<string, unknown> | undefined;
    do {
      const res: QueryCommandOutput = await db().send(
        new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `T#${c.actor.tenant}#I#${iid}` }, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      for (const r of res.Items ?? []) if (String(r.SK).startsWith('L#')) stock.set(`${sku}|${r.location_id}`, r.stocked_quantity);
      start = res.LastEvaluatedKey;
    } while (start);
    start = undefined;
    do {
      const res: QueryCommandOutput = await db().send(
        new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.ledgerPartition(c.actor.tenant, iid) }, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      ledger += (res.Items ?? []).filter((r) => String(r.reference ?? '').startsWith(`upload:${uploadId}:`)).length;
      start = res.LastEvaluatedKey;
    } while (start);
  }
  return { stock, ledger };
}

test('100,000 rows: all applied exactly once (ledger rows = changed rows), bad rows reported, requests counted', async () => {
  const c = await catalogue(500, 2, 1_000_000);
  const file = adjustFile(c, 100_000, { badEvery: 1000 });
  const id = await stageUpload(c, file.csv, 'adjust');
  const requests = { count: 0 };
  const t0 = performance.now();
  expect(await processUpload(c.actor.tenant, id, { requests })).toBe('completed');
  const seconds = (performance.now() - t0) / 1000;
  const job = (await getJob(c.actor.tenant, id))!;
  expect(job).toMatchObject({ status: 'completed', rows_total: 100_000, rows_done: 100_000, rows_applied: file.changing, rows_failed: file.bad });
  expect(job.rows_unchanged).toBe(100_000 - file.changing - file.bad);
  const { stock, ledger } = await state(c, id);
  expect(ledger).toBe(file.changing);
  for (const [key, delta] of file.net) expect(stock.get(key)).toBe(1_000_000 + delta);
  console.log(`upload of 100,000 rows: ${seconds.toFixed(1)} s, ${Math.round(100_000 / seconds)} rows/s, ${requests.count} DynamoDB requests (${(requests.count / 100_000).toFixed(4)} per row)`);
  // a second delivery of the same event, after the end: nothing changes
  expect(await processUpload(c.actor.tenant, id)).toBe('completed');
  expect((await state(c, id)).ledger).toBe(file.changing);
}, 600_000);

/** Run the processor in a child process (as a Lambda would be) and SIGKILL it once it has done `killAfter` rows. */
async function killedPartWay(tenant: string, id: string, killAfter: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/support/run-upload.ts'), tenant, id], {
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  for (;;) {
    const job = await getJob(tenant, id);
    if ((job?.rows_done ?? 0) >= killAfter) break;
    if (child.exitCode !== null) throw new Error('the processor finished before it could be killed: give it more rows');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
  return (await getJob(tenant, id))!.rows_done;
}

test('a processor killed part way and run again ends exactly where an uninterrupted run ends', async () => {
  const [a, b] = [await catalogue(100, 2, 500), await catalogue(100, 2, 500)];
  const fa = adjustFile(a, 12_000, { badEvery: 500 });
  const fb = adjustFile(b, 12_000, { badEvery: 500 });
  const [ida, idb] = [await stageUpload(a, fa.csv, 'adjust'), await stageUpload(b, fb.csv, 'adjust')];
  expect(await processUpload(a.actor.tenant, ida)).toBe('completed');

  const doneWhenKilled = await killedPartWay(b.actor.tenant, idb, 2_000);
  expect(doneWhenKilled).toBeGreaterThanOrEqual(2_000);
  expect(doneWhenKilled).toBeLessThan(12_000);
  expect((await getJob(b.actor.tenant, idb))!.status).toBe('processing');
  expect(await processUpload(b.actor.tenant, idb)).toBe('completed');

  const [ja, jb] = [(await getJob(a.actor.tenant, ida))!, (await getJob(b.actor.tenant, idb))!];
  for (const k of ['rows_total', 'rows_done', 'rows_applied', 'rows_unchanged', 'rows_failed'] as const) expect(jb[k]).toBe(ja[k]);
  const [sa, sb] = [await state(a, ida), await state(b, idb)];
  expect(sb.ledger).toBe(fb.changing);
  expect(sa.ledger).toBe(fa.changing);
  const byIndex = (c: Catalogue, s: Map<string, number>) => c.skus.flatMap((sku) => c.warehouses.map((w) => s.get(`${sku}|${w}`)));
  expect(byIndex(b, sb.stock)).toEqual(byIndex(a, sa.stock));
}, 300_000);

test('two deliveries of the same event at once: each row applied once, the job counted once', async () => {
  const c = await catalogue(50, 2, 500);
  const f = adjustFile(c, 3_000, { badEvery: 300 });
  const id = await stageUpload(c, f.csv, 'adjust');
  const outcomes = await Promise.all([processUpload(c.actor.tenant, id), processUpload(c.actor.tenant, id), processUpload(c.actor.tenant, id)]);
  expect(outcomes).toContain('completed');
  for (const o of outcomes) expect(['completed', 'superseded']).toContain(o);
  const job = (await getJob(c.actor.tenant, id))!;
  expect(job).toMatchObject({ status: 'completed', rows_done: 3_000, rows_applied: f.changing, rows_failed: f.bad });
  const s = await state(c, id);
  expect(s.ledger).toBe(f.changing);
  for (const [key, delta] of f.net) expect(s.stock.get(key)).toBe(500 + delta);
}, 300_000);
