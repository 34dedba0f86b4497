/**
 * The DynamoDB front's own cost (lib/local/dynamo-front.ts): median latency of a few request kinds
 * straight to DynamoDB Local, through the front as the tests run it (IAM, conflicts) and through it
 * with throughput limits on (item sizes read from DynamoDB Local). `npx tsx bench/front-overhead.ts`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { ensureTable } from '../lib/local/table.ts';
import { startDynamoFront } from '../lib/local/dynamo-front.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const N = Number(process.env.N ?? 300);
const ddb = await startDynamoDbLocal();
const TABLE = 'overhead';
await ensureTable(ddb.endpoint, TABLE);
const client = (endpoint: string) =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'admin', secretAccessKey: 'x' }, maxAttempts: 1 }));
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(label: string, endpoint: string) {
  const c = client(endpoint);
  const kinds: Record<string, (i: number) => Promise<unknown>> = {
    PutItem: (i) =>
      c.send(new PutCommand({ TableName: TABLE, Item: { PK: `P#${label}#${i}`, SK: 'X', GSI1PK: `L#${label}`, GSI1SK: String(i), b: 'x'.repeat(500) } })),
    UpdateItem: (i) =>
      c.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { PK: `P#${label}#${i}`, SK: 'X' },
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      ),
    TransactWriteItems: (i) =>
      c.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: TABLE, Key: { PK: `P#${label}#${i}`, SK: 'X' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } },
            { Put: { TableName: TABLE, Item: { PK: `R#${label}#${i}`, SK: 'X', q: 1 } } },
          ],
        }),
      ),
    GetItem: (i) => c.send(new GetCommand({ TableName: TABLE, Key: { PK: `P#${label}#${i}`, SK: 'X' }, ConsistentRead: true })),
  };
  const out: Record<string, number> = {};
  for (const [kind, run] of Object.entries(kinds)) {
    for (let i = 0; i < 20; i++) await run(i); // warm-up
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await run(i);
      times.push(performance.now() - t0);
    }
    out[kind] = Number(median(times).toFixed(2));
  }
  return out;
}

// holds are 0 so the figures are the front's own work, not the modelled commit time; DynamoDB Local
// warmed first (its JIT), then three rounds alternating the three paths, the median of the rounds
const tests = await startDynamoFront({ target: ddb.endpoint, iam: true, conflicts: true, commitMs: 0 });
const full = await startDynamoFront({ target: ddb.endpoint, iam: true, conflicts: true, commitMs: 0, throughput: true, warmWrites: 40000, warmReads: 40000 });
await measure('warm', ddb.endpoint);
const rounds: Record<string, Record<string, number>[]> = { direct: [], front: [], frontThroughput: [] };
for (let r = 0; r < 3; r++) {
  rounds.direct.push(await measure(`direct${r}`, ddb.endpoint));
  rounds.front.push(await measure(`tests${r}`, tests.endpoint));
  rounds.frontThroughput.push(await measure(`throughput${r}`, full.endpoint));
}
const summary = Object.fromEntries(
  Object.entries(rounds).map(([path, rs]) => [path, Object.fromEntries(Object.keys(rs[0]).map((k) => [k, median(rs.map((x) => x[k]))]))]),
);
console.log(JSON.stringify({ n: N, medianMs: summary, imageReadsPerRequest: Number((full.stats.imageReads / full.stats.requests).toFixed(2)) }, null, 2));
await tests.stop();
await full.stop();
await ddb.stop();
process.exit(0);
