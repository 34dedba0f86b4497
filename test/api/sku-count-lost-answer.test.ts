/**
 * The tenant's SKU count (meta.total of GET /api/inventory) is changed after the transaction that
 * adds or removes the sku. When DynamoDB applies that change and its answer is lost on the way
 * back, the SDK sends the same request again: the count must move once, not twice.
 *
 * The lost answer is staged by a middleware inside the SDK's retry loop (step `deserialize`): the
 * first request that writes the tenant's sku count goes through to DynamoDB, then a retryable
 * network error is thrown in place of its answer, so the SDK retries the very same request.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { db, setClient, WRITE_COMMANDS } from '../../functions/store/db.ts';
import { stats } from '../../functions/store/key-builders.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

/** Lose the answer of the next write of the tenant's sku count (it commits; the SDK retries it). */
function loseNextStatsAnswer(tenant: string): { lost: () => number; restore: () => void } {
  const statsPk = stats(tenant).PK;
  let armed = true;
  let lost = 0;
  const base = new DynamoDBClient({
    endpoint: process.env.DYNAMODB_ENDPOINT,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  base.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const body = JSON.stringify((args as { input?: unknown }).input ?? {});
      if (armed && WRITE_COMMANDS.has(String(context.commandName)) && body.includes(statsPk) && body.includes('sku_count')) {
        armed = false;
        lost++;
        // the answer is dropped unread, as a reset connection drops it: its body is never consumed, so
        // close it, or its keep-alive socket stays busy and keeps the jest worker from exiting
        (out as { response?: { body?: { destroy?: () => void } } }).response?.body?.destroy?.();
        // what a connection reset after DynamoDB answered looks like to the SDK: transient, retried
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: {} });
      }
      return out;
    },
    { step: 'deserialize', name: 'loseStatsAnswer' },
  );
  setClient(DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }));
  return {
    lost: () => lost,
    restore: () => {
      db().destroy();
      setClient(undefined);
    },
  };
}

const total = async () => (await api.get('/api/inventory?limit=1')).body.meta.total as number;

async function withLostStatsAnswer<T>(fn: () => Promise<T>): Promise<T> {
  const fault = loseNextStatsAnswer(api.tenant);
  try {
    const out = await fn();
    expect(fault.lost()).toBe(1);
    return out;
  } finally {
    fault.restore();
  }
}

test('a lost answer of the SKU count update does not count an item twice (create, sku clear/set, delete)', async () => {
  expect(await total()).toBe(0);

  const created = await withLostStatsAnswer(() => api.post('/admin/inventory-items', { sku: 'COUNT-ONCE-1' }));
  expect(created.status).toBe(200);
  const id = created.body.inventory_item.id;
  expect(await total()).toBe(1);

  // clearing the sku takes it out of the count, once
  expect((await withLostStatsAnswer(() => api.post(`/admin/inventory-items/${id}`, { sku: null }))).status).toBe(200);
  expect(await total()).toBe(0);

  // setting it again puts it back, once
  expect((await withLostStatsAnswer(() => api.post(`/admin/inventory-items/${id}`, { sku: 'COUNT-ONCE-1' }))).status).toBe(200);
  expect(await total()).toBe(1);

  // a second item, then the first deleted with its answer lost
  expect((await api.post('/admin/inventory-items', { sku: 'COUNT-ONCE-2' })).status).toBe(200);
  expect(await total()).toBe(2);
  expect((await withLostStatsAnswer(() => api.del(`/admin/inventory-items/${id}`))).status).toBe(200);
  expect(await total()).toBe(1);
});
