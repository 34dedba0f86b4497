/**
 * A hold's figures stay within the documented bounds (MAX_QUANTITY, 10⁹ units): quantity ×
 * required_quantity of a kit line, and a hold's units of one item over all its lines. Beyond them
 * the request is a 4xx naming the line, and nothing is reserved — with unbounded backorders too,
 * where no stock check stops it (before: a hold of 10⁹ kits answered 500, and holds of 10¹⁵ units
 * pushed `reserved` past 2⁵³, after which every read of the item answered 500).
 *
 * And one limit for the size of a hold, one answer: any hold that cannot fit one transaction is 422
 * HOLD_TOO_LARGE naming `lines` (before: 33–99 lines 422, 100 or more a 400 schema error).
 */
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
let wh: string;
beforeAll(async () => {
  api = await startApi();
  wh = (await api.post('/api/warehouses', { name: 'Bounds' })).body.data.id;
});
afterAll(() => api.close());

let n = 0;
/** An item whose backorders are unbounded (allow_backorder, no limit), stocked 0 at the warehouse. */
async function unboundedItem() {
  const sku = `BOUND-${Date.now().toString(36)}-${n++}`;
  const res = await api.post('/admin/inventory-items', { sku, allow_backorder: true, backorder_limit: null });
  expect(res.status).toBe(200);
  const iid = res.body.inventory_item.id as string;
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 0 })).status).toBe(200);
  return { sku, iid };
}
const level = async (iid: string) =>
  (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels.find(
    (l: { location_id: string }) => l.location_id === wh,
  );

test('a kit hold whose units (quantity × required_quantity) pass 10⁹ is a 4xx naming the line, nothing reserved, the item still reads', async () => {
  const x = await unboundedItem();
  const vid = `variant_bound${n++}`;
  expect(
    (await api.post(`/admin/products/prod_bound/variants/${vid}/inventory-items`, { inventory_item_id: x.iid, required_quantity: 1_000_000_000 })).status,
  ).toBe(200);
  const kit = { product_id: 'prod_bound', variant_id: vid };

  // one kit is 10⁹ units: it holds
  const one = await api.post('/api/holds', { reference: `bound-${n++}`, lines: [{ variant: kit, quantity: 1 }] });
  expect(one.status).toBe(201);
  expect(await api.del(`/api/holds/${one.body.data.id}`)).toMatchObject({ status: 200 });

  // 10⁹ kits are 10¹⁸ units
  const big = await api.post('/api/holds', {
    reference: `bound-${n++}`,
    lines: [
      { sku: x.sku, quantity: 1 },
      { variant: kit, quantity: 1_000_000_000 },
    ],
  });
  expect(big.status).toBe(422);
  expect(big.body.error.code).toBe('INVALID_QUANTITY');
  expect(big.body.error.details[0].field).toBe('lines.1.quantity');
  expect(big.body.error.message).toMatch(/lines\.1\.quantity/);

  // ten of them (each 10¹⁵ units: 10⁶ kits): each refused, `reserved` never leaves the bounds, every read answers
  for (let i = 0; i < 10; i++) {
    const res = await api.post('/api/holds', { reference: `bound-${n++}`, lines: [{ variant: kit, quantity: 1_000_000 }] });
    expect([res.status, res.body.error?.details?.[0]?.field]).toEqual([422, 'lines.0.quantity']);
  }
  expect(await level(x.iid)).toMatchObject({ reserved_quantity: 0, available_quantity: 0 });
  // the availability that explains itself says the same: it cannot be held
  const explained = await api.get(`/api/variants/prod_bound/${vid}/availability?quantity=1000000`);
  expect(explained.status).toBe(200);
  expect(explained.body.data).toMatchObject({ can_hold: false, reason: expect.stringMatching(/more than 1000000000/) });
  expect((await api.get(`/api/inventory/${x.sku}`)).status).toBe(200);
  expect((await api.get(`/admin/inventory-items/${x.iid}`)).status).toBe(200);
});

test("a hold's units of one item over several lines stay within 10⁹: the line that passes it is named", async () => {
  const x = await unboundedItem();
  const res = await api.post('/api/holds', {
    reference: `bound-${n++}`,
    lines: [
      { sku: x.sku, quantity: 600_000_000 },
      { sku: x.sku, quantity: 600_000_000 },
    ],
  });
  expect(res.status).toBe(422);
  expect(res.body.error.code).toBe('INVALID_QUANTITY');
  expect(res.body.error.details[0].field).toBe('lines.1.quantity');
  expect((await level(x.iid)).reserved_quantity).toBe(0);
});

test('one limit for the size of a hold: 97, 100 and 150 lines are all 422 HOLD_TOO_LARGE naming lines, before anything is read', async () => {
  for (const count of [97, 100, 150]) {
    // skus that do not exist: the size is refused first (a 404 would need reads a hold this size never gets)
    const lines = Array.from({ length: count }, (_, i) => ({ sku: `NO-SUCH-SKU-${i}`, quantity: 1 }));
    const res = await api.post('/api/holds', { reference: `size-${count}`, lines });
    expect([count, res.status, res.body.error?.code, res.body.error?.details?.[0]?.field]).toEqual([count, 422, 'HOLD_TOO_LARGE', 'lines']);
  }
});
