/**
 * Idempotency records, in the same table, per tenant: `T#t#IDEM#<sha256 of the key>`. A request
 * claims its key with a conditional Put; the response it produced is stored for 24 h.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './db.ts';

const TTL_SECONDS = 24 * 3600;
/** A claim not completed within this time (a crashed request) may be taken over. */
const LOCK_MS = 60_000;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' };

const keyOf = (tenant: string, idemKey: string) => ({
  PK: `T#${tenant}#IDEM#${createHash('sha256').update(idemKey).digest('hex')}`,
  SK: 'IDEM',
});

export async function claim(tenant: string, idemKey: string, fingerprint: string, now = Date.now()): Promise<Claim> {
  const Key = keyOf(tenant, idemKey);
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...Key, entity: 'idempotency', state: 'in_progress', fingerprint, lock_until: now + LOCK_MS, ttl: Math.floor(now / 1000) + TTL_SECONDS },
        // first use of the key, or an expired record, or a claim abandoned by a crashed request
        ConditionExpression: 'attribute_not_exists(PK) OR #ttl < :nowSec OR (#state = :progress AND lock_until < :now)',
        ExpressionAttributeNames: { '#ttl': 'ttl', '#state': 'state' },
        ExpressionAttributeValues: { ':nowSec': Math.floor(now / 1000), ':progress': 'in_progress', ':now': now },
      }),
    );
    return { kind: 'claimed' };
  } catch (err) {
    if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
  }
  const res = await db().send(new GetCommand({ TableName: tableName(), Key, ConsistentRead: true }));
  const row = res.Item;
  if (!row) return claim(tenant, idemKey, fingerprint, now);
  if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (row.state === 'completed') return { kind: 'replay', response: JSON.parse(row.response as string) };
  return { kind: 'in_progress' };
}

export async function complete(tenant: string, idemKey: string, response: StoredResponse): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keyOf(tenant, idemKey),
      UpdateExpression: 'SET #state = :done, #response = :response REMOVE lock_until',
      ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
      ExpressionAttributeValues: { ':done': 'completed', ':response': JSON.stringify(response) },
    }),
  );
}

/** A request that changed nothing (4xx) or failed gives its key back: a retry runs afresh. */
export async function release(tenant: string, idemKey: string): Promise<void> {
  await db().send(new DeleteCommand({ TableName: tableName(), Key: keyOf(tenant, idemKey) }));
}
