/**
 * The source documents' own examples, sent as written (their bodies, our port), answer with
 * their shapes; the admin family's integration flow holds its numbers at every step.
 */
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

test('admin items: create, list, get, update and delete an inventory item', async () => {
  const created = await api.post('/admin/inventory-items', {
    sku: 'SHIRT-MD-BLU',
    title: 'Premium T-Shirt - Medium - Blue',
    weight: 210,
    material: 'Cotton',
    origin_country: 'US',
  });
  expect(created.body).toEqual({
    inventory_item: expect.objectContaining({
      id: expect.any(String),
      sku: 'SHIRT-MD-BLU',
      title: 'Premium T-Shirt - Medium - Blue',
      weight: 210,
      material: 'Cotton',
      origin_country: 'US',
      created_at: ISO,
    }),
  });
  const id = created.body.inventory_item.id;
  const list = await api.get('/admin/inventory-items?limit=50');
  expect(list.body).toEqual({
    inventory_items: [expect.objectContaining({ id, sku: 'SHIRT-MD-BLU', requires_shipping: true, metadata: null, mid_code: null })],
    count: 1,
    offset: 0,
    limit: 50,
  });
  const item = list.body.inventory_items[0];
  for (const f of [
    'description',
    'origin_country',
    'hs_code',
    'mid_code',
    'material',
    'weight',
    'length',
    'height',
    'width',
    'requires_shipping',
    'metadata',
    'created_at',
    'updated_at',
  ]) {
    expect(item).toHaveProperty(f);
  }
  const got = await api.get(`/admin/inventory-items/${id}`);
  expect(got.body.inventory_item).toMatchObject({ id, sku: 'SHIRT-MD-BLU', title: 'Premium T-Shirt - Medium - Blue', location_levels: [] });
  const updated = await api.post(`/admin/inventory-items/${id}`, { weight: 220, metadata: { warehouse_section: 'A-12' } });
  expect(updated.body.inventory_item).toMatchObject({ id, weight: 220, metadata: { warehouse_section: 'A-12' } });
  expect((await api.del(`/admin/inventory-items/${id}`)).body).toEqual({ id, object: 'inventory-item', deleted: true });
});

test('admin items: stock levels across two locations, update a level, reservations listed per item', async () => {
  const w1 = (await api.post('/admin/stock-locations', { name: 'sloc_warehouse1' })).body.stock_location.id;
  const w2 = (await api.post('/admin/stock-locations', { name: 'sloc_warehouse2' })).body.stock_location.id;
  const id = (await api.post('/admin/inventory-items', { sku: 'SHIRT-SM-BLK' })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${id}/location-levels`, { location_id: w1, stocked_quantity: 100, incoming_quantity: 50 });
  await api.post(`/admin/inventory-items/${id}/location-levels`, { location_id: w2, stocked_quantity: 50 });
  await api.post('/admin/reservations', { inventory_item_id: id, location_id: w1, quantity: 10 });
  await api.post('/admin/reservations', { inventory_item_id: id, location_id: w2, quantity: 5 });
  const levels = await api.get(`/admin/inventory-items/${id}/location-levels`);
  const byLoc = Object.fromEntries(levels.body.inventory_item.location_levels.map((l: any) => [l.location_id, l]));
  expect(levels.body.inventory_item.id).toBe(id);
  expect(byLoc[w1]).toMatchObject({
    id: expect.any(String),
    location_id: w1,
    stocked_quantity: 100,
    reserved_quantity: 10,
    incoming_quantity: 50,
    available_quantity: 90,
  });
  expect(byLoc[w2]).toMatchObject({ stocked_quantity: 50, reserved_quantity: 5, incoming_quantity: 0, available_quantity: 45 });
  const upd = await api.post(`/admin/inventory-items/${id}/location-levels/${w1}`, { stocked_quantity: 150 });
  expect(upd.body.inventory_item.location_levels.find((l: any) => l.location_id === w1)).toMatchObject({ stocked_quantity: 150, available_quantity: 140 });
  const res = await api.get(`/admin/reservations?inventory_item_id=${id}`);
  expect(res.body.reservations).toHaveLength(2);
  expect(res.body.reservations[0]).toEqual(
    expect.objectContaining({
      id: expect.any(String),
      inventory_item_id: id,
      location_id: expect.any(String),
      quantity: expect.any(Number),
      line_item_id: null,
      metadata: null,
      created_at: ISO,
    }),
  );
});

test('admin flow: create item → level → confirm → reserve → adjust → fulfil holds its numbers', async () => {
  const wh = (await api.post('/admin/stock-locations', { name: 'sloc_warehouse' })).body.stock_location.id;
  const iid = (await api.post('/admin/inventory-items', { sku: 'TSHIRT-M-BLACK', requires_shipping: true, weight: 200 })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 100, incoming_quantity: 50 });
  const avail = (q: number) => api.get(`/admin/inventory-items/${iid}/availability?location_id=${wh}&quantity=${q}`);

  // confirmInventory(iitem, [sloc], 5)
  expect((await avail(5)).body).toMatchObject({
    sufficient: true,
    stocked_quantity: 100,
    reserved_quantity: 0,
    available_quantity: 100,
    incoming_quantity: 50,
  });
  // createReservationItems({quantity: 2, line_item_id: item_456, description: 'Order reservation'})
  const r = await api.post('/admin/reservations', {
    inventory_item_id: iid,
    location_id: wh,
    quantity: 2,
    line_item_id: 'item_456',
    description: 'Order reservation',
  });
  expect(r.status).toBe(200);
  expect((await avail(98)).body).toMatchObject({ sufficient: true, reserved_quantity: 2, available_quantity: 98 });
  expect((await avail(99)).body.sufficient).toBe(false);
  // updateReservationItems(res, {quantity: 3})
  expect((await api.post(`/admin/reservations/${r.body.reservation.id}`, { quantity: 3 })).body.reservation.quantity).toBe(3);
  // updateInventoryLevels({stocked_quantity: 150}) — new total
  await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}`, { stocked_quantity: 150 });
  expect((await avail(0)).body).toMatchObject({ stocked_quantity: 150, reserved_quantity: 3, available_quantity: 147 });
  // adjustInventory(iitem, sloc, -2) — a fulfilment outside reservations
  await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}/adjust`, { adjustment: -2, reason: 'fulfillment' });
  expect((await avail(0)).body).toMatchObject({ stocked_quantity: 148, available_quantity: 145 });
  // the order completes: the reservation is consumed
  await api.post(`/admin/reservations/${r.body.reservation.id}/fulfill`);
  expect((await avail(0)).body).toMatchObject({ stocked_quantity: 145, reserved_quantity: 0, available_quantity: 145 });
  // every stock change is in the ledger, and the ledger adds up
  const rows = (await ledgerRows(api.tenant, iid)).filter((x) => x.field === 'stocked_quantity');
  expect(rows.map((x) => x.delta).sort((a, b) => a - b)).toEqual([-3, -2, 50, 100]);
  expect(rows.reduce((a, x) => a + x.delta, 0)).toBe(145);
});

test('admin flow: a cart checks and reserves each line; an out-of-stock line is refused and the others stay held', async () => {
  const wh = (await api.post('/admin/stock-locations', { name: 'cart wh' })).body.stock_location.id;
  const lines: [string, number, number][] = [
    ['CART-A', 5, 2],
    ['CART-B', 1, 3],
    ['CART-C', 10, 10],
  ];
  const results = [];
  for (const [sku, stocked, qty] of lines) {
    const iid = (await api.post('/admin/inventory-items', { sku })).body.inventory_item.id;
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: stocked });
    const ok = (await api.get(`/admin/inventory-items/${iid}/availability?location_id=${wh}&quantity=${qty}`)).body.sufficient;
    const r = await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: qty, description: 'Cart reservation' });
    results.push([sku, ok, r.status]);
  }
  expect(results).toEqual([
    ['CART-A', true, 200],
    ['CART-B', false, 400],
    ['CART-C', true, 200],
  ]);
});
