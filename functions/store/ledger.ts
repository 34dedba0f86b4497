import type { Adjustment, AdjustmentReason, Level } from '../core/model.ts';
import { newId } from '../core/ids.ts';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './db.ts';
import type { TxAction } from './db.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { AdjustmentEntity } from './entities.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';

/** Who writes, for whom and when: every write that leaves ledger rows takes one. */
export interface WriteContext {
  tenant: string;
  /** The API key's name: the ledger's created_by. */
  by: string;
  now: string;
}

export interface LedgerEntry {
  tenant: string;
  sku: string | null;
  inventory_item_id: string;
  warehouse_id: string;
  field: Adjustment['field'];
  before: number;
  after: number;
  reason: AdjustmentReason;
  note?: string | null;
  reference?: string | null;
  created_by: string;
  at: string;
}

/** The ledger Put that travels in the same transaction as the quantity change it records. */
export function ledgerPut(e: LedgerEntry): TxAction {
  const id = newId('adj');
  const row = AdjustmentEntity.row(e.tenant, {
    id,
    sku: e.sku,
    inventory_item_id: e.inventory_item_id,
    warehouse_id: e.warehouse_id,
    field: e.field,
    before_quantity: e.before,
    after_quantity: e.after,
    delta: e.after - e.before,
    reason: e.reason,
    note: e.note ?? null,
    reference: e.reference ?? null,
    created_by: e.created_by,
    created_at: e.at,
  });
  return {
    label: 'ledger',
    item: { Put: { TableName: tableName(), Item: row, ConditionExpression: 'attribute_not_exists(PK)' } },
  };
}

export interface LedgerQuery {
  limit: number;
  cursor?: string;
  from?: string;
  to?: string;
  warehouse_id?: string;
  /** Only these warehouses (a warehouse-limited key). */
  warehouse_ids?: string[];
  reason?: string;
  maxRequests?: number;
}

function ledgerParams(tenant: string, iid: string, q: LedgerQuery) {
  const names: Record<string, string> = { '#pk': 'PK' };
  const values: Record<string, unknown> = { ':pk': keys.ledgerPartition(tenant, iid) };
  let cond = '#pk = :pk';
  if (q.from || q.to) names['#sk'] = 'SK';
  if (q.from && q.to) {
    Object.assign(values, { ':from': q.from, ':to': `${q.to}\uffff` });
    cond += ' AND #sk BETWEEN :from AND :to';
  } else if (q.from) {
    values[':from'] = q.from;
    cond += ' AND #sk >= :from';
  } else if (q.to) {
    values[':to'] = `${q.to}\uffff`;
    cond += ' AND #sk <= :to';
  }
  const filters: string[] = [];
  if (q.warehouse_id) {
    names['#wh'] = 'warehouse_id';
    values[':wh'] = q.warehouse_id;
    filters.push('#wh = :wh');
  }
  if (q.warehouse_ids?.length) {
    names['#whs'] = 'warehouse_id';
    const list = q.warehouse_ids.map((w, i) => {
      values[`:whs${i}`] = w;
      return `:whs${i}`;
    });
    filters.push(`#whs IN (${list.join(', ')})`);
  }
  if (q.reason) {
    names['#reason'] = 'reason';
    values[':reason'] = q.reason;
    filters.push('#reason = :reason');
  }
  return {
    TableName: tableName(),
    KeyConditionExpression: cond,
    FilterExpression: filters.length ? filters.join(' AND ') : undefined,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ConsistentRead: true,
  };
}

/** An item's ledger, newest first, by date range (the sort key starts with created_at). */
export async function queryLedger(tenant: string, iid: string, q: LedgerQuery): Promise<{ rows: Adjustment[]; next?: string }> {
  const pos = decodeCursor(q.cursor, ['sk']);
  const rows: Adjustment[] = [];
  let startKey: Record<string, unknown> | undefined = pos ? { PK: keys.ledgerPartition(tenant, iid), SK: pos.sk } : undefined;
  for (let requests = 0; requests < (q.maxRequests ?? 3); requests++) {
    const page = await db().send(
      new QueryCommand({ ...ledgerParams(tenant, iid, q), ScanIndexForward: false, ExclusiveStartKey: startKey, Limit: q.limit - rows.length }),
    );
    rows.push(...(page.Items ?? []).map((r) => strip<Adjustment>(r)));
    startKey = page.LastEvaluatedKey;
    if (!startKey) return { rows };
    if (rows.length >= q.limit) break;
  }
  return { rows, next: encodeCursor({ sk: String(startKey!.SK) }) };
}

/** How many ledger rows match (meta.total): a COUNT over the same key range and filters. */
export async function countLedger(tenant: string, iid: string, q: LedgerQuery): Promise<number> {
  let total = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db().send(new QueryCommand({ ...ledgerParams(tenant, iid, q), Select: 'COUNT', ExclusiveStartKey: startKey }));
    total += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return total;
}

/** Ledger rows for the stock a level still holds when it is removed (quantities go to 0). */
export function writeOffLedger(ctx: WriteContext, level: Level): TxAction[] {
  const base = {
    tenant: ctx.tenant,
    sku: level.sku ?? null,
    inventory_item_id: level.inventory_item_id,
    warehouse_id: level.location_id,
    reason: 'correction' as const,
    note: 'location level removed',
    created_by: ctx.by,
    at: ctx.now,
    after: 0,
  };
  const out: TxAction[] = [];
  if (level.stocked_quantity > 0) out.push(ledgerPut({ ...base, field: 'stocked_quantity', before: level.stocked_quantity }));
  if (level.incoming_quantity > 0) out.push(ledgerPut({ ...base, field: 'incoming_quantity', before: level.incoming_quantity }));
  return out;
}
