/**
 * Index lag (the front's `indexLagMs`, DYNAMO_FRONT_INDEX_LAG_MS; docs/operations.md, "The DynamoDB front"): a
 * Query of a global secondary index sees a write only after the lag, as AWS's eventually consistent
 * index reads do — a new item is missing, a moved or deleted one still shows its old image. Started
 * with the helper tests use for it (test/support/own-front.ts `useFrontWithIndexLag`). And the
 * store's batch reads (functions/store/rows.ts `batchRows`) against partial batch answers.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { frontOptionsFromEnv, startDynamoFront } from '../../lib/local/dynamo-front.ts';
import { setClient } from '../../functions/store/db.ts';
import { batchRows, BATCH_RETRIES } from '../../functions/store/rows.ts';
import { newTenant } from '../support/api.ts';
import { useFrontWithIndexLag } from '../support/own-front.ts';

const LAG = 3000; // long enough that a loaded machine answers the next request within it
const front = useFrontWithIndexLag(LAG);
const TABLE = process.env.TABLE_NAME!;
const clients: DynamoDBClient[] = [];
afterAll(() => clients.forEach((c) => c.destroy()));
function client(endpoint: string, maxAttempts = 1) {
  const base = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'admin', secretAccessKey: 'x' }, maxAttempts });
  clients.push(base);
  return DynamoDBDocumentClient.from(base);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("the helper starts a front with the lag (and the run's IAM and conflicts); DYNAMO_FRONT_INDEX_LAG_MS sets it", () => {
  expect(front().options).toMatchObject({ indexLagMs: LAG, iam: true, conflicts: true });
  expect(frontOptionsFromEnv({ iam: true, conflicts: true, throughput: false }, { DYNAMO_FRONT_INDEX_LAG_MS: '250' }).indexLagMs).toBe(250);
});

test('an index query sees a write only after the lag: new items missing, moved or deleted ones as they were; the table itself at once', async () => {
  const c = client(front().endpoint);
  const t = newTenant();
  const [p1, p2] = [`T#${t}#L1`, `T#${t}#L2`];
  const key = { PK: `T#${t}#R1`, SK: 'X' };
  // `quantity`: an attribute the index projects (lib/table-definition.ts)
  const q = (pk: string, sk?: string) =>
    c
      .send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: 'GSI1i',
          KeyConditionExpression: sk ? 'GSI1PK = :p AND begins_with(GSI1SK, :s)' : 'GSI1PK = :p',
          ExpressionAttributeValues: sk ? { ':p': pk, ':s': sk } : { ':p': pk },
        }),
      )
      .then((r) => r.Items ?? []);
  await c.send(new PutCommand({ TableName: TABLE, Item: { PK: `T#${t}#OLD`, SK: 'X', GSI1PK: p1, GSI1SK: 'a#0', quantity: 0 } }));
  await sleep(LAG + 50);

  await c.send(new PutCommand({ TableName: TABLE, Item: { ...key, GSI1PK: p1, GSI1SK: 'b#1', quantity: 1 } }));
  expect((await c.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }))).Item?.quantity).toBe(1); // the table: at once
  expect((await q(p1)).map((i) => i.quantity)).toEqual([0]); // the index: not yet
  await sleep(LAG + 50);
  expect((await q(p1)).map((i) => i.quantity)).toEqual([0, 1]);

  // moved to another index partition: the old one still shows it (old image), the new one not yet
  await c.send(
    new UpdateCommand({ TableName: TABLE, Key: key, UpdateExpression: 'SET GSI1PK = :p, quantity = :n', ExpressionAttributeValues: { ':p': p2, ':n': 2 } }),
  );
  expect((await q(p1)).map((i) => i.quantity)).toEqual([0, 1]);
  expect(await q(p1, 'b#')).toEqual([expect.objectContaining({ quantity: 1, GSI1PK: p1 })]); // the sort-key condition holds for old images too
  expect(await q(p1, 'c#')).toEqual([]);
  expect(await q(p2)).toEqual([]);
  await sleep(LAG + 50);
  expect((await q(p1)).map((i) => i.quantity)).toEqual([0]);
  expect((await q(p2)).map((i) => i.quantity)).toEqual([2]);

  // deleted: still listed until the lag has passed
  await c.send(new DeleteCommand({ TableName: TABLE, Key: key }));
  expect((await q(p2)).map((i) => i.quantity)).toEqual([2]);
  await sleep(LAG + 50);
  expect(await q(p2)).toEqual([]);
});

describe('batchRows (functions/store/rows.ts) against partial batch answers', () => {
  afterEach(() => setClient(undefined));

  test('re-sends the unprocessed keys after a backoff until every row is read', async () => {
    // one bucket per key value, 3 read units/s (scale 0.001): a 24 KB item read once leaves its partition in debt for a second
    const throttling = await startDynamoFront({
      target: process.env.DYNAMODB_LOCAL_ENDPOINT!,
      throughput: true,
      scale: 0.001,
      hashedPartitions: false,
      tableLimits: false,
    });
    try {
      const c = client(throttling.endpoint);
      const t = newTenant();
      const hot = { PK: `T#${t}#HOT`, SK: 'X' };
      const cold = [1, 2, 3].map((i) => ({ PK: `T#${t}#C${i}`, SK: 'X' }));
      await c.send(new PutCommand({ TableName: TABLE, Item: { ...hot, b: 'x'.repeat(24_000) } }));
      for (const k of cold) await c.send(new PutCommand({ TableName: TABLE, Item: k }));
      await c.send(new GetCommand({ TableName: TABLE, Key: hot, ConsistentRead: true }));
      // the store's client retries a request nothing of which fits (the SDK's backoff); batchRows re-sends partial answers
      setClient(client(throttling.endpoint, 10));
      const t0 = Date.now();
      const { rows, requests } = await batchRows([hot, ...cold]);
      expect(rows.map((r) => r.PK).sort()).toEqual([hot, ...cold].map((k) => k.PK).sort());
      expect(requests).toBeGreaterThan(1);
      expect(throttling.stats.unprocessed).toBeGreaterThan(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      await throttling.stop();
    }
  });

  test("gives up after BATCH_RETRIES answers without progress instead of looping for ever, as DynamoDB answers out of capacity (the edge's 429)", async () => {
    // an engine that keeps answering every key unprocessed (no real one does: the bound is for when it would)
    let requests = 0;
    const stuck = {
      send: async (cmd: any) => {
        requests++;
        return { Responses: { [TABLE]: [] }, UnprocessedKeys: cmd.input.RequestItems, $metadata: {} };
      },
      middlewareStack: { identify: () => [], add() {} },
    } as unknown as DynamoDBDocumentClient;
    setClient(stuck);
    await expect(batchRows([{ PK: 'T#x#A', SK: 'X' }])).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      message: expect.stringMatching(/unprocessed after/),
    });
    expect(requests).toBe(BATCH_RETRIES + 1);
  });
});
