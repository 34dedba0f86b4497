/** Copies of a row's state onto its levels (a warehouse's read-only flag, an item's policy), sequence-guarded. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { inParallel } from '../core/parallel.ts';
import { db, retryConflicts, tableName, unlessConditionFails } from './db.ts';

/** At most this many fan-out writes in flight at once (policy and read-only copies on levels). */
export const FAN_OUT_PARALLEL = 16;

/**
 * Copy `values` onto each level whose `seqAttr` is older than `seq` (or missing), FAN_OUT_PARALLEL at
 * a time: per level `SET values, seqAttr = seq IF seqAttr < seq`, so a late or repeated copy never
 * moves a level back. A failed condition means "already newer, or gone". Returns the levels moved.
 */
export async function copyOntoLevels(levels: Record<string, any>[], seqAttr: string, seq: number, values: Record<string, unknown>): Promise<number> {
  const stale = levels.filter((l) => !(Number(l[seqAttr]) >= seq));
  const names = Object.keys(values);
  let moved = 0;
  await inParallel(
    stale,
    async (l) => {
      const written = await unlessConditionFails(() =>
        retryConflicts(() =>
          db().send(
            new UpdateCommand({
              TableName: tableName(),
              Key: { PK: l.PK, SK: l.SK },
              UpdateExpression: `SET ${[...names, seqAttr].map((n) => `${n} = :${n}`).join(', ')}`,
              ConditionExpression: `attribute_exists(PK) AND (attribute_not_exists(${seqAttr}) OR ${seqAttr} < :${seqAttr})`,
              ExpressionAttributeValues: Object.fromEntries([...names.map((n) => [`:${n}`, values[n]]), [`:${seqAttr}`, seq]]),
            }),
          ),
        ),
      );
      if (written) moved++;
    },
    FAN_OUT_PARALLEL,
  );
  return moved;
}
