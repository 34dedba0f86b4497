/**
 * DynamoDB requests per operation, counted at the client (a middleware), not estimated: a page of
 * 50 SKUs costs the same whatever the catalogue size, and a 500-row bulk costs a few dozen.
 */
import { bulkUpdate } from '../../functions/core/bulk.ts';
import { createReservation } from '../../functions/core/reservations.ts';
import { listInventory } from '../../functions/core/inventory.ts';
import { createItem } from '../../functions/core/items.ts';
import { createLevel } from '../../functions/core/levels.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import { createInbound } from '../../functions/core/inbound.ts';
import { moveUnits } from '../../functions/core/moves.ts';
import type { Actor } from '../../functions/core/model.ts';
import { requestCounter } from '../support/client.ts';
import { newTenant } from '../support/api.ts';
import { seedItems } from '../support/seed.ts';

const requests = requestCounter();
const { counted, count } = requests;
beforeAll(() => requests.install());
afterAll(() => requests.restore());

/** `size` SKUs; each stocked at both warehouses, or with `oneLevel` only at the one the bulk test sets (odd: A, even: B). */
async function catalogue(size: number, oneLevel = false) {
  const actor: Actor = { tenant: newTenant(), keyId: 'k', keyName: 'counter', scopes: ['inventory:write'] };
  const w1 = await createWarehouse(actor, { name: 'A' });
  const w2 = await createWarehouse(actor, { name: 'B' });
  const skus: string[] = Array.from({ length: size }, (_, i) => `RC-${String(i).padStart(5, '0')}`);
  const made = await seedItems(actor, size, (i) => ({
    sku: skus[i]!,
    title: `Item ${i}`,
    levels: [
      ...(!oneLevel || i % 2 ? [{ location_id: w1.id, stocked_quantity: 20 }] : []),
      ...(!oneLevel || !(i % 2) ? [{ location_id: w2.id, stocked_quantity: 5 }] : []),
    ],
  }));
  return { actor, w1: w1.id, w2: w2.id, skus, items: made.map((item) => item.id) };
}

let small: Awaited<ReturnType<typeof catalogue>>;
let large: Awaited<ReturnType<typeof catalogue>>;
beforeAll(async () => {
  // two tenants of their own: made side by side
  [small, large] = await Promise.all([catalogue(60), catalogue(500, true)]);
}, 180_000);

/**
 * The index carries no level figures (lib/table-definition.ts: stock changes write no index entry),
 * so a page is one Query of the SKU index and ⌈(levels + their warehouses + 17 count rows) ÷ 100⌉
 * BatchGets: the cost follows the levels per SKU on the page, not the catalogue size.
 */
test('a page of 50 SKUs costs at most 3 requests at 60 and at 500 SKUs (by its levels per SKU, not the catalogue size), and no Scan', async () => {
  const a = await count(() => listInventory(small.actor, { limit: 50 }));
  const b = await count(() => listInventory(large.actor, { limit: 50 }));
  const c = await count(() => listInventory(large.actor, { limit: 50, cursor: b.out.meta.nextCursor! }));
  console.log(`GET /api/inventory, 50 SKUs: ${a.requests} requests at 60 SKUs, ${b.requests} at 500 (next page ${c.requests})`, b.kinds);
  expect(b.out.data).toHaveLength(50);
  // 500 SKUs, one level each: 50 levels + 1 warehouse + 17 = 68 keys, one BatchGet; the next page too
  expect(b.kinds).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
  expect(c.requests).toBe(b.requests);
  // 60 SKUs, two levels each: 100 levels + 2 warehouses + 17 = 119 keys, two BatchGets
  expect(a.kinds).toEqual({ QueryCommand: 1, BatchGetItemCommand: 2 });
  expect(Math.max(a.requests, b.requests, c.requests)).toBeLessThanOrEqual(3);
  expect(counted).not.toContain('ScanCommand');
});

test('a 500-row bulk update costs batched reads and transactions of up to 100 actions', async () => {
  const updates = Array.from({ length: 500 }, (_, i) => ({ sku: large.skus[i]!, warehouse_id: i % 2 ? large.w1 : large.w2, quantity: 1000 + i }));
  const run = await count(() => bulkUpdate(large.actor, updates));
  console.log(`POST /api/inventory/bulk, 500 rows: ${run.requests} requests`, run.kinds);
  expect(run.out.data.applied).toBe(500);
  // 5 BatchGets of sku guards, 5 of levels, 1 of warehouses; 1000 actions + warehouse checks in ≤ 100-action transactions
  expect(run.kinds.TransactWriteItemsCommand).toBeLessThanOrEqual(11);
  expect(run.requests).toBeLessThanOrEqual(22);
});

test('a reservation is one transaction when the item allows no backorders; the backorder path reads the item first', async () => {
  const plain = await count(() => createReservation(small.actor, { inventory_item_id: small.items[0]!, location_id: small.w1, quantity: 1 }));
  expect(plain.kinds).toEqual({ TransactWriteItemsCommand: 1 });
  const bo = await createItem(small.actor, { sku: `RC-BO-${Date.now()}`, allow_backorder: true, backorder_limit: 5 });
  await createLevel(small.actor, bo.id, { location_id: small.w1, stocked_quantity: 1 });
  const backorder = await count(() => createReservation(small.actor, { inventory_item_id: bo.id, location_id: small.w1, quantity: 4 }));
  expect(backorder.kinds).toEqual({ TransactWriteItemsCommand: 2, QueryCommand: 1 });
  // not enough stock: answered from the failed condition, nothing written
  const refused = await count(() =>
    createReservation(small.actor, { inventory_item_id: small.items[0]!, location_id: small.w1, quantity: 1_000 }).catch((e) => e.code),
  );
  expect(refused.out).toBe('INSUFFICIENT_STOCK');
  expect(refused.requests).toBe(1);
});

/**
 * Issue 25's states and inbound lines change no cost of the page: a state is a figure of the level
 * row, and inbound lines are rows of their item's partition that the page does not read (the level
 * carries their sum as incoming). Counted on the 60-SKU catalogue after moves and inbound records.
 */
test('a page of 50 SKUs with named states and open inbound lines is still 3 requests (1 Query, 2 BatchGets)', async () => {
  const { actor, skus, w1, w2 } = small;
  for (const sku of skus.slice(0, 10)) await moveUnits(actor, sku, { warehouse_id: w1, from: 'available', to: 'damaged', quantity: 2, reason: 'damage' });
  for (const sku of skus.slice(10, 15))
    await moveUnits(actor, sku, { warehouse_id: w2, from: 'available', to: 'quality_control', quantity: 1, reason: 'cycle_count' });
  const expected_at = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  await createInbound(actor, {
    type: 'purchase_order',
    reference: 'PO-RC-1',
    warehouse_id: w1,
    lines: skus.slice(0, 20).map((sku) => ({ sku, quantity: 5, expected_at })),
  });
  const page = await count(() => listInventory(actor, { limit: 50 }));
  console.log(`GET /api/inventory, 50 SKUs with states and inbound: ${page.requests} requests`, page.kinds);
  expect(page.kinds).toEqual({ QueryCommand: 1, BatchGetItemCommand: 2 });
  // the page sees them: SKU 0's 2 damaged units at A are on hand, not available (the list's compact
  // entry shows on_hand, reserved and available; GET /api/inventory/{sku} names each state and incoming)
  const first = page.out.data.find((d: { sku: string }) => d.sku === skus[0])!;
  const atA = (first as unknown as { warehouses: Record<string, unknown>[] }).warehouses.find((w) => w.warehouse_id === w1)!;
  // (the file's reservation test may have reserved there: available = on hand − reserved − 2 damaged)
  const n = (k: string) => Number(atA[k]);
  expect([n('on_hand'), n('on_hand') - n('reserved') - n('available')]).toEqual([20, 2]);
});
