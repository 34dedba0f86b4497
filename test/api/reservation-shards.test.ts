/**
 * The reservation indexes are sharded (GSI1 `T#t#RES#<h>`, GSI3 `T#t#EXP#<h>`, h = the rid's shard):
 * reservations made through the API land in several shards, and a row written before the sharding
 * (the legacy unsharded `T#t#RES` / `T#t#EXP`) stays visible to every reader — the list (with and
 * without an item filter), reconcile's open sums and the expiry sweep.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Reservation } from '../../functions/core/model.ts';
import { releaseExpired } from '../../functions/core/reservations.ts';
import { db, tableName } from '../../functions/store/db.ts';
import { keys } from '../../functions/store/keys.ts';
import { expiredReservationIds } from '../../functions/store/reservations.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
let wh: string;
let itemA: string;
let itemB: string;
const skuA = `SH-A-${Date.now()}`;
const skuB = `SH-B-${Date.now()}`;
const past = new Date(Date.now() - 60_000).toISOString();
const future = new Date(Date.now() + 3_600_000).toISOString();
/** Reservations made through the API: [id, item, quantity, expires_at]. */
const made: { id: string; iid: string; quantity: number; expires_at: string | null }[] = [];
const legacyId = 'res_LEGACY0000000000000000000';
const LEGACY_QUANTITY = 7;

beforeAll(async () => {
  api = await startApi();
  wh = (await api.post('/api/warehouses', { name: 'S' })).body.data.id;
  itemA = (await api.post('/admin/inventory-items', { sku: skuA })).body.inventory_item.id;
  itemB = (await api.post('/admin/inventory-items', { sku: skuB })).body.inventory_item.id;
  await api.request('PUT', `/api/inventory/${skuA}`, { warehouse_id: wh, quantity: 100 });
  await api.request('PUT', `/api/inventory/${skuB}`, { warehouse_id: wh, quantity: 100 });
  // 16 reservations: 8 expired, 4 expiring later, 4 without expiry; alternately of item A and B
  for (let i = 0; i < 16; i++) {
    const iid = i % 2 ? itemB : itemA;
    const expires_at = i < 8 ? past : i < 12 ? future : null;
    const res = await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 1 + (i % 3), expires_at });
    expect(res.status).toBe(200);
    made.push({ id: res.body.reservation.id, iid, quantity: res.body.reservation.quantity, expires_at });
  }
  // a reservation of item A as the code before the sharding wrote it: unsharded GSI1 and GSI3 keys,
  // expired; its level reserved as a reservation would have (so reconcile sees no drift with it counted)
  const legacy: Reservation = {
    id: legacyId,
    inventory_item_id: itemA,
    location_id: wh,
    quantity: LEGACY_QUANTITY,
    line_item_id: null,
    description: 'written before the index was sharded',
    metadata: null,
    expires_at: past,
    created_by: 'test',
    created_at: past,
    updated_at: past,
  };
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...keys.reservation(api.tenant, legacyId),
        GSI1PK: `T#${api.tenant}#RES`,
        GSI1SK: `${itemA}#${legacyId}`,
        GSI3PK: `T#${api.tenant}#EXP`,
        GSI3SK: `${past}#${legacyId}`,
        entity: 'reservation',
        ...legacy,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.level(api.tenant, itemA, wh),
      UpdateExpression: 'SET reserved_quantity = reserved_quantity + :q, available_quantity = available_quantity - :q',
      ExpressionAttributeValues: { ':q': LEGACY_QUANTITY },
    }),
  );
});
afterAll(() => api.close());

const stored = async (rid: string) =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: keys.reservation(api.tenant, rid), ConsistentRead: true }))).Item!;
const levelOf = async (iid: string) => (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels[0];

test('reservations made through the API are indexed in their shards, several of them', async () => {
  const shards = new Set<number>();
  for (const r of made) {
    const h = keys.reservationShard(r.id);
    shards.add(h);
    const row = await stored(r.id);
    expect(row.GSI1PK).toBe(`T#${api.tenant}#RES#${h}`);
    expect(row.GSI3PK).toBe(r.expires_at ? `T#${api.tenant}#EXP#${h}` : undefined);
  }
  expect(shards.size).toBeGreaterThanOrEqual(3);
  expect(new Set(made.filter((r) => r.expires_at === past).map((r) => keys.reservationShard(r.id))).size).toBeGreaterThanOrEqual(2);
  expect((await stored(legacyId)).GSI1PK).toBe(`T#${api.tenant}#RES`);
});

test('the list shows every shard and the legacy row, in its order (item, then id)', async () => {
  const all = (await api.get('/admin/reservations?limit=1000')).body;
  const expected = [...made.map((r) => ({ id: r.id, iid: r.iid })), { id: legacyId, iid: itemA }]
    .sort((a, b) => (a.iid + a.id).localeCompare(b.iid + b.id))
    .map((r) => r.id);
  expect(all.count).toBe(17);
  expect(all.reservations.map((r: Reservation) => r.id)).toEqual(expected);
  const legacy = all.reservations.find((r: Reservation) => r.id === legacyId);
  expect(legacy).toMatchObject({ inventory_item_id: itemA, quantity: LEGACY_QUANTITY, expires_at: past });
  expect(legacy.GSI1PK).toBeUndefined();
  // by item: the item's reservations of every shard and its legacy one, none of the other item's
  const ofA = (await api.get(`/admin/reservations?inventory_item_id=${itemA}&limit=1000`)).body.reservations.map((r: Reservation) => r.id);
  expect(ofA).toEqual(expected.filter((id) => id === legacyId || made.find((r) => r.id === id)?.iid === itemA));
  expect(ofA).toHaveLength(9);
});

test("reconcile's open sums count every shard and the legacy row: no drift", async () => {
  const whole = (await api.post('/api/reconcile', {})).body.data;
  expect(whole).toMatchObject({ levels_checked: 2, reservations_counted: 17, drifts: [] });
  const one = (await api.post('/api/reconcile', { sku: skuA })).body.data;
  expect(one).toMatchObject({ levels_checked: 1, reservations_counted: 9, drifts: [] });
  const sumA = made.filter((r) => r.iid === itemA).reduce((s, r) => s + r.quantity, 0) + LEGACY_QUANTITY;
  expect((await levelOf(itemA)).reserved_quantity).toBe(sumA);
});

test('the expiry sweep finds the expired reservations of every shard and the legacy row, earliest first, and releases them', async () => {
  const expired = made.filter((r) => r.expires_at === past).map((r) => r.id);
  const ids = await expiredReservationIds(api.tenant, new Date().toISOString());
  // all expired at the same instant: in id order (the sort key is <expires_at>#<rid>)
  expect(ids).toEqual([...expired, legacyId].sort());
  expect(await releaseExpired(api.tenant)).toBe(9);
  expect((await api.get(`/admin/reservations/${legacyId}`)).status).toBe(404);
  const left = (await api.get('/admin/reservations?limit=1000')).body.reservations.map((r: Reservation) => r.id);
  expect(left.sort()).toEqual(
    made
      .filter((r) => r.expires_at !== past)
      .map((r) => r.id)
      .sort(),
  );
  const openA = made.filter((r) => r.iid === itemA && r.expires_at !== past).reduce((s, r) => s + r.quantity, 0);
  expect((await levelOf(itemA)).reserved_quantity).toBe(openA);
  expect((await api.post('/api/reconcile', {})).body.data).toMatchObject({ reservations_counted: 8, drifts: [] });
});
