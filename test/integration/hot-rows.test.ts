/**
 * No shared row in the common write paths: concurrent writers of different records see no
 * TransactionConflict. Runs through a DynamoDB front of its own (conflicts on, 10 ms commit time) so
 * it can count the conflicts the front answered; the store retries them, so they would not show in
 * the results alone.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../../functions/core/errors.ts';
import { createHold } from '../../functions/core/holds.ts';
import { createItem, updateItem } from '../../functions/core/items.ts';
import { adjustLevel, createLevel, deleteLevel } from '../../functions/core/levels.ts';
import { applyStock, transfer } from '../../functions/core/inventory.ts';
import { createWarehouse, deleteWarehouse, updateWarehouse } from '../../functions/core/locations.ts';
import { createReservation } from '../../functions/core/reservations.ts';
import { skuTotal } from '../../functions/store/items.ts';
import { fanOutReadonly, LEVEL_COUNT_SHARDS, levelCount, levelCountShard } from '../../functions/store/locations.ts';
import { keys } from '../../functions/store/keys.ts';
import type { Actor } from '../../functions/core/model.ts';
import { db, tableName } from '../../functions/store/db.ts';
import { startDynamoFront } from '../../lib/local/dynamo-front.ts';
import { useOwnFront } from '../support/own-front.ts';
import { newTenant } from '../support/api.ts';

const front = useOwnFront((target) => startDynamoFront({ target, conflicts: true, commitMs: 10 }));

const actor = (): Actor => ({ tenant: newTenant(), keyId: 'k', keyName: 'hot-rows', scopes: ['inventory:write', 'reservations:write'] });

test('32 concurrent item creations of one tenant: zero transaction conflicts (the stats row is in no transaction), and the sku count is exact', async () => {
  const a = actor();
  front().resetStats();
  await Promise.all(Array.from({ length: 32 }, (_, i) => createItem(a, { sku: `HOT-${i}` })));
  expect({ tx: front().stats.txConflicts, single: front().stats.writeConflicts }).toEqual({ tx: 0, single: 0 });
  expect(await skuTotal(a.tenant)).toBe(32);
});

/** The code a write fails with (undefined: it succeeded). */
const codeOf = async (write: Promise<unknown>) => {
  try {
    await write;
    return undefined;
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
};
const conflicts = () => ({ tx: front().stats.txConflicts, single: front().stats.writeConflicts });
const level = async (tenant: string, iid: string, wid: string) =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: keys.level(tenant, iid, wid), ConsistentRead: true }))).Item!;

test('16 concurrent level creations at one warehouse, one per level-count shard: zero transaction conflicts; the count is exact and guards the delete', async () => {
  const a = actor();
  const wid = (await createWarehouse(a, { name: 'Births' })).id;
  // items whose levels count on 16 different shards (items.ts levelCountShard): with the count on the
  // warehouse row, every pair of these creations conflicted
  const byShard = new Map<number, string>();
  for (let i = 0; byShard.size < LEVEL_COUNT_SHARDS; i += LEVEL_COUNT_SHARDS) {
    const made = await Promise.all(Array.from({ length: LEVEL_COUNT_SHARDS }, async (_, k) => (await createItem(a, { sku: `BIRTH-${i + k}` })).id));
    for (const iid of made) if (!byShard.has(levelCountShard(iid))) byShard.set(levelCountShard(iid), iid);
  }
  front().resetStats();
  await Promise.all([...byShard.values()].map((iid) => createLevel(a, iid, { location_id: wid, stocked_quantity: 5 })));
  expect(conflicts()).toEqual({ tx: 0, single: 0 });
  expect(await levelCount(a.tenant, wid)).toBe(LEVEL_COUNT_SHARDS);
  // a level removed counts down on its shard
  const [first, second] = [...byShard.values()];
  await deleteLevel(a, first!, wid);
  expect(await levelCount(a.tenant, wid)).toBe(LEVEL_COUNT_SHARDS - 1);
  // the warehouse still holds levels (with stock): no delete
  expect(await codeOf(deleteWarehouse(a, wid))).toBe('CONFLICT');
  for (const iid of [...byShard.values()].slice(1)) await deleteLevel(a, iid, wid);
  expect(await levelCount(a.tenant, wid)).toBe(0);
  await deleteWarehouse(a, wid);
  expect(await codeOf(createLevel(a, second!, { location_id: wid }))).toBe('WAREHOUSE_NOT_FOUND');
  expect(await levelCount(a.tenant, wid)).toBe(0);
});

test('a warehouse stored before the shards keeps counting on its own row: creations, the read-only toggle and the delete still hold', async () => {
  const a = actor();
  const wid = 'wh_legacy';
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...keys.warehouse(a.tenant, wid),
        ...keys.warehouseIndex(a.tenant, wid),
        entity: 'warehouse',
        id: wid,
        name: 'Old',
        type: 'own',
        is_readonly: false,
        priority: 0,
        level_count: 0,
      },
    }),
  );
  const iid = (await createItem(a, { sku: 'LEGACY-1' })).id;
  await createLevel(a, iid, { location_id: wid, stocked_quantity: 3 });
  expect(await levelCount(a.tenant, wid)).toBe(1);
  const row = async () => (await db().send(new GetCommand({ TableName: tableName(), Key: keys.warehouse(a.tenant, wid), ConsistentRead: true }))).Item!;
  expect((await row()).level_count).toBe(1);
  await updateWarehouse(a, wid, { is_readonly: true });
  expect(await codeOf(adjustLevel(a, iid, wid, { adjustment: 1 }))).toBe('READONLY_WAREHOUSE');
  await updateWarehouse(a, wid, { is_readonly: false });
  await adjustLevel(a, iid, wid, { adjustment: -3 });
  await deleteLevel(a, iid, wid);
  expect((await row()).level_count).toBe(0);
  await deleteWarehouse(a, wid);
  expect(await codeOf(createLevel(a, iid, { location_id: wid }))).toBe('WAREHOUSE_NOT_FOUND');
});

test('32 concurrent stock writers on 32 different SKUs of one warehouse: zero transaction conflicts (no warehouse row in their transactions)', async () => {
  const a = actor();
  const wid = (await createWarehouse(a, { name: 'Shared' })).id;
  const dst = (await createWarehouse(a, { name: 'Other' })).id;
  const skus = Array.from({ length: 32 }, (_, i) => `WH-${i}`);
  const iids = await Promise.all(skus.map(async (sku) => (await createItem(a, { sku })).id));
  await Promise.all(
    iids.map(async (iid) => {
      await createLevel(a, iid, { location_id: wid, stocked_quantity: 100 });
      await createLevel(a, iid, { location_id: dst, stocked_quantity: 0 });
    }),
  );
  front().resetStats();
  // a set, an adjustment and a transfer per SKU, all SKUs at once
  await Promise.all(
    skus.map(async (sku, i) => {
      await applyStock(a, sku, { warehouse_id: wid, quantity: 200 + i });
      await adjustLevel(a, iids[i], wid, { adjustment: -10 });
      await transfer(a, sku, { from_warehouse_id: wid, to_warehouse_id: dst, quantity: 5 });
    }),
  );
  expect(conflicts()).toEqual({ tx: 0, single: 0 });
  const after = await Promise.all(iids.map((iid) => level(a.tenant, iid, wid)));
  expect(after.map((l) => l.stocked_quantity)).toEqual(skus.map((_, i) => 200 + i - 15));
});

test('32 concurrent reservations of one item at 32 different warehouses: zero transaction conflicts (no item row in their transactions), with and without backorders, and holds', async () => {
  const a = actor();
  const whs = await Promise.all(Array.from({ length: 32 }, async (_, i) => (await createWarehouse(a, { name: `W${i}` })).id));
  const strict = (await createItem(a, { sku: 'ONE-ITEM' })).id;
  const backorder = (await createItem(a, { sku: 'ONE-BO', allow_backorder: true })).id;
  // each item's levels one after another (each takes the item's next level_seq), the two items side by side
  const stockAll = async (iid: string, stocked_quantity: number) => {
    for (const wid of whs) await createLevel(a, iid, { location_id: wid, stocked_quantity });
  };
  await Promise.all([stockAll(strict, 10), stockAll(backorder, 0)]);
  front().resetStats();
  await Promise.all(whs.map((wid) => createReservation(a, { inventory_item_id: strict, location_id: wid, quantity: 2 })));
  await Promise.all(whs.map((wid) => createReservation(a, { inventory_item_id: backorder, location_id: wid, quantity: 3 })));
  await Promise.all(whs.map((wid, i) => createHold(a, { reference: `SO-${i}`, lines: [{ sku: 'ONE-ITEM', quantity: 1, warehouse_id: wid }] })));
  expect(conflicts()).toEqual({ tx: 0, single: 0 });
  for (const wid of whs) {
    expect((await level(a.tenant, strict, wid)).reserved_quantity).toBe(3);
    expect((await level(a.tenant, backorder, wid)).available_quantity).toBe(-3);
  }
});

test('a read-only toggle is honoured: a stock write after PATCH returns is refused (set, adjust, transfer), toggling back allows it again', async () => {
  const a = actor();
  const wid = (await createWarehouse(a, { name: 'Toggle' })).id;
  const other = (await createWarehouse(a, { name: 'Elsewhere' })).id;
  const iids = await Promise.all(Array.from({ length: 5 }, async (_, i) => (await createItem(a, { sku: `RO-${i}` })).id));
  for (const iid of iids) await createLevel(a, iid, { location_id: wid, stocked_quantity: 50 });
  await createLevel(a, iids[0], { location_id: other, stocked_quantity: 50 });

  await updateWarehouse(a, wid, { is_readonly: true });
  for (const [i, iid] of iids.entries()) {
    expect(await codeOf(applyStock(a, `RO-${i}`, { warehouse_id: wid, quantity: 7 }))).toBe('READONLY_WAREHOUSE');
    expect(await codeOf(adjustLevel(a, iid, wid, { adjustment: 1 }))).toBe('READONLY_WAREHOUSE');
  }
  expect(await codeOf(transfer(a, 'RO-0', { from_warehouse_id: wid, to_warehouse_id: other, quantity: 1 }))).toBe('READONLY_WAREHOUSE');
  expect(await codeOf(transfer(a, 'RO-0', { from_warehouse_id: other, to_warehouse_id: wid, quantity: 1 }))).toBe('READONLY_WAREHOUSE');
  // reservations stay allowed at a read-only warehouse
  expect(await codeOf(createReservation(a, { inventory_item_id: iids[1], location_id: wid, quantity: 1 }))).toBeUndefined();
  // a level created at the read-only warehouse copies the flag
  const late = (await createItem(a, { sku: 'RO-LATE' })).id;
  await createLevel(a, late, { location_id: wid });
  expect(await codeOf(applyStock(a, 'RO-LATE', { warehouse_id: wid, quantity: 3 }))).toBe('READONLY_WAREHOUSE');

  await updateWarehouse(a, wid, { is_readonly: false });
  for (const [i] of iids.entries()) expect(await codeOf(applyStock(a, `RO-${i}`, { warehouse_id: wid, quantity: 7 }))).toBeUndefined();
  expect(await codeOf(applyStock(a, 'RO-LATE', { warehouse_id: wid, quantity: 3 }))).toBeUndefined();
  expect(await codeOf(transfer(a, 'RO-0', { from_warehouse_id: wid, to_warehouse_id: other, quantity: 1 }))).toBeUndefined();
});

test('an out-of-order fan-out (an older toggle arriving late) does not overwrite a newer flag', async () => {
  const a = actor();
  const wid = (await createWarehouse(a, { name: 'Order' })).id;
  const iid = (await createItem(a, { sku: 'OOO-1' })).id;
  await createLevel(a, iid, { location_id: wid, stocked_quantity: 5 });
  await updateWarehouse(a, wid, { is_readonly: true });
  await updateWarehouse(a, wid, { is_readonly: false });
  await updateWarehouse(a, wid, { is_readonly: true });
  const now = await level(a.tenant, iid, wid);
  expect(now).toMatchObject({ wh_readonly: true });
  const seq = Number(now.wh_ro_seq);
  // the fan-out of the second toggle (writable, one sequence older) runs late: nothing moves
  expect(await fanOutReadonly(a.tenant, wid, false, seq - 1)).toBe(0);
  expect(await level(a.tenant, iid, wid)).toMatchObject({ wh_readonly: true, wh_ro_seq: seq });
  expect(await codeOf(applyStock(a, 'OOO-1', { warehouse_id: wid, quantity: 9 }))).toBe('READONLY_WAREHOUSE');
  // the same (or a newer) sequence is applied once; a repeat changes nothing
  expect(await fanOutReadonly(a.tenant, wid, false, seq + 1)).toBe(1);
  expect(await fanOutReadonly(a.tenant, wid, false, seq + 1)).toBe(0);
  expect(await codeOf(applyStock(a, 'OOO-1', { warehouse_id: wid, quantity: 9 }))).toBeUndefined();
});

test('a policy change to no backorders is honoured by the next reservation at every level (in the item transaction up to 98 levels, level by level beyond)', async () => {
  const a = actor();
  for (const n of [3, 100]) {
    const whs: string[] = [];
    for (let i = 0; i < n; i += 20)
      whs.push(...(await Promise.all(Array.from({ length: Math.min(20, n - i) }, async (_, k) => (await createWarehouse(a, { name: `P${i + k}` })).id))));
    const iid = (await createItem(a, { sku: `POL-${n}`, allow_backorder: true })).id;
    for (const wid of whs) await createLevel(a, iid, { location_id: wid });
    // backorders allowed: a reservation at an empty level goes below zero
    expect(await codeOf(createReservation(a, { inventory_item_id: iid, location_id: whs[0], quantity: 1 }))).toBeUndefined();
    await updateItem(a, iid, { allow_backorder: false });
    const codes = await Promise.all(whs.map((wid) => codeOf(createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 1 }))));
    expect(new Set(codes)).toEqual(new Set(['INSUFFICIENT_STOCK']));
    const copies = await Promise.all(whs.map((wid) => level(a.tenant, iid, wid)));
    expect(new Set(copies.map((l) => `${l.policy_version}:${l.policy_allow_backorder}`))).toEqual(new Set(['2:false']));
    // and back: allowed again at every level
    await updateItem(a, iid, { allow_backorder: true });
    const again = await Promise.all(whs.slice(0, 5).map((wid) => codeOf(createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 1 }))));
    expect(again).toEqual(whs.slice(0, 5).map(() => undefined));
  }
}, 120_000);
