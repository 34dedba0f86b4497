import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
let wh1: string;
let wh2: string;
beforeAll(async () => {
  api = await startApi();
  wh1 = (await api.post('/admin/stock-locations', { name: 'V1' })).body.stock_location.id;
  wh2 = (await api.post('/admin/stock-locations', { name: 'V2' })).body.stock_location.id;
});
afterAll(() => api.close());

async function item(sku: string, levels: [string, number][]) {
  const iid = (await api.post('/admin/inventory-items', { sku })).body.inventory_item.id as string;
  for (const [wh, stocked] of levels) await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: stocked });
  return iid;
}
const base = (p: string, v: string) => `/admin/products/${p}/variants/${v}`;

test("a variant's inventory_quantity is the minimum over its items of floor(Σ available ÷ required_quantity)", async () => {
  const shirt = await item('V-SHIRT', [[wh1, 10], [wh2, 7]]); // 17 available
  const box = await item('V-BOX', [[wh1, 9]]); // 9 available
  const first = await api.post(`${base('prod_1', 'var_1')}/inventory-items`, { inventory_item_id: shirt, required_quantity: 2 });
  expect(first.status).toBe(200);
  expect(first.body.variant.inventory_quantity).toBe(8);
  const second = await api.post(`${base('prod_1', 'var_1')}/inventory-items`, { inventory_item_id: box, required_quantity: 3 });
  expect(second.body.variant).toMatchObject({ id: 'var_1', product_id: 'prod_1', inventory_quantity: 3 });
  expect(second.body.variant.inventory_items).toHaveLength(2);
  const link = second.body.variant.inventory_items.find((l: any) => l.inventory_item_id === shirt);
  expect(link).toMatchObject({ id: expect.any(String), variant_id: 'var_1', inventory_item_id: shirt, required_quantity: 2 });
  expect(link.inventory.sku).toBe('V-SHIRT');
  expect(link.inventory.location_levels).toHaveLength(2);
  // reserving stock lowers it
  await api.post('/admin/reservations', { inventory_item_id: box, location_id: wh1, quantity: 4 });
  expect((await api.get(base('prod_1', 'var_1'))).body.variant.inventory_quantity).toBe(1);
});

test("variant links: changing required_quantity returns the variant with inventory_items[].required_quantity", async () => {
  const iid = await item('V-PACK', [[wh1, 30]]);
  await api.post(`${base('prod_2', 'var_2')}/inventory-items`, { inventory_item_id: iid });
  const res = await api.post(`${base('prod_2', 'var_2')}/inventory-items/${iid}`, { required_quantity: 4 });
  expect(res.status).toBe(200);
  expect(res.body.variant.inventory_items[0].required_quantity).toBe(4);
  expect(res.body.variant.inventory_quantity).toBe(7);
});

test("the variant links' required_quantity 5324804697620480 is 422 INVALID_QUANTITY naming the field, and changes nothing", async () => {
  const iid = await item('V-HUGE', [[wh1, 5]]);
  await api.post(`${base('prod_3', 'var_3')}/inventory-items`, { inventory_item_id: iid, required_quantity: 2 });
  const res = await api.post(`${base('prod_3', 'var_3')}/inventory-items/${iid}`, { required_quantity: 5324804697620480 });
  expect(res.status).toBe(422);
  expect(res.body).toMatchObject({ type: 'invalid_data', code: 'INVALID_QUANTITY' });
  expect(res.body.message).toContain('required_quantity');
  for (const q of [0, 1.5, -2]) expect((await api.post(`${base('prod_3', 'var_3')}/inventory-items/${iid}`, { required_quantity: q })).status).toBe(422);
  expect((await api.get(base('prod_3', 'var_3'))).body.variant.inventory_items[0].required_quantity).toBe(2);
});

test('linking an unknown item is 404, linking twice 409, a variant under another product 404 / 409', async () => {
  const iid = await item('V-ERR', [[wh1, 5]]);
  expect((await api.post(`${base('prod_4', 'var_4')}/inventory-items`, { inventory_item_id: 'iitem_none' })).status).toBe(404);
  expect((await api.get(base('prod_4', 'var_4'))).status).toBe(404);
  expect((await api.post(`${base('prod_4', 'var_4')}/inventory-items`, { inventory_item_id: iid })).status).toBe(200);
  const dup = await api.post(`${base('prod_4', 'var_4')}/inventory-items`, { inventory_item_id: iid });
  expect(dup.status).toBe(409);
  expect(dup.body.type).toBe('duplicate_error');
  expect((await api.get(base('prod_other', 'var_4'))).status).toBe(404);
  const other = await item('V-ERR2', []);
  expect((await api.post(`${base('prod_other', 'var_4')}/inventory-items`, { inventory_item_id: other })).status).toBe(409);
  expect((await api.post(`${base('prod_other', 'var_4')}/inventory-items/${iid}`, { required_quantity: 2 })).status).toBe(404);
});

test('unlinking removes the link; the last unlink leaves an empty variant; deleting a linked item removes its links', async () => {
  const a = await item('V-UN-A', [[wh1, 5]]);
  const b = await item('V-UN-B', [[wh1, 5]]);
  await api.post(`${base('prod_5', 'var_5')}/inventory-items`, { inventory_item_id: a });
  await api.post(`${base('prod_5', 'var_5')}/inventory-items`, { inventory_item_id: b });
  const res = await api.del(`${base('prod_5', 'var_5')}/inventory-items/${a}`);
  expect(res.status).toBe(200);
  expect(res.body.variant.inventory_items.map((l: any) => l.inventory_item_id)).toEqual([b]);
  expect((await api.del(`${base('prod_5', 'var_5')}/inventory-items/${a}`)).status).toBe(404);
  expect((await api.del(`/admin/inventory-items/${b}`)).status).toBe(200);
  expect((await api.get(base('prod_5', 'var_5'))).status).toBe(404);
  // with no links left, the variant may be linked under another product
  expect((await api.post(`${base('prod_6', 'var_5')}/inventory-items`, { inventory_item_id: a })).status).toBe(200);
});
