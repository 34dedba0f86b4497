/**
 * Scale: a 100,000-row CSV upload through the processor against DynamoDB Local, applied completely
 * and exactly once (ledger rows = changed rows), bad rows reported, DynamoDB requests counted.
 * Minutes, not seconds: run by `npm run test:scale` and CI, not by `npm test`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processUpload } from '../../functions/core/uploads.ts';
import { getJob } from '../../functions/store/uploads.ts';
import { adjustFile, catalogue, stageUpload, uploadState } from '../support/uploads.ts';

process.env.INVENTORY_BLOB_DIR = mkdtempSync(join(tmpdir(), 'inventory-uploads-'));

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
  const { stock, ledger } = await uploadState(c, id);
  expect(ledger).toBe(file.changing);
  for (const [key, delta] of file.net) expect(stock.get(key)).toBe(1_000_000 + delta);
  console.log(
    `upload of 100,000 rows: ${seconds.toFixed(1)} s, ${Math.round(100_000 / seconds)} rows/s, ${requests.count} DynamoDB requests (${(requests.count / 100_000).toFixed(4)} per row)`,
  );
  // a second delivery of the same event, after the end: nothing changes
  expect(await processUpload(c.actor.tenant, id)).toBe('completed');
  expect((await uploadState(c, id)).ledger).toBe(file.changing);
}, 600_000);
