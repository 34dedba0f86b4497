/**
 * Hot mode (store/hot.ts, docs/design.md "Hot mode"): a level's free stock split over shard items. Runs
 * through a DynamoDB front of its own with transaction conflicts and IAM on, so concurrent
 * reservations, rebalancing and unparking meet the conflicts AWS would answer, and the functions
 * (the routes through HTTP, the stream consumer and reconcile under their own names) only the calls
 * their grants allow. The background's part (settleHot) is called directly in the first tests and
 * runs from the stream in the last. The transactional design throughout (INVENTORY_HOT_DESIGN=shards:
 * the default is escrow, whose tests are test/api/hot-escrow.test.ts): a reservation here is a row at once.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createHold } from '../../functions/core/holds.ts';
import { createItem, getItem } from '../../functions/core/items.ts';
import { adjustLevel, createLevel, deleteLevel, setLevel } from '../../functions/core/levels.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import { bulkUpdate } from '../../functions/core/bulk.ts';
import { transfer } from '../../functions/core/inventory.ts';
import { reconcile } from '../../functions/core/reconcile.ts';
import { createReservation, listReservations, releaseReservation, updateReservation } from '../../functions/core/reservations.ts';
import type { Actor } from '../../functions/core/model.ts';
import { db, runAs, tableName } from '../../functions/store/db.ts';
import { readHot, settleHotLevel } from '../../functions/store/levels.ts';
const rebalance = (tenant: string, iid: string, wid: string, at: string) => settleHotLevel(tenant, iid, wid, at);
import { keys } from '../../functions/store/keys.ts';
import { settleHot } from '../../functions/stream/handler.ts';
import { startFrontFor } from '../../lib/local/dynamo-front.ts';
import { useOwnFront } from '../support/own-front.ts';
import { newTenant, startApi } from '../support/api.ts';
import { useClientWith } from '../support/client.ts';
import { codeOf } from '../support/domain-code.ts';

const design = process.env.INVENTORY_HOT_DESIGN;
beforeAll(() => {
  process.env.INVENTORY_HOT_DESIGN = 'shards';
});
afterAll(() => {
  if (design === undefined) delete process.env.INVENTORY_HOT_DESIGN;
  else process.env.INVENTORY_HOT_DESIGN = design;
});
const front = useOwnFront((target) => startFrontFor(target, { iam: true, conflicts: true, throughput: false }));
afterEach(() => expect(front().stats.denied).toEqual([]));

const actor = (): Actor => ({ tenant: newTenant(), keyId: 'k', keyName: 'hot-mode', scopes: ['inventory:write', 'reservations:write'] });
const now = () => new Date().toISOString();

/** An item stocked `stocked` at one warehouse, in hot mode with `n` shards, its free stock parked. */
async function hotLevel(a: Actor, stocked: number, n: number) {
  const wid = (await createWarehouse(a, { name: 'Hot' })).id;
  const iid = (await createItem(a, { sku: `HOT-${Math.random().toString(36).slice(2, 8)}` })).id;
  await createLevel(a, iid, { location_id: wid, stocked_quantity: stocked });
  const after = await setLevel(a, iid, wid, { hot_shards: n });
  expect((after.location_levels?.[0] as { hot_shards?: number } | undefined)?.hot_shards).toBe(n);
  await rebalance(a.tenant, iid, wid, now());
  return { iid, wid };
}

const shown = async (a: Actor, iid: string) => {
  const l = (await getItem(a, iid)).location_levels![0]!;
  return { stocked: l.stocked_quantity, reserved: l.reserved_quantity, available: l.available_quantity };
};
const raw = async (a: Actor, iid: string, wid: string) =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: keys.level(a.tenant, iid, wid), ConsistentRead: true }))).Item!;

test('a park that commits between the level read and its shards read is read again, never shown as reserved below 0', async () => {
  const a = actor();
  const wid = (await createWarehouse(a, { name: 'Hot' })).id;
  const iid = (await createItem(a, { sku: `HOT-TORN-${Math.random().toString(36).slice(2, 8)}` })).id;
  await createLevel(a, iid, { location_id: wid, stocked_quantity: 12 });
  await setLevel(a, iid, wid, { hot_shards: 3 }); // nothing parked yet: the consumer parks
  let parkedBetween = false;
  // the staged race (seen once in a loaded full run, through HTTP with the stream on): the consumer parks
  // the 12 units after the level row was read and before its shards are
  const restore = useClientWith('parkBetweenReads', (next, context) => async (args) => {
    if (!parkedBetween && context.commandName === 'BatchGetItemCommand' && JSON.stringify(args.input).includes('#HOT#')) {
      parkedBetween = true;
      await runAs('StreamConsumer', () => settleHot(a.tenant, iid, wid));
    }
    return next(args);
  });
  try {
    expect(await shown(a, iid)).toEqual({ stocked: 12, reserved: 0, available: 12 });
    expect(parkedBetween).toBe(true);
    expect((await readHot(a.tenant, iid, wid, 3))!.parked).toBe(12);
  } finally {
    restore();
  }
});

test("an item's read at a hot level reads the level once (its partition's Query) and the shards once: no second GetItem of the level", async () => {
  const a = actor();
  const { iid, wid } = await hotLevel(a, 50, 4);
  const sent: string[] = [];
  const restore = useClientWith('countReads', (next, context) => async (args) => {
    sent.push(`${context.commandName}${JSON.stringify(args.input).includes('#HOT#') ? ' shards' : ''}`);
    return next(args);
  });
  try {
    expect(await shown(a, iid)).toEqual({ stocked: 50, reserved: 0, available: 50 });
  } finally {
    restore();
  }
  expect(sent.sort()).toEqual(['BatchGetItemCommand shards', 'QueryCommand']);
  // the figures still come from this read: a reservation taken is shown by the next one
  await createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 3 });
  expect(await shown(a, iid)).toEqual({ stocked: 50, reserved: 3, available: 47 });
});

test("read answers that come together, or under read load, share a read at most INVENTORY_HOT_READ_MS old; a write's answer and a read after that bound show every reservation", async () => {
  const a = actor();
  const { iid, wid } = await hotLevel(a, 50, 4);
  const saved = process.env.INVENTORY_HOT_READ_MS;
  process.env.INVENTORY_HOT_READ_MS = '1000';
  let shardReads = 0;
  let itemQueries = 0;
  const restore = useClientWith('countShardReads', (next, context) => async (args) => {
    if (context.commandName === 'BatchGetItemCommand' && JSON.stringify(args.input).includes('#HOT#')) shardReads++;
    if (context.commandName === 'QueryCommand' && JSON.stringify(args.input).includes(iid)) itemQueries++;
    return next(args);
  });
  const level = async (read: boolean) => (await getItem(a, iid, { read })).location_levels![0]!.reserved_quantity;
  try {
    // one after another, under 20 a second: each answer reads (the item's Query and its shards)
    for (let i = 0; i < 3; i++) expect(await level(true)).toBe(0);
    expect([shardReads, itemQueries]).toEqual([3, 3]);
    // 60 answers at once: one read, the others share it while it runs
    expect(await Promise.all(Array.from({ length: 60 }, () => level(true)))).toEqual(Array(60).fill(0));
    expect([shardReads, itemQueries]).toEqual([4, 4]);
    await createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 3 });
    // a write's answer (and anything planned) reads the shards itself
    expect(await level(false)).toBe(3);
    // under read load (63 answers this second), a read answer within the bound may show the shared
    // read, finished before the reservation
    expect(await level(true)).toBe(0);
    expect(shardReads).toBe(5); // the write's answer's own read, and no other
    // past the bound, a read answer reads again
    await new Promise((r) => setTimeout(r, 1100));
    expect(await level(true)).toBe(3);
  } finally {
    restore();
    if (saved === undefined) delete process.env.INVENTORY_HOT_READ_MS;
    else process.env.INVENTORY_HOT_READ_MS = saved;
  }
  // without read load, every read answer reads: a new tenant's level is exact at once
  const b = actor();
  const other = await hotLevel(b, 50, 4);
  await createReservation(b, { inventory_item_id: other.iid, location_id: other.wid, quantity: 2 });
  expect((await getItem(b, other.iid, { read: true })).location_levels![0]!.reserved_quantity).toBe(2);
});

test('turning hot mode on parks the free stock evenly in the shards; the level still shows its exact figures', async () => {
  const a = actor();
  const { iid, wid } = await hotLevel(a, 50, 4);
  const s = (await readHot(a.tenant, iid, wid, 4))!;
  expect(s.allots).toEqual([13, 13, 12, 12]);
  // stored: the parked units count as reserved on the level row
  const row = await raw(a, iid, wid);
  expect({ reserved: row.reserved_quantity, available: row.available_quantity }).toEqual({ reserved: 50, available: 0 });
  // shown: parked units are free stock
  expect(await shown(a, iid)).toEqual({ stocked: 50, reserved: 0, available: 50 });
});

test('80 concurrent reservations of 1 on a stock of 50 over 4 shards: exactly 50 succeed, none oversold, every figure adds up', async () => {
  const a = actor();
  const { iid, wid } = await hotLevel(a, 50, 4);
  const results = await Promise.all(Array.from({ length: 80 }, () => codeOf(createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 1 }))));
  expect(results.filter((r) => r === 'ok')).toHaveLength(50);
  expect(results.filter((r) => r !== 'ok')).toEqual(Array(30).fill('INSUFFICIENT_STOCK'));
  expect(await shown(a, iid)).toEqual({ stocked: 50, reserved: 50, available: 0 });
  const open = await listReservations(a, { inventory_item_id: [iid] }, { offset: 0, limit: 100 });
  expect(open.reservations.reduce((n, r) => n + r.quantity, 0)).toBe(50);
  // invariant: level.reserved = Σ open reservations + Σ parked
  const s = (await readHot(a.tenant, iid, wid, 4))!;
  expect(Number(s.level.reserved_quantity)).toBe(50 + s.parked);
  expect(s.allots.every((x) => x >= 0)).toBe(true);
  expect((await reconcile(a.tenant, { repair: false, by: 'test', publish: async () => {} })).drifts).toEqual([]);
});

test('a reservation larger than any one shard is served from the level (parked units come back); release and change work on the level', async () => {
  const a = actor();
  const { iid, wid } = await hotLevel(a, 40, 4); // 10 per shard
  const big = await createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 25 });
  expect(await shown(a, iid)).toEqual({ stocked: 40, reserved: 25, available: 15 });
  // more than is free: refused with the exact figure
  await expect(createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 16 })).rejects.toMatchObject({
    code: 'INSUFFICIENT_STOCK',
    extra: { available_quantity: 15, requested_quantity: 16 },
  });
  await rebalance(a.tenant, iid, wid, now()); // the background parks the 15 again
  expect((await readHot(a.tenant, iid, wid, 4))!.parked).toBe(15);
  // growing a reservation takes from the level; its parked units come back when it has too little
  await updateReservation(a, big.id, { quantity: 35 });
  expect(await shown(a, iid)).toEqual({ stocked: 40, reserved: 35, available: 5 });
  await releaseReservation(a, big.id);
  expect(await shown(a, iid)).toEqual({ stocked: 40, reserved: 0, available: 40 });
  // stock writes on a hot level move the exact figures as on any level
  await adjustLevel(a, iid, wid, { adjustment: -10 });
  expect(await shown(a, iid)).toEqual({ stocked: 30, reserved: 0, available: 30 });
  expect((await reconcile(a.tenant, { repair: false, by: 'test', publish: async () => {} })).drifts).toEqual([]);
});

test('a stock decrease below the parked units takes them back in its own transaction: no shard keeps units the level lost', async () => {
  const a = actor();
  // admin set: 40 parked over 4 shards, 5 reserved, then the count says 10
  const one = await hotLevel(a, 40, 4);
  await createReservation(a, { inventory_item_id: one.iid, location_id: one.wid, quantity: 5 });
  await setLevel(a, one.iid, one.wid, { stocked_quantity: 10 });
  expect(await shown(a, one.iid)).toEqual({ stocked: 10, reserved: 5, available: 5 });
  expect((await readHot(a.tenant, one.iid, one.wid, 4))!.parked).toBe(0);
  const after = await Promise.all(
    Array.from({ length: 20 }, () => codeOf(createReservation(a, { inventory_item_id: one.iid, location_id: one.wid, quantity: 1 }))),
  );
  expect(after.filter((r) => r === 'ok')).toHaveLength(5); // not the 35 the shards held before
  expect(await shown(a, one.iid)).toEqual({ stocked: 10, reserved: 10, available: 0 });

  // bulk (the row pipeline): parked again, then a row sets 3
  const two = await hotLevel(a, 30, 2);
  const sku = (await getItem(a, two.iid)).sku!;
  const res = await bulkUpdate(a, [{ sku, warehouse_id: two.wid, quantity: 3 }]);
  expect(res.data.applied).toBe(1);
  expect(await shown(a, two.iid)).toEqual({ stocked: 3, reserved: 0, available: 3 });
  expect((await readHot(a.tenant, two.iid, two.wid, 2))!.parked).toBe(0);

  // a transfer out of a hot level: its parked units are what it moves
  const three = await hotLevel(a, 12, 3);
  const other = (await createWarehouse(a, { name: 'Other' })).id;
  await transfer(a, (await getItem(a, three.iid)).sku!, { from_warehouse_id: three.wid, to_warehouse_id: other, quantity: 12 });
  const levels = (await getItem(a, three.iid)).location_levels!;
  expect(levels.map((l) => [l.location_id, l.stocked_quantity, l.available_quantity]).sort()).toEqual(
    [
      [other, 12, 12],
      [three.wid, 0, 0],
    ].sort(),
  );
  expect(await codeOf(createReservation(a, { inventory_item_id: three.iid, location_id: three.wid, quantity: 1 }))).toBe('INSUFFICIENT_STOCK');
  expect((await reconcile(a.tenant, { repair: false, by: 'test', publish: async () => {} })).drifts).toEqual([]);
});

test("a shard whose partition is throttled (past the SDK's retries) sends the reservation to the next shard; every shard throttled: the throttle is the answer", async () => {
  const a = actor();
  const { iid, wid } = await hotLevel(a, 20, 2);
  let throttled = (_k: number) => false;
  let refusedShards = 0;
  // staged: DynamoDB Local never throttles, and the front's buckets are not aimed at one shard
  const restore = useClientWith('throttleShards', (next, context) => async (args) => {
    const first = (args.input as { TransactItems?: { Update?: { Key?: { PK?: string | { S?: string } } } }[] }).TransactItems?.[0];
    const pk = first?.Update?.Key?.PK;
    const shard = /#HOT#.*#(\d+)$/.exec((typeof pk === 'string' ? pk : pk?.S) ?? '');
    if (context.commandName === 'TransactWriteItemsCommand' && shard && throttled(Number(shard[1]))) {
      refusedShards++;
      throw Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded.'), {
        name: 'ProvisionedThroughputExceededException',
        $metadata: {},
      });
    }
    return next(args);
  });
  try {
    throttled = (k) => k === 0;
    for (let i = 0; i < 4; i++) await createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 1 });
    expect((await readHot(a.tenant, iid, wid, 2))!.allots).toEqual([10, 6]);
    throttled = () => true;
    refusedShards = 0;
    await expect(createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 1 })).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
    expect(refusedShards).toBe(2); // each shard tried once
  } finally {
    restore();
  }
  expect(await shown(a, iid)).toEqual({ stocked: 20, reserved: 4, available: 16 });
});

test('a hold at a hot level: its transaction takes from the level, which gets the parked units back first', async () => {
  const a = actor();
  const { iid, wid } = await hotLevel(a, 20, 2);
  const sku = (await getItem(a, iid)).sku!;
  const hold = await createHold(a, { reference: 'SO-HOT', lines: [{ sku, quantity: 15, warehouse_id: wid }] });
  expect(hold.lines[0]!.allocations.map((x) => [x.warehouse_id, x.quantity])).toEqual([[wid, 15]]);
  expect(await shown(a, iid)).toEqual({ stocked: 20, reserved: 15, available: 5 });
  await expect(createHold(a, { reference: 'SO-HOT-2', lines: [{ sku, quantity: 6, warehouse_id: wid }] })).rejects.toMatchObject({
    code: 'INSUFFICIENT_STOCK',
  });
  expect(await shown(a, iid)).toEqual({ stocked: 20, reserved: 15, available: 5 });
});

test('reconcile repairs a hot level in its stored form (reserved = reservations + parked)', async () => {
  const a = actor();
  const { iid, wid } = await hotLevel(a, 20, 2);
  await createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 3 });
  // drift: the stored reserved figure is 2 too high (as a lost release would leave it)
  const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.level(a.tenant, iid, wid),
      UpdateExpression: 'SET reserved_quantity = reserved_quantity + :d, available_quantity = available_quantity - :d',
      ExpressionAttributeValues: { ':d': 2 },
    }),
  );
  expect(await shown(a, iid)).toEqual({ stocked: 20, reserved: 5, available: 15 });
  const run = await runAs('ReconcileRun', () => reconcile(a.tenant, { repair: true, by: 'test', publish: async () => {} }));
  expect(run.drifts.map((d) => [d.kind, d.recorded, d.expected, d.repaired])).toEqual([['reserved', 5, 3, true]]);
  expect(await shown(a, iid)).toEqual({ stocked: 20, reserved: 3, available: 17 });
  const s = (await readHot(a.tenant, iid, wid, 2))!;
  expect(Number(s.level.reserved_quantity)).toBe(3 + s.parked);
});

test('hot mode off: every parked unit back on the level, the shards deleted; a hot level can be deleted', async () => {
  const a = actor();
  const { iid, wid } = await hotLevel(a, 30, 3);
  await createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 4 });
  const off = await setLevel(a, iid, wid, { hot_shards: 0 });
  expect((off.location_levels![0]! as { hot_shards?: number }).hot_shards).toBeUndefined();
  const row = await raw(a, iid, wid);
  expect({ reserved: row.reserved_quantity, available: row.available_quantity }).toEqual({ reserved: 4, available: 26 });
  for (const k of [0, 1, 2]) {
    expect((await db().send(new GetCommand({ TableName: tableName(), Key: keys.hotShard(a.tenant, iid, wid, k), ConsistentRead: true }))).Item).toBeUndefined();
  }
  // on again, reservations released, then the level deleted while hot
  const b = await hotLevel(a, 10, 2);
  expect(await codeOf(deleteLevel(a, b.iid, b.wid))).toBe('ok');
  expect(
    (await db().send(new GetCommand({ TableName: tableName(), Key: keys.hotShard(a.tenant, b.iid, b.wid, 0), ConsistentRead: true }))).Item,
  ).toBeUndefined();
});

test('the stream consumer settles a hot level: parks new stock and flags it low from the exact figures', async () => {
  const a = actor();
  const wid = (await createWarehouse(a, { name: 'Hot' })).id;
  const iid = (await createItem(a, { sku: `HOT-FLAG-${Math.random().toString(36).slice(2, 8)}` })).id;
  await createLevel(a, iid, { location_id: wid, stocked_quantity: 20, reorder_level: 5 });
  await setLevel(a, iid, wid, { hot_shards: 2 });
  const settle = () => runAs('StreamConsumer', () => settleHot(a.tenant, iid, wid));
  await settle();
  expect((await readHot(a.tenant, iid, wid, 2))!.parked).toBe(20);
  // parked units are not missing stock: no flag
  expect((await raw(a, iid, wid)).flag_status ?? 'normal').toBe('normal');
  for (let i = 0; i < 16; i++) await createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 1 });
  await settle();
  expect((await raw(a, iid, wid)).flag_status).toBe('low');
  await adjustLevel(a, iid, wid, { adjustment: 30 });
  await settle();
  const row = await raw(a, iid, wid);
  expect(row.flag_status).toBe('normal');
  expect(row.available_quantity).toBe(0); // the 30 new units parked too
  expect(await shown(a, iid)).toEqual({ stocked: 50, reserved: 16, available: 34 });
});

test('through HTTP and the stream: hot mode on, parked by the consumer, reservations exact, low stock flagged, off again', async () => {
  const api = await startApi({ stream: true });
  try {
    const wid = (await api.post('/admin/stock-locations', { name: 'Hot' })).body.stock_location.id;
    const iid = (await api.post('/admin/inventory-items', { sku: `HOT-HTTP-${Math.random().toString(36).slice(2, 8)}` })).body.inventory_item.id;
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: 12, reorder_level: 3 });
    const on = await api.post(`/admin/inventory-items/${iid}/location-levels/${wid}`, { hot_shards: 3 });
    expect(on.status).toBe(200);
    expect(on.body.inventory_item.location_levels[0]).toMatchObject({ hot_shards: 3, available_quantity: 12, reserved_quantity: 0 });
    await api.settle();
    expect((await readHot(api.tenant, iid, wid, 3))!.allots).toEqual([4, 4, 4]);
    const made = await Promise.all(
      Array.from({ length: 15 }, () => api.post('/admin/reservations', { inventory_item_id: iid, location_id: wid, quantity: 1 })),
    );
    expect(made.filter((r) => r.status === 200).length).toBe(12);
    expect(made.filter((r) => r.status !== 200).map((r) => r.body.code)).toEqual(['INSUFFICIENT_STOCK', 'INSUFFICIENT_STOCK', 'INSUFFICIENT_STOCK']);
    await api.settle();
    const level = (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels[0];
    expect(level).toMatchObject({ stocked_quantity: 12, reserved_quantity: 12, available_quantity: 0, hot_shards: 3 });
    // the consumer flagged it from the exact figures (the row's own available was 0 all along: parked)
    expect((await raw({ tenant: api.tenant } as Actor, iid, wid)).flag_status).toBe('out_of_stock');
    const off = await api.post(`/admin/inventory-items/${iid}/location-levels/${wid}`, { hot_shards: 0 });
    expect(off.body.inventory_item.location_levels[0].hot_shards).toBeUndefined();
    expect(off.body.inventory_item.location_levels[0]).toMatchObject({ reserved_quantity: 12, available_quantity: 0 });
    expect((await api.request('DELETE', `/admin/inventory-items/${iid}/location-levels/${wid}`)).status).toBe(400); // reservations open (not_allowed)
  } finally {
    await api.close();
  }
});
