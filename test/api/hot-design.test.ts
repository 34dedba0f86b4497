/**
 * Hot mode's design as a choice of each level (issue 22): `hot_design: "escrow" | "shards"` beside
 * `hot_shards` on POST /admin/inventory-items/{id}/location-levels/{location_id}, stored on the level
 * row; a level that names none takes the service's default (INVENTORY_HOT_DESIGN, unset here:
 * escrow). A change of design never loses a pending reservation: the switch's transaction requires
 * every shard's map empty, and a refusal makes the entries rows first (store/levels.ts changeLevel). Over HTTP, each function with its own grants.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db, runAs, tableName } from '../../functions/store/db.ts';
import { parseEscrowId, readHot, settleHotLevel } from '../../functions/store/levels.ts';
import { keys } from '../../functions/store/keys.ts';
import { startApi } from '../support/api.ts';
import { useClientWith } from '../support/client.ts';
import type { Api } from '../support/api.ts';

let api: Api;
const before = process.env.INVENTORY_HOT_DESIGN;
beforeAll(async () => {
  delete process.env.INVENTORY_HOT_DESIGN;
  api = await startApi();
});
afterAll(async () => {
  if (before !== undefined) process.env.INVENTORY_HOT_DESIGN = before;
  await api.close();
});

let n = 0;
const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${n++}`;
const levelPath = (iid: string, wid: string) => `/admin/inventory-items/${iid}/location-levels/${wid}`;

/** An item stocked `stocked` at a warehouse of its own (not hot yet). */
async function stockedLevel(stocked: number) {
  const wid = (await api.post('/api/warehouses', { name: uniq('Design') })).body.data.id as string;
  const iid = (await api.post('/admin/inventory-items', { sku: uniq('DSG') })).body.inventory_item.id as string;
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: stocked })).status).toBe(200);
  return { iid, wid };
}
/** Hot mode on with `body`, then the consumer parks the free units. */
async function goHot(iid: string, wid: string, body: Record<string, unknown>) {
  const res = await api.post(levelPath(iid, wid), body);
  expect(res.status).toBe(200);
  await runAs('StreamConsumer', () => settleHotLevel(api.tenant, iid, wid, new Date().toISOString()));
  return res.body.inventory_item.location_levels[0];
}
const levelOf = async (iid: string) => (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels[0];
const reserve = (iid: string, wid: string, quantity = 1) => api.post('/admin/reservations', { inventory_item_id: iid, location_id: wid, quantity });
/** A reservation whose taker could not write its row (held by a transaction): its entry stays pending for the consumer. */
async function reservePending(iid: string, wid: string, quantity = 1) {
  const restore = useClientWith('takerRowHeld', (next, context) => async (args) => {
    if (context.commandName === 'PutItemCommand' && /"entity":(\{"S":)?"reservation"/.test(JSON.stringify(args.input)))
      throw Object.assign(new Error('held'), { name: 'TransactionConflictException', $metadata: {} });
    return next(args);
  });
  try {
    return await reserve(iid, wid, quantity);
  } finally {
    restore();
  }
}
const row = async (rid: string) =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: keys.reservation(api.tenant, rid), ConsistentRead: true }))).Item;
const pendingCount = async (iid: string, wid: string) => (await readHot(api.tenant, iid, wid))!.pending.reduce((s, p) => s + Object.keys(p).length, 0);
const rawLevel = async (iid: string, wid: string) =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: keys.level(api.tenant, iid, wid), ConsistentRead: true }))).Item!;

test('a bad hot_design is a 400 naming the field, and changes nothing', async () => {
  const { iid, wid } = await stockedLevel(10);
  const before = await rawLevel(iid, wid);
  for (const body of [
    { hot_shards: 2, hot_design: 'fast' }, // not a design
    { hot_shards: 0, hot_design: 'escrow' }, // a design with hot mode off
    { hot_design: 'escrow' }, // a design for a level that is not hot
    { hot_design: 'escrow', stocked_quantity: 12 }, // ... with a change that would be valid alone
  ]) {
    const res = await api.post(levelPath(iid, wid), body);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('hot_design');
    expect(await rawLevel(iid, wid)).toEqual(before);
  }
});

test('each level its own design: shards takes by transaction, a level naming none takes the default (escrow), and INVENTORY_HOT_DESIGN=shards turns the default', async () => {
  const tx = await stockedLevel(10);
  const dflt = await stockedLevel(10);
  expect(await goHot(tx.iid, tx.wid, { hot_shards: 2, hot_design: 'shards' })).toMatchObject({ hot_shards: 2, hot_design: 'shards' });
  const shown = await goHot(dflt.iid, dflt.wid, { hot_shards: 2 });
  expect(shown.hot_shards).toBe(2);
  expect(shown.hot_design).toBeUndefined();
  expect((await rawLevel(tx.iid, tx.wid)).hot_design).toBe('shards');

  const a = await reserve(dflt.iid, dflt.wid, 2);
  expect(a.status).toBe(200);
  const rid = a.body.reservation.id as string;
  expect(parseEscrowId(rid)).toEqual({ iid: dflt.iid, wid: dflt.wid });
  // the escrow take: one update of a shard, then the taker writes its row and empties its entry
  expect(await row(rid)).toMatchObject({ quantity: 2 });
  expect(await pendingCount(dflt.iid, dflt.wid)).toBe(0);

  const b = await reserve(tx.iid, tx.wid, 2);
  expect(b.status).toBe(200);
  const bid = b.body.reservation.id as string;
  expect(parseEscrowId(bid)).toBeUndefined();
  expect(await row(bid)).toMatchObject({ quantity: 2 }); // a row at once: the shard's transaction
  expect(await pendingCount(tx.iid, tx.wid)).toBe(0);

  for (const l of [tx, dflt]) expect(await levelOf(l.iid)).toMatchObject({ reserved_quantity: 2, available_quantity: 8 });
  // a later write that does not name the design keeps it
  expect((await api.post(levelPath(tx.iid, tx.wid), { reorder_level: 3 })).body.inventory_item.location_levels[0].hot_design).toBe('shards');

  // the service's default turned: a level naming none now takes the transactional shards
  process.env.INVENTORY_HOT_DESIGN = 'shards';
  try {
    const other = await stockedLevel(10);
    await goHot(other.iid, other.wid, { hot_shards: 2 });
    const c = await reserve(other.iid, other.wid, 1);
    expect(c.status).toBe(200);
    expect(parseEscrowId(c.body.reservation.id)).toBeUndefined();
    expect(await row(c.body.reservation.id)).toMatchObject({ quantity: 1 });
  } finally {
    delete process.env.INVENTORY_HOT_DESIGN;
  }
});

test('escrow → shards with reservations pending: the switch makes them rows first, none lost, none doubled; later reservations are rows at once', async () => {
  const { iid, wid } = await stockedLevel(12);
  await goHot(iid, wid, { hot_shards: 2, hot_design: 'escrow' });
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push((await reservePending(iid, wid, 1)).body.reservation.id as string);
  expect(await pendingCount(iid, wid)).toBe(4);
  for (const rid of ids) expect(await row(rid)).toBeUndefined();

  // no consumer runs: the request itself makes the entries rows
  const switched = await api.post(levelPath(iid, wid), { hot_design: 'shards' });
  expect(switched.status).toBe(200);
  expect(switched.body.inventory_item.location_levels[0]).toMatchObject({ hot_shards: 2, hot_design: 'shards', reserved_quantity: 4, available_quantity: 8 });
  expect(await pendingCount(iid, wid)).toBe(0);
  for (const rid of ids) expect(await row(rid)).toMatchObject({ id: rid, quantity: 1 });

  await runAs('StreamConsumer', () => settleHotLevel(api.tenant, iid, wid, new Date().toISOString()));
  const c = await reserve(iid, wid, 1);
  expect(c.status).toBe(200);
  expect(await row(c.body.reservation.id)).toMatchObject({ quantity: 1 });
  expect(await pendingCount(iid, wid)).toBe(0);
  const listed = (await api.get(`/admin/reservations?inventory_item_id=${iid}&limit=100`)).body.reservations as { id: string }[];
  expect(listed.map((r) => r.id).sort()).toEqual([...ids, c.body.reservation.id].sort());
  expect(await levelOf(iid)).toMatchObject({ stocked_quantity: 12, reserved_quantity: 5, available_quantity: 7 });

  // back to escrow, then hot mode off: the design goes with it
  expect((await api.post(levelPath(iid, wid), { hot_design: 'escrow' })).status).toBe(200);
  const off = await api.post(levelPath(iid, wid), { hot_shards: 0 });
  expect(off.status).toBe(200);
  expect(off.body.inventory_item.location_levels[0].hot_design).toBeUndefined();
  expect((await rawLevel(iid, wid)).hot_design).toBeUndefined();
});

test('a released or fulfilled reservation leaves a tombstone only when its id is an escrow id; any other row is deleted', async () => {
  const { iid, wid } = await stockedLevel(10);
  const rowOf = async (rid: string) =>
    (await db().send(new GetCommand({ TableName: tableName(), Key: keys.reservation(api.tenant, rid), ConsistentRead: true }))).Item;
  const reserve = async () => (await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wid, quantity: 1 })).body.reservation.id as string;
  // the default (escrow): ids name their level, and a release keeps the row's key as a tombstone
  const escrowIds = [await reserve(), await reserve()];
  process.env.INVENTORY_HOT_DESIGN = 'shards';
  let plainIds: string[];
  try {
    plainIds = [await reserve(), await reserve()];
  } finally {
    delete process.env.INVENTORY_HOT_DESIGN;
  }
  expect(escrowIds.map((id) => !!parseEscrowId(id))).toEqual([true, true]);
  expect(plainIds.map((id) => !!parseEscrowId(id))).toEqual([false, false]);
  for (const ids of [escrowIds, plainIds]) {
    expect((await api.del(`/admin/reservations/${ids[0]}`)).status).toBe(200);
    expect((await api.post(`/admin/reservations/${ids[1]}/fulfill`, {})).status).toBe(200);
  }
  for (const id of escrowIds)
    expect(await rowOf(id)).toEqual({ ...keys.reservation(api.tenant, id), entity: 'reservation-tombstone', ttl: expect.any(Number) });
  for (const id of plainIds) expect(await rowOf(id)).toBeUndefined();
  for (const id of [...escrowIds, ...plainIds]) expect((await api.get(`/admin/reservations/${id}`)).status).toBe(404);
  expect((await api.get(levelPath(iid, wid).replace(`/${wid}`, ''))).body.inventory_item.location_levels[0]).toMatchObject({
    stocked_quantity: 8,
    reserved_quantity: 0,
    available_quantity: 8,
  });
});
