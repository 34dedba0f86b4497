/** Issue 11, findings 5 and 6 through the API: no 5xx for unsafe numbers, relative writes bounded, records and bulk re-sends answered clearly. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processUpload } from '../../functions/core/uploads.ts';
import type { Actor } from '../../functions/core/model.ts';
import { getJob } from '../../functions/store/uploads.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { stageUpload } from '../support/uploads.ts';

process.env.INVENTORY_BLOB_DIR = mkdtempSync(join(tmpdir(), 'inventory-guards-'));

let api: Api;
let wh: string;
beforeAll(async () => {
  api = await startApi();
  wh = (await api.post('/api/warehouses', { name: 'Main' })).body.data.id;
});
afterAll(() => api.close());

const raw = (method: string, path: string, text: string) =>
  api.request(method, path, undefined, { raw: text, headers: { 'content-type': 'application/json' } });

test('finding 5b: numbers beyond ±2^53 in metadata, variant_attributes or reservation metadata are a 400 naming the field', async () => {
  const item = await raw('POST', '/admin/inventory-items', '{"sku":"BIG-1","metadata":{"erp":{"id":12345678901234567890}}}');
  expect(item.status).toBe(400);
  expect(item.body.message).toMatch(/metadata/);
  expect(item.body.message).toMatch(/erp\.id/);
  const attrs = await raw('POST', '/admin/inventory-items', '{"sku":"BIG-2","variant_attributes":{"size":-9007199254740993}}');
  expect(attrs.status).toBe(400);
  expect(attrs.body.message).toMatch(/variant_attributes/);
  const ok = await api.post('/admin/inventory-items', { sku: 'BIG-3', metadata: { id: 9007199254740991, f: 1.5 } });
  expect(ok.status).toBe(200);
  const iid = ok.body.inventory_item.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 5 });
  const res = await raw('POST', '/admin/reservations', `{"inventory_item_id":"${iid}","location_id":"${wh}","quantity":1,"metadata":{"order":[1,1e300]}}`);
  expect(res.status).toBe(400);
  expect(res.body.message).toMatch(/metadata/);
  const rec = await raw('POST', '/v1/inventory', `{"productId":"p-big","warehouseId":"${wh}","initialQty":1,"variantAttributes":{"n":18446744073709551616}}`);
  expect(rec.status).toBe(400);
  expect(JSON.stringify(rec.body)).toMatch(/variantAttributes/);
});

test('finding 5c: adjust and transfer cannot push stocked past 1,000,000,000 (422 INVALID_QUANTITY naming the field)', async () => {
  const iid = (await api.post('/admin/inventory-items', { sku: 'MAX-1' })).body.inventory_item.id;
  const other = (await api.post('/api/warehouses', { name: 'Other' })).body.data.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 999_999_990 });
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: other, stocked_quantity: 100 });
  const adj = await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}/adjust`, { adjustment: 11 });
  expect(adj.status).toBe(422);
  expect(adj.body).toMatchObject({ code: 'INVALID_QUANTITY' });
  expect(adj.body.message).toMatch(/adjustment/);
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}/adjust`, { adjustment: 10 })).status).toBe(200);
  const trf = await api.post('/api/inventory/MAX-1/transfers', { from_warehouse_id: other, to_warehouse_id: wh, quantity: 1 });
  expect(trf.status).toBe(422);
  expect(trf.body.error).toMatchObject({ code: 'INVALID_QUANTITY' });
  expect(trf.body.error.details[0].field).toBe('quantity');
  const levels = (await api.get(`/api/inventory/MAX-1`)).body.data.warehouses;
  expect(levels.map((w: any) => [w.warehouse_id, w.on_hand]).sort()).toEqual(
    [
      [wh, 1_000_000_000],
      [other, 100],
    ].sort(),
  );
});

test('finding 6: POST /v1/inventory at a read-only warehouse leaves no item behind', async () => {
  const ro = (await api.post('/api/warehouses', { name: 'FBA', type: 'FBA', is_readonly: true })).body.data.id;
  const res = await api.post('/v1/inventory', { productId: 'prod_ro_1', warehouseId: ro, initialQty: 5 });
  expect(res.status).toBe(403);
  expect((await api.get('/admin/inventory-items?sku=prod_ro_1')).body.inventory_items).toEqual([]);
});

test("finding 6: POST /v1/inventory whose sku is another product's item is a 409 saying so, not a silent join", async () => {
  const other = await api.post('/admin/inventory-items', { sku: 'prod_taken', product_id: 'prod_someone_else' });
  expect(other.status).toBe(200);
  const res = await api.post('/v1/inventory', { productId: 'prod_taken', warehouseId: wh, initialQty: 5 });
  expect(res.status).toBe(409);
  expect(res.body.message).toMatch(/prod_someone_else/);
  expect((await api.get(`/admin/inventory-items/${other.body.inventory_item.id}`)).body.inventory_item.location_levels).toEqual([]);
  // the same product joins its own item as before
  const own = await api.post('/v1/inventory', { productId: 'prod_someone_else', skuId: 'prod_taken', warehouseId: wh, initialQty: 5 });
  expect(own.status).toBe(200);
});

test('finding 6: a bulk re-sent after a partial first attempt reports rows already at their target as unchanged', async () => {
  await api.post('/admin/inventory-items', { sku: 'RESEND-1' });
  await api.request('PUT', '/api/inventory/RESEND-1', { warehouse_id: wh, quantity: 5 });
  const body = { updates: [{ sku: 'RESEND-1', warehouse_id: wh, quantity: 8, expected_quantity: 5 }] };
  expect((await api.post('/api/inventory/bulk', body)).body.data.results[0].status).toBe('applied');
  const again = await api.post('/api/inventory/bulk', body);
  expect(again.status).toBe(200);
  // before the fix: failed, QUANTITY_MISMATCH (current 8, expected 5)
  expect(again.body.data.results[0].status).toBe('unchanged');
  // a row whose level is neither at its target nor at its expected quantity still fails
  const off = await api.post('/api/inventory/bulk', { updates: [{ sku: 'RESEND-1', warehouse_id: wh, quantity: 9, expected_quantity: 5 }] });
  expect(off.body.data.results[0].error.code).toBe('QUANTITY_MISMATCH');
});

test('finding 6: an upload whose header is too wide to keep fails at start, clearly, instead of waiting forever', async () => {
  const actor: Actor = { tenant: api.tenant, keyId: 'k', keyName: 'uploader', scopes: ['inventory:write'] };
  const header = ['sku', 'warehouse_id', 'quantity', ...Array.from({ length: 40_000 }, (_, i) => `extra_column_${i}`)].join(',');
  const id = await stageUpload({ actor, warehouses: [wh], skus: [] }, `${header}\nX,${wh},1\n`, 'set');
  expect(await processUpload(api.tenant, id)).toBe('failed');
  const job = (await getJob(api.tenant, id))!;
  expect(job.status).toBe('failed');
  expect(job.error).toMatchObject({ code: 'INVALID_FILE', message: expect.stringMatching(/header row is too wide/) });
});
