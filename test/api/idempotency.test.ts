/** Idempotency-Key on writes: exactly one effect, even with identical requests in flight at once. */
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';

let api: Api;
let wh: string;
let iid: string;
beforeAll(async () => {
  api = await startApi();
  wh = (await api.post('/api/warehouses', { name: 'I' })).body.data.id;
  iid = (await api.post('/admin/inventory-items', { sku: 'IDEM-1' })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 100 });
});
afterAll(() => api.close());

const withKey = (key: string, method: string, path: string, body: unknown, apiKey?: string) =>
  api.request(method, path, body, { headers: { 'idempotency-key': key }, key: apiKey });
const level = async () => (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels[0];

test('a repeat with the same key and body returns the first response and changes nothing', async () => {
  const body = { adjustment: 5, reason: 'supplier_receipt' };
  const first = await withKey('adj-1', 'POST', `/admin/inventory-items/${iid}/location-levels/${wh}/adjust`, body);
  const second = await withKey('adj-1', 'POST', `/admin/inventory-items/${iid}/location-levels/${wh}/adjust`, body);
  expect(first.status).toBe(200);
  expect(second.status).toBe(200);
  expect(second.body).toEqual(first.body);
  expect(second.headers.get('idempotency-replayed')).toBe('true');
  expect((await level()).stocked_quantity).toBe(105);
  expect((await ledgerRows(api.tenant, iid)).filter((r) => r.reason === 'supplier_receipt')).toHaveLength(1);
});

test('the same key with another body is 422 IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
  const path = `/admin/inventory-items/${iid}/location-levels/${wh}/adjust`;
  await withKey('adj-2', 'POST', path, { adjustment: 1 });
  const before = (await level()).stocked_quantity;
  const res = await withKey('adj-2', 'POST', path, { adjustment: 2 });
  expect(res.status).toBe(422);
  expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  expect((await level()).stocked_quantity).toBe(before);
});

test('two identical reservations in flight at once with one key: one effect, both get the same answer', async () => {
  const body = { inventory_item_id: iid, location_id: wh, quantity: 3 };
  const before = (await level()).reserved_quantity;
  const results = await Promise.all(Array.from({ length: 5 }, () => withKey('res-1', 'POST', '/admin/reservations', body)));
  for (const r of results) expect(r.status).toBe(200);
  expect(new Set(results.map((r) => r.body.reservation.id)).size).toBe(1);
  expect((await level()).reserved_quantity).toBe(before + 3);
});

test('keys are per tenant; a refused request gives its key back; a bad key is 400', async () => {
  const other = await api.otherTenant();
  const owh = (await api.post('/api/warehouses', { name: 'O' }, other.key)).body.data.id;
  expect((await withKey('shared-key', 'POST', '/api/warehouses', { name: 'mine' })).status).toBe(201);
  // another tenant's identical key is its own
  expect((await withKey('shared-key', 'POST', '/api/warehouses', { name: 'theirs' }, other.key)).status).toBe(201);
  void owh;
  const path = `/admin/inventory-items/${iid}/location-levels/${wh}/adjust`;
  const refused = await withKey('neg-1', 'POST', path, { adjustment: -100000 });
  expect(refused.status).toBe(400);
  expect((await withKey('neg-1', 'POST', path, { adjustment: -100000 })).body.code).toBe('NEGATIVE_QUANTITY');
  expect((await withKey('x'.repeat(300), 'POST', path, { adjustment: 1 })).status).toBe(400);
});

test('PUT and DELETE honour it too', async () => {
  const put = await withKey('put-1', 'PUT', '/api/inventory/IDEM-1', { warehouse_id: wh, quantity: 77 });
  await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}/adjust`, { adjustment: 1 });
  const again = await withKey('put-1', 'PUT', '/api/inventory/IDEM-1', { warehouse_id: wh, quantity: 77 });
  expect(again.body).toEqual(put.body);
  expect((await level()).stocked_quantity).toBe(78);
  const r = (await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 1 })).body.reservation.id;
  expect((await withKey('del-1', 'DELETE', `/admin/reservations/${r}`, undefined)).status).toBe(200);
  expect((await withKey('del-1', 'DELETE', `/admin/reservations/${r}`, undefined)).status).toBe(200);
});
