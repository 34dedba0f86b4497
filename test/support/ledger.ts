import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Adjustment } from '../../functions/core/model.ts';
import { db, tableName } from '../../functions/store/db.ts';
import { keys } from '../../functions/store/keys.ts';

/** The ledger rows of an item, read straight from the table (oldest first). */
export async function ledgerRows(tenant: string, iid: string): Promise<Adjustment[]> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.ledgerPartition(tenant, iid) },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as Adjustment[];
}
