/**
 * Inbound extras (issue 25 item 3): the list of records (newest first, filtered by status, warehouse
 * and SKU, paged; a warehouse-limited key sees its warehouses only) and the 404 of a warehouse where
 * the item has no level. Through the DynamoDB front with each function's grants (no request counter
 * here: test/support/client.ts requestCounter talks to DynamoDB Local directly, past the front).
 */
import { makeKey, startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
let wh: string;
let wh2: string;
beforeAll(async () => {
  api = await startApi();
  wh = (await api.post('/api/warehouses', { name: 'INL-1' })).body.data.id;
  wh2 = (await api.post('/api/warehouses', { name: 'INL-2' })).body.data.id;
});
afterAll(async () => {
  await api.close();
});

let n = 0;
async function sku(stocked = 10, wid = wh) {
  const s = `INL-${++n}-${Date.now()}`;
  const iid = (await api.post('/admin/inventory-items', { sku: s, title: s })).body.inventory_item.id;
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: stocked })).status).toBe(200);
  return { sku: s, iid };
}
const create = (body: unknown) => api.post('/api/inbound', body);
const cancel = (id: string, line: number) => api.post(`/api/inbound/${id}/lines/${line}/cancel`, {});

test('inbound to a warehouse where the item has no level: 404 that says to create the level first; nothing is written', async () => {
  const a = await sku(0); // a level at wh only
  const res = await create({ type: 'purchase_order', reference: 'PO-NL', warehouse_id: wh2, lines: [{ sku: a.sku, quantity: 5, expected_at: '2026-12-20' }] });
  expect(res.status).toBe(404);
  expect(JSON.stringify(res.body)).toContain('create its level first');
  expect((await api.get(`/api/inbound?sku=${encodeURIComponent(a.sku)}`)).body.data).toEqual([]);
});

test('list: newest first, filtered by SKU, warehouse and status, paged by cursor; a warehouse-limited key sees its warehouses only', async () => {
  const a = await sku(0);
  const b = await sku(0, wh2);
  const r1 = (await create({ type: 'purchase_order', reference: 'PO-L1', warehouse_id: wh, lines: [{ sku: a.sku, quantity: 2, expected_at: '2026-12-20' }] }))
    .body.data;
  const r2 = (await create({ type: 'transfer', reference: 'PO-L2', warehouse_id: wh2, lines: [{ sku: b.sku, quantity: 3, expected_at: '2026-12-21' }] })).body
    .data;
  const r3 = (await create({ type: 'purchase_order', reference: 'PO-L3', warehouse_id: wh, lines: [{ sku: a.sku, quantity: 4, expected_at: '2026-12-22' }] }))
    .body.data;
  await cancel(r1.id, 1);
  const ids = async (q: string, key?: string) => (await api.get(`/api/inbound?${q}`, key)).body.data.map((x: any) => x.id);
  expect(await ids(`sku=${encodeURIComponent(a.sku)}`)).toEqual([r3.id, r1.id]);
  expect(await ids(`sku=${encodeURIComponent(a.sku)}&status=open`)).toEqual([r3.id]);
  expect(await ids(`sku=${encodeURIComponent(a.sku)}&status=closed`)).toEqual([r1.id]);
  expect(await ids(`warehouse_id=${wh2}&sku=${encodeURIComponent(b.sku)}`)).toEqual([r2.id]);
  // paged: one a page, the cursor resumes where the page ended
  const p1 = (await api.get(`/api/inbound?limit=1&sku=${encodeURIComponent(a.sku)}`)).body;
  expect(p1.data.map((x: any) => x.id)).toEqual([r3.id]);
  expect(p1.meta.nextCursor).toEqual(expect.any(String));
  const p2 = (await api.get(`/api/inbound?limit=1&sku=${encodeURIComponent(a.sku)}&cursor=${encodeURIComponent(p1.meta.nextCursor)}`)).body;
  expect(p2.data.map((x: any) => x.id)).toEqual([r1.id]);
  expect(p2.data[0].lines[0]).toMatchObject({ status: 'cancelled', promised_quantity: 0 });
  // a key limited to wh2 does not see wh's records
  const limited = await makeKey(api.tenant, ['inventory:read'], 'wh2 only', [wh2]);
  expect(await ids(`sku=${encodeURIComponent(a.sku)}`, limited)).toEqual([]);
  expect(await ids(`sku=${encodeURIComponent(b.sku)}`, limited)).toEqual([r2.id]);
  // bad filters: a 400 naming the field
  const bad = await api.get('/api/inbound?status=bogus');
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toContain('status');
});
