/**
 * Reads of the SKU-addressed inventory family. A page of SKUs is one Query (rarely two or
 * three) of the SKU index, whose rows are each item followed by its levels: no per-SKU round trip.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { InventoryItem, Level } from '../core/model.ts';
import { indexName } from '../../lib/table-definition.ts';
import { db, tableName } from './db.ts';
import { batchRead } from './query.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { shownLevels } from './levels.ts';

// biome-ignore lint/suspicious/noExplicitAny: DynamoDB items are untyped here; the entities type them
type Row = Record<string, any>;

export interface SkuRecord {
  item: InventoryItem;
  levels: Level[];
}

export interface PageRequest {
  limit: number;
  cursor?: string;
  /** Keep only the SKUs this accepts (a page may then come back short, with a cursor). */
  accept?: (r: SkuRecord) => boolean;
  /** At most this many Query requests per page, whatever the catalogue. */
  maxRequests?: number;
  /** Rows to read along with the page's first BatchGetItem (the SKU count's: one request less); answered in `also`. */
  alsoRead?: { PK: string; SK: string }[];
}

export interface Page {
  records: SkuRecord[];
  next?: string;
  /** DynamoDB requests the page took (Queries and BatchGetItems). */
  requests: number;
  /** The warehouses of the page's levels, read along with them (skuPage): id → row. */
  warehouses?: Map<string, Row>;
  /** The rows `alsoRead` asked for that exist. */
  also?: Row[];
}

const keyOf = (r: Row) => `${r.PK}\u0000${r.SK}`;

/**
 * A page of the SKU index, in sku order. The index (lib/table-definition.ts: it projects no attribute a
 * stock change writes, so reservations write none of its partitions) gives each item's id, sku and
 * title and its levels' keys; the levels themselves, the warehouses they are at and `alsoRead` come
 * from the table in one BatchGetItem per 100 keys: a page of 50 SKUs with up to one level each is one
 * Query and one BatchGetItem (two with 2 levels each and the count's 17 rows).
 */
export async function skuPage(tenant: string, req: PageRequest): Promise<Page> {
  const pos = decodeCursor(req.cursor, ['sku', 'pk', 'sk']);
  let startKey: Row | undefined = pos ? { GSI3PK: keys.skusPartition(tenant), GSI3SK: pos.sku, PK: pos.pk, SK: pos.sk } : undefined;
  const maxRequests = req.maxRequests ?? 3;
  const entries: Row[] = [];
  let queries = 0;
  let requests = 0;
  let done = false;
  const out: SkuRecord[] = [];
  const warehouses = new Map<string, Row>();
  let alsoKeys = req.alsoRead?.length ? req.alsoRead : undefined;
  let also: Row[] | undefined;
  let examinedUpTo = -1; // index in entries of the last entry of the last group looked at
  /** The page's rows by key, with the warehouses not read yet and `alsoRead` the first time. */
  const read = async (levelKeys: { PK: string; SK: string }[], wids: string[]) => {
    const whKeys = [...new Set(wids)].filter((w) => !warehouses.has(w)).map((w) => keys.warehouse(tenant, w));
    const extra = alsoKeys ?? [];
    const all = [...levelKeys, ...whKeys, ...extra];
    if (!all.length) return new Map<string, Row>();
    const got = await batchRead(all);
    requests += got.requests;
    const byKey = new Map(got.rows.map((r) => [keyOf(r), r]));
    for (const k of whKeys) {
      const w = byKey.get(keyOf(k));
      if (w) warehouses.set(String(w.id), strip(w));
    }
    if (alsoKeys) {
      also = extra.map((k) => byKey.get(keyOf(k))).filter((r): r is Row => !!r);
      alsoKeys = undefined;
    }
    return byKey;
  };
  const answer = async (next?: string): Promise<Page> => {
    if (alsoKeys) await read([], []);
    return { records: out, ...(next ? { next } : {}), requests, warehouses, ...(also ? { also } : {}) };
  };
  for (;;) {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: indexName('GSI3'),
        KeyConditionExpression: 'GSI3PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.skusPartition(tenant) },
        ExclusiveStartKey: startKey,
        // an item and its levels: a few entries per SKU; one more SKU than asked tells a page is complete
        Limit: Math.min(1000, (req.limit + 1) * 8),
      }),
    );
    queries++;
    requests++;
    entries.push(...((page.Items ?? []) as Row[]));
    startKey = page.LastEvaluatedKey as Row | undefined;
    done = !startKey;
    // whole groups (an item and its levels) not looked at yet; the last may continue in the next Query page unless done
    const groups: { rows: Row[]; end: number }[] = [];
    let i = examinedUpTo + 1;
    while (i < entries.length) {
      let j = i + 1;
      while (j < entries.length && entries[j].entity === 'level' && entries[j].sku === entries[i].sku) j++;
      if (j === entries.length && !done) break; // incomplete group
      groups.push({ rows: entries.slice(i, j), end: j - 1 });
      i = j;
    }
    // the rows of as many groups as the page still needs, one read at a time (more when `accept` refuses some)
    let g = 0;
    while (g < groups.length) {
      const take = groups.slice(g, g + Math.max(1, req.limit - out.length));
      g += take.length;
      const wanted = take.filter((gr) => gr.rows[0].entity === 'item').flatMap((gr) => gr.rows.slice(1));
      const byKey = await read(
        wanted.map((e) => ({ PK: String(e.PK), SK: String(e.SK) })),
        wanted.map((e) => String(e.location_id)),
      );
      for (const gr of take) {
        examinedUpTo = gr.end;
        const head = gr.rows[0];
        if (head.entity !== 'item') continue; // a level whose item is gone (index lag)
        // each level as the table has it now (gone, or moved to another sku since the index was read: left out)
        const levels = gr.rows
          .slice(1)
          .map((e) => byKey.get(keyOf(e)))
          .filter((r): r is Row => !!r && r.sku === head.sku);
        const rec: SkuRecord = { item: strip<InventoryItem>(head), levels: (await shownLevels(tenant, levels, 'table')).map((r) => strip<Level>(r)) };
        if (req.accept && !req.accept(rec)) continue;
        out.push(rec);
        if (out.length === req.limit) {
          const last = entries[examinedUpTo];
          const more = examinedUpTo < entries.length - 1 || !done;
          return answer(more ? encodeCursor({ sku: last.GSI3SK, pk: last.PK, sk: last.SK }) : undefined);
        }
      }
    }
    if (done) return answer();
    if (queries >= maxRequests) {
      if (examinedUpTo < 0) {
        // not one whole SKU fits the budget (a SKU with very many levels): read on until it does
        if (queries < maxRequests * 4) continue;
      }
      const last = entries[examinedUpTo];
      return answer(last ? encodeCursor({ sku: last.GSI3SK, pk: last.PK, sk: last.SK }) : req.cursor);
    }
  }
}

/** Levels at one warehouse, as SKU records restricted to it (in item creation order). */
export async function warehousePage(tenant: string, wid: string, req: PageRequest): Promise<Page> {
  const pos = decodeCursor(req.cursor, ['pk', 'sk', 'iid']);
  let startKey: Row | undefined = pos ? { GSI1PK: keys.levelsAtLocation(tenant, wid), GSI1SK: pos.iid, PK: pos.pk, SK: pos.sk } : undefined;
  const maxRequests = req.maxRequests ?? 3;
  const out: SkuRecord[] = [];
  let requests = 0;
  for (;;) {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: indexName('GSI1'),
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.levelsAtLocation(tenant, wid) },
        ExclusiveStartKey: startKey,
        Limit: req.limit - out.length,
      }),
    );
    // the index gives the levels' keys (and sku, item id); the levels and their items come from the table, in one read
    const found = ((page.Items ?? []) as Row[]).filter((r) => r.sku);
    const read = found.length
      ? await batchRead([...found.map((e) => ({ PK: String(e.PK), SK: String(e.SK) })), ...found.map((e) => keys.item(tenant, String(e.inventory_item_id)))])
      : { rows: [], requests: 0 };
    const byKey = new Map(read.rows.map((r) => [keyOf(r), r]));
    const levels = found.map((e) => byKey.get(keyOf(e))).filter((r): r is Row => !!r && r.location_id === wid);
    const items = new Map<string, InventoryItem>();
    for (const r of read.rows) if (r.entity === 'item') items.set(String(r.id), strip<InventoryItem>(r));
    requests += 1 + read.requests;
    let last: Row | undefined;
    const exact = await shownLevels(tenant, levels, 'table');
    for (const [i, l] of levels.entries()) {
      last = l;
      const item = items.get(l.inventory_item_id);
      if (!item) continue;
      const rec: SkuRecord = { item, levels: [strip<Level>(exact[i])] };
      if (!req.accept || req.accept(rec)) out.push(rec);
    }
    startKey = page.LastEvaluatedKey as Row | undefined;
    const cursorAt = (r: Row) => encodeCursor({ pk: r.PK, sk: r.SK, iid: r.GSI1SK });
    if (!startKey) return { records: out, requests };
    if (out.length >= req.limit || requests >= maxRequests) {
      const lastRow = ((page.Items ?? []) as Row[]).at(-1) ?? last;
      return { records: out, next: lastRow ? cursorAt(lastRow) : req.cursor, requests };
    }
  }
}
