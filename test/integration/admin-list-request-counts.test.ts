/**
 * DynamoDB requests of a page of 50 admin items (GET /admin/inventory-items), counted at the client:
 * Medusa's default (each item with its levels and sums) and `fields` without them, against P6's
 * budget of 3 requests for a page of 50; and what a page of 50 reservations adds to embed their
 * items (GET /admin/reservations: Medusa's default `inventory_item.*`, `fields` without the sums).
 */
import { createItem, listItems } from '../../functions/core/items.ts';
import { createLevel } from '../../functions/core/levels.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import { fieldTree, RESERVATION_DEFAULTS, RESERVATION_MODEL } from '../../functions/core/fields.ts';
import { createReservation, listReservations, showReservations } from '../../functions/core/reservations.ts';
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

test("a page of 50 reservations embeds its items with their sums in 2 more requests at one warehouse (warehouses, one BatchGet), 1 without the sums; the list's own read is its 17 index Queries and one BatchGet of the rows", async () => {
  const actor: Actor = { tenant: newTenant(), keyId: 'k', keyName: 'counter', scopes: ['inventory:write', 'inventory:read'] };
  const w = await createWarehouse(actor, { name: 'A' });
  const iids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const item = await createItem(actor, { sku: `RPAGE-${String(i).padStart(2, '0')}` });
    await createLevel(actor, item.id, { location_id: w.id, stocked_quantity: 10 });
    iids.push(item.id);
  }
  // 60 reservations over 30 items (two each): a page of 50 names 25 or more items
  for (let i = 0; i < 60; i++) await createReservation(actor, { inventory_item_id: iids[i % 30], location_id: w.id, quantity: 1 });

  const list = await count(() => listReservations(actor, {}, page));
  expect(list.out.count).toBe(60);
  expect(list.out.reservations).toHaveLength(50);
  // docs/design.md's read table: 16 hashed GSI1 partitions and the unhashed one, in parallel (beyond P6's 3),
  // then the 50 reservations by key (the index projects no attribute a write changes)
  expect(list.kinds).toEqual({ QueryCommand: 17, BatchGetItemCommand: 1 });

  const embedded = await count(() => showReservations(actor, list.out.reservations, fieldTree(RESERVATION_DEFAULTS, undefined, RESERVATION_MODEL)));
  expect(embedded.kinds).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
  expect(embedded.out[0]).toMatchObject({ inventory_item: { id: list.out.reservations[0].inventory_item_id, stocked_quantity: 10, reserved_quantity: 2 } });
  expect(embedded.out[0].inventory_item).not.toHaveProperty('location_levels');

  const trimmed = await count(() =>
    showReservations(actor, list.out.reservations, fieldTree(RESERVATION_DEFAULTS, 'id,inventory_item.sku', RESERVATION_MODEL)),
  );
  expect(trimmed.kinds).toEqual({ BatchGetItemCommand: 1 });
  expect(trimmed.out[0]).toEqual({
    id: list.out.reservations[0].id,
    inventory_item: { id: list.out.reservations[0].inventory_item_id, sku: expect.stringMatching(/^RPAGE-/) },
  });
});
