/**
 * The low-stock flag: GSI2 attributes on a level, present only while its status is not `normal`
 * (`T#t#LOW` / `<iid>#<wid>`), so a report reads the flagged levels and nothing else. Written by the
 * stream consumer, conditioned on the stream sequence number so a late record never overwrites a
 * newer state.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Level, LevelStatus } from '../core/model.ts';
import { db, tableName, unlessConditionFails } from './db.ts';
import { LevelEntity } from './entities.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { queryPartition } from './query.ts';
import { exactLevelRows } from './hot.ts';

/** Stream sequence numbers are decimal strings of up to 40 digits: padded, they compare as strings. */
export const seqKey = (sequenceNumber: string) => sequenceNumber.padStart(40, '0');

export async function flagSeq(tenant: string, iid: string, wid: string): Promise<string | undefined> {
  const res = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.level(tenant, iid, wid), ProjectionExpression: 'flag_seq', ConsistentRead: true }),
  );
  return res.Item?.flag_seq as string | undefined;
}

/** Set or clear the flag; false when a newer record already wrote it or the level is gone. */
/** `title`: the item's title, kept on a flagged level so the report reads the flagged levels and nothing else. */
export async function writeFlag(tenant: string, iid: string, wid: string, status: LevelStatus, seq: string, title: string | null = null): Promise<boolean> {
  return setFlag(tenant, iid, wid, status, title, { seq });
}

/**
 * The flag of a hot level (store/hot.ts), whose status changes with its shards, in partitions of their
 * own, so no one stream sequence orders them: set from a fresh snapshot, while the flag is still the
 * one that snapshot showed (`seen`; undefined: never flagged).
 */
export async function writeHotFlag(tenant: string, iid: string, wid: string, status: LevelStatus, seen: string | undefined, title: string | null = null): Promise<boolean> {
  return setFlag(tenant, iid, wid, status, title, { seen: seen ?? null });
}

async function setFlag(tenant: string, iid: string, wid: string, status: LevelStatus, title: string | null, guard: { seq: string } | { seen: string | null }): Promise<boolean> {
  const flagged = status !== 'normal';
  const seq = 'seq' in guard ? guard.seq : undefined;
  // GSI2 (the flag's index keys) set or removed as the level's declaration says for this status
  const index = LevelEntity.indexUpdate(tenant, { inventory_item_id: iid, location_id: wid, flag_status: status });
  const written = await unlessConditionFails(() =>
    db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.level(tenant, iid, wid),
        UpdateExpression: flagged
          ? `SET ${index.parts.join(', ')}, flag_status = :status${seq ? ', flag_seq = :seq' : ''}, flag_title = :title`
          : `SET flag_status = :status${seq ? ', flag_seq = :seq' : ''} REMOVE ${[...(index.remove ?? []), 'flag_title'].join(', ')}`,
        ConditionExpression:
          'seq' in guard
            ? // a late (replayed or reordered) record never overwrites a newer state
              'attribute_exists(PK) AND (attribute_not_exists(flag_seq) OR flag_seq < :seq)'
            : `attribute_exists(PK) AND ${guard.seen === null ? 'attribute_not_exists(flag_status)' : 'flag_status = :seen'}`,
        ExpressionAttributeValues: {
          ':status': status,
          ...(seq ? { ':seq': seq } : {}),
          ...('seen' in guard && guard.seen !== null ? { ':seen': guard.seen } : {}),
          ...index.values,
          ...(flagged ? { ':title': title } : {}),
        },
      }),
    ),
  );
  return written !== undefined;
}

/** The tenant's flagged levels, with the item title stamped at flag time (undefined on flags older than that). */
export async function flaggedLevels(tenant: string): Promise<{ level: Level; title: string | null | undefined }[]> {
  const rows = await exactLevelRows(tenant, await queryPartition(keys.lowStockPartition(tenant), { index: 'GSI2' }));
  return rows.map((r) => ({ level: strip<Level>(r), title: 'flag_title' in r ? (r.flag_title as string | null) : undefined }));
}
