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
  const shirt = await item('V-SHIRT', [
    [wh1, 10],
    [wh2, 7],
  ]); // 17 available
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

test('variant links: changing required_quantity returns the variant with inventory_items[].required_quantity', async () => {
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
  for (const [q, status] of [
    [0, 422],
    [1.5, 422],
    [-2, 400],
  ]) {
    expect((await api.post(`${base('prod_3', 'var_3')}/inventory-items/${iid}`, { required_quantity: q })).status).toBe(status); // negative: 400, as Medusa
  }
  expect((await api.get(base('prod_3', 'var_3'))).body.variant.inventory_items[0].required_quantity).toBe(2);
});

test('linking an unknown item is 404; an unknown variant 404', async () => {
  expect((await api.post(`${base('prod_4', 'var_4')}/inventory-items`, { inventory_item_id: 'iitem_none' })).status).toBe(404);
  expect((await api.get(base('prod_4', 'var_4'))).status).toBe(404);
  expect((await api.post(`${base('prod_4', 'var_4x')}/inventory-items/iitem_none`, { required_quantity: 2 })).status).toBe(404);
});

test('linking twice is accepted (200, as Medusa): one link; a required_quantity given is set, none leaves it', async () => {
  const iid = await item('V-TWICE', [[wh1, 12]]);
  const first = await api.post(`${base('prod_7', 'var_7')}/inventory-items`, { inventory_item_id: iid, required_quantity: 2 });
  expect(first.status).toBe(200);
  const again = await api.post(`${base('prod_7', 'var_7')}/inventory-items`, { inventory_item_id: iid });
  expect(again.status).toBe(200);
  expect(again.body.variant.inventory_items).toHaveLength(1);
  expect(again.body.variant.inventory_items[0]).toMatchObject({ inventory_item_id: iid, required_quantity: 2, id: first.body.variant.inventory_items[0].id });
  const changed = await api.post(`${base('prod_7', 'var_7')}/inventory-items`, { inventory_item_id: iid, required_quantity: 3 });
  expect(changed.status).toBe(200);
  expect(changed.body.variant).toMatchObject({ inventory_quantity: 4, inventory_items: [expect.objectContaining({ required_quantity: 3 })] });
  // one link: one unlink takes it
  expect((await api.del(`${base('prod_7', 'var_7')}/inventory-items/${iid}`)).body.parent.inventory_items).toEqual([]);
});

test("the path's product id is not used to refuse (Medusa): link, change and unlink under another product act on the variant, which keeps its product", async () => {
  const a = await item('V-PROD-A', [[wh1, 5]]);
  const b = await item('V-PROD-B', [[wh1, 5]]);
  await api.post(`${base('prod_8', 'var_8')}/inventory-items`, { inventory_item_id: a });
  const linked = await api.post(`${base('prod_other', 'var_8')}/inventory-items`, { inventory_item_id: b });
  expect(linked.status).toBe(200);
  expect(linked.body.variant).toMatchObject({ id: 'var_8', product_id: 'prod_8' });
  expect(linked.body.variant.inventory_items.map((l: any) => l.inventory_item_id).sort()).toEqual([a, b].sort());
  const changed = await api.post(`${base('prod_other', 'var_8')}/inventory-items/${b}`, { required_quantity: 5 });
  expect(changed.status).toBe(200);
  expect(changed.body.variant.inventory_items.find((l: any) => l.inventory_item_id === b).required_quantity).toBe(5);
  const unlinked = await api.del(`${base('prod_other', 'var_8')}/inventory-items/${b}`);
  expect(unlinked.status).toBe(200);
  expect(unlinked.body.parent).toMatchObject({ id: 'var_8', product_id: 'prod_8' });
  // reading is under the variant's own product (Medusa reads a variant of that product)
  expect((await api.get(base('prod_8', 'var_8'))).status).toBe(200);
  expect((await api.get(base('prod_other', 'var_8'))).status).toBe(404);
});

test("unlinking answers Medusa's { id, object, deleted, parent }; the last unlink leaves the variant with inventory_items: [] (200); deleting a linked item removes its links", async () => {
  const a = await item('V-UN-A', [[wh1, 5]]);
  const b = await item('V-UN-B', [[wh1, 5]]);
  await api.post(`${base('prod_5', 'var_5')}/inventory-items`, { inventory_item_id: a });
  await api.post(`${base('prod_5', 'var_5')}/inventory-items`, { inventory_item_id: b });
  const res = await api.del(`${base('prod_5', 'var_5')}/inventory-items/${a}`);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    id: { Product: { variant_id: 'var_5' }, Inventory: { inventory_item_id: a } },
    object: 'variant-inventory-item-link',
    deleted: true,
    parent: expect.objectContaining({ id: 'var_5', product_id: 'prod_5', inventory_quantity: 5 }),
  });
  expect(res.body.parent.inventory_items.map((l: any) => l.inventory_item_id)).toEqual([b]);
  expect((await api.del(`${base('prod_5', 'var_5')}/inventory-items/${a}`)).status).toBe(404);
  expect((await api.del(`/admin/inventory-items/${b}`)).status).toBe(200);
  const empty = await api.get(base('prod_5', 'var_5'));
  expect(empty.status).toBe(200);
  expect(empty.body.variant).toEqual({ id: 'var_5', product_id: 'prod_5', inventory_quantity: 0, inventory_items: [] });
  // and it can be linked again
  expect((await api.post(`${base('prod_5', 'var_5')}/inventory-items`, { inventory_item_id: a })).body.variant.inventory_quantity).toBe(5);
});
