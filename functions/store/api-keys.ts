/** API keys: stored only as a SHA-256 hash, under the tenant the key names. */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../core/model.ts';
import { db, tableName } from './db.ts';
import { keys } from './keys.ts';

export interface ApiKeyRecord {
  id: string;
  tenant: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  warehouse_ids: string[] | null;
  created_at: string;
  revoked_at: string | null;
}

export const hashKey = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Store a key; with `onlyIfNew`, an existing key (same secret) is left as it is. */
export async function putApiKey(secret: string, rec: ApiKeyRecord, opts: { onlyIfNew?: boolean } = {}): Promise<boolean> {
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.apiKey(rec.tenant, hashKey(secret)), ...keys.apiKeyIndex(rec.tenant, rec.id), entity: 'api_key', ...rec },
        ConditionExpression: opts.onlyIfNew ? 'attribute_not_exists(PK)' : undefined,
      }),
    );
    return true;
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

export async function findApiKey(tenant: string, secret: string): Promise<ApiKeyRecord | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.apiKey(tenant, hashKey(secret)) }));
  return res.Item as ApiKeyRecord | undefined;
}
