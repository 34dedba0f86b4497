/**
 * Dry runs (issue 25 item 4): `dry_run: true` on POST /api/inventory/bulk and on CSV uploads answers
 * each row's outcome and its diff against current stock, and writes nothing: not a level, not a
 * ledger row, not a new level, not an Idempotency-Key record (the store's client counts every
 * command the requests send).
 */
import { WRITE_COMMANDS } from '../../functions/store/db.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { requestCounter } from '../support/client.ts';
import { ledgerRows } from '../support/ledger.ts';
import { settleUploads } from '../support/uploads.ts';

let api: Api;
const counter = requestCounter();
let wh: string;
let wh2: string;
let ro: string;
beforeAll(async () => {
  api = await startApi();
  counter.install();
  wh = (await api.post('/api/warehouses', { name: 'D1' })).body.data.id;
  wh2 = (await api.post('/api/warehouses', { name: 'D2' })).body.data.id;
  ro = (await api.post('/api/warehouses', { name: 'D-FBA', type: 'FBA' })).body.data.id;
});
afterAll(async () => {
  counter.restore();
  await api.close();
});

async function skuWithStock(sku: string, wid: string, stocked: number, extra: Record<string, number> = {}) {
  const iid = (await api.post('/admin/inventory-items', { sku, title: sku })).body.inventory_item.id;
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: stocked, ...extra })).status).toBe(200);
  return iid;
}
const levelsOf = async (sku: string) => (await api.get(`/api/inventory/${encodeURIComponent(sku)}`)).body.data.warehouses;
const writesIn = (kinds: Record<string, number>) => Object.entries(kinds).filter(([k]) => WRITE_COMMANDS.has(k));

test('bulk dry run: each row its outcome and before → after; composing rows of one level; a missing level; nothing written', async () => {
  const a = await skuWithStock('DR-A', wh, 10, { safety_stock: 2, reorder_level: 5 });
  await skuWithStock('DR-B', wh, 7);
  await api.post('/admin/inventory-items', { sku: 'DR-NEW', title: 'no level yet' });
  expect((await api.post('/admin/reservations', { inventory_item_id: a, location_id: wh, quantity: 3 })).status).toBe(200);
  const before = { a: await levelsOf('DR-A'), b: await levelsOf('DR-B'), ledgerA: (await ledgerRows(api.tenant, a)).length };
  const updates = [
    { sku: 'DR-A', warehouse_id: wh, quantity: 4, reason: 'cycle_count' }, // 10 → 4: available 5 → -1
    { sku: 'DR-A', warehouse_id: wh, quantity: 20, expected_quantity: 4 }, // against the row before it: 4 → 20
    { sku: 'DR-B', warehouse_id: wh, quantity: 7 }, // unchanged
    { sku: 'DR-B', warehouse_id: wh, quantity: 9, expected_quantity: 8 }, // QUANTITY_MISMATCH
    { sku: 'DR-NEW', warehouse_id: wh2, quantity: 6 }, // would create the level
    { sku: 'DR-B', warehouse_id: ro, quantity: 1 }, // READONLY_WAREHOUSE
    { sku: 'NOPE', warehouse_id: wh, quantity: 1 }, // INVENTORY_NOT_FOUND
    { sku: 'DR-B', warehouse_id: wh, quantity: -1 }, // NEGATIVE_QUANTITY (validation)
  ];
  const { out: res, kinds } = await counter.count(() =>
    api.request('POST', '/api/inventory/bulk', { updates, dry_run: true }, { headers: { 'idempotency-key': 'dry-1' } }),
  );
  expect(res.status).toBe(200);
  expect(writesIn(kinds)).toEqual([]);
  // the reads are batched: sku guards and warehouses side by side, then the levels (3 BatchGets)
  expect(kinds.BatchGetItemCommand).toBe(3);
  const { data } = res.body;
  expect(data).toMatchObject({ dry_run: true, would_apply: 3, applied: 0, unchanged: 1, failed: 4 });
  expect(data.results.map((r: any) => [r.index, r.status, r.error?.code])).toEqual([
    [0, 'would_apply', undefined],
    [1, 'would_apply', undefined],
    [2, 'unchanged', undefined],
    [3, 'failed', 'QUANTITY_MISMATCH'],
    [4, 'would_apply', undefined],
    [5, 'failed', 'READONLY_WAREHOUSE'],
    [6, 'failed', 'INVENTORY_NOT_FOUND'],
    [7, 'failed', 'NEGATIVE_QUANTITY'],
  ]);
  expect(data.results[0].diff).toEqual({
    stocked_quantity: { before: 10, after: 4 },
    available_quantity: { before: 5, after: -1 },
    status: { before: 'low', after: 'out_of_stock' },
  });
  expect(data.results[1].diff).toEqual({
    stocked_quantity: { before: 4, after: 20 },
    available_quantity: { before: -1, after: 15 },
    status: { before: 'out_of_stock', after: 'normal' },
  });
  expect(data.results[2].diff).toBeUndefined();
  expect(data.results[4]).toMatchObject({
    creates_level: true,
    diff: { stocked_quantity: { before: 0, after: 6 }, available_quantity: { before: 0, after: 6 } },
  });
  // nothing moved, nothing created, no ledger row
  expect(await levelsOf('DR-A')).toEqual(before.a);
  expect(await levelsOf('DR-B')).toEqual(before.b);
  expect(await levelsOf('DR-NEW')).toEqual([]);
  expect(await ledgerRows(api.tenant, a)).toHaveLength(before.ledgerA);

  // the key was not used: the same Idempotency-Key on the real request (another body) applies it
  const real = await api.request('POST', '/api/inventory/bulk', { updates: updates.slice(0, 1) }, { headers: { 'idempotency-key': 'dry-1' } });
  expect(real.status).toBe(200);
  expect(real.headers.get('idempotency-replayed')).toBeNull();
  expect(real.body.data).toMatchObject({ applied: 1, results: [{ status: 'applied' }] });
  expect(real.body.data.dry_run).toBeUndefined();
  expect(real.body.data.results[0].diff).toBeUndefined();
  expect((await levelsOf('DR-A'))[0]).toMatchObject({ on_hand: 4 });
  // and a dry run after a keyed real run is not answered from that key's record: it is checked again
  const again = await api.request('POST', '/api/inventory/bulk', { updates: updates.slice(0, 1), dry_run: true }, { headers: { 'idempotency-key': 'dry-1' } });
  expect(again.status).toBe(200);
  expect(again.headers.get('idempotency-replayed')).toBeNull();
  expect(again.body.data.results[0]).toMatchObject({ status: 'unchanged' });
});

test('bulk dry run of 500 rows: a few batched reads, no write; bad input is a 4xx as without dry_run', async () => {
  const iid = await skuWithStock('DR-500', wh, 1);
  const updates = Array.from({ length: 500 }, (_, i) => ({ sku: 'DR-500', warehouse_id: wh, quantity: i + 2 }));
  const { out: res, requests, kinds } = await counter.count(() => api.post('/api/inventory/bulk', { updates, dry_run: true }));
  expect(res.status).toBe(200);
  expect(res.body.data).toMatchObject({ would_apply: 500, failed: 0 });
  expect(res.body.data.results[499].diff.stocked_quantity).toEqual({ before: 500, after: 501 });
  expect(writesIn(kinds)).toEqual([]);
  expect(requests).toBeLessThanOrEqual(4); // the key, sku guards + warehouses, levels
  expect(await ledgerRows(api.tenant, iid)).toHaveLength(1);
  const tooMany = await api.post('/api/inventory/bulk', { updates: [...updates, updates[0]], dry_run: true });
  expect(tooMany.status).toBe(422);
  expect(tooMany.body.error.code).toBe('TOO_MANY_UPDATES');
  const bad = await api.post('/api/inventory/bulk', { updates, dry_run: 'yes' });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body.error.details)).toContain('dry_run');
});

async function upload(csv: string, body: Record<string, unknown>) {
  const created = await api.post('/api/inventory/uploads', body);
  expect(created.status).toBe(201);
  const put = await fetch(created.body.data.upload_url, { method: 'PUT', body: csv, headers: { 'content-type': 'text/csv' } });
  expect(put.status).toBe(200);
  await settleUploads();
  return (await api.get(`/api/inventory/uploads/${created.body.data.id}`)).body.data;
}

test('upload dry run: the job lists every would-apply row with its diff (adjust rows compose across batches), stock and ledger untouched', async () => {
  const iid = await skuWithStock('DU-1', wh, 10);
  await skuWithStock('DU-2', wh, 3);
  const lines = ['sku,warehouse_id,quantity,reason'];
  for (let i = 0; i < 600; i++) lines.push(`DU-1,${wh},1,supplier_receipt`); // two batches of the processor: +600
  lines.push(`DU-2,${wh},-5,`); // NEGATIVE_QUANTITY
  lines.push(`DU-2,${wh},0,`); // unchanged
  const job = await upload(lines.join('\n') + '\n', { mode: 'adjust', dry_run: true });
  expect(job).toMatchObject({ status: 'completed', dry_run: true, rows_total: 602, rows_would_apply: 600, rows_applied: 0, rows_unchanged: 1, rows_failed: 1 });
  expect(job.errors).toEqual([expect.objectContaining({ line: 602, code: 'NEGATIVE_QUANTITY' })]);
  expect(job.changes).toHaveLength(20);
  expect(job.changes[0]).toEqual({
    line: 2,
    sku: 'DU-1',
    warehouse_id: wh,
    diff: { stocked_quantity: { before: 10, after: 11 }, available_quantity: { before: 10, after: 11 }, status: { before: 'normal', after: 'normal' } },
  });
  const csv = await api.request('GET', `/api/inventory/uploads/${job.id}?format=csv&part=changes`);
  expect(csv.status).toBe(200);
  const rows = csv.text.trim().split('\r\n');
  expect(rows[0]).toBe('line,sku,warehouse_id,stocked_before,stocked_after,available_before,available_after,status_before,status_after,creates_level');
  expect(rows).toHaveLength(601);
  expect(rows[600]).toBe(`601,DU-1,${wh},609,610,609,610,normal,normal,false`);
  expect((await levelsOf('DU-1'))[0]).toMatchObject({ on_hand: 10 });
  expect(await ledgerRows(api.tenant, iid)).toHaveLength(1);
});

test('a real upload has no dry-run fields; an unknown part is a 400', async () => {
  const iid = await skuWithStock('DU-3', wh, 1);
  const job = await upload(`sku,warehouse_id,quantity\nDU-3,${wh},2\n`, {});
  expect(job).toMatchObject({ status: 'completed', rows_applied: 1 });
  expect(job.dry_run).toBeUndefined();
  expect(job.changes).toBeUndefined();
  expect(await ledgerRows(api.tenant, iid)).toHaveLength(2);
  expect((await api.get(`/api/inventory/uploads/${job.id}?format=csv&part=all`)).status).toBe(400);
  expect((await api.post('/api/inventory/uploads', { dry_run: 1 })).status).toBe(400);
});
