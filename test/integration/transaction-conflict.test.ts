/**
 * DynamoDB Local runs transactions one at a time, so it never cancels one for contention. Real
 * DynamoDB does (TransactionConflict): this injects that cancellation into the client, the one
 * error path a real engine here cannot produce, and checks that the write is retried and lands once.
 */
import { createItem } from '../../functions/core/items.ts';
import { createLevel, adjustLevel } from '../../functions/core/levels.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import type { Actor } from '../../functions/core/model.ts';
import { createReservation } from '../../functions/core/reservations.ts';
import { useClientWith } from '../support/client.ts';
import { newTenant } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';

let conflictsLeft = 0;
let injected = 0;

let restore: () => void;
beforeAll(() => {
  restore = useClientWith('injectTransactionConflict', (next, context) => async (args) => {
    if (context.commandName === 'TransactWriteItemsCommand' && conflictsLeft > 0) {
      conflictsLeft--;
      injected++;
      const items = (args.input as { TransactItems: unknown[] }).TransactItems;
      throw Object.assign(new Error('Transaction cancelled'), {
        name: 'TransactionCanceledException',
        CancellationReasons: items.map((_, i) => ({ Code: i === 0 ? 'TransactionConflict' : 'None' })),
      });
    }
    return next(args);
  });
});
afterAll(() => restore());

const actor = (): Actor => ({ tenant: newTenant(), keyId: 'k', keyName: 'conflict-test', scopes: ['inventory:write', 'reservations:write'] });

test('a reservation cancelled for contention is retried and lands exactly once', async () => {
  const a = actor();
  const wh = await createWarehouse(a, { name: 'W' });
  const item = await createItem(a, { sku: 'TC-1' });
  await createLevel(a, item.id, { location_id: wh.id, stocked_quantity: 5 });
  conflictsLeft = 3;
  injected = 0;
  const r = await createReservation(a, { inventory_item_id: item.id, location_id: wh.id, quantity: 2 });
  expect(injected).toBe(3);
  expect(r.quantity).toBe(2);
  const { getItem } = await import('../../functions/core/items.ts');
  expect((await getItem(a, item.id)).location_levels[0]).toMatchObject({ reserved_quantity: 2, available_quantity: 3 });
});

test('a stock adjustment cancelled for contention is retried and writes one ledger row', async () => {
  const a = actor();
  const wh = await createWarehouse(a, { name: 'W' });
  const item = await createItem(a, { sku: 'TC-2' });
  await createLevel(a, item.id, { location_id: wh.id, stocked_quantity: 5 });
  conflictsLeft = 2;
  injected = 0;
  const out = await adjustLevel(a, item.id, wh.id, { adjustment: 4, reason: 'supplier_receipt' });
  expect(injected).toBe(2);
  expect(out.location_levels[0].stocked_quantity).toBe(9);
  expect((await ledgerRows(a.tenant, item.id)).filter((r) => r.reason === 'supplier_receipt')).toHaveLength(1);
});

test('item creation, variant linking and link update cancelled for contention are retried, never a 5xx or a 404', async () => {
  const a = actor();
  conflictsLeft = 2;
  injected = 0;
  const item = await createItem(a, { sku: 'TC-3' });
  expect(injected).toBe(2);
  const { linkItem, updateLink, getVariant } = await import('../../functions/core/variants.ts');
  conflictsLeft = 2;
  await linkItem(a, 'prod_tc', 'var_tc', item.id);
  expect(injected).toBe(4);
  conflictsLeft = 2;
  await updateLink(a, 'prod_tc', 'var_tc', item.id, 3);
  expect(injected).toBe(6);
  expect((await getVariant(a, 'prod_tc', 'var_tc')).inventory_items[0]!.required_quantity).toBe(3);
  const { getItem } = await import('../../functions/core/items.ts');
  expect((await getItem(a, item.id)).sku).toBe('TC-3');
});

test('contention that does not end is a 409 CONFLICT after a bounded number of retries', async () => {
  const a = actor();
  conflictsLeft = 1_000;
  injected = 0;
  try {
    await expect(createItem(a, { sku: 'TC-4' })).rejects.toMatchObject({ code: 'CONFLICT', status: 409 });
    expect(injected).toBeLessThan(20);
  } finally {
    conflictsLeft = 0;
  }
});
