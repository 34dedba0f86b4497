/**
 * Reconcile reads the open reservations through an index (GSI1), which is eventually consistent on
 * AWS. Through a front whose index answers see each write only 1.5 s after it, a reservation just
 * committed is missing from the sum: a repair from that sum would set `reserved` too low (an
 * oversell). The door repairs only levels left alone longer than the quiet time
 * (INVENTORY_REPAIR_QUIET_SECONDS) before the index was read.
 */
import { createItem, getItem } from '../../functions/core/items.ts';
import { createLevel } from '../../functions/core/levels.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import { reconcile } from '../../functions/core/reconcile.ts';
import { createReservation } from '../../functions/core/reservations.ts';
import type { Actor } from '../../functions/core/model.ts';
import { newTenant } from '../support/api.ts';
import { useFrontWithIndexLag } from '../support/own-front.ts';

const LAG_MS = 1500;
useFrontWithIndexLag(LAG_MS);

const actor = (): Actor => ({ tenant: newTenant(), keyId: 'k', keyName: 'lag-test', scopes: ['inventory:write', 'reservations:write'] });
const quiet = process.env.INVENTORY_REPAIR_QUIET_SECONDS;
beforeAll(() => (process.env.INVENTORY_REPAIR_QUIET_SECONDS = '3')); // longer than the lag
afterAll(() => {
  if (quiet === undefined) delete process.env.INVENTORY_REPAIR_QUIET_SECONDS;
  else process.env.INVENTORY_REPAIR_QUIET_SECONDS = quiet;
});
const noEvents = async () => {};

test('a reservation the lagging index does not show yet is reported, never repaired away; once the index caught up there is no drift', async () => {
  const a = actor();
  const wid = (await createWarehouse(a, { name: 'Lag' })).id;
  const sku = `LAG-${Math.random().toString(36).slice(2, 8)}`;
  const iid = (await createItem(a, { sku })).id;
  await createLevel(a, iid, { location_id: wid, stocked_quantity: 10 });
  await createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 3 });
  // by sku: the item itself is found by its sku row (the tenant's item list is an index too, and lags)
  const early = await reconcile(a.tenant, { sku, repair: true, by: 'test', publish: noEvents });
  expect(early.levels_checked).toBe(1);
  const drift = early.drifts.find((d) => d.kind === 'reserved');
  // the index does not show the reservation yet: reported, not repaired
  expect(drift).toMatchObject({ recorded: 3, expected: 0, repaired: false });
  const level = (await getItem(a, iid)).location_levels![0]!;
  expect(level).toMatchObject({ reserved_quantity: 3, available_quantity: 7 });
  await new Promise((r) => setTimeout(r, LAG_MS + 200));
  const later = await reconcile(a.tenant, { sku, repair: true, by: 'test', publish: noEvents });
  expect(later.drifts).toEqual([]);
});
