/** DynamoDB requests of a 2-line hold and of its fulfil / release, counted at the client (a middleware). */
import { createHold, fulfillHold, releaseHold } from '../../functions/core/holds.ts';
import { createItem } from '../../functions/core/items.ts';
import { createLevel } from '../../functions/core/levels.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import type { Actor } from '../../functions/core/model.ts';
import { requestCounter } from '../support/client.ts';
import { newTenant } from '../support/api.ts';

const requests = requestCounter();
const { count } = requests;
beforeAll(() => requests.install());
afterAll(() => requests.restore());

test('a 2-line hold is 5 requests (sku guards, warehouses, 2 item partitions, 1 transaction); fulfil 4; release 3; no Scan', async () => {
  const actor: Actor = { tenant: newTenant(), keyId: 'k', keyName: 'counter', scopes: ['inventory:write'] };
  const w = await createWarehouse(actor, { name: 'A' });
  for (const sku of ['RQ-1', 'RQ-2']) {
    const item = await createItem(actor, { sku });
    await createLevel(actor, item.id, { location_id: w.id, stocked_quantity: 10 });
  }
  const lines = [
    { sku: 'RQ-1', quantity: 2 },
    { sku: 'RQ-2', quantity: 1 },
  ];
  const create = await count(() => createHold(actor, { reference: 'rq-1', lines }));
  console.log(`POST /api/holds, 2 lines: ${create.requests} requests`, create.kinds);
  expect(create.kinds).toEqual({ BatchGetItemCommand: 1, QueryCommand: 3, TransactWriteItemsCommand: 1 });
  const fulfil = await count(() => fulfillHold(actor, create.out.id));
  console.log(`POST /api/holds/{id}/fulfill, 2 lines: ${fulfil.requests} requests`, fulfil.kinds);
  expect(fulfil.kinds).toEqual({ GetItemCommand: 1, QueryCommand: 2, TransactWriteItemsCommand: 1 });
  const second = await createHold(actor, { reference: 'rq-2', lines });
  const release = await count(() => releaseHold(actor, second.id));
  console.log(`DELETE /api/holds/{id}, 2 lines: ${release.requests} requests`, release.kinds);
  expect(release.kinds).toEqual({ GetItemCommand: 1, BatchGetItemCommand: 1, TransactWriteItemsCommand: 1 });
  // a refused hold writes nothing
  const refused = await count(() => createHold(actor, { reference: 'rq-3', lines: [{ sku: 'RQ-1', quantity: 100 }] }).catch((e) => e.code));
  expect(refused.out).toBe('INSUFFICIENT_STOCK');
  expect(refused.kinds.TransactWriteItemsCommand).toBeUndefined();
});
