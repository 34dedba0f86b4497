/** The local stream runner hands batches over as the deployed mapping does (lib/stream-source.ts). */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { localClient } from '../../lib/local/table.ts';
import { startStreamPoller } from '../../lib/local/stream-poller.ts';
import type { StreamPoller } from '../../lib/local/stream-poller.ts';
import { STREAM_SOURCE } from '../../lib/stream-source.ts';

const endpoint = process.env.DYNAMODB_LOCAL_ENDPOINT!;
const table = process.env.TABLE_NAME!;
const prefix = `T#poller-${randomUUID().slice(0, 8)}#`;
const mine = (r: DynamoDBRecord) => r.dynamodb?.Keys?.PK?.S?.startsWith(prefix);
const write = async (n: number) => {
  const c = DynamoDBDocumentClient.from(localClient(endpoint));
  for (let i = 0; i < n; i++) await c.send(new PutCommand({ TableName: table, Item: { PK: `${prefix}${i}`, SK: 'ITEM' } }));
  c.destroy();
};

let poller: StreamPoller | undefined;
afterEach(() => poller?.stop());

test('a handler that throws loses nothing: the same batch is handed over again; no batch is over the mapping size', async () => {
  const batches: DynamoDBRecord[][] = [];
  let threw = 0;
  poller = await startStreamPoller({
    endpoint,
    tableName: table,
    from: 'LATEST',
    intervalMs: 60_000, // only drain() polls
    functionName: 'admin',
    handler: async (event) => {
      const ours = event.Records.filter(mine);
      batches.push(event.Records);
      if (ours.length && threw < 2) {
        threw++;
        throw new Error('handler failed');
      }
      return { batchItemFailures: [] };
    },
  });
  await write(250);
  // a pass whose handler throws rejects; the records stay held
  for (let i = 0; i < 2; i++) await expect(poller.drain()).rejects.toThrow('handler failed');
  await poller.drain();
  expect(threw).toBe(2);
  for (const b of batches) expect(b.length).toBeLessThanOrEqual(STREAM_SOURCE.batchSize);
  // the first batch of ours was handed over three times (two throws, then answered), in the same order
  const firsts = batches.filter((b) => b.some(mine)).slice(0, 3).map((b) => b.map((r) => r.dynamodb!.SequenceNumber).join());
  expect(firsts[1]).toBe(firsts[0]);
  expect(firsts[2]).toBe(firsts[0]);
  // every record of ours was handed over and answered: none lost
  const answered = new Set(batches.slice(batches.findIndex((b) => b.some(mine)) + 2).flatMap((b) => b.filter(mine).map((r) => r.dynamodb!.Keys!.PK!.S)));
  expect(answered.size).toBe(250);
}, 120_000);
