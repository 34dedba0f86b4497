/** API keys: stored only as a SHA-256 hash, under the tenant the key names. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../core/model.ts';
import { db, noteRef, tableName, writeItem, unlessConditionFails } from './db.ts';
import { ApiKey } from './entities.ts';
import * as keys from './key-builders.ts';
import { queryPartition } from './query.ts';

export interface ApiKeyRecord {
  id: string;
  tenant: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  warehouse_ids: string[] | null;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}
/** A key as stored: a new one has not been used yet. */
export type NewApiKeyRecord = Omit<ApiKeyRecord, 'last_used_at'> & { last_used_at?: string | null };

const FIELDS = ['id', 'tenant', 'name', 'prefix', 'scopes', 'warehouse_ids', 'created_at', 'last_used_at', 'revoked_at'] as const;
const publicKey = (row: Record<string, unknown>): ApiKeyRecord => Object.fromEntries(FIELDS.map((f) => [f, row[f] ?? null])) as unknown as ApiKeyRecord;

export const hashKey = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Store a key; with `onlyIfNew`, an existing key (same secret) is left as it is. */
export async function putApiKey(secret: string, rec: NewApiKeyRecord, opts: { onlyIfNew?: boolean } = {}): Promise<boolean> {
  // a keyed request's record keeps the key's id (never its secret): a replay answers its metadata
  noteRef(rec.id);
  const written = await unlessConditionFails(() =>
    writeItem({
      Put: {
        TableName: tableName(),
        Item: ApiKey.row(rec.tenant, { hash: hashKey(secret), ...rec }),
        ...(opts.onlyIfNew ? { ConditionExpression: 'attribute_not_exists(PK)' } : {}),
      },
    }),
  );
  return written !== undefined;
}

/** The key a secret belongs to; the stored hash is compared in constant time as well. */
export async function findApiKey(tenant: string, secret: string): Promise<ApiKeyRecord | undefined> {
  const hash = hashKey(secret);
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.apiKey(tenant, hash) }));
  const stored = res.Item?.hash as string | undefined;
  if (!res.Item || !stored || stored.length !== hash.length || !timingSafeEqual(Buffer.from(stored), Buffer.from(hash))) return undefined;
  return publicKey(res.Item);
}

export async function listApiKeys(tenant: string): Promise<ApiKeyRecord[]> {
  const rows = await queryPartition(keys.apiKeysPartition(tenant), { index: 'GSI1' });
  return rows.map(publicKey);
}

/** A key by its id (no secret: only the hash is stored, and it is not answered). */
export async function apiKeyById(tenant: string, keyId: string): Promise<ApiKeyRecord | undefined> {
  const row = await keyRow(tenant, keyId);
  return row ? publicKey(row) : undefined;
}

/** A key's row by its id: its key from the index (which projects the id, not the key's fields), then the row. */
async function keyRow(tenant: string, keyId: string): Promise<Record<string, unknown> | undefined> {
  const [entry] = await queryPartition(keys.apiKeysPartition(tenant), { index: 'GSI1', skPrefix: keyId, projection: ['PK', 'SK', 'id'] });
  if (!entry || entry.id !== keyId) return undefined;
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: { PK: entry.PK, SK: entry.SK }, ConsistentRead: true }));
  return res.Item;
}

/**
 * What a revoking key may reach, checked in the revoke's own condition: the target holds none of
 * `deniedScopes`, and with `withinWarehouses` it is limited to a non-empty subset of them.
 */
export interface RevokeGuard {
  deniedScopes: Scope[];
  withinWarehouses?: string[];
}

export class RevokeDenied extends Error {}

/** Revoke by id: the key stops authorizing at once (locally; deployed, within the authorizer cache TTL). */
export async function revokeApiKey(tenant: string, keyId: string, now: string, guard?: RevokeGuard): Promise<ApiKeyRecord | undefined> {
  const row = await keyRow(tenant, keyId);
  if (!row) return undefined;
  const key = { PK: row.PK as string, SK: row.SK as string };
  // the first revocation time stays
  let condition = 'attribute_exists(PK) AND (attribute_not_exists(revoked_at) OR attribute_type(revoked_at, :null))';
  const values: Record<string, unknown> = { ':now': now, ':null': 'NULL' };
  if (guard) {
    guard.deniedScopes.forEach((s, i) => {
      values[`:ds${i}`] = s;
      condition += ` AND NOT contains(scopes, :ds${i})`;
    });
    if (guard.withinWarehouses) {
      const target = Array.isArray(row.warehouse_ids) ? (row.warehouse_ids as string[]) : [];
      if (!target.length || !target.every((w) => guard.withinWarehouses!.includes(w))) throw new RevokeDenied();
      // the target's warehouses are still the ones just found inside the revoker's
      values[':tw'] = target;
      condition += ' AND warehouse_ids = :tw';
    }
  }
  try {
    const res = await writeItem({
      Update: {
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET revoked_at = :now',
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
      },
      ReturnValues: 'ALL_NEW',
    });
    return publicKey(res.Attributes!);
  } catch (err) {
    if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    const res = await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
    if (!res.Item) return undefined;
    if (res.Item.revoked_at) return publicKey(res.Item);
    throw new RevokeDenied(); // not revoked: the guard refused it
  }
}

/** Record use at most once an hour per key (a write per request would double the cost of reads). */
export async function touchApiKey(tenant: string, secret: string, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - 3_600_000).toISOString();
  // a failed condition: used within the hour (or gone), nothing to record
  await unlessConditionFails(() =>
    db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.apiKey(tenant, hashKey(secret)),
        UpdateExpression: 'SET last_used_at = :now',
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(last_used_at) OR attribute_type(last_used_at, :null) OR last_used_at < :cutoff)',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':cutoff': cutoff, ':null': 'NULL' },
      }),
    ),
  );
}
