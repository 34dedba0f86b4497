import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

test('health answers without a key', async () => {
  const res = await api.get('/health', null);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'ok' });
});

test('an item can be created, stocked and read back', async () => {
  const loc = await api.post('/admin/stock-locations', { name: 'Main' });
  expect(loc.status).toBe(200);
  const item = await api.post('/admin/inventory-items', { sku: 'SHIRT-MD-BLU', title: 'Shirt' });
  expect(item.status).toBe(200);
  const id = item.body.inventory_item.id;
  const lvl = await api.post(`/admin/inventory-items/${id}/location-levels`, { location_id: loc.body.stock_location.id, stocked_quantity: 10 });
  expect(lvl.status).toBe(200);
  expect(lvl.body.inventory_item.location_levels[0]).toMatchObject({ stocked_quantity: 10, reserved_quantity: 0, available_quantity: 10 });
});
