/**
 * The low-stock flag: GSI2 attributes on a level, present only while its status is not `normal`
 * (`T#t#LOW` / `<iid>#<wid>`), so a report reads the flagged levels and nothing else. Written by the
 * stream consumer, conditioned on the stream sequence number so a late record never overwrites a
 * newer state.
 */
import type { Level, LevelStatus } from '../core/model.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { queryPartition } from './query.ts';
import { setLevelFlag, shownLevels } from './levels.ts';

/** Stream sequence numbers are decimal strings of up to 40 digits: padded, they compare as strings. */
export const seqKey = (sequenceNumber: string) => sequenceNumber.padStart(40, '0');

/** The stream sequence of the level's last flag write (the door's read, store/levels.ts). */
export { levelFlagSeq as flagSeq } from './levels.ts';

/**
 * Set or clear the flag (a write of the level row: the door's, store/levels.ts); false when a newer
 * record already wrote it or the level is gone. `title`: the item's title, kept on a flagged level so
 * the report reads the flagged levels and nothing else.
 */
export async function writeFlag(tenant: string, iid: string, wid: string, status: LevelStatus, seq: string, title: string | null = null): Promise<boolean> {
  return setLevelFlag(tenant, iid, wid, status, title, { seq });
}

/**
 * The flag of a hot level (store/levels.ts, hot mode), whose status changes with its shards, in
 * partitions of their own, so no one stream sequence orders them: set from a fresh snapshot, while the flag is still the
 * one that snapshot showed (`seen`; undefined: never flagged).
 */
export async function writeHotFlag(
  tenant: string,
  iid: string,
  wid: string,
  status: LevelStatus,
  seen: string | undefined,
  title: string | null = null,
): Promise<boolean> {
  return setLevelFlag(tenant, iid, wid, status, title, { seen: seen ?? null });
}

/** The tenant's flagged levels, with the item title stamped at flag time (undefined on flags older than that). */
export async function flaggedLevels(tenant: string): Promise<{ level: Level; title: string | null | undefined }[]> {
  const rows = await shownLevels(tenant, await queryPartition(keys.lowStockPartition(tenant), { index: 'GSI2' }), 'index');
  return rows.map((r) => ({ level: strip<Level>(r), title: 'flag_title' in r ? (r.flag_title as string | null) : undefined }));
}
