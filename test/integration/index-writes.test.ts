/**
 * Item 4 of issue 22: no partition shared by a whole warehouse or tenant in the write path. The
 * indexes project no attribute a stock change writes (lib/table-definition.ts INDEX_ATTRIBUTES), and
 * the front charges an index write only when a write changes the item's index entry (a key or a
 * projected attribute), as AWS does. Counted here per index partition at the front (its
 * `indexWrites`): reservations, releases, fulfilments and stock changes of a flagged level write 0
 * entries to `T#t#LOC#<wid>` (every level of a warehouse), `T#t#SKUS` and `T#t#LOW` (every level of
 * the tenant), while making a level does write them (the count can fail) and a reservation writes
 * its own entries (its sharded `T#t#RES#<h>`). No timings.
 */
import { createItem } from '../../functions/core/items.ts';
import { adjustLevel, createLevel, setLevel } from '../../functions/core/levels.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import { createReservation, fulfillReservation, releaseReservation, updateReservation } from '../../functions/core/reservations.ts';
import { listInventory } from '../../functions/core/inventory.ts';
import { setLevelFlag } from '../../functions/store/levels.ts';
import { startFrontFor } from '../../lib/local/dynamo-front.ts';
import { newTenant } from '../support/api.ts';
import { useOwnFront } from '../support/own-front.ts';
import { seedActor } from '../support/seed.ts';

// throughput on (item sizes read, index entries counted) at full scale: nothing here comes near a limit
const front = useOwnFront((target) => startFrontFor(target, { iam: true, conflicts: true, throughput: true }, 0, { scale: 1 }));

/** Index entries written since the last reset, per `<index>\t<partition>`, this tenant's only. */
const writesOf = (tenant: string) => [...front().stats.indexWrites].filter(([k]) => k.includes(`T#${tenant}#`));
/** The partitions every level of a warehouse or of the tenant shares. */
const shared = (tenant: string, wids: string[]) => [...wids.map((w) => `T#${tenant}#LOC#${w}`), `T#${tenant}#SKUS`, `T#${tenant}#LOW`];

test('reservations and stock changes write no index entry on a warehouse-wide or tenant-wide partition', async () => {
  const tenant = newTenant();
  const actor = seedActor(tenant);
  const w1 = await createWarehouse(actor, { name: 'A' });
  const w2 = await createWarehouse(actor, { name: 'B' });
  const item = await createItem(actor, { sku: 'IDX-1', title: 'Index writes' });

  front().resetStats();
  await createLevel(actor, item.id, { location_id: w1.id, stocked_quantity: 100 });
  await createLevel(actor, item.id, { location_id: w2.id, stocked_quantity: 5 });
  // the control: a new level is an entry of its warehouse's list and of the SKU index
  const made = new Map(writesOf(tenant));
  expect(made.get(`GSI1i\tT#${tenant}#LOC#${w1.id}`)).toBe(1);
  expect(made.get(`GSI3i\tT#${tenant}#SKUS`)).toBe(2);
  // flagged low (as the stream consumer does): the level is an entry of T#t#LOW from now on
  expect(await setLevelFlag(tenant, item.id, w2.id, 'low', 'Index writes', { seen: null })).toBe(true);
  expect(new Map(writesOf(tenant)).get(`GSI2i\tT#${tenant}#LOW`)).toBe(1);

  front().resetStats();
  const r1 = await createReservation(actor, { inventory_item_id: item.id, location_id: w1.id, quantity: 3, line_item_id: 'line-1' });
  const r2 = await createReservation(actor, { inventory_item_id: item.id, location_id: w2.id, quantity: 1 });
  await updateReservation(actor, r1.id, { quantity: 4 });
  await releaseReservation(actor, r2.id);
  await fulfillReservation(actor, r1.id);
  await adjustLevel(actor, item.id, w1.id, { adjustment: 7, reason: 'supplier_receipt' });
  await adjustLevel(actor, item.id, w2.id, { adjustment: -1 });
  await setLevel(actor, item.id, w1.id, { stocked_quantity: 50, incoming_quantity: 10 });
  const after = writesOf(tenant);
  // the writes did happen: each reservation put its own entries (its sharded list, its line item)
  expect(after.some(([k]) => /^GSI1i\tT#[^#]+#RES#\d+$/.test(k))).toBe(true);
  expect(after.some(([k]) => k === `GSI2i\tT#${tenant}#RLI#line-1`)).toBe(true);
  // and none of them wrote a partition every level of a warehouse or of the tenant shares
  const sharedKeys = new Set(shared(tenant, [w1.id, w2.id]));
  expect(after.filter(([k]) => sharedKeys.has(k.split('\t')[1]))).toEqual([]);
  // nor any other tenant-wide list (items, warehouses)
  expect(after.filter(([k]) => /#(ITEMS|WHS)$/.test(k))).toEqual([]);

  // the SKU page still shows the figures the index does not carry, read from the table
  const page = await listInventory(actor, { limit: 50 } as Parameters<typeof listInventory>[1]);
  expect(page.meta.total).toBe(1);
  const sku = page.data[0]!;
  expect(sku.sku).toBe('IDX-1');
  expect(sku.title).toBe('Index writes');
  expect(sku.total_on_hand).toBe(50 + 5 - 1);
  expect(sku.total_incoming).toBe(10);
  expect(sku.total_reserved).toBe(0);
  expect(sku.warehouses.map((w) => w.name).sort()).toEqual(['A', 'B']);
});
