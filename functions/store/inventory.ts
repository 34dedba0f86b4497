/**
 * Reads of the SKU-addressed inventory family. A page of SKUs is one Query (rarely two or
 * three) of the SKU index, whose rows are each item followed by its levels: no per-SKU round trip.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { InventoryItem, Level } from '../core/model.ts';
import { db, tableName } from './db.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { getItems } from './items.ts';
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
}

export interface Page {
  records: SkuRecord[];
  next?: string;
  requests: number;
}

/** A page of the SKU index, in sku order. */
export async function skuPage(tenant: string, req: PageRequest): Promise<Page> {
  const pos = decodeCursor(req.cursor, ['sku', 'pk', 'sk']);
  let startKey: Row | undefined = pos ? { GSI3PK: keys.skusPartition(tenant), GSI3SK: pos.sku, PK: pos.pk, SK: pos.sk } : undefined;
  const maxRequests = req.maxRequests ?? 3;
  const rows: Row[] = [];
  let requests = 0;
  let done = false;
  const out: SkuRecord[] = [];
  let examinedUpTo = -1; // index in rows of the last row of the last group looked at
  for (;;) {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI3',
        KeyConditionExpression: 'GSI3PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.skusPartition(tenant) },
        ExclusiveStartKey: startKey,
        // an item and its levels: a few rows per SKU; one more SKU than asked tells a page is complete
        Limit: Math.min(1000, (req.limit + 1) * 8),
      }),
    );
    requests++;
    rows.push(...((page.Items ?? []) as Row[]));
    startKey = page.LastEvaluatedKey as Row | undefined;
    done = !startKey;
    // groups by sku; the last group may continue in the next Query page unless done
    let i = examinedUpTo + 1;
    while (i < rows.length) {
      let j = i + 1;
      while (j < rows.length && rows[j].entity === 'level' && rows[j].sku === rows[i].sku) j++;
      if (j === rows.length && !done) break; // incomplete group
      const group = rows.slice(i, j);
      examinedUpTo = j - 1;
      i = j;
      const head = group[0];
      if (head.entity !== 'item') continue; // a level whose item is gone (index lag)
      const rec: SkuRecord = { item: strip<InventoryItem>(head), levels: (await shownLevels(tenant, group.slice(1))).map((r) => strip<Level>(r)) };
      if (req.accept && !req.accept(rec)) continue;
      out.push(rec);
      if (out.length === req.limit) {
        const last = rows[examinedUpTo];
        const more = examinedUpTo < rows.length - 1 || !done;
        return { records: out, next: more ? encodeCursor({ sku: last.GSI3SK, pk: last.PK, sk: last.SK }) : undefined, requests };
      }
    }
    if (done) return { records: out, requests };
    if (requests >= maxRequests) {
      if (examinedUpTo < 0) {
        // not one whole SKU fits the budget (a SKU with very many levels): read on until it does
        if (requests < maxRequests * 4) continue;
      }
      const last = rows[examinedUpTo];
      return { records: out, next: last ? encodeCursor({ sku: last.GSI3SK, pk: last.PK, sk: last.SK }) : req.cursor, requests };
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
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.levelsAtLocation(tenant, wid) },
        ExclusiveStartKey: startKey,
        Limit: req.limit - out.length,
      }),
    );
    const levels = ((page.Items ?? []) as Row[]).filter((r) => r.sku);
    const items = levels.length
      ? await getItems(
          tenant,
          levels.map((l) => l.inventory_item_id),
        )
      : new Map();
    requests += levels.length ? 2 : 1;
    let last: Row | undefined;
    const exact = await shownLevels(tenant, levels);
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
