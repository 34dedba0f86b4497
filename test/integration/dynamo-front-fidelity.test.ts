/**
 * The DynamoDB front, faithful in time and size (lib/local/dynamo-front.ts; README, "The DynamoDB
 * front"), against the run's DynamoDB Local: what AWS documents, asserted on the SDK's answers.
 * - the hold of a transaction scales with capacity (T ÷ scale), T = 25 ms by default or drawn;
 * - TransactGetItems holds its items for its own duration and any write to them cancels it;
 * - write and read units by item size (larger of before and after), on the table and per index entry;
 * - physical partitions hashed from partition-key values; a table-level bucket (new on-demand
 *   table, growth per 30 minutes, warm throughput, quota);
 * - partial batch answers (UnprocessedItems / UnprocessedKeys).
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DEFAULT_COMMIT_MS, drawHold, frontOptionsFromEnv, partitionCount, physicalPartition } from '../../lib/local/dynamo-front.ts';
import type { FrontOptions } from '../../lib/local/dynamo-front.ts';
import { itemSize } from '../../lib/local/item-size.ts';
import { newTenant } from '../support/api.ts';
import { caught, clientOn, ownFront, TABLE, target } from '../support/front-clients.ts';

const client = (endpoint: string, maxAttempts = 1) => clientOn(endpoint, 'admin', maxAttempts);
async function front(opts: Omit<FrontOptions, 'target'>) {
  const f = await ownFront(opts);
  return { f, c: client(f.endpoint) };
}
/** DynamoDB Local itself: items the front never saw. */
const direct = () => client(target);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const blob = (n: number) => 'x'.repeat(n);

describe('the hold of a transaction', () => {
  test('defaults to T = 25 ms (the public in-region p50); DYNAMO_FRONT_COMMIT_MS / _COMMIT_P99_MS set it', () => {
    const d = { iam: true, conflicts: true, throughput: false };
    expect(DEFAULT_COMMIT_MS).toBe(25);
    expect(frontOptionsFromEnv(d, {})).toMatchObject({ commitMs: 25, commitP99Ms: 0, txGetHolds: true, scale: 1, indexLagMs: 0 });
    expect(frontOptionsFromEnv(d, { DYNAMO_FRONT_COMMIT_MS: '10', DYNAMO_FRONT_COMMIT_P99_MS: '90', DYNAMO_FRONT_TX_GET_HOLDS: '0' })).toMatchObject({
      commitMs: 10,
      commitP99Ms: 90,
      txGetHolds: false,
    });
  });

  test("drawn holds have the measurement's median (25 ms) and 99th percentile (90 ms)", () => {
    let seed = 42; // a fixed generator (mulberry32): the same draws every run
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const draws = Array.from({ length: 20000 }, () => drawHold(25, 90, random)).sort((a, b) => a - b);
    expect(draws[10000]).toBeGreaterThan(24);
    expect(draws[10000]).toBeLessThan(26);
    expect(draws[19800]).toBeGreaterThan(82);
    expect(draws[19800]).toBeLessThan(98);
    expect(drawHold(25, 0)).toBe(25); // no tail given: fixed
  });

  test('scales with capacity: at scale 0.1 a T of 20 ms holds the item 200 ms', async () => {
    const { c } = await front({ conflicts: true, commitMs: 20, scale: 0.1 });
    const t = newTenant();
    const put = (pk: string) => ({ Put: { TableName: TABLE, Item: { PK: pk, SK: 'X' } } });
    const t0 = Date.now();
    const first = c.send(new TransactWriteCommand({ TransactItems: [put(`T#${t}#A`)] }));
    await sleep(100);
    // 100 ms in: T itself (20 ms) is long over, the scaled hold is not
    const err = await caught(c.send(new TransactWriteCommand({ TransactItems: [put(`T#${t}#A`)] })));
    expect(err?.name).toBe('TransactionCanceledException');
    await first;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(195);
    await c.send(new TransactWriteCommand({ TransactItems: [put(`T#${t}#A`)] }));
  });
});

describe('TransactGetItems', () => {
  test('holds its items for its own duration: a plain write to one of them meanwhile cancels the read, not the write', async () => {
    const { f, c } = await front({ conflicts: true, commitMs: 300 });
    const t = newTenant();
    const [a, b, z] = [`T#${t}#A`, `T#${t}#B`, `T#${t}#Z`].map((pk) => ({ PK: pk, SK: 'X' }));
    for (const k of [a, b, z]) await c.send(new PutCommand({ TableName: TABLE, Item: { ...k, n: 1 } }));
    const get = (...keys: object[]) => new TransactGetCommand({ TransactItems: keys.map((Key) => ({ Get: { TableName: TABLE, Key } })) });

    const read = caught(c.send(get(a, b)));
    await sleep(50);
    await c.send(new PutCommand({ TableName: TABLE, Item: { ...b, n: 2 } })); // the write goes through
    const err = await read;
    expect(err?.name).toBe('TransactionCanceledException');
    expect(err.CancellationReasons).toEqual([{ Code: 'None' }, { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }]);
    expect((await c.send(new GetCommand({ TableName: TABLE, Key: b }))).Item?.n).toBe(2);

    // a write to an item it does not read leaves it alone; it answers after its hold, with the items
    const t0 = Date.now();
    const ok = c.send(get(a, b));
    await sleep(50);
    await c.send(new PutCommand({ TableName: TABLE, Item: { ...z, n: 3 } }));
    const out = await ok;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(out.Responses?.map((r) => r.Item?.n)).toEqual([1, 2]);

    // an UpdateItem, a DeleteItem and a transaction cancel it too
    for (const write of [
      () => c.send(new UpdateCommand({ TableName: TABLE, Key: a, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 5 } })),
      () => c.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: TABLE, Item: { ...a, n: 6 } } }] })),
      () => c.send(new DeleteCommand({ TableName: TABLE, Key: a })),
    ]) {
      const r = caught(c.send(get(a, b)));
      await sleep(50);
      await write();
      expect((await r)?.CancellationReasons).toEqual([{ Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }, { Code: 'None' }]);
      await sleep(300); // the transaction's own hold
    }
    expect(f.stats.txConflicts).toBe(4);
  });

  test('a read that arrives while a transaction holds its item is cancelled; with txGetHolds off writes do not cancel reads', async () => {
    const { c } = await front({ conflicts: true, commitMs: 200 });
    const t = newTenant();
    const a = { PK: `T#${t}#A`, SK: 'X' };
    const writing = c.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: TABLE, Item: { ...a, n: 1 } } }] }));
    await sleep(50);
    const err = await caught(c.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: TABLE, Key: a } }] })));
    expect(err?.CancellationReasons).toEqual([{ Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }]);
    await writing;

    const { c: off } = await front({ conflicts: true, commitMs: 200, txGetHolds: false });
    const read = off.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: TABLE, Key: a } }] }));
    await off.send(new PutCommand({ TableName: TABLE, Item: { ...a, n: 2 } }));
    expect((await read).Responses?.[0]?.Item).toBeDefined();
  });
});

describe('capacity units by item size', () => {
  test('writes: the larger of the item before and after, in 1 KB units, ×2 in a transaction, plus each index entry written', async () => {
    const { f, c } = await front({ throughput: true, warmWrites: 40000 }); // hashed partitions and the table bucket on: units counted once
    const t = newTenant();
    const units = async (write: () => Promise<unknown>) => {
      const w0 = f.stats.writeUnits;
      await write();
      return f.stats.writeUnits - w0;
    };
    const big = { PK: `T#${t}#BIG`, SK: 'X' };
    // ~3,030 bytes: 3 units
    expect(itemSize({ PK: { S: big.PK }, SK: { S: 'X' }, b: { S: blob(3000) } })).toBeGreaterThan(2048);
    expect(await units(() => c.send(new PutCommand({ TableName: TABLE, Item: { ...big, b: blob(3000) } })))).toBe(3);
    // a one-number update of it costs the item's size, not the request's
    expect(
      await units(() => c.send(new UpdateCommand({ TableName: TABLE, Key: big, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 1 } }))),
    ).toBe(3);
    // the same in a transaction: twice
    expect(
      await units(() =>
        c.send(
          new TransactWriteCommand({
            TransactItems: [{ Update: { TableName: TABLE, Key: big, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 2 } } }],
          }),
        ),
      ),
    ).toBe(6);
    // shrinking it (REMOVE b): the larger, before
    expect(await units(() => c.send(new UpdateCommand({ TableName: TABLE, Key: big, UpdateExpression: 'REMOVE b' })))).toBe(3);
    // growing a small one to ~2,500 bytes: the larger, after
    expect(
      await units(() =>
        c.send(new UpdateCommand({ TableName: TABLE, Key: big, UpdateExpression: 'SET b = :b', ExpressionAttributeValues: { ':b': blob(2500) } })),
      ),
    ).toBe(3);

    // an item in GSI1, ~1,560 bytes: 2 on the table + 1 for its index entry (its keys and the
    // projected attributes: `b` is not projected, lib/table-definition.ts INDEX_ATTRIBUTES)
    const ix = { PK: `T#${t}#IX`, SK: 'X' };
    expect(await units(() => c.send(new PutCommand({ TableName: TABLE, Item: { ...ix, GSI1PK: `T#${t}#L1`, GSI1SK: 'a', b: blob(1500) } })))).toBe(3);
    // a change of an attribute the index does not project: the table alone, no index write
    expect(
      await units(() => c.send(new UpdateCommand({ TableName: TABLE, Key: ix, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 1 } }))),
    ).toBe(2);
    // a change of a projected attribute inside the same index partition: one index write, the entry's size
    expect(
      await units(() =>
        c.send(new UpdateCommand({ TableName: TABLE, Key: ix, UpdateExpression: 'SET title = :v', ExpressionAttributeValues: { ':v': blob(1100) } })),
      ),
    ).toBe(3 + 2);
    // moving it to another GSI1 partition: the table, the old entry deleted, the new one put
    expect(
      await units(() =>
        c.send(new UpdateCommand({ TableName: TABLE, Key: ix, UpdateExpression: 'SET GSI1PK = :p', ExpressionAttributeValues: { ':p': `T#${t}#L2` } })),
      ),
    ).toBe(3 + 2 + 2);
    // deleting: the table and the entry
    expect(await units(() => c.send(new DeleteCommand({ TableName: TABLE, Key: ix })))).toBe(3 + 2);

    // an item the front never saw (written straight to DynamoDB Local): its size is read, not guessed
    const unseen = { PK: `T#${t}#UNSEEN`, SK: 'X' };
    await direct().send(new PutCommand({ TableName: TABLE, Item: { ...unseen, b: blob(5000) } }));
    expect(
      await units(() => c.send(new UpdateCommand({ TableName: TABLE, Key: unseen, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 1 } }))),
    ).toBe(5);
    expect(f.stats.imageReads).toBeGreaterThan(0);
  });

  test('reads: 4 KB units of the items read; half for eventually consistent reads, twice in TransactGetItems; a Query rounds its sum', async () => {
    const { f, c } = await front({ throughput: true, hashedPartitions: false, tableLimits: false });
    const t = newTenant();
    const units = async (read: () => Promise<unknown>) => {
      const r0 = f.stats.readUnits;
      await read();
      return f.stats.readUnits - r0;
    };
    const k = { PK: `T#${t}#R`, SK: 'A' };
    await direct().send(new PutCommand({ TableName: TABLE, Item: { ...k, b: blob(5000) } })); // ~5 KB: 2 read units
    await direct().send(new PutCommand({ TableName: TABLE, Item: { PK: k.PK, SK: 'B', b: blob(3500) } }));
    expect(await units(() => c.send(new GetCommand({ TableName: TABLE, Key: k, ConsistentRead: true })))).toBe(2);
    expect(await units(() => c.send(new GetCommand({ TableName: TABLE, Key: k })))).toBe(1);
    expect(await units(() => c.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: TABLE, Key: k } }] })))).toBe(4);
    expect(await units(() => c.send(new GetCommand({ TableName: TABLE, Key: { PK: k.PK, SK: 'none' }, ConsistentRead: true })))).toBe(1);
    // BatchGetItem rounds each item: 2 + 1
    expect(await units(() => c.send(new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: [k, { PK: k.PK, SK: 'B' }], ConsistentRead: true } } })))).toBe(3);
    // Query sums, then rounds: ~8.6 KB → 3
    expect(
      await units(() =>
        c.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': k.PK }, ConsistentRead: true })),
      ),
    ).toBe(3);
  });
});

describe('partitions and the table', () => {
  test('partition-key values share the physical partition they hash to; partitions in proportion to the table throughput', async () => {
    expect(partitionCount(4000, 12000)).toBe(4); // a new on-demand table
    expect(partitionCount(40000, 40000)).toBe(40);
    expect(partitionCount(1000, 3000)).toBe(1);
    // 1,000 WCU/s × 0.001: 1 write unit/s per partition; a new table's 4,000: 4 partitions
    const { c } = await front({ throughput: true, scale: 0.001 });
    const t = newTenant();
    const keys = Array.from({ length: 40 }, (_, i) => `T#${t}#K${i}`);
    const k1 = keys[0];
    const k2 = keys.find((k) => k !== k1 && physicalPartition(k, 4) === physicalPartition(k1, 4))!;
    const k3 = keys.find((k) => physicalPartition(k, 4) !== physicalPartition(k1, 4))!;
    await c.send(new PutCommand({ TableName: TABLE, Item: { PK: k1, SK: 'X', b: blob(3000) } })); // 3 units: the partition 2 in debt
    // another key on the same partition finds its unit spent; a key on another partition does not
    expect((await caught(c.send(new PutCommand({ TableName: TABLE, Item: { PK: k2, SK: 'X' } }))))?.name).toBe('ProvisionedThroughputExceededException');
    expect(await caught(c.send(new PutCommand({ TableName: TABLE, Item: { PK: k3, SK: 'X' } })))).toBeUndefined();
  });

  test("a table-level bucket: a new table's 4,000 write units/s, doubled after 30 minutes, a warm throughput, the quota", async () => {
    // one bucket per key value (so only the table limits), scale 0.001: a new table takes 4 write units a
    // second; one BatchWriteItem of 25 one-unit puts (all at one instant) writes as many as the table takes
    const burst = async (opts: Omit<FrontOptions, 'target'>) => {
      const { c } = await front({ throughput: true, scale: 0.001, hashedPartitions: false, ...opts });
      const t = newTenant();
      const puts = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { PK: `T#${t}#W${i}`, SK: 'X' } } }));
      const out = await c.send(new BatchWriteCommand({ RequestItems: { [TABLE]: puts } }));
      return 25 - (out.UnprocessedItems?.[TABLE]?.length ?? 0);
    };
    expect(await burst({})).toBe(4);
    expect(await burst({ tableCreatedAt: Date.now() - 31 * 60_000 })).toBe(8); // one doubling: 8,000
    expect(await burst({ tableCreatedAt: Date.now() - 61 * 60_000 })).toBe(16); // two: 16,000
    expect(await burst({ warmWrites: 12000 })).toBe(12); // a warm throughput of 12,000
    expect(await burst({ warmWrites: 12000, tableQuota: 2000 })).toBe(2); // the quota caps it
    expect(await burst({ tableLimits: false })).toBe(25);
  });
});

describe('partial batch answers', () => {
  test('BatchWriteItem writes what fits and answers the rest as UnprocessedItems; nothing fits: ProvisionedThroughputExceededException', async () => {
    const { f, c } = await front({ throughput: true, scale: 0.001, hashedPartitions: false }); // table: 4 write units/s
    const t = newTenant();
    const items = Array.from({ length: 10 }, (_, i) => ({ PK: `T#${t}#B${i}`, SK: 'X' }));
    const out = await c.send(new BatchWriteCommand({ RequestItems: { [TABLE]: items.map((Item) => ({ PutRequest: { Item } })) } }));
    const left = out.UnprocessedItems?.[TABLE] ?? [];
    expect(left).toHaveLength(6);
    expect(f.stats.unprocessed).toBe(6);
    const leftPks = new Set(left.map((r) => r.PutRequest!.Item!.PK));
    // what was processed is written, what was not is not
    for (const k of items) {
      const got = (await direct().send(new GetCommand({ TableName: TABLE, Key: k }))).Item;
      expect(Boolean(got)).toBe(!leftPks.has(k.PK));
    }
    // the table in debt (a 10 KB item): a batch of which nothing fits is refused whole
    await caught(c.send(new PutCommand({ TableName: TABLE, Item: { PK: `T#${t}#DEBT`, SK: 'X', b: blob(10_000) } })));
    await c.send(new PutCommand({ TableName: TABLE, Item: { PK: `T#${t}#DEBT2`, SK: 'X', b: blob(10_000) } })).catch(() => undefined);
    const err = await caught(c.send(new BatchWriteCommand({ RequestItems: { [TABLE]: items.slice(0, 3).map((Item) => ({ PutRequest: { Item } })) } })));
    expect(err?.name).toBe('ProvisionedThroughputExceededException');
  });

  test('BatchGetItem reads what fits and answers the rest as UnprocessedKeys', async () => {
    const { c } = await front({ throughput: true, scale: 0.001, hashedPartitions: false, tableLimits: false }); // 3 read units/s per key value
    const t = newTenant();
    const hot = { PK: `T#${t}#HOT`, SK: 'X' };
    const cold = { PK: `T#${t}#COLD`, SK: 'X' };
    await direct().send(new PutCommand({ TableName: TABLE, Item: { ...hot, b: blob(24_000) } })); // 6 read units: 3 in debt
    await direct().send(new PutCommand({ TableName: TABLE, Item: { ...cold, n: 1 } }));
    await c.send(new GetCommand({ TableName: TABLE, Key: hot, ConsistentRead: true })); // hot's partition spent
    const out = await c.send(new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: [hot, cold], ConsistentRead: true } } }));
    expect(out.Responses?.[TABLE]?.map((r) => r.PK)).toEqual([cold.PK]);
    expect(out.UnprocessedKeys?.[TABLE]?.Keys).toEqual([hot]);
    expect(out.UnprocessedKeys?.[TABLE]?.ConsistentRead).toBe(true);
    const err = await caught(c.send(new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: [hot], ConsistentRead: true } } })));
    expect(err?.name).toBe('ProvisionedThroughputExceededException');
  });
});
