/** CSV uploads through the API: create, PUT the file, follow the job; rows applied exactly once, bad rows reported by line. */
import { makeKey, startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';
import { settleUploads } from '../support/uploads.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const settle = settleUploads;

async function upload(csv: string | Uint8Array, mode?: 'set' | 'adjust', key?: string) {
  const created = await api.request('POST', '/api/inventory/uploads', mode ? { mode } : undefined, { key });
  expect(created.status).toBe(201);
  const put = await fetch(created.body.data.upload_url, { method: 'PUT', body: csv, headers: { 'content-type': 'text/csv' } });
  expect(put.status).toBe(200);
  await settle();
  const job = await api.get(`/api/inventory/uploads/${created.body.data.id}`, key);
  expect(job.status).toBe(200);
  return job.body.data;
}

async function skuWithStock(sku: string, wid: string, stocked: number) {
  const iid = (await api.post('/admin/inventory-items', { sku, title: sku })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: stocked });
  return iid;
}
const stockOf = async (sku: string, wid: string) => {
  const res = await api.get(`/api/inventory/${encodeURIComponent(sku)}`);
  return res.body.data.warehouses.find((w: any) => w.warehouse_id === wid)?.on_hand ?? null;
};

test('set mode: good rows apply, bad rows are reported with their line and code, nothing else moves', async () => {
  const wh = (await api.post('/api/warehouses', { name: 'Main' })).body.data.id;
  const ro = (await api.post('/api/warehouses', { name: 'FBA', type: 'FBA' })).body.data.id;
  await skuWithStock('U-1', wh, 10);
  await skuWithStock('U-2', wh, 5);
  await api.post('/admin/inventory-items', { sku: 'U-NEW', title: 'no level yet' });
  const csv = [
    '\ufeffsku,warehouse_id,quantity,reason,note',
    `U-1,${wh},12,cycle_count,"counted, twice"`,
    `U-2,${wh},5,,`, // unchanged
    `NOPE,${wh},1,,`, // unknown sku
    `U-1,${wh},-3,,`, // negative
    `U-2,${wh}`, // missing column
    `U-2,${wh},"7,,`, // broken quoting (the quote runs to the end of the file)
  ].join('\r\n');
  const job = await upload(csv);
  // the broken quote swallows the rest of the file: one bad record
  expect(job).toMatchObject({ status: 'completed', mode: 'set', rows_total: 6, rows_done: 6, rows_applied: 1, rows_unchanged: 1, rows_failed: 4 });
  expect(job.errors.map((e: any) => [e.line, e.code])).toEqual([
    [4, 'INVENTORY_NOT_FOUND'],
    [5, 'NEGATIVE_QUANTITY'],
    [6, 'MISSING_COLUMN'],
    [7, 'BROKEN_QUOTING'],
  ]);
  expect(await stockOf('U-1', wh)).toBe(12);
  expect(await stockOf('U-2', wh)).toBe(5);

  const more = await upload(`sku,warehouse_id,quantity\nU-NEW,${wh},4\nU-1,${ro},3\nU-1,wh_missing,3\n`);
  expect(more).toMatchObject({ status: 'completed', rows_applied: 1, rows_failed: 2 });
  expect(more.errors.map((e: any) => e.code)).toEqual(['READONLY_WAREHOUSE', 'WAREHOUSE_NOT_FOUND']);
  expect(await stockOf('U-NEW', wh)).toBe(4);

  const csvErrors = await api.request('GET', `/api/inventory/uploads/${job.id}?format=csv`);
  expect(csvErrors.headers.get('content-type')).toContain('text/csv');
  expect(csvErrors.text.split('\r\n')[0]).toBe('line,code,message,sku,warehouse_id');
  expect(csvErrors.text.trim().split('\r\n')).toHaveLength(5);
});

test('adjust mode: deltas, in file order, several rows for one level; a row that would go negative fails alone', async () => {
  const wh = (await api.post('/api/warehouses', { name: 'Adj' })).body.data.id;
  const iid = await skuWithStock('A-1', wh, 10);
  const rows = ['sku,warehouse_id,quantity'];
  for (let i = 0; i < 150; i++) rows.push(`A-1,${wh},${i % 2 ? -1 : 2}`); // +75 net
  rows.push(`A-1,${wh},-1000`);
  const job = await upload(rows.join('\n') + '\n', 'adjust');
  expect(job).toMatchObject({ status: 'completed', rows_total: 151, rows_applied: 150, rows_failed: 1 });
  expect(job.errors[0]).toMatchObject({ line: 152, code: 'NEGATIVE_QUANTITY' });
  expect(await stockOf('A-1', wh)).toBe(10 + 75);
  const ledger = await ledgerRows(api.tenant, iid);
  expect(ledger.filter((r: any) => String(r.reference ?? '').startsWith(`upload:${job.id}:`))).toHaveLength(150);
});

test('a header without the required columns fails the job with a file-level error, nothing applied', async () => {
  const job = await upload('sku,qty\nX,1\n');
  expect(job).toMatchObject({ status: 'failed', rows_applied: 0, error: { code: 'MISSING_COLUMN' } });
  expect(job.error.message).toContain('warehouse_id');
});

test('bad requests: unknown mode, unknown upload, a used or forged upload URL', async () => {
  expect((await api.post('/api/inventory/uploads', { mode: 'replace' })).status).toBe(400);
  expect((await api.get('/api/inventory/uploads/upl_0000000000')).status).toBe(404);
  expect((await api.get('/api/inventory/uploads/nope')).status).toBe(400);
  const created = (await api.post('/api/inventory/uploads')).body.data;
  const forged = created.upload_url.replace(/token=.*/, 'token=forged');
  expect((await fetch(forged, { method: 'PUT', body: 'sku,warehouse_id,quantity\n' })).status).toBe(403);
  // two PUTs at once: only one is taken
  const puts = await Promise.all([1, 2].map(() => fetch(created.upload_url, { method: 'PUT', body: 'sku,warehouse_id,quantity\n' })));
  expect(puts.map((p) => p.status).sort()).toEqual([200, 403]);
  await settle();
  expect((await fetch(created.upload_url, { method: 'PUT', body: 'sku,warehouse_id,quantity\n' })).status).toBe(403);
  const other = await api.otherTenant();
  expect((await api.get(`/api/inventory/uploads/${created.id}`, other.key)).status).toBe(404);
});

test("a warehouse-limited key's upload: rows for its warehouses apply, others fail FORBIDDEN_WAREHOUSE", async () => {
  const mine = (await api.post('/api/warehouses', { name: 'Mine' })).body.data.id;
  const theirs = (await api.post('/api/warehouses', { name: 'Theirs' })).body.data.id;
  await skuWithStock('W-1', mine, 1);
  expect((await api.request('PUT', '/api/inventory/W-1', { warehouse_id: theirs, quantity: 1 })).status).toBe(200);
  expect(await stockOf('W-1', theirs)).toBe(1);
  const limited = await makeKey(api.tenant, ['inventory:read', 'inventory:write'], 'limited', [mine]);
  const job = await upload(`sku,warehouse_id,quantity\nW-1,${mine},9\nW-1,${theirs},9\n`, 'set', limited);
  expect(job).toMatchObject({ status: 'completed', rows_applied: 1, rows_failed: 1 });
  expect(job.errors[0]).toMatchObject({ line: 3, code: 'FORBIDDEN_WAREHOUSE' });
  expect(await stockOf('W-1', mine)).toBe(9);
});
