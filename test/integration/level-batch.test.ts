/**
 * Medusa's level batches (store/levels.ts batchLevels) guard in the write, not in the read before it:
 * a write staged between the batch's reads and its transaction (a client middleware runs it just
 * before the transaction is sent) refuses the whole batch, or has it planned again on what is there.
 */
import { DomainError } from '../../functions/core/errors.ts';
import { createItem, getItem } from '../../functions/core/items.ts';
import { batchItemLevels, createLevel, setLevel } from '../../functions/core/levels.ts';
import { createWarehouse, updateWarehouse } from '../../functions/core/locations.ts';
import { createReservation } from '../../functions/core/reservations.ts';
import type { Actor } from '../../functions/core/model.ts';
import { newTenant } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';
import { stager, tx } from '../support/stage.ts';

const stage = stager('levelBatch');
beforeEach(() => stage.install());
afterEach(() => {
  stage.disarm();
  stage.restore();
});

const actor = (): Actor => ({ tenant: newTenant(), keyId: 'k', keyName: 'batch-test', scopes: ['inventory:write', 'reservations:write'] });

async function item(a: Actor, levels: [string, number][]) {
  const iid = (await createItem(a, { sku: `BATCH-${Math.random().toString(36).slice(2, 8)}` })).id;
  for (const [wid, stocked] of levels) await createLevel(a, iid, { location_id: wid, stocked_quantity: stocked });
  return iid;
}
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
};
const figures = async (a: Actor, iid: string) =>
  (await getItem(a, iid)).location_levels
    .map((l) => [l.location_id, l.stocked_quantity, l.reserved_quantity])
    .sort((x, y) => String(x[0]).localeCompare(String(y[0])));

test('a reservation made after the batch read the level refuses its removal in the write: 400 HAS_RESERVATIONS, nothing of the batch applied', async () => {
  const a = actor();
  const [w1, w2, w3] = [
    (await createWarehouse(a, { name: 'B1' })).id,
    (await createWarehouse(a, { name: 'B2' })).id,
    (await createWarehouse(a, { name: 'B3' })).id,
  ];
  const iid = await item(a, [
    [w1, 5],
    [w2, 3],
  ]);
  const staged = stage.before(tx('Delete', `L#${w1}`), () => createReservation(a, { inventory_item_id: iid, location_id: w1, quantity: 2 }));
  const err = await refusal(
    batchItemLevels(a, iid, {
      create: [{ location_id: w3, stocked_quantity: 1 }],
      update: [{ location_id: w2, stocked_quantity: 9 }],
      delete: [w1],
      force: true,
    }),
  );
  expect(staged.ran()).toBe(true);
  expect([err.code, err.status, err.details]).toEqual(['HAS_RESERVATIONS', 400, [expect.objectContaining({ field: 'delete[0]' })]]);
  expect(await figures(a, iid)).toEqual(
    [
      [w1, 5, 2],
      [w2, 3, 0],
    ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
  );
  expect((await ledgerRows(a.tenant, iid)).filter((r) => r.warehouse_id === w3 || r.after_quantity === 9)).toEqual([]);
});

test('a stock write after the batch read its level: the batch is planned again on what is there (its ledger row starts from the new figure)', async () => {
  const a = actor();
  const w1 = (await createWarehouse(a, { name: 'C1' })).id;
  const iid = await item(a, [[w1, 5]]);
  const staged = stage.before(tx('Update', `L#${w1}`), () => setLevel(a, iid, w1, { stocked_quantity: 7 }));
  const out = await batchItemLevels(a, iid, { update: [{ location_id: w1, stocked_quantity: 10 }] });
  expect(staged.ran()).toBe(true);
  expect(out.updated.map((l) => l.stocked_quantity)).toEqual([10]);
  const rows = (await ledgerRows(a.tenant, iid)).filter((r) => r.field === 'stocked_quantity').map((r) => [r.before_quantity, r.after_quantity]);
  expect(rows).toEqual(
    expect.arrayContaining([
      [5, 7],
      [7, 10],
    ]),
  );
  expect(rows.some(([before, after]) => before === 5 && after === 10)).toBe(false);
});

test('a warehouse turned read-only after the batch read it: a level with stock is not created there (403), nor anything else of the batch', async () => {
  const a = actor();
  const [w1, w2] = [(await createWarehouse(a, { name: 'D1' })).id, (await createWarehouse(a, { name: 'D2' })).id];
  const iid = await item(a, [[w1, 4]]);
  const staged = stage.before(tx('Put', `L#${w2}`), () => updateWarehouse(a, w2, { is_readonly: true }));
  const err = await refusal(
    batchItemLevels(a, iid, { create: [{ location_id: w2, stocked_quantity: 3 }], update: [{ location_id: w1, stocked_quantity: 1 }] }),
  );
  expect(staged.ran()).toBe(true);
  expect([err.code, err.details]).toEqual(['READONLY_WAREHOUSE', [expect.objectContaining({ field: 'create[0]' })]]);
  expect(await figures(a, iid)).toEqual([[w1, 4, 0]]);
});
