/**
 * The DynamoDB front itself (lib/local/dynamo-front.ts): AWS's answers, in AWS's shapes, parsed by
 * the AWS SDK — a conflicting transaction pair, a write on an item held by a transaction, a
 * throttled partition, a denied call — and what the SDK's own retry does with each.
 */
import { BatchGetCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startFrontFor } from '../../lib/local/dynamo-front.ts';
import type { DynamoFront } from '../../lib/local/dynamo-front.ts';
import { newTenant } from '../support/api.ts';
import { caught, clientOn, ownFront, stopAfterFile, TABLE, target } from '../support/front-clients.ts';

function client(front: DynamoFront, accessKeyId = 'admin', maxAttempts = 1) {
  return clientOn(front.endpoint, accessKeyId, maxAttempts);
}
const put = (pk: string, sk = 'X') => ({ Put: { TableName: TABLE, Item: { PK: pk, SK: sk, n: 1 } } });

test('a transaction touching an item of an in-flight transaction is cancelled with TransactionConflict for that item; a plain write gets TransactionConflictException', async () => {
  const front = await ownFront({ conflicts: true, commitMs: 1500 }); // long enough for a loaded machine to send the next requests within it
  const c = client(front);
  const t = newTenant();
  const [a, b, z] = [`T#${t}#A`, `T#${t}#B`, `T#${t}#Z`];
  const first = c.send(new TransactWriteCommand({ TransactItems: [put(a), put(b)] }));
  await new Promise((r) => setTimeout(r, 50));
  // the second transaction shares B with the first: B's reason is TransactionConflict, Z's None
  const err = await caught(c.send(new TransactWriteCommand({ TransactItems: [put(z), put(b)] })));
  expect(err?.name).toBe('TransactionCanceledException');
  expect(err.CancellationReasons).toEqual([{ Code: 'None' }, { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }]);
  expect(err.$metadata.httpStatusCode).toBe(400);
  expect(err.$metadata.attempts).toBe(1); // the SDK does not retry a cancelled transaction: the caller does (store/db.ts)
  // a single-item write on a held item
  const single = await caught(c.send(new PutCommand({ TableName: TABLE, Item: { PK: a, SK: 'X', n: 2 } })));
  expect(single?.name).toBe('TransactionConflictException');
  expect(single.message).toBe('Transaction is ongoing for the item');
  // an item no transaction holds is written at once, and a read of a held item is served
  await c.send(new PutCommand({ TableName: TABLE, Item: { PK: z, SK: 'Y' } }));
  expect((await c.send(new GetCommand({ TableName: TABLE, Key: { PK: z, SK: 'Y' } }))).Item).toBeDefined();
  await first;
  expect(front.stats).toMatchObject({ txConflicts: 1, writeConflicts: 1 });
  // once the first has committed, the same transaction goes through
  await c.send(new TransactWriteCommand({ TransactItems: [put(z), put(b)] }));
  // the first transaction was answered only after its modelled commit time
  const t0 = Date.now();
  await c.send(new TransactWriteCommand({ TransactItems: [put(a)] }));
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1490);
});

test('a partition over its write units answers ProvisionedThroughputExceededException; other partitions are unaffected; the SDK retries it', async () => {
  // 1,000 WCU/s × 0.002 = 2 write units per second per partition (a bucket one second deep); one
  // bucket per partition-key value, no table limit (dynamo-front-fidelity.test.ts: hashed partitions, the table)
  const front = await ownFront({ throughput: true, scale: 0.002, hashedPartitions: false, tableLimits: false });
  const once = client(front);
  const t = newTenant();
  const hot = `T#${t}#HOT`;
  const outcomes = await Promise.all(
    Array.from({ length: 30 }, (_, i) => caught(once.send(new PutCommand({ TableName: TABLE, Item: { PK: hot, SK: `S${i}` } })))),
  );
  const errors = outcomes.filter(Boolean);
  expect(errors.length).toBeGreaterThanOrEqual(15);
  expect(errors[0].name).toBe('ProvisionedThroughputExceededException');
  expect(errors[0].$metadata.httpStatusCode).toBe(400);
  expect(errors[0].message).toMatch(/provisioned throughput/);
  // another partition key is its own bucket
  await once.send(new PutCommand({ TableName: TABLE, Item: { PK: `T#${t}#COLD`, SK: 'S' } }));
  // a 3 KB item costs 3 units written alone, a 6 KB one 12 in a transaction: one second later (2 units
  // back) the first partition takes writes again, the second is still in debt (for 5 s: room for a loaded machine)
  const blob = 'x'.repeat(2900);
  await once.send(new PutCommand({ TableName: TABLE, Item: { PK: `T#${t}#P`, SK: 'S', blob } }));
  await once.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: TABLE, Item: { PK: `T#${t}#X`, SK: 'S', blob: blob + blob } } }] }));
  await new Promise((r) => setTimeout(r, 1000));
  expect(await caught(once.send(new PutCommand({ TableName: TABLE, Item: { PK: `T#${t}#P`, SK: 'S2' } })))).toBeUndefined();
  expect((await caught(once.send(new PutCommand({ TableName: TABLE, Item: { PK: `T#${t}#X`, SK: 'S2' } }))))?.name).toBe(
    'ProvisionedThroughputExceededException',
  );
  // the SDK's standard retry (backoff) gets through once the bucket refills
  const retrying = client(front, 'admin', 10);
  const out = await retrying.send(new PutCommand({ TableName: TABLE, Item: { PK: `T#${t}#X`, SK: 'last' } }));
  expect(out.$metadata.attempts).toBeGreaterThan(1);
});

test('a write to an item charges the index partitions it is in (GSI writes land on the index partition)', async () => {
  const front = await ownFront({ throughput: true, scale: 0.01 });
  const c = client(front);
  const t = newTenant();
  // ten different items, one index partition: the index partition runs out, not the items'
  const outcomes = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      caught(c.send(new PutCommand({ TableName: TABLE, Item: { PK: `T#${t}#I${i}`, SK: 'ITEM', GSI1PK: `T#${t}#ITEMS`, GSI1SK: `I${i}` } }))),
    ),
  );
  const errs = outcomes.filter(Boolean);
  expect(errs.length).toBeGreaterThanOrEqual(10);
  expect(errs[0].name).toBe('ProvisionedThroughputExceededException');
});

test('IAM: a function may call only what its declaration grants; AccessDeniedException as AWS answers it', async () => {
  const front = await startFrontFor(target, { iam: true, conflicts: false, throughput: false });
  stopAfterFile(front);
  const t = newTenant();
  // a read-only route may not write
  const reader = client(front, 'AdminItemsGet');
  const err = await caught(reader.send(new PutCommand({ TableName: TABLE, Item: { PK: `T#${t}#A`, SK: 'X' } })));
  expect(err?.name).toBe('AccessDeniedException');
  expect(err.$metadata.httpStatusCode).toBe(400);
  expect(err.message).toMatch(/is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:local:000000000000:table\/inventory-test/);
  expect(await caught(reader.send(new GetCommand({ TableName: TABLE, Key: { PK: `T#${t}#A`, SK: 'X' } })))).toBeUndefined();
  // the authorizer reads keys by GetItem only: no Query, not even of an index
  const auth = client(front, 'Authorizer');
  const q = await caught(auth.send(new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: [{ PK: `T#${t}#A`, SK: 'X' }] } } })));
  expect(q?.name).toBe('AccessDeniedException');
  // an identity that is no function (set-up, the CLI): everything
  await client(front, 'admin').send(new PutCommand({ TableName: TABLE, Item: { PK: `T#${t}#A`, SK: 'X' } }));
  expect(front.stats.denied.map((d) => `${d.identity} ${d.action}`)).toEqual(['AdminItemsGet PutItem', 'Authorizer BatchGetItem']);
  // what the functions were allowed to do is recorded (the grant audit, bin/grant-usage.ts); refusals and admin are not
  expect([...front.stats.used].sort()).toEqual(['AdminItemsGet\tGetItem\ttable']);
});
