/**
 * The low-stock flag: GSI2 attributes on a level, present only while its status is not `normal`
 * (`T#t#LOW` / `<iid>#<wid>`), so a report reads the flagged levels and nothing else. Written by the
 * stream consumer, conditioned on the stream sequence number so a late record never overwrites a
 * newer state.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Level, LevelStatus } from '../core/model.ts';
import { db, tableName } from './db.ts';
import { keys, strip } from './keys.ts';
import { queryPartition } from './query.ts';

/** Stream sequence numbers are decimal strings of up to 40 digits: padded, they compare as strings. */
export const seqKey = (sequenceNumber: string) => sequenceNumber.padStart(40, '0');

export async function flagSeq(tenant: string, iid: string, wid: string): Promise<string | undefined> {
  const res = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.level(tenant, iid, wid), ProjectionExpression: 'flag_seq', ConsistentRead: true }),
  );
  return res.Item?.flag_seq as string | undefined;
}

/** Set or clear the flag; false when a newer record already wrote it or the level is gone. */
export async function writeFlag(tenant: string, iid: string, wid: string, status: LevelStatus, seq: string): Promise<boolean> {
  const flagged = status !== 'normal';
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.level(tenant, iid, wid),
        UpdateExpression: flagged
          ? 'SET GSI2PK = :pk, GSI2SK = :sk, flag_status = :status, flag_seq = :seq'
          : 'SET flag_status = :status, flag_seq = :seq REMOVE GSI2PK, GSI2SK',
        // a late (replayed or reordered) record never overwrites a newer state
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(flag_seq) OR flag_seq < :seq)',
        ExpressionAttributeValues: {
          ':status': status,
          ':seq': seq,
          ...(flagged ? { ':pk': keys.lowStockPartition(tenant), ':sk': `${iid}#${wid}` } : {}),
        },
      }),
    );
    return true;
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

/** The tenant's flagged levels: the report's whole read. */
export async function flaggedLevels(tenant: string): Promise<Level[]> {
  const rows = await queryPartition(keys.lowStockPartition(tenant), { index: 'GSI2' });
  return rows.map((r) => strip<Level>(r));
}
