/**
 * The table's stream consumer: for each level whose status changes (normal / low / critical /
 * out_of_stock) it publishes `inventory.level.status_changed` and sets or clears the level's
 * low-stock flag. Safe to replay: a record already applied (its sequence number is not newer than
 * the level's flag_seq) is skipped, and its own flag writes change no status, so they feed nothing.
 *
 * It also finishes the copies levels keep of shared rows (docs/design.md, "Hot rows"): a warehouse whose
 * read-only flag was set (ro_seq moved) has the flag copied onto its levels again, an item whose
 * backorder policy changed (policy_version moved) has it copied onto its levels again — both
 * idempotent and sequence-guarded, so they only matter when the request's own fan-out did not
 * finish (a crash) or missed a level the index did not show yet.
 *
 * And it publishes a transfer's step events (`inventory.transfer.<step>`) from the transfer record's
 * change: each step moves the record's version in the step's own transaction, so the event cannot be
 * lost once the step committed (a failed publish fails the record, which the stream hands over
 * again), and its id is the record's version, so a replay publishes the same id.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { levelStatus } from '#core/model.ts';
import type { LevelStatus } from '#core/model.ts';
import { LevelEntity, parseKey, TransferEntity } from '#store/entities.ts';
import { transferOfRow } from '#store/transfers.ts';
import { transferEvent } from '#core/transfers.ts';
import type { InventoryEvent } from '#core/events.ts';
import { flagSeq, seqKey, writeFlag, writeHotFlag } from '#store/flags.ts';
import { isHotRow, settleAndMaterialise } from '#store/levels.ts';
import { fanOutPolicy, getItems } from '#store/items.ts';
import { fanOutReadonly } from '#store/locations.ts';
import { publish } from '#edge/publisher.ts';
import { count, instrumented, logger } from '#edge/observability.ts';

// biome-ignore lint/suspicious/noExplicitAny: stream images are untyped DynamoDB items
type Image = Record<string, any>;
const image = (i: Record<string, unknown> | undefined): Image | undefined => (i ? unmarshall(typed(i)) : undefined);
/**
 * An attribute value with no type: DynamoDB Local's stream writes an empty map (an escrow shard's
 * `pending` once its ids left) as `{}` instead of `{"M":{}}`; read it as the empty map it is.
 */
const typed = (i: Record<string, unknown>): Record<string, AttributeValue> =>
  Object.fromEntries(Object.entries(i).map(([k, v]) => [k, v && typeof v === 'object' && Object.keys(v).length === 0 ? { M: {} } : v])) as Record<
    string,
    AttributeValue
  >;
const statusOf = (l: Image): LevelStatus => levelStatus(Number(l.available_quantity), Number(l.safety_stock ?? 0), Number(l.reorder_level ?? 0));

/** What a record means for a level's status, or undefined when it changes none. */
export function statusChange(record: DynamoDBRecord): { level: Image; from: LevelStatus | null; to: LevelStatus } | undefined {
  const next = image(record.dynamodb?.NewImage as Record<string, unknown> | undefined);
  const prev = image(record.dynamodb?.OldImage as Record<string, unknown> | undefined);
  if (!next || next.entity !== 'level') return undefined; // removals take their flag with them
  const to = statusOf(next);
  const from = prev ? statusOf(prev) : null;
  if (from === to || (from === null && to === 'normal')) return undefined;
  return { level: next, from, to };
}

/** The copy a record asks for: a warehouse's read-only flag or an item's policy moved. */
export function copyChange(record: DynamoDBRecord): { kind: 'readonly' | 'policy'; tenant: string; id: string; row: Image } | undefined {
  const next = image(record.dynamodb?.NewImage as Record<string, unknown> | undefined);
  const prev = image(record.dynamodb?.OldImage as Record<string, unknown> | undefined);
  if (!next || !prev) return undefined; // a new row has no levels yet; a removed one has none left
  const key = parseKey(next);
  if (!key) return undefined;
  if (key.entity === 'warehouse' && (next.ro_seq !== prev.ro_seq || next.is_readonly !== prev.is_readonly))
    return { kind: 'readonly', tenant: key.tenant, id: next.id, row: next };
  if (key.entity === 'item' && next.policy_version !== prev.policy_version) return { kind: 'policy', tenant: key.tenant, id: next.id, row: next };
  return undefined;
}

/** The event of a transfer's step: the record new or its version moved (every step moves it once). */
export function transferStep(record: DynamoDBRecord): InventoryEvent | undefined {
  const next = image(record.dynamodb?.NewImage as Record<string, unknown> | undefined);
  if (!next || next.entity !== 'transfer') return undefined;
  const key = TransferEntity.parse(next);
  if (!key) return undefined;
  const prev = image(record.dynamodb?.OldImage as Record<string, unknown> | undefined);
  if (prev && Number(prev.version) === Number(next.version)) return undefined;
  return transferEvent(key.tenant, transferOfRow(next), Number(next.version));
}

/**
 * The hot level a record concerns (store/hot.ts): a shard's change, or a change of a level in hot mode
 * (before or after). Its status is not a function of the level's image: settleHot decides it.
 */
export function hotLevelOf(record: DynamoDBRecord): { tenant: string; iid: string; wid: string } | undefined {
  const next = image(record.dynamodb?.NewImage as Record<string, unknown> | undefined);
  const prev = image(record.dynamodb?.OldImage as Record<string, unknown> | undefined);
  const row = next ?? prev;
  if (!row) return undefined;
  if (!isHotRow(next, prev)) return undefined;
  if (row.entity === 'hot_shard') {
    const pk = String(row.PK);
    return { tenant: pk.slice(2, pk.indexOf('#HOT#')), iid: String(row.inventory_item_id), wid: String(row.location_id) };
  }
  const key = LevelEntity.parse(row);
  return key && { tenant: key.tenant, iid: String(row.inventory_item_id), wid: String(row.location_id) };
}

/**
 * A hot level after a batch of its records: park or rebalance its free units (the background's part
 * of hot mode), then set its low-stock flag from a snapshot of the level and its shards.
 * Windows: two consumers settling the same level at once may write the flag of the older snapshot
 * last, and both may publish the change; the level's next record sets the flag right (a hot level
 * takes records all the time).
 */
export async function settleHot(tenant: string, iid: string, wid: string): Promise<void> {
  // park or rebalance (the door's: store/levels.ts), and the level as one read showed it before
  // (moving units between level and shards changes no shown figure, nor the flag); then the escrow
  // shards' pending reservations become rows (their units are reserved already: no figure moves)
  const settled = await settleAndMaterialise(tenant, iid, wid, new Date().toISOString());
  if (!settled) return;
  const exact = settled.shown;
  const to = statusOf(exact);
  const seen = exact.flag_status as LevelStatus | undefined;
  if ((seen ?? 'normal') === to) return;
  const title = to === 'normal' ? null : ((await getItems(tenant, [iid])).get(iid)?.title ?? null);
  // published before the flag is written (a crash in between publishes again on the next record),
  // with an id of this snapshot, so a replay of it carries the same id
  await publish([
    {
      id: `status-hot-${tenant}-${iid}-${wid}-${seen ?? 'normal'}-${to}-${settled.snapshot}`,
      type: 'inventory.level.status_changed',
      time: new Date().toISOString(),
      detail: {
        tenant_id: tenant,
        inventory_item_id: iid,
        sku: exact.sku ?? null,
        warehouse_id: wid,
        from: seen ?? 'normal',
        to,
        available_quantity: Number(exact.available_quantity),
        at: new Date().toISOString(),
      },
    },
  ]);
  await writeHotFlag(tenant, iid, wid, to, seen, title); // false: another consumer set it meanwhile
}

export async function recordHandler(record: DynamoDBRecord): Promise<void> {
  if (hotLevelOf(record)) return; // settled once per batch (settleHot)
  const step = transferStep(record);
  if (step) return publish([step]); // at least once: a failure hands the record over again, same id
  const copy = copyChange(record);
  if (copy?.kind === 'readonly') await fanOutReadonly(copy.tenant, copy.id, copy.row.is_readonly === true, Number(copy.row.ro_seq ?? 0));
  if (copy?.kind === 'policy') await fanOutPolicy(copy.tenant, copy.id);
  const change = statusChange(record);
  if (!change) return;
  const { level, from, to } = change;
  const { tenant } = LevelEntity.parse(level)!;
  const seq = seqKey(record.dynamodb!.SequenceNumber!);
  const seen = await flagSeq(tenant, level.inventory_item_id, level.location_id);
  if (seen !== undefined && seen >= seq) return; // already applied (a replay)
  await publish([
    {
      id: `status-${record.eventID}`,
      type: 'inventory.level.status_changed',
      time: new Date((record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000).toISOString(),
      detail: {
        tenant_id: tenant,
        inventory_item_id: level.inventory_item_id,
        sku: level.sku ?? null,
        warehouse_id: level.location_id,
        from,
        to,
        available_quantity: Number(level.available_quantity),
        at: new Date().toISOString(),
      },
    },
  ]);
  // a flagged level carries its item's title, so the low-stock report reads nothing but flagged levels
  const title = to === 'normal' ? null : ((await getItems(tenant, [level.inventory_item_id])).get(level.inventory_item_id)?.title ?? null);
  await writeFlag(tenant, level.inventory_item_id, level.location_id, to, seq, title);
}

export const handler = instrumented('StreamConsumer', async (event: DynamoDBStreamEvent, context: Context) => {
  count('StreamRecords', event.Records?.length ?? 0);
  if (!event.Records?.length) return { batchItemFailures: [] };
  // one processor per invocation: it keeps the batch's state (the local runtime may overlap calls)
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const out = await processPartialResponse(event, recordHandler, processor, { context, processInParallel: false });
  // hot levels: once per level per batch; a failure retries the level's records
  const hot = new Map<string, { level: { tenant: string; iid: string; wid: string }; ids: string[] }>();
  for (const r of event.Records) {
    const level = hotLevelOf(r);
    if (!level) continue;
    const k = `${level.tenant}\u0000${level.iid}\u0000${level.wid}`;
    const entry = hot.get(k) ?? { level, ids: [] };
    entry.ids.push(r.dynamodb?.SequenceNumber ?? '');
    hot.set(k, entry);
  }
  for (const { level, ids } of hot.values()) {
    try {
      await settleHot(level.tenant, level.iid, level.wid);
    } catch (err) {
      logger.warn('hot level not settled', { error: (err as Error).message, inventory_item_id: level.iid, warehouse_id: level.wid });
      out.batchItemFailures.push(...ids.map((itemIdentifier) => ({ itemIdentifier })));
    }
  }
  count('StreamRecordFailures', out.batchItemFailures.length);
  if (out.batchItemFailures.length) logger.warn('stream records failed', { failed: out.batchItemFailures.length, of: event.Records.length });
  return out;
});
