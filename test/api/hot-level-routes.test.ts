/**
 * Every route that shows or lowers a level, against a level in hot mode whose free stock sits in its
 * shards (one shard empty), over HTTP: each function runs with its own grants through the DynamoDB
 * front (IAM on), so a grant the hot path needs and the role lacks is a 500 here, not in production.
 * The hot paths send what plain levels never do: a BatchGetItem of the shards on every read of the
 * level (store/levels.ts readHot), and a ConditionCheckItem of an empty shard when a write pulls the
 * parked units back (pullAll). CI's grant gate (bin/grant-usage.ts) counts what this file sends.
 */
import { reconcile } from '../../functions/core/reconcile.ts';
import { runAs } from '../../functions/store/db.ts';
import { readHot, settleHotLevel } from '../../functions/store/levels.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

let n = 0;
const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${n++}`;

/** An item stocked `stocked` at a warehouse of its own, in hot mode with `shards` shards, its free stock parked by the consumer. */
async function hotLevel(stocked: number, shards: number) {
  const wid = (await api.post('/api/warehouses', { name: uniq('Hot') })).body.data.id as string;
  const sku = uniq('HOTR');
  const iid = (await api.post('/admin/inventory-items', { sku })).body.inventory_item.id as string;
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: stocked })).status).toBe(200);
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels/${wid}`, { hot_shards: shards })).status).toBe(200);
  await runAs('StreamConsumer', () => settleHotLevel(api.tenant, iid, wid, new Date().toISOString()));
  const s = await readHot(api.tenant, iid, wid, shards);
  return { sku, iid, wid, allots: s!.allots };
}
const levelOf = async (iid: string) => (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels[0];

test('reads of a hot level: every route that shows it answers its exact figures', async () => {
  const { sku, iid, allots } = await hotLevel(3, 4);
  expect(allots).toEqual([1, 1, 1, 0]);
  const want = { stocked_quantity: 3, reserved_quantity: 0, available_quantity: 3 };
  expect((await api.get(`/admin/inventory-items/${iid}`)).body.inventory_item.location_levels[0]).toMatchObject(want);
  expect(await levelOf(iid)).toMatchObject(want);
  const list = await api.get(`/admin/inventory-items?sku=${sku}`);
  expect(list.status).toBe(200);
  const avail = await api.get(`/admin/inventory-items/${iid}/availability?quantity=3`);
  expect(avail.status).toBe(200);
  expect((await api.get(`/api/inventory/${sku}`)).body.data).toMatchObject({ total_on_hand: 3, total_available: 3 });
  expect((await api.get(`/api/inventory?sku=${sku}`)).status).toBe(200);
  const explained = await api.get(`/api/inventory/${sku}/availability?quantity=3`);
  expect(explained.status).toBe(200);
  const vid = uniq('variant');
  expect((await api.post(`/admin/products/prod_hot/variants/${vid}/inventory-items`, { inventory_item_id: iid, required_quantity: 1 })).status).toBe(200);
  expect((await api.get(`/admin/products/prod_hot/variants/${vid}`)).status).toBe(200);
  const variant = await api.get(`/api/variants/prod_hot/${vid}/availability?quantity=3`);
  expect([variant.status, variant.body.data?.can_hold]).toEqual([200, true]);
  expect((await api.post(`/admin/products/prod_hot/variants/${vid}/inventory-items/${iid}`, { required_quantity: 2 })).status).toBe(200);
  expect((await api.request('DELETE', `/admin/products/prod_hot/variants/${vid}/inventory-items/${iid}`)).status).toBe(200);
  const record = await api.get(`/v1/inventory/${(await levelOf(iid)).id}`);
  expect([record.status, record.body.data?.availableQty]).toEqual([200, 3]);
});

test('writes that lower a hot level pull its parked units back (an empty shard checked): each answers 2xx and the figures add up', async () => {
  const cases: [string, (x: Awaited<ReturnType<typeof hotLevel>>) => Promise<{ status: number }>, number][] = [
    ['admin adjust down', (x) => api.post(`/admin/inventory-items/${x.iid}/location-levels/${x.wid}/adjust`, { adjustment: -1 }), 1],
    ['admin set stocked', (x) => api.post(`/admin/inventory-items/${x.iid}/location-levels/${x.wid}`, { stocked_quantity: 1 }), 1],
    ['PUT /api/inventory', (x) => api.request('PUT', `/api/inventory/${x.sku}`, { warehouse_id: x.wid, quantity: 1 }), 1],
    ['bulk', (x) => api.post('/api/inventory/bulk', { updates: [{ sku: x.sku, warehouse_id: x.wid, quantity: 1, reason: 'cycle_count' }] }), 1],
    [
      'transfer out',
      async (x) => {
        const to = (await api.post('/api/warehouses', { name: uniq('To') })).body.data.id as string;
        return api.post(`/api/inventory/${x.sku}/transfers`, { from_warehouse_id: x.wid, to_warehouse_id: to, quantity: 1 });
      },
      1,
    ],
  ];
  for (const [name, write, stockedAfter] of cases) {
    const x = await hotLevel(2, 3);
    expect([name, x.allots]).toEqual([name, [1, 1, 0]]);
    const res = await write(x);
    expect([name, res.status]).toEqual([name, expect.any(Number)]);
    expect([name, res.status < 300]).toEqual([name, true]);
    const l = await levelOf(x.iid);
    expect([name, l.stocked_quantity, l.reserved_quantity, l.available_quantity]).toEqual([name, stockedAfter, 0, stockedAfter]);
  }
});

test('a take no single shard can serve goes through the level and pulls every shard back (a hold, an admin reservation)', async () => {
  const a = await hotLevel(2, 3);
  const hold = await api.post('/api/holds', { reference: uniq('order'), lines: [{ sku: a.sku, quantity: 2 }] });
  expect(hold.status).toBe(201);
  expect(await levelOf(a.iid)).toMatchObject({ stocked_quantity: 2, reserved_quantity: 2, available_quantity: 0 });
  const b = await hotLevel(2, 3);
  const r = await api.post('/admin/reservations', { inventory_item_id: b.iid, location_id: b.wid, quantity: 2 });
  expect(r.status).toBe(200);
  expect(await levelOf(b.iid)).toMatchObject({ stocked_quantity: 2, reserved_quantity: 2, available_quantity: 0 });
});

test('fulfilling a reservation at a hot level answers the level as shown (its shards read): stocked and reserved drop, the parked units stay free', async () => {
  const x = await hotLevel(3, 3);
  expect(x.allots).toEqual([1, 1, 1]);
  const r = await api.post('/admin/reservations', { inventory_item_id: x.iid, location_id: x.wid, quantity: 1 });
  expect(r.status).toBe(200);
  const done = await api.post(`/admin/reservations/${r.body.reservation.id}/fulfill`);
  expect(done.status).toBe(200);
  // the answer's level: reserved 0 and available 2, which only a read of the shards can show
  expect(done.body.location_level).toMatchObject({ stocked_quantity: 2, reserved_quantity: 0, available_quantity: 2 });
  expect(await levelOf(x.iid)).toMatchObject({ stocked_quantity: 2, reserved_quantity: 0, available_quantity: 2 });
});

test('deleting a hot level or its item: the parked units and the shards go with it (a warehouse holding stock is not deleted: 409)', async () => {
  const a = await hotLevel(2, 3);
  expect((await api.request('DELETE', `/admin/inventory-items/${a.iid}/location-levels/${a.wid}`)).status).toBe(200);
  expect(await readHot(api.tenant, a.iid, a.wid, 3)).toBeUndefined();
  const b = await hotLevel(2, 3);
  expect((await api.request('DELETE', `/admin/inventory-items/${b.iid}`)).status).toBe(200);
  expect(await readHot(api.tenant, b.iid, b.wid, 3)).toBeUndefined();
  const c = await hotLevel(2, 3);
  expect((await api.request('DELETE', `/admin/stock-locations/${c.wid}`)).status).toBe(409);
});

test('the daily reconcile (report mode, under its own grants) reads a hot level with its shards and finds it clean', async () => {
  const { iid, wid } = await hotLevel(3, 4);
  const published: unknown[] = [];
  const run = await runAs('Reconcile', () => reconcile(api.tenant, { repair: false, by: 'schedule', publish: async (e) => void published.push(e) }));
  expect(run.drifts.filter((d) => d.inventory_item_id === iid && d.warehouse_id === wid)).toEqual([]);
  expect(published.flat()).toEqual([]); // nothing to report: no drift event
});
