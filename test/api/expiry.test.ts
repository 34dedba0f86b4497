/** Reservation expiry: the sweeper releases what has expired, with the guarded release, and nothing else. */
import { releaseExpired } from '../../functions/core/reservations.ts';
import { runAs } from '../../functions/store/db.ts';
import { handler as sweep } from '../../functions/scheduled/expire-reservations.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
let wh: string;
let iid: string;
beforeAll(async () => {
  api = await startApi();
  wh = (await api.post('/api/warehouses', { name: 'E' })).body.data.id;
  iid = (await api.post('/admin/inventory-items', { sku: 'EXP-1' })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 50 });
});
afterAll(() => api.close());

const level = async () => (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels[0];
const reserve = async (quantity: number, expires_at: string | null) =>
  (await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity, expires_at })).body.reservation.id as string;
const past = () => new Date(Date.now() - 60_000).toISOString();
const future = () => new Date(Date.now() + 3_600_000).toISOString();

test('expired reservations are released and their quantity returns to available; others stay', async () => {
  const expired = await reserve(3, past());
  const later = await reserve(4, future());
  const never = await reserve(5, null);
  expect(await level()).toMatchObject({ reserved_quantity: 12, available_quantity: 38 });
  expect(await releaseExpired(api.tenant)).toBe(1);
  expect((await api.get(`/admin/reservations/${expired}`)).status).toBe(404);
  expect((await api.get(`/admin/reservations/${later}`)).status).toBe(200);
  expect((await api.get(`/admin/reservations/${never}`)).status).toBe(200);
  expect(await level()).toMatchObject({ reserved_quantity: 9, available_quantity: 41 });
  expect(await releaseExpired(api.tenant)).toBe(0);
  await api.del(`/admin/reservations/${later}`);
  await api.del(`/admin/reservations/${never}`);
});

test('a reservation fulfilled just before its expiry is not released twice', async () => {
  const r = await reserve(2, past());
  expect((await api.post(`/admin/reservations/${r}/fulfill`)).status).toBe(200);
  const before = await level();
  expect(await releaseExpired(api.tenant)).toBe(0);
  expect(await level()).toEqual(before);
  expect(before.reserved_quantity).toBe(0);
});

test('an expiry moved into the future, or removed, takes the reservation out of the sweep', async () => {
  const extended = await reserve(1, past());
  const cleared = await reserve(1, past());
  await api.post(`/admin/reservations/${extended}`, { expires_at: future() });
  await api.post(`/admin/reservations/${cleared}`, { expires_at: null });
  expect(await releaseExpired(api.tenant)).toBe(0);
  expect((await level()).reserved_quantity).toBe(2);
  // and one moved into the past is swept
  await api.post(`/admin/reservations/${extended}`, { expires_at: past() });
  const out = await runAs('ExpireReservations', () => sweep()); // with the sweeper's own grants (the DynamoDB front checks them)
  expect(out.released).toBeGreaterThanOrEqual(1);
  expect((await api.get(`/admin/reservations/${extended}`)).status).toBe(404);
  expect((await level()).reserved_quantity).toBe(1);
  // the sweep walks every tenant of the table, 17 expiry partitions each: in CI's full run (every test's
  // tenants) it took past the default 60 s once
}, 240_000);

test('concurrent sweeps release each expired reservation once', async () => {
  for (let i = 0; i < 10; i++) await reserve(1, past());
  const before = (await level()).reserved_quantity;
  const counts = await Promise.all([releaseExpired(api.tenant), releaseExpired(api.tenant), releaseExpired(api.tenant)]);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(10);
  expect((await level()).reserved_quantity).toBe(before - 10);
});
