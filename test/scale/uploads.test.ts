/**
 * The upload processor against DynamoDB Local: a processor killed part way (SIGKILL, a real child
 * process) and run again ends where an uninterrupted run ends; concurrent deliveries of the same
 * event apply each row once. The 100,000-row run is in test/scale.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { processUpload } from '../../functions/core/uploads.ts';
import { getJob } from '../../functions/store/uploads.ts';
import { adjustFile, catalogue, stageUpload, uploadState as state } from '../support/uploads.ts';
import type { Catalogue } from '../support/uploads.ts';

process.env.INVENTORY_BLOB_DIR = mkdtempSync(join(tmpdir(), 'inventory-uploads-'));

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
