/**
 * No shared row in the common write paths: concurrent writers of different records see no
 * TransactionConflict. Runs through a DynamoDB front of its own (conflicts on, 10 ms commit time) so
 * it can count the conflicts the front answered; the store retries them, so they would not show in
 * the results alone.
 */
import { createItem } from '../../functions/core/items.ts';
import { skuTotal } from '../../functions/store/items.ts';
import type { Actor } from '../../functions/core/model.ts';
import { setClient } from '../../functions/store/db.ts';
import { startDynamoFront } from '../../lib/local/dynamo-front.ts';
import type { DynamoFront } from '../../lib/local/dynamo-front.ts';
import { newTenant } from '../support/api.ts';

let front: DynamoFront;
const previous = process.env.DYNAMODB_ENDPOINT;
beforeAll(async () => {
  front = await startDynamoFront({ target: process.env.DYNAMODB_LOCAL_ENDPOINT ?? previous!, conflicts: true, commitMs: 10 });
  process.env.DYNAMODB_ENDPOINT = front.endpoint;
  setClient(undefined);
});
afterAll(async () => {
  setClient(undefined);
  process.env.DYNAMODB_ENDPOINT = previous;
  await front.stop();
});

const actor = (): Actor => ({ tenant: newTenant(), keyId: 'k', keyName: 'hot-rows', scopes: ['inventory:write', 'reservations:write'] });

test('32 concurrent item creations of one tenant: zero transaction conflicts (the stats row is in no transaction), and the sku count is exact', async () => {
  const a = actor();
  front.resetStats();
  await Promise.all(Array.from({ length: 32 }, (_, i) => createItem(a, { sku: `HOT-${i}` })));
  expect({ tx: front.stats.txConflicts, single: front.stats.writeConflicts }).toEqual({ tx: 0, single: 0 });
  expect(await skuTotal(a.tenant)).toBe(32);
});
