import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { indexHas, indexName } from '../../lib/table-definition.ts';
import type { IndexId } from '../../lib/table-definition.ts';
import { db, tableName } from './db.ts';

type Row = Record<string, unknown>;

/** Every page of a Query (bounded by the caller's key condition, never a Scan). */
export async function queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Row[]> {
  const rows: Row[] = [];
  let ExclusiveStartKey: Row | undefined;
  do {
    const page = await db().send(new QueryCommand({ TableName: tableName(), ...input, ExclusiveStartKey }));
    rows.push(...((page.Items ?? []) as Row[]));
    ExclusiveStartKey = page.LastEvaluatedKey as Row | undefined;
  } while (ExclusiveStartKey);
  return rows;
}

interface PartitionQuery {
  index?: IndexId;
  /** Only sort keys that begin with this. */
  skPrefix?: string;
  /** Only sort keys at or below this (not with skPrefix). */
  skUpTo?: string;
  consistent?: boolean;
  projection?: string[];
}

/** The Query of one partition (optionally one index): its key condition and projection. */
function partitionQuery(pk: string, opts: PartitionQuery, projection = opts.projection): Omit<QueryCommandInput, 'TableName'> {
  const pkName = opts.index ? `${opts.index}PK` : 'PK';
  const skName = opts.index ? `${opts.index}SK` : 'SK';
  const names: Record<string, string> = { '#pk': pkName };
  const values: Row = { ':pk': pk };
  let cond = '#pk = :pk';
  if (opts.skPrefix) {
    names['#sk'] = skName;
    values[':sk'] = opts.skPrefix;
    cond += ' AND begins_with(#sk, :sk)';
  } else if (opts.skUpTo !== undefined) {
    names['#sk'] = skName;
    values[':sk'] = opts.skUpTo;
    cond += ' AND #sk <= :sk';
  }
  let ProjectionExpression: string | undefined;
  if (projection) {
    ProjectionExpression = projection.map((p, i) => `#p${i}`).join(', ');
    projection.forEach((p, i) => (names[`#p${i}`] = p));
  }
  return {
    IndexName: opts.index ? indexName(opts.index) : undefined,
    KeyConditionExpression: cond,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ConsistentRead: opts.index ? undefined : (opts.consistent ?? true),
    ProjectionExpression,
  };
}

/**
 * An index read that needs attributes the index does not project (every row whole, or a projection
 * beyond lib/table-definition.ts INDEX_ATTRIBUTES): the index gives the keys, the rows come from the
 * table by key (batchRead, 100 a request). Rows that are gone, or have left this index partition since
 * the index was read (it is eventually consistent), are dropped; the index's order is kept.
 */
const needsRows = (opts: PartitionQuery) => !!opts.index && !(opts.projection && indexHas(opts.index, opts.projection));

/** Index entries → their rows as the table has them now, in the entries' order, still under `pk` of `index`. */
export async function rowsOf(entries: Row[], index: IndexId, pks: string[]): Promise<Row[]> {
  if (!entries.length) return [];
  const { rows } = await batchRead(entries.map((e) => ({ PK: String(e.PK), SK: String(e.SK) })));
  const byKey = new Map(rows.map((r) => [`${r.PK}\u0000${r.SK}`, r]));
  const under = new Set(pks);
  const out: Row[] = [];
  for (const e of entries) {
    const r = byKey.get(`${e.PK}\u0000${e.SK}`);
    if (r && under.has(String(r[`${index}PK`]))) out.push(r);
  }
  return out;
}

/**
 * A page of a GSI1 partition, newest first, filtered in code: each index page's keys become their
 * rows (rowsOf), `take` keeps what it wants of them (as results of its own shape), until `limit`
 * results or `maxRequests` index pages. `after`: the GSI1SK to resume after, when the partition goes on.
 */
export async function filteredNewestFirst<T>(
  pk: string,
  start: Row | undefined,
  limit: number,
  take: (rows: Row[]) => Promise<T[]> | T[],
  maxRequests = 5,
): Promise<{ rows: T[]; after?: string }> {
  const out: T[] = [];
  let startKey = start;
  for (let requests = 0; requests < maxRequests; requests++) {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: indexName('GSI1'),
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'PK, SK',
        ScanIndexForward: false,
        ExclusiveStartKey: startKey,
        Limit: limit - out.length,
      }),
    );
    out.push(...(await take(await rowsOf(page.Items ?? [], 'GSI1', [pk]))));
    startKey = page.LastEvaluatedKey;
    if (!startKey) return { rows: out };
    if (out.length >= limit) break;
  }
  return { rows: out, after: String(startKey!.GSI1SK) };
}

/** Query one partition (optionally one index; rows whole unless a projection is asked for). */
export async function queryPartition(pk: string, opts: PartitionQuery = {}): Promise<Row[]> {
  if (!needsRows(opts)) return queryAll(partitionQuery(pk, opts));
  const entries = await queryAll(partitionQuery(pk, opts, ['PK', 'SK']));
  return rowsOf(entries, opts.index!, [pk]);
}

/**
 * Query every partition of a sharded index (`keys.reservationsPartitions`, `keys.expiriesPartitions`:
 * the shards and the legacy unsharded partition) in parallel, each one every page, and merge them
 * into the index's sort-key order, the order one partition's Query returns (the sort key joins a
 * projection for that). One request per partition: 17 for a reservation index; rows the index does
 * not project whole are then read by key, all partitions' at once.
 */
export async function queryShards(pks: string[], opts: PartitionQuery & { index: IndexId }): Promise<Row[]> {
  const sk = `${opts.index}SK`;
  const whole = needsRows(opts);
  const asked = whole ? ['PK', 'SK'] : opts.projection;
  const projection = asked && !asked.includes(sk) ? [...asked, sk] : asked;
  const parts = await Promise.all(pks.map((pk) => queryAll(partitionQuery(pk, opts, projection))));
  // the keys are ASCII (ids, ISO dates): code-unit order is DynamoDB's byte order
  const merged = parts.flat().sort((a, b) => (String(a[sk]) < String(b[sk]) ? -1 : String(a[sk]) > String(b[sk]) ? 1 : 0));
  return whole ? rowsOf(merged, opts.index, pks) : merged;
}

/** Re-sends of unprocessed keys in a row without progress before a batch read gives up (a 429). */
export const BATCH_RETRIES = 8;
const BATCH_BACKOFF_MS = 25;
const BATCH_BACKOFF_CAP_MS = 1000;

/**
 * Batched consistent reads of any number of keys, 100 a request (duplicates read once; order not
 * kept); requests counted. Keys a request answers as unprocessed (a partition out of read capacity)
 * are sent again after an exponential backoff with full jitter (25 ms doubling, at most 1 s), at most
 * BATCH_RETRIES times in a row without progress (BatchGetItem, Amazon DynamoDB API Reference: "use
 * an exponential backoff algorithm"); then it answers as DynamoDB does when out of capacity
 * (ProvisionedThroughputExceededException: the edge's 429).
 */
export async function batchRead(keyList: { PK: string; SK: string }[]): Promise<{ rows: Row[]; requests: number }> {
  const rows: Row[] = [];
  let requests = 0;
  const unique = [...new Map(keyList.map((k) => [`${k.PK}|${k.SK}`, k])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = unique.slice(i, i + 100);
    let retries = 0;
    while (pending?.length) {
      if (retries > 0) {
        if (retries > BATCH_RETRIES) {
          throw Object.assign(new Error(`${pending.length} keys still unprocessed after ${BATCH_RETRIES} retries`), {
            name: 'ProvisionedThroughputExceededException',
          });
        }
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(BATCH_BACKOFF_CAP_MS, BATCH_BACKOFF_MS * 2 ** (retries - 1))));
      }
      requests++;
      const res = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } } }));
      const got = (res.Responses?.[tableName()] ?? []) as Row[];
      rows.push(...got);
      const before = pending.length;
      pending = res.UnprocessedKeys?.[tableName()]?.Keys as Record<string, unknown>[] | undefined;
      // a request that read something resets the count: only answers without progress use it up
      retries = got.length > 0 && (pending?.length ?? 0) < before ? 1 : retries + 1;
    }
  }
  return { rows, requests };
}

/** BatchGet any number of keys (batchRead); order not kept. */
export async function batchGet(keys: { PK: string; SK: string }[]): Promise<Row[]> {
  return (await batchRead(keys)).rows;
}
