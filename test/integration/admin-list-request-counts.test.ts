/**
 * DynamoDB requests of a page of 50 admin items (GET /admin/inventory-items), counted at the client:
 * Medusa's default (each item with its levels and sums) and `fields` without them, against P6's
 * budget of 3 requests for a page of 50.
 */
import { createItem, listItems } from '../../functions/core/items.ts';
import { createLevel } from '../../functions/core/levels.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import type { Actor } from '../../functions/core/model.ts';
import { requestCounter } from '../support/client.ts';
import { newTenant } from '../support/api.ts';

const requests = requestCounter();
const { count } = requests;
beforeAll(() => requests.install());
afterAll(() => requests.restore());

const page = { offset: 0, limit: 50 };

test('a page of 50 items with their levels is 3 requests at one warehouse (ids, warehouses, one BatchGet), 2 without levels; many warehouses: one Query per item at most', async () => {
  const actor: Actor = { tenant: newTenant(), keyId: 'k', keyName: 'counter', scopes: ['inventory:write', 'inventory:read'] };
  const w = await createWarehouse(actor, { name: 'A' });
  const ids: string[] = [];
  for (let i = 0; i < 60; i++) {
    const item = await createItem(actor, { sku: `PAGE-${String(i).padStart(2, '0')}` });
    ids.push(item.id);
    if (i % 2 === 0) await createLevel(actor, item.id, { location_id: w.id, stocked_quantity: i });
  }
  const withLevels = await count(() => listItems(actor, { ...page, withLevels: true }));
  expect(withLevels.kinds).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
  expect(withLevels.out.count).toBe(60);
  expect(withLevels.out.items.map((i) => i.id)).toEqual(ids.slice(0, 50));
  expect(withLevels.out.items[2]).toMatchObject({ stocked_quantity: 2, reserved_quantity: 0, location_levels: [{ location_id: w.id, stocked_quantity: 2 }] });
  expect(withLevels.out.items[1]).toMatchObject({ stocked_quantity: 0, location_levels: [] });

  const bare = await count(() => listItems(actor, { ...page, withLevels: false }));
  expect(bare.kinds).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });

  // three more warehouses: 50 × 5 keys = 3 BatchGets (5 requests in all, beyond P6's 3: docs/design.md)
  for (const name of ['B', 'C', 'D']) await createWarehouse(actor, { name });
  const four = await count(() => listItems(actor, { ...page, withLevels: true }));
  expect(four.kinds).toEqual({ QueryCommand: 2, BatchGetItemCommand: 3 });
  expect(four.out.items[2]).toMatchObject({ stocked_quantity: 2 });
});
