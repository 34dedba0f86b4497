/**
 * DynamoDB throttling a hot record past the SDK's retries (the front with partition limits on, as
 * AWS does to one item over 1,000 write units/s): the service answers 429 with Retry-After, never a
 * 5xx, and a throttled reservation leaves nothing half-written. With an Idempotency-Key too: the
 * key's own record is written before the effect, and a throttle between the two is still a 429.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoFront } from '../../lib/local/dynamo-front.ts';
import type { DynamoFront } from '../../lib/local/dynamo-front.ts';
import { db, isThrottled, setClient, tableName, trackingWrites } from '../../functions/store/db.ts';
import { startApi } from '../support/api.ts';
import { useClientWith } from '../support/client.ts';
import type { Api } from '../support/api.ts';

let api: Api;
let front: DynamoFront;
const cacheTtl = process.env.AUTHORIZER_CACHE_TTL;
beforeAll(async () => {
  // the key is read once and kept (as API Gateway's authorizer cache does): this test throttles the
  // route's own reads and writes, not the authorizer's (a throttled authorizer is API Gateway's 500)
  process.env.AUTHORIZER_CACHE_TTL = '300';
  api = await startApi();
  // 1,000 WCU/s × 0.002: 2 write units a second per partition, one second deep
  front = await startDynamoFront({ target: process.env.DYNAMODB_LOCAL_ENDPOINT ?? process.env.DYNAMODB_ENDPOINT!, throughput: true, scale: 0.002 });
});
afterAll(async () => {
  if (cacheTtl === undefined) delete process.env.AUTHORIZER_CACHE_TTL;
  else process.env.AUTHORIZER_CACHE_TTL = cacheTtl;
  setClient(undefined);
  await api.close();
  await front.stop();
});

test('a level reserved faster than its partition takes writes: 429 with Retry-After for the rest, no 5xx, reserved = the reservations made', async () => {
  const wh = (await api.post('/admin/stock-locations', { name: 'Hot' })).body.stock_location.id;
  const iid = (await api.post('/admin/inventory-items', { sku: `HOT-${Date.now()}` })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 100 });
  // from here the store talks to DynamoDB through the throttling front, with one SDK attempt
  const base = new DynamoDBClient({ endpoint: front.endpoint, region: 'local', credentials: { accessKeyId: 'admin', secretAccessKey: 'x' }, maxAttempts: 1 });
  setClient(DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }));
  const answers = await Promise.all(
    Array.from({ length: 16 }, () => api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 1 })),
  );
  setClient(undefined);
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  const throttled = answers.filter((a) => a.status === 429);
  expect(throttled.length).toBeGreaterThan(0);
  expect(throttled[0]!.headers.get('retry-after')).toBe('1');
  expect(throttled[0]!.body.message).toMatch(/Too Many Requests/);
  expect(front.stats.throttled).toBeGreaterThan(0);
  const made = answers.filter((a) => a.status === 200).length;
  const level = (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels[0];
  expect(level.reserved_quantity).toBe(made);
  const open = (await api.get(`/admin/reservations?inventory_item_id=${iid}&limit=100`)).body.reservations;
  expect(open).toHaveLength(made);
});

test('a keyed reservation throttled after its Idempotency-Key claim, before its effect: 429, the key given back, its retry applies once', async () => {
  const wh = (await api.post('/admin/stock-locations', { name: 'Keyed' })).body.stock_location.id;
  const iid = (await api.post('/admin/inventory-items', { sku: `KEYED-${Date.now()}` })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 10 });
  // staged on the store's client: the effect's transaction is throttled once, past the SDK's retries;
  // the claim's Put of the Idempotency-Key record before it is accepted
  const sent: string[] = [];
  let armed = false;
  const restore = useClientWith('throttleTheEffect', (next, context) => async (args) => {
    const command = String(context.commandName);
    if (armed && command === 'TransactWriteItemsCommand') {
      armed = false;
      sent.push(`${command} throttled`);
      throw Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded.'), {
        name: 'ProvisionedThroughputExceededException',
        $metadata: {},
      });
    }
    const out = await next(args);
    if (armed) sent.push(command);
    return out;
  });
  try {
    const body = { inventory_item_id: iid, location_id: wh, quantity: 2 };
    const keyed = () => api.request('POST', '/admin/reservations', body, { headers: { 'idempotency-key': 'throttled-once' } });
    armed = true;
    const first = await keyed();
    expect(sent.slice(0, 2)).toEqual(['PutItemCommand', 'TransactWriteItemsCommand throttled']);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(first.body.message).toMatch(/Too Many Requests/);
    const level = async () => (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels[0];
    expect((await level()).reserved_quantity).toBe(0);
    // the key was given back: the same request with it runs afresh, once
    const second = await keyed();
    expect(second.status).toBe(200);
    const third = await keyed();
    expect(third.headers.get('idempotency-replayed')).toBe('true');
    expect(third.body.reservation.id).toBe(second.body.reservation.id);
    expect((await level()).reserved_quantity).toBe(2);
  } finally {
    restore();
  }
});

test('a reservation whose answer is throttled after it committed: the reads are tried again and it answers 200 once, not a 500 a keyless caller could not safely retry', async () => {
  const wh = (await api.post('/admin/stock-locations', { name: 'After' })).body.stock_location.id;
  const iid = (await api.post('/admin/inventory-items', { sku: `AFTER-${Date.now()}` })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 10 });
  // staged on the store's clients: once the reservation's transaction committed, the next three
  // reads (the answer's embed of the item: a Query of its partition) are throttled past the SDK's retries
  let committed = false;
  let throttle = 0;
  const sent: string[] = [];
  const restore = useClientWith('throttleAfterTheWrite', (next, context) => async (args) => {
    const command = String(context.commandName);
    if (committed && throttle > 0 && /^(Query|GetItem|BatchGetItem)Command$/.test(command)) {
      throttle--;
      sent.push(`${command} throttled`);
      throw Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded.'), {
        name: 'ProvisionedThroughputExceededException',
        $metadata: {},
      });
    }
    const out = await next(args);
    if (command === 'TransactWriteItemsCommand' && throttle > 0) committed = true;
    sent.push(command);
    return out;
  });
  try {
    throttle = 3;
    const res = await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 2 });
    expect(sent.filter((c) => c.endsWith('throttled'))).toHaveLength(3);
    expect(res.status).toBe(200);
    expect(res.body.reservation).toMatchObject({ quantity: 2, inventory_item: { id: iid } });
  } finally {
    restore();
  }
  const level = (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels[0];
  expect(level.reserved_quantity).toBe(2);
  expect((await api.get(`/admin/reservations?inventory_item_id=${iid}`)).body.reservations).toHaveLength(1);
});

test("a read throttled after the request's write is tried within the request's time, by the store alone (not the SDK's retries inside each try)", async () => {
  const pk = `AFTER-DEADLINE-${Date.now()}`;
  let reads = 0;
  const restore = useClientWith(
    'throttleEveryRead',
    (next, context) => async (args) => {
      if (String(context.commandName) === 'QueryCommand') {
        reads++;
        throw Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded.'), {
          name: 'ProvisionedThroughputExceededException',
          $metadata: {},
        });
      }
      return next(args);
    },
    'deserialize',
  ); // every attempt, the SDK's retries included
  // a request that wrote, then read: how many times its read is sent, and what it ends with
  const writeThenRead = async (deadline?: number) => {
    reads = 0;
    const err = await trackingWrites(
      async () => {
        await db().send(new PutCommand({ TableName: tableName(), Item: { PK: pk, SK: 'X' } }));
        return db()
          .send(new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk } }))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
      },
      { deadline },
    );
    return { err, reads };
  };
  try {
    // time enough: 1 + 5 tries (100 ms doubling), each one attempt (the SDK's own 4 would make 24)
    const long = await writeThenRead();
    expect(isThrottled(long.err)).toBe(true);
    expect(long.reads).toBe(6);
    // a request with 250 ms left: the tries that would end past it are not made, the throttle is thrown
    const short = await writeThenRead(Date.now() + 250);
    expect(isThrottled(short.err)).toBe(true);
    expect(short.reads).toBeGreaterThanOrEqual(1);
    expect(short.reads).toBeLessThanOrEqual(2);
  } finally {
    restore();
  }
});
