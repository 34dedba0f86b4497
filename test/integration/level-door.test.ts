/**
 * The level's one door (store/levels.ts): the defects of the second write-path review, each replayed
 * as it happened — a staged interleaving (a client middleware runs the other write just before the
 * write under test is sent), a lost index entry, or plain requests. Each failed before the door.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../../functions/core/errors.ts';
import { createItem, getItem, updateItem } from '../../functions/core/items.ts';
import { adjustLevel, createLevel, setLevel } from '../../functions/core/levels.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import { reconcile } from '../../functions/core/reconcile.ts';
import { createReservation } from '../../functions/core/reservations.ts';
import { transfer } from '../../functions/core/inventory.ts';
import type { Actor } from '../../functions/core/model.ts';
import { db, tableName } from '../../functions/store/db.ts';
import { keys } from '../../functions/store/keys.ts';
import { readHot, settleHotLevel } from '../../functions/store/levels.ts';
import { newTenant, startApi } from '../support/api.ts';
import { stager, str, tx } from '../support/stage.ts';

const stage = stager('levelDoor');
// per test: the HTTP test's server (test/support/api.ts) sets the store's client back when it closes
beforeEach(() => stage.install());
afterEach(() => {
  stage.disarm();
  stage.restore();
});

const actor = (): Actor => ({ tenant: newTenant(), keyId: 'k', keyName: 'door-test', scopes: ['inventory:write', 'reservations:write'] });
const now = () => new Date().toISOString();
const park = (a: Actor, iid: string, wid: string) => settleHotLevel(a.tenant, iid, wid, now());

async function stockedLevel(a: Actor, stocked: number, item: Record<string, unknown> = {}) {
  const wid = (await createWarehouse(a, { name: 'Door' })).id;
  const iid = (await createItem(a, { sku: `DOOR-${Math.random().toString(36).slice(2, 8)}`, ...item })).id;
  await createLevel(a, iid, { location_id: wid, stocked_quantity: stocked });
  return { iid, wid };
}
const shown = async (a: Actor, iid: string) => {
  const l = (await getItem(a, iid)).location_levels![0]!;
  return { stocked: l.stocked_quantity, reserved: l.reserved_quantity, available: l.available_quantity, hot_shards: (l as { hot_shards?: number }).hot_shards };
};
const raw = async (a: Actor, iid: string, wid: string) =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: keys.level(a.tenant, iid, wid), ConsistentRead: true }))).Item!;
/** `n` reservations of 1 one after another: how many were accepted. */
async function reserveOnes(a: Actor, iid: string, wid: string, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    try {
      await createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 1 });
      ok++;
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'INSUFFICIENT_STOCK') throw err;
    }
  }
  return ok;
}

/**
 * The switch to hot mode as the review caught it: its hot_shards committed and the consumer parked,
 * while any later write of the switch (a level write of its own, if it has one) waits until the
 * stock write under test has been sent.
 */
function switchHotDuring(a: Actor, iid: string, wid: string, n: number, quantityOfOthers: number) {
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  let switching: Promise<unknown> = Promise.resolve();
  const staged = stage.before(tx('Update', `L#${wid}`), async () => {
    // the switch's writes that carry no hot_shards wait for the write under test (the hook is off now,
    // so a second, narrower hook holds them)
    stage.before(
      (command, input) =>
        command === 'TransactWriteItemsCommand' &&
        !!input.TransactItems?.some(
          (t) =>
            t.Update &&
            str(t.Update.Key?.SK) === `L#${wid}` &&
            !/hot_shards/.test(String(t.Update.UpdateExpression)) &&
            Number(str(t.Update.ExpressionAttributeValues?.[':stocked_quantity']?.N ?? t.Update.ExpressionAttributeValues?.[':stocked_quantity'])) ===
              quantityOfOthers,
        ),
      () => held,
    );
    switching = setLevel(a, iid, wid, { hot_shards: n });
    // wait until the switch's hot_shards is on the level (or the whole switch is done)
    for (let i = 0; i < 200 && !(await raw(a, iid, wid)).hot_shards; i++) await new Promise((r) => setTimeout(r, 10));
    await park(a, iid, wid);
  });
  return {
    ran: staged.ran,
    done: async () => {
      release();
      stage.disarm();
      await switching;
    },
  };
}

test('a count planned before the level went hot and parked its units is planned again: 2 on hand sells 2, not 10', async () => {
  const a = actor();
  const { iid, wid } = await stockedLevel(a, 10);
  const staged = switchHotDuring(a, iid, wid, 2, 10);
  const counting = setLevel(a, iid, wid, { stocked_quantity: 2 });
  await counting.finally(() => staged.done());
  expect(staged.ran()).toBe(true);
  expect(await shown(a, iid)).toMatchObject({ stocked: 2, reserved: 0, available: 2, hot_shards: 2 });
  await park(a, iid, wid);
  expect(await reserveOnes(a, iid, wid, 10)).toBe(2);
  expect(await shown(a, iid)).toMatchObject({ stocked: 2, reserved: 2, available: 0 });
});

test('a transfer out planned before the source went hot takes its parked units back: the shards never sell what left', async () => {
  const a = actor();
  const { iid, wid } = await stockedLevel(a, 10);
  const to = (await createWarehouse(a, { name: 'Other' })).id;
  const sku = (await getItem(a, iid)).sku!;
  const staged = switchHotDuring(a, iid, wid, 2, 10);
  await transfer(a, sku, { from_warehouse_id: wid, to_warehouse_id: to, quantity: 8 } as never).finally(() => staged.done());
  expect(staged.ran()).toBe(true);
  await park(a, iid, wid);
  expect(await reserveOnes(a, iid, wid, 10)).toBe(2);
});

test('backorders spent at a hot level take the parked units back first: with backorders off again, the shards sell only what is free', async () => {
  const a = actor();
  const { iid, wid } = await stockedLevel(a, 10, { allow_backorder: true, backorder_limit: 5 });
  await setLevel(a, iid, wid, { hot_shards: 4 });
  await park(a, iid, wid);
  expect((await readHot(a.tenant, iid, wid))!.allots).toEqual([3, 3, 2, 2]);
  // 4 is more than any one shard holds: the level's own path, where backorders may be spent
  await createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 4 });
  expect(await shown(a, iid)).toMatchObject({ stocked: 10, reserved: 4, available: 6 });
  await updateItem(a, iid, { allow_backorder: false });
  await park(a, iid, wid);
  expect(await reserveOnes(a, iid, wid, 10)).toBe(6);
  expect(await shown(a, iid)).toMatchObject({ reserved: 10, available: 0 });
});

test('a refused level change leaves hot mode as it was (hot_shards goes in the same write)', async () => {
  const a = actor();
  const { iid, wid } = await stockedLevel(a, 10);
  await expect(adjustLevel(a, iid, wid, { adjustment: -1, expected_quantity: 7, hot_shards: 4 } as never)).rejects.toMatchObject({ code: 'QUANTITY_MISMATCH' });
  expect((await raw(a, iid, wid)).hot_shards).toBeUndefined();
  // and a hot level stays hot with its shards when the switch off is refused
  await setLevel(a, iid, wid, { hot_shards: 2 });
  await park(a, iid, wid);
  await expect(setLevel(a, iid, wid, { hot_shards: 0, stocked_quantity: 3, expected_quantity: 9 } as never)).rejects.toMatchObject({
    code: 'QUANTITY_MISMATCH',
  });
  expect((await raw(a, iid, wid)).hot_shards).toBe(2);
  expect((await readHot(a.tenant, iid, wid))!.parked).toBe(10);
});

test('a keyed reservation refused at a hot level commits nothing, so the same key after a restock reserves', async () => {
  const api = await startApi();
  try {
    const wid = (await api.post('/admin/stock-locations', { name: 'Hot' })).body.stock_location.id;
    const iid = (await api.post('/admin/inventory-items', { sku: `DOOR-KEY-${Math.random().toString(36).slice(2, 8)}` })).body.inventory_item.id;
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: 10 });
    await api.post(`/admin/inventory-items/${iid}/location-levels/${wid}`, { hot_shards: 2 });
    await settleHotLevel(api.tenant, iid, wid, now());
    const headers = { 'idempotency-key': `order-${Math.random().toString(36).slice(2, 10)}` };
    const body = { inventory_item_id: iid, location_id: wid, quantity: 7 };
    // 7 is more than one shard holds: the level's path; just before it writes, another order takes 5
    stage.install();
    const staged = stage.before(
      (command, input) => command === 'TransactWriteItemsCommand' && !!input.TransactItems?.some((t) => t.Update && str(t.Update.Key?.SK) === `L#${wid}`),
      () => api.post('/admin/reservations', { inventory_item_id: iid, location_id: wid, quantity: 5 }),
    );
    const first = await api.request('POST', '/admin/reservations', body, { headers });
    expect(staged.ran()).toBe(true);
    expect(first.status).toBe(400);
    expect(first.body.code).toBe('INSUFFICIENT_STOCK');
    await api.post(`/admin/inventory-items/${iid}/location-levels/${wid}/adjust`, { adjustment: 5 });
    const again = await api.request('POST', '/admin/reservations', body, { headers });
    expect(again.status).toBe(200);
    expect(again.body.reservation).toMatchObject({ inventory_item_id: iid, quantity: 7 });
    const level = (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels[0];
    expect(level).toMatchObject({ stocked_quantity: 15, reserved_quantity: 12, available_quantity: 3 });
  } finally {
    await api.close();
  }
});

test('reconcile does not repair from a reservation index that has not caught up (it would set reserved too low)', async () => {
  const a = actor();
  const { iid, wid } = await stockedLevel(a, 10);
  await createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 3 });
  const before = process.env.INVENTORY_REPAIR_QUIET_SECONDS;
  process.env.INVENTORY_REPAIR_QUIET_SECONDS = '5';
  try {
    // the reservation is committed, but the index does not show it yet
    stage.lag((command, input, item) => command === 'QueryCommand' && !!input.IndexName && str(item.inventory_item_id) === iid);
    const result = await reconcile(a.tenant, { repair: true, by: 'test', publish: async () => {} });
    const drift = result.drifts.find((d) => d.inventory_item_id === iid && d.kind === 'reserved');
    expect(drift).toMatchObject({ recorded: 3, expected: 0, repaired: false });
    expect(drift!.note).toMatch(/too recently/);
    expect(await shown(a, iid)).toMatchObject({ reserved: 3, available: 7 });
    stage.disarm();
    // a real drift on a level left alone longer than the quiet time is still repaired
    const longAgo = new Date(Date.now() - 60_000).toISOString();
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.level(a.tenant, iid, wid),
        UpdateExpression: 'SET reserved_quantity = :r, available_quantity = :av, updated_at = :t',
        ExpressionAttributeValues: { ':r': 9, ':av': 1, ':t': longAgo },
      }),
    );
    const fixed = await reconcile(a.tenant, { repair: true, by: 'test', publish: async () => {} });
    expect(fixed.drifts.find((d) => d.inventory_item_id === iid && d.kind === 'reserved')).toMatchObject({ recorded: 9, expected: 3, repaired: true });
    expect(await shown(a, iid)).toMatchObject({ reserved: 3, available: 7 });
  } finally {
    if (before === undefined) delete process.env.INVENTORY_REPAIR_QUIET_SECONDS;
    else process.env.INVENTORY_REPAIR_QUIET_SECONDS = before;
  }
});
