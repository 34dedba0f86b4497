/** Per-warehouse keys: writes only to their warehouses, reads show only them. */
import { SCOPES } from '../../functions/core/model.ts';
import { makeKey, startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
let mine: string;
let theirs: string;
let iid: string;
let limited: string;
beforeAll(async () => {
  api = await startApi();
  mine = (await api.post('/api/warehouses', { name: 'Mine' })).body.data.id;
  theirs = (await api.post('/api/warehouses', { name: 'Theirs' })).body.data.id;
  iid = (await api.post('/admin/inventory-items', { sku: 'WK-1' })).body.inventory_item.id;
  for (const [wh, q] of [
    [mine, 10],
    [theirs, 20],
  ] as const) {
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: q });
  }
  limited = await makeKey(api.tenant, [...SCOPES], 'store-tool', [mine]);
});
afterAll(() => api.close());

test('writes to its own warehouse work; to another: 403 FORBIDDEN_WAREHOUSE, nothing changed', async () => {
  expect((await api.request('PUT', '/api/inventory/WK-1', { warehouse_id: mine, quantity: 12 }, { key: limited })).status).toBe(200);
  const res = await api.request('PUT', '/api/inventory/WK-1', { warehouse_id: theirs, quantity: 1 }, { key: limited });
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('FORBIDDEN_WAREHOUSE');
  const adj = await api.post(`/admin/inventory-items/${iid}/location-levels/${theirs}/adjust`, { adjustment: -1 }, limited);
  expect(adj.status).toBe(403);
  expect(adj.body).toMatchObject({ type: 'not_allowed', code: 'FORBIDDEN_WAREHOUSE' });
  expect((await api.post('/admin/reservations', { inventory_item_id: iid, location_id: theirs, quantity: 1 }, limited)).status).toBe(403);
  expect((await api.post('/api/inventory/WK-1/transfers', { from_warehouse_id: mine, to_warehouse_id: theirs, quantity: 1 }, limited)).status).toBe(403);
  expect((await api.post('/api/warehouses', { name: 'new' }, limited)).status).toBe(403);
  const full = (await api.get('/api/inventory/WK-1')).body.data;
  expect(full.warehouses.map((w: any) => [w.warehouse_id, w.on_hand])).toEqual([
    [mine, 12],
    [theirs, 20],
  ]);
});

test('reads show only its warehouses: levels, summaries, locations, reservations, history, records', async () => {
  const theirRes = (await api.post('/admin/reservations', { inventory_item_id: iid, location_id: theirs, quantity: 2 })).body.reservation.id;
  const myRes = (await api.post('/admin/reservations', { inventory_item_id: iid, location_id: mine, quantity: 1 }, limited)).body.reservation.id;
  const item = (await api.get(`/admin/inventory-items/${iid}`, limited)).body.inventory_item;
  expect(item.location_levels.map((l: any) => l.location_id)).toEqual([mine]);
  const sku = (await api.get('/api/inventory/WK-1', limited)).body.data;
  expect(sku).toMatchObject({ total_on_hand: 12, total_reserved: 1 });
  expect(sku.warehouses.map((w: any) => w.warehouse_id)).toEqual([mine]);
  expect((await api.get('/admin/stock-locations', limited)).body.stock_locations.map((l: any) => l.id)).toEqual([mine]);
  expect((await api.get('/api/inventory/warehouses', limited)).body.data.map((l: any) => l.id)).toEqual([mine]);
  expect((await api.get(`/api/warehouses/${theirs}`, limited)).status).toBe(404);
  expect((await api.get(`/admin/reservations/${theirRes}`, limited)).status).toBe(404);
  expect((await api.get('/admin/reservations', limited)).body.reservations.map((r: any) => r.id)).toEqual([myRes]);
  expect((await api.del(`/admin/reservations/${theirRes}`, limited)).status).toBe(404);
  const history = (await api.get('/api/inventory/WK-1/adjustments', limited)).body.data;
  expect(history.length).toBeGreaterThan(0);
  for (const a of history) expect(a.warehouse_id).toBe(mine);
  expect((await api.get(`/v1/inventory/ilev_${iid}:${theirs}`, limited)).status).toBe(404);
  expect((await api.get(`/v1/inventory/ilev_${iid}:${mine}`, limited)).status).toBe(200);
  const avail = (await api.get(`/admin/inventory-items/${iid}/availability`, limited)).body;
  expect(avail).toMatchObject({ location_ids: [mine], stocked_quantity: 12, reserved_quantity: 1 });
  expect((await api.get(`/api/inventory?warehouse_id=${theirs}`, limited)).status).toBe(404);
});

test('it can only make keys limited to its own warehouses', async () => {
  expect((await api.post('/api/keys', { name: 'wider', scopes: ['inventory:read'] }, limited)).status).toBe(403);
  expect((await api.post('/api/keys', { name: 'other', scopes: ['inventory:read'], warehouse_ids: [theirs] }, limited)).status).toBe(403);
  const ok = await api.post('/api/keys', { name: 'same', scopes: ['inventory:read'], warehouse_ids: [mine] }, limited);
  expect(ok.status).toBe(201);
  expect(ok.body.data.warehouse_ids).toEqual([mine]);
  expect((await api.get('/admin/stock-locations', ok.body.data.key)).body.stock_locations.map((l: any) => l.id)).toEqual([mine]);
});

test('item-wide writes (backorders, sku, variant links, item delete) need a key limited to no warehouse: 403 FORBIDDEN_WAREHOUSE, nothing changed', async () => {
  const own = (await api.post('/admin/inventory-items', { sku: 'WK-WIDE' }, limited)).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${own}/location-levels`, { location_id: mine, stocked_quantity: 5 }, limited);
  for (const patch of [{ allow_backorder: true }, { backorder_limit: 50 }, { sku: 'WK-WIDE-2' }]) {
    const res = await api.post(`/admin/inventory-items/${own}`, patch, limited);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN_WAREHOUSE');
  }
  // a title is not item-wide stock policy: still allowed
  expect((await api.post(`/admin/inventory-items/${own}`, { title: 'Renamed' }, limited)).status).toBe(200);
  expect((await api.post(`/admin/products/prod_wk/variants/var_wk/inventory-items`, { inventory_item_id: own }, limited)).status).toBe(403);
  expect((await api.post(`/admin/products/prod_wk/variants/var_wk/inventory-items`, { inventory_item_id: own })).status).toBe(200);
  expect((await api.post(`/admin/products/prod_wk/variants/var_wk/inventory-items/${own}`, { required_quantity: 2 }, limited)).status).toBe(403);
  expect((await api.del(`/admin/products/prod_wk/variants/var_wk/inventory-items/${own}`, limited)).status).toBe(403);
  // even an item stocked only at its own warehouse
  const del = await api.del(`/admin/inventory-items/${own}`, limited);
  expect(del.status).toBe(403);
  expect(del.body.code).toBe('FORBIDDEN_WAREHOUSE');
  const item = (await api.get(`/admin/inventory-items/${own}`)).body.inventory_item;
  expect(item).toMatchObject({ sku: 'WK-WIDE', allow_backorder: false, backorder_limit: null, title: 'Renamed' });
  expect((await api.get('/admin/products/prod_wk/variants/var_wk')).body.variant.inventory_items[0].required_quantity).toBe(1);
});
