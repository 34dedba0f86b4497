/** The merchant inventory-record API (records family): its two request samples, sent verbatim. */
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi({ stream: true });
  for (const [id, name] of [
    ['wh_def456', 'Abuja Satellite Store'],
    ['wh_abc123', 'Lagos Main'],
  ]) {
    expect((await api.post('/api/warehouses', { id, name })).status).toBe(201);
  }
});
afterAll(() => api.close());

const SIMPLE = `{
"productId": "prod_abc123",
"warehouseId": "wh_def456",
"initialQty": 50,
"location": "B-02-1",
"reorderLevel": 10,
"reorderQty": 30
}`;
const VARIABLE = `{
"productId": "prod_phone_789",
"skuId": "sku_red_256gb",
"warehouseId": "wh_abc123",
"initialQty": 20,
"location": "C-05-3",
"reorderLevel": 5,
"reorderQty": 15,
"variantAttributes": {
"Color": "Red",
"Storage": "256GB"
}
}`;
const send = (raw: string) =>
  api.request('POST', '/v1/inventory', undefined, { raw, headers: { 'content-type': 'application/json', 'x-merchantapikey': 'ignored' } });

test("adding a SIMPLE product to a warehouse answers the records family's record shape", async () => {
  const res = await send(SIMPLE);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    status: true,
    data: {
      id: expect.stringMatching(/^ilev_/),
      productId: 'prod_abc123',
      skuId: null,
      tenantId: api.tenant,
      warehouseId: 'wh_def456',
      warehouseName: 'Abuja Satellite Store',
      location: 'B-02-1',
      onHandQty: 50,
      reservedQty: 0,
      availableQty: 50,
      reorderLevel: 10,
      reorderQty: 30,
      variantAttributes: {},
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    },
  });
  const got = await api.get(`/v1/inventory/${res.body.data.id}`);
  expect(got.body).toEqual(res.body);
  // the item is findable by sku = productId, and its initial stock is in the ledger
  const item = (await api.get('/admin/inventory-items?sku=prod_abc123')).body.inventory_items[0];
  expect(item.product_id).toBe('prod_abc123');
  expect((await ledgerRows(api.tenant, item.id)).map((r) => [r.reason, r.after_quantity])).toEqual([['initial', 50]]);
});

test('adding a specific SKU keeps its variant attributes', async () => {
  const res = await send(VARIABLE);
  expect(res.status).toBe(200);
  expect(res.body.data).toMatchObject({
    productId: 'prod_phone_789',
    skuId: 'sku_red_256gb',
    onHandQty: 20,
    variantAttributes: { Color: 'Red', Storage: '256GB' },
  });
});

test("a duplicate answers the records family's error body with HTTP 409", async () => {
  const res = await send(SIMPLE);
  expect(res.status).toBe(409);
  expect(res.body).toMatchObject({ status: false, message: 'An inventory record for this product already exists in the specified warehouse.' });
});

test('errors in the records shape: unknown warehouse 404, negative initialQty 422, missing productId 400, unknown record 404', async () => {
  const unknownWh = await api.post('/v1/inventory', { productId: 'p1', warehouseId: 'wh_nope', initialQty: 1 });
  expect(unknownWh.status).toBe(404);
  expect(unknownWh.body).toMatchObject({ status: false, code: 'WAREHOUSE_NOT_FOUND' });
  const neg = await api.post('/v1/inventory', { productId: 'p1', warehouseId: 'wh_def456', initialQty: -1 });
  expect(neg.status).toBe(422);
  expect(neg.body.status).toBe(false);
  const missing = await api.post('/v1/inventory', { warehouseId: 'wh_def456', initialQty: 1 });
  expect(missing.status).toBe(400);
  expect(missing.body.message).toContain('productId');
  expect((await api.get('/v1/inventory/ilev_nope:wh_def456')).status).toBe(404);
  expect((await api.get('/admin/inventory-items?sku=p1')).body.count).toBe(0);
});

test('low stock lists the records whose availableQty is at or below their reorderLevel, with reorderQty', async () => {
  const t = await api.otherTenant();
  await api.post('/api/warehouses', { id: 'wh_low', name: 'Low' }, t.key);
  const mk = (productId: string, initialQty: number) =>
    api.post('/v1/inventory', { productId, warehouseId: 'wh_low', initialQty, reorderLevel: 10, reorderQty: 25 }, t.key);
  await mk('p-ok', 50);
  await mk('p-edge', 10);
  const low = await mk('p-low', 3);
  // a reservation lowers availableQty: p-ok stays above, so it is not listed
  await api.post(
    '/admin/reservations',
    { inventory_item_id: (await api.get('/admin/inventory-items?sku=p-ok', t.key)).body.inventory_items[0].id, location_id: 'wh_low', quantity: 5 },
    t.key,
  );
  await api.settle();
  const res = await api.get('/v1/inventory/low-stock', t.key);
  expect(res.status).toBe(200);
  expect(res.body.data.map((r: any) => [r.productId, r.availableQty, r.reorderQty]).sort()).toEqual([
    ['p-edge', 10, 25],
    ['p-low', 3, 25],
  ]);
  expect(res.body.data.find((r: any) => r.productId === 'p-low').id).toBe(low.body.data.id);
});
