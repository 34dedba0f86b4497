import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { findApiKey } from '../../functions/store/api-keys.ts';
import { db, tableName } from '../../functions/store/db.ts';
import { keyOf } from '../../functions/store/idempotency.ts';
import type { Api } from './api.ts';

/**
 * Time passes: the Idempotency-Key's claim (of the api's own key) is past its lock, what a retry 60 s
 * later sees — its request taken for dead, a retry may take the claim over. Addressed by its key: the
 * test table is shared with every other file (and, in CI, with the 100,000-row upload), so a Scan of
 * it would take minutes. Refused if there is no such record. Answers the record's state.
 */
export async function expireClaim(api: Api, idemKey: string): Promise<string> {
  const keyId = (await findApiKey(api.tenant, api.key))!.id;
  const out = await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keyOf({ tenant: api.tenant, keyId }, idemKey),
      UpdateExpression: 'SET lock_until = :z',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':z': 0 },
      ReturnValues: 'ALL_OLD',
    }),
  );
  return String(out.Attributes?.state);
}
