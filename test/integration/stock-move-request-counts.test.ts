/** DynamoDB requests of a state move and of a transfer's ship, receive and cancel, counted at the client (a middleware). */
import { createItem } from '../../functions/core/items.ts';
import { createLevel } from '../../functions/core/levels.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import type { Actor } from '../../functions/core/model.ts';
import { moveUnits } from '../../functions/core/moves.ts';
import { cancel, createDraft, receive, ship } from '../../functions/core/transfers.ts';
import { requestCounter } from '../support/client.ts';
import { newTenant } from '../support/api.ts';

const requests = requestCounter();
const { count } = requests;
beforeAll(() => requests.install());
afterAll(() => requests.restore());

test('a move is 7 requests (1 transaction; 4 of them read the answer); a 2-line ship 5, a receipt 5, a cancel 5 (1 transaction each); no Scan', async () => {
  const actor: Actor = { tenant: newTenant(), keyId: 'k', keyName: 'counter', scopes: ['inventory:write', 'inventory:read'] };
  const a = await createWarehouse(actor, { name: 'A' });
  const b = await createWarehouse(actor, { name: 'B' });
  for (const sku of ['MQ-1', 'MQ-2']) {
    const item = await createItem(actor, { sku });
    await createLevel(actor, item.id, { location_id: a.id, stocked_quantity: 10 });
    await createLevel(actor, item.id, { location_id: b.id, stocked_quantity: 0 });
  }
  const move = await count(() => moveUnits(actor, 'MQ-1', { warehouse_id: a.id, from: 'available', to: 'damaged', quantity: 2 }));
  console.log(`POST /api/inventory/{sku}/moves: ${move.requests} requests`, move.kinds);
  // sku guard, item partition, the transaction; the answer: sku guard, item partition, warehouses
  // (their index entries, then the rows by key: the index projects no attribute a write changes)
  expect(move.kinds).toEqual({ GetItemCommand: 2, QueryCommand: 3, BatchGetItemCommand: 1, TransactWriteItemsCommand: 1 });
  const lines = [
    { sku: 'MQ-1', quantity: 3 },
    { sku: 'MQ-2', quantity: 2 },
  ];
  const t = await createDraft(actor, { from_warehouse_id: a.id, to_warehouse_id: b.id, lines });
  const shipped = await count(() => ship(actor, t.id));
  console.log(`POST /api/transfers/{id}/ship, 2 lines: ${shipped.requests} requests`, shipped.kinds);
  // the record, one item partition per line, the transaction, the record again for the answer
  expect(shipped.kinds).toEqual({ GetItemCommand: 2, QueryCommand: 2, TransactWriteItemsCommand: 1 });
  const got = await count(() => receive(actor, t.id, { lines: [{ sku: 'MQ-1', accepted: 2, rejected: 1 }] }));
  console.log(`POST /api/transfers/{id}/receive: ${got.requests} requests`, got.kinds);
  expect(got.kinds).toEqual({ GetItemCommand: 2, QueryCommand: 2, TransactWriteItemsCommand: 1 });
  const cancelled = await count(() => cancel(actor, t.id));
  console.log(`POST /api/transfers/{id}/cancel: ${cancelled.requests} requests`, cancelled.kinds);
  expect(cancelled.kinds).toEqual({ GetItemCommand: 2, QueryCommand: 2, TransactWriteItemsCommand: 1 });
  // a refused move writes nothing
  const refused = await count(() => moveUnits(actor, 'MQ-1', { warehouse_id: a.id, from: 'damaged', to: 'available', quantity: 5 }).catch((e) => e.code));
  expect(refused.out).toBe('INSUFFICIENT_STOCK');
  expect(refused.kinds.TransactWriteItemsCommand).toBeUndefined();
});
