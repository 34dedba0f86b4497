/**
 * For the tests of the DynamoDB front itself: fronts started on the run's DynamoDB Local and plain SDK
 * clients on them (or on DynamoDB Local directly), all stopped after the file.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoFront } from '../../lib/local/dynamo-front.ts';
import type { DynamoFront, FrontOptions } from '../../lib/local/dynamo-front.ts';

export const TABLE = process.env.TABLE_NAME!;
/** DynamoDB Local itself (the run's front is in front of it). */
export const target = process.env.DYNAMODB_LOCAL_ENDPOINT ?? process.env.DYNAMODB_ENDPOINT!;

const fronts: DynamoFront[] = [];
const clients: DynamoDBClient[] = [];
afterAll(async () => {
  clients.forEach((c) => c.destroy());
  await Promise.all(fronts.map((f) => f.stop()));
});

/** A document client on `endpoint` as `accessKeyId`, the SDK retrying `maxAttempts − 1` times. */
export function clientOn(endpoint: string, accessKeyId = 'admin', maxAttempts = 1) {
  const base = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts });
  clients.push(base);
  return DynamoDBDocumentClient.from(base);
}

/** Stop this front after the file. */
export const stopAfterFile = (f: DynamoFront) => void fronts.push(f);

/** A front of the test's own, stopped after the file. */
export async function ownFront(opts: Omit<FrontOptions, 'target'>): Promise<DynamoFront> {
  const f = await startDynamoFront({ target, ...opts });
  fronts.push(f);
  return f;
}

/** An answer or the error it threw. */
export const caught = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e) => e as any,
  );
